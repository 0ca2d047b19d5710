import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import {
  DerError,
  OID,
  RSA_SIGNATURE_HASHES,
  TAG,
  children,
  content,
  expectTag,
  formatName,
  integerHex,
  namesEqual,
  parseCertificateDer,
  parseCertificatePem,
  publicKeyFromSpki,
  raw,
  readName,
  readOid,
  readTime,
  readTlv,
  verifyCertificateSignature,
  type NameAttribute,
  type ParsedCertificate,
  type Tlv,
} from './der';

/**
 * Verification of agreement signatures: CMS (PKCS#7) SignedData, detached, one signer, signed
 * attributes contentType + messageDigest (+ signingTime), RSA PKCS#1 v1.5 with SHA-256/384/512,
 * signer certificate carried in the CMS and chaining to the broker's issuing CA and the root.
 * Everything is read with the strict DER reader of `ca.ts` and verified with Node's native RSA.
 */

export type SignatureCheck = 'FORMAT' | 'DIGEST' | 'SIGNATURE' | 'CHAIN' | 'VALIDITY' | 'REVOKED' | 'SIGNER';

/** A signature that does not verify; `check` says which check failed, `message` is for people. */
export class SignatureError extends Error {
  constructor(
    readonly check: SignatureCheck,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}

export interface VerifyDetachedSignatureInput {
  /** DER of the CMS ContentInfo (SignedData). */
  signatureDer: Buffer;
  /** The signed bytes (the canonical JSON of the agreement), not contained in the CMS. */
  content: Buffer;
  /** The broker's issuing CA. */
  issuerCertPem: string;
  /** The platform root. */
  rootCertPem: string;
  isRevoked: (serialHex: string) => boolean;
  now: Date;
  /** The customer id: the signer certificate's subject serialNumber must be exactly this. */
  expectedSubjectSerialNumber: string;
}

export interface VerifiedSignature {
  /** Lowercase hex, without sign octets (as `issueClientCertificate` returns it). */
  signerSerial: string;
  signingTime: Date | null;
  /** `CN=张伟, serialNumber=…, OU=…, O=Kaihu, C=CN` */
  signerSubject: string;
}

const DIGESTS: Readonly<Record<string, string>> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

const fail = (check: SignatureCheck, message: string) => new SignatureError(check, message);
const formatError = (detail: string) => fail('FORMAT', `签名格式无效：${detail}`);

// -- CA certificates are configuration: parse them and verify the issuing CA once -------------

interface CaCert extends ParsedCertificate {
  publicKey: KeyObject;
}

const CACHE_LIMIT = 256;
const caCache = new Map<string, CaCert>();
const chainCache = new Map<string, boolean>();

function remember<V>(map: Map<string, V>, key: string, value: V): V {
  if (map.size >= CACHE_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

function caCert(pem: string): CaCert {
  const hit = caCache.get(pem);
  if (hit) return hit;
  const c = parseCertificatePem(pem);
  return remember(caCache, pem, { ...c, publicKey: publicKeyFromSpki(c.spki) });
}

/** The issuing CA is a CA named and signed by the root. */
function issuingCaChains(issuerPem: string, rootPem: string): boolean {
  const key = `${issuerPem}\n${rootPem}`;
  const hit = chainCache.get(key);
  if (hit !== undefined) return hit;
  const ca = caCert(issuerPem);
  const root = caCert(rootPem);
  return remember(
    chainCache,
    key,
    ca.isCa && namesEqual(ca.issuer, root.subject) && verifyCertificateSignature(ca, root.publicKey),
  );
}

// -- CMS structure -----------------------------------------------------------------------------

interface SignerInfo {
  issuer: NameAttribute[];
  serialHex: string;
  digestAlgorithm: string;
  /** The [0] IMPLICIT signed attributes as sent (tag 0xa0). */
  signedAttrs: Buffer;
  signatureAlgorithm: string;
  signature: Buffer;
}

interface SignedData {
  eContentType: string;
  certificates: ParsedCertificate[];
  signer: SignerInfo;
}

function algorithmOid(buf: Buffer, t: Tlv | undefined): string {
  return readOid(buf, expectTag(children(buf, expectTag(t, TAG.SEQUENCE))[0], TAG.OID));
}

function parseSignedData(der: Buffer): SignedData {
  let outer: Tlv;
  let ci: Tlv[];
  try {
    outer = readTlv(der, 0);
    if (outer.tag !== TAG.SEQUENCE || outer.end !== der.length) throw new DerError('not a ContentInfo');
    ci = children(der, outer);
    if (ci.length !== 2 || readOid(der, ci[0]!) !== OID.signedData || ci[1]!.tag !== 0xa0)
      throw new DerError('not SignedData');
  } catch (e) {
    if (e instanceof DerError) throw formatError('不是 CMS/PKCS#7 签名数据');
    throw e;
  }
  try {
    const sd = children(der, expectTag(children(der, ci[1]!)[0], TAG.SEQUENCE));
    let i = 1; // version
    expectTag(sd[i++], TAG.SET); // digestAlgorithms
    const encap = children(der, expectTag(sd[i++], TAG.SEQUENCE));
    const eContentType = readOid(der, encap[0]!);
    if (encap.length > 1) throw formatError('签名中包含了原文，应使用分离式（detached）签名');
    const certificates: ParsedCertificate[] = [];
    if (sd[i]?.tag === 0xa0) {
      for (const c of children(der, sd[i]!))
        if (c.tag === TAG.SEQUENCE) certificates.push(parseCertificateDer(raw(der, c)));
      i++;
    }
    if (sd[i]?.tag === 0xa1) i++; // crls
    const infos = children(der, expectTag(sd[i++], TAG.SET));
    if (sd.length !== i) throw new DerError('trailing SignedData fields');
    if (infos.length !== 1) throw formatError(`签名须有且只有一个签名者（实际 ${infos.length} 个）`);
    if (!certificates.length) throw formatError('签名中缺少签名证书');
    return { eContentType, certificates, signer: parseSignerInfo(der, infos[0]!) };
  } catch (e) {
    if (e instanceof DerError) throw formatError('签名数据结构损坏');
    throw e;
  }
}

function parseSignerInfo(der: Buffer, t: Tlv): SignerInfo {
  const f = children(der, expectTag(t, TAG.SEQUENCE));
  let i = 1; // version
  const sid = f[i++];
  if (sid?.tag !== TAG.SEQUENCE) throw formatError('仅支持以颁发者和序列号（issuerAndSerialNumber）标识签名者');
  const [issuerT, serialT] = children(der, sid);
  const issuer = readName(der, expectTag(issuerT, TAG.SEQUENCE));
  const serialHex = integerHex(der, expectTag(serialT, TAG.INTEGER));
  const digestAlgorithm = algorithmOid(der, f[i++]);
  if (f[i]?.tag !== 0xa0) throw formatError('签名缺少签名属性（signedAttrs）');
  const signedAttrs = raw(der, f[i++]!);
  const signatureAlgorithm = algorithmOid(der, f[i++]);
  const signature = content(der, expectTag(f[i++], TAG.OCTET_STRING));
  return { issuer, serialHex, digestAlgorithm, signedAttrs, signatureAlgorithm, signature };
}

interface SignedAttributes {
  contentType: string;
  messageDigest: Buffer;
  signingTime: Date | null;
}

function parseSignedAttributes(attrs: Buffer): SignedAttributes {
  const seen = new Map<string, Tlv[]>();
  try {
    for (const a of children(attrs, readTlv(attrs, 0))) {
      const [typeT, valuesT] = children(attrs, expectTag(a, TAG.SEQUENCE));
      const type = readOid(attrs, typeT!);
      if (seen.has(type)) throw formatError('签名属性重复');
      seen.set(type, children(attrs, expectTag(valuesT, TAG.SET)));
    }
    const single = (oid: string): Tlv | null => {
      const v = seen.get(oid);
      if (!v) return null;
      if (v.length !== 1) throw formatError('签名属性须为单值');
      return v[0]!;
    };
    const ct = single(OID.contentType);
    const md = single(OID.messageDigest);
    const st = single(OID.signingTime);
    if (!ct || !md) throw formatError('签名属性缺少内容类型或消息摘要');
    return {
      contentType: readOid(attrs, ct),
      messageDigest: content(attrs, expectTag(md, TAG.OCTET_STRING)),
      signingTime: st ? readTime(attrs, st) : null,
    };
  } catch (e) {
    if (e instanceof DerError) throw formatError('签名属性结构损坏');
    throw e;
  }
}

/** RSA PKCS#1 v1.5 over the signed attributes, DER-encoded as SET OF (tag 0x31). Never throws. */
function signatureValid(signer: SignerInfo, hash: string, key: KeyObject): boolean {
  const setOf = Buffer.from(signer.signedAttrs);
  setOf[0] = TAG.SET;
  try {
    return cryptoVerify(hash, setOf, key, signer.signature);
  } catch {
    return false;
  }
}

const validAt = (c: ParsedCertificate, now: Date) =>
  c.notBefore.getTime() <= now.getTime() && now.getTime() <= c.notAfter.getTime();

/**
 * Verifies a detached CMS signature of `content` by a customer's certificate. Checks run in the
 * order FORMAT, DIGEST, SIGNATURE, CHAIN, VALIDITY, REVOKED, SIGNER; the first failure throws a
 * {@link SignatureError}.
 */
export function verifyDetachedSignature(input: VerifyDetachedSignatureInput): VerifiedSignature {
  // FORMAT
  const sd = parseSignedData(input.signatureDer);
  const { signer } = sd;
  const cert = sd.certificates.find((c) => c.serialHex === signer.serialHex && namesEqual(c.issuer, signer.issuer));
  if (!cert) throw formatError('签名中没有与签名者标识（颁发者和序列号）相符的证书');
  const attrs = parseSignedAttributes(signer.signedAttrs);
  if (attrs.contentType !== sd.eContentType) throw formatError('签名属性中的内容类型与签名数据不一致');
  const digest = DIGESTS[signer.digestAlgorithm];
  if (!digest) throw formatError(`不支持的摘要算法（${signer.digestAlgorithm}）`);
  let hash: string;
  if (signer.signatureAlgorithm === OID.rsaEncryption) hash = digest;
  else if (RSA_SIGNATURE_HASHES[signer.signatureAlgorithm] === digest) hash = digest;
  else throw formatError(`不支持的签名算法（${signer.signatureAlgorithm}）`);

  // DIGEST
  if (!createHash(digest).update(input.content).digest().equals(attrs.messageDigest)) {
    throw fail('DIGEST', '签名验证失败：签名对应的原文摘要与协议内容不符，协议内容可能已被修改');
  }

  // SIGNATURE
  let signerKey: KeyObject;
  try {
    signerKey = publicKeyFromSpki(cert.spki);
  } catch {
    throw fail('SIGNATURE', '签名验证失败：签名证书中的公钥无法解析');
  }
  if (!signatureValid(signer, hash, signerKey)) throw fail('SIGNATURE', '签名验证失败：签名值与证书公钥不符');

  // CHAIN
  const ca = caCert(input.issuerCertPem);
  if (!namesEqual(cert.issuer, ca.subject) || !verifyCertificateSignature(cert, ca.publicKey)) {
    throw fail('CHAIN', '签名验证失败：签名证书不是由本期货公司的证书签发机构签发');
  }
  if (!issuingCaChains(input.issuerCertPem, input.rootCertPem)) {
    throw fail('CHAIN', '签名验证失败：证书签发机构不受平台根证书信任');
  }

  // VALIDITY
  if (!validAt(cert, input.now)) throw fail('VALIDITY', '签名验证失败：签名证书已过期或尚未生效');
  if (!validAt(ca, input.now)) throw fail('VALIDITY', '签名验证失败：证书签发机构的证书已过期或尚未生效');

  // REVOKED
  if (input.isRevoked(cert.serialHex)) throw fail('REVOKED', '签名验证失败：签名证书已被吊销');

  // SIGNER
  const ids = cert.subject.filter((a) => a.oid === OID.serialNumber);
  if (ids.length !== 1 || ids[0]!.value !== input.expectedSubjectSerialNumber) {
    throw fail('SIGNER', '签名验证失败：签名证书不属于当前客户');
  }

  return { signerSerial: cert.serialHex, signingTime: attrs.signingTime, signerSubject: formatName(cert.subject) };
}
