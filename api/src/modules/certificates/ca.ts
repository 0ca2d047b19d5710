import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';

import {
  DerError,
  OID,
  RSA_SIGNATURE_HASHES,
  SHORT_NAMES,
  TAG,
  WEAK_SIGNATURE_ALGORITHMS,
  children,
  derToPem,
  expectTag,
  formatName,
  oidDer,
  parseCertificateDer,
  pemToDer,
  publicKeyFromSpki,
  raw,
  readName,
  readOid,
  readSmallInteger,
  readWhole,
  tlv,
  type NameAttribute,
  type ParsedCertificate,
} from './der';
import { decryptKey, encryptKey, isEncryptedPem } from './keys';

export { KeyDecryptionError, KEY_PBKDF2_ITERATIONS, decryptKey, encryptKey } from './keys';
/**
 * The platform's certificate authority: a root CA, one issuing CA per broker, and personal client
 * certificates issued from PKCS#10 requests whose key pair was generated in the customer's browser.
 *
 * Certificates are assembled with node-forge but signed with Node's native RSA (forge's pure-JS
 * private-key operation is an order of magnitude slower), and every DER structure we *read*
 * (requests, certificates, CMS) goes through the small strict DER reader below, so that what we
 * verify is exactly the bytes that were signed. Names keep UTF-8 (Chinese) values intact.
 */

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export type CertificateRequestReason = 'MALFORMED' | 'BAD_SIGNATURE' | 'WEAK_KEY' | 'SUBJECT_MISMATCH';

/** A PKCS#10 request the CA refuses; `message` is for people (Chinese). */
export class CertificateRequestError extends Error {
  constructor(
    readonly reason: CertificateRequestReason,
    message: string,
  ) {
    super(message);
    this.name = 'CertificateRequestError';
  }
}

// ---------------------------------------------------------------------------------------------
// Certificates (issuing)
// ---------------------------------------------------------------------------------------------

interface SubjectPart {
  oid: string;
  value: string;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]+$/;

/** UTF8String unless the value is plain PrintableString material (C and serialNumber usually are). */
function toForgeAttributes(parts: readonly SubjectPart[]): forge.pki.CertificateField[] {
  return parts.map((p) => ({
    type: p.oid,
    value: p.value,
    valueTagClass: (PRINTABLE.test(p.value)
      ? forge.asn1.Type.PRINTABLESTRING
      : forge.asn1.Type.UTF8) as unknown as forge.asn1.Class,
  }));
}

function subjectString(parts: readonly SubjectPart[]): string {
  return formatName(parts.map((p) => ({ oid: p.oid, type: SHORT_NAMES[p.oid] ?? p.oid, value: p.value })));
}

function toBinary(b: Buffer): string {
  return b.toString('binary');
}

/** A random positive serial: 16 random octets (first non-zero), hex; DER adds a 00 when needed. */
function randomSerial(): { hex: string; derHex: string } {
  let bytes = randomBytes(16);
  while (bytes[0] === 0) bytes = randomBytes(16);
  const hex = bytes.toString('hex');
  return { hex, derHex: bytes[0]! & 0x80 ? `00${hex}` : hex };
}

/** Second precision (what the certificate stores). */
function truncSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function addYears(d: Date, years: number): Date {
  const r = new Date(d.getTime());
  r.setUTCFullYear(r.getUTCFullYear() + years);
  return r;
}

const FIVE_MINUTES = 5 * 60 * 1000;

interface BuildInput {
  subject: readonly SubjectPart[];
  /** DER of the issuer's subject Name, spliced verbatim; null for self-signed. */
  issuerNameDer: Buffer | null;
  /** Issuer's subjectKeyIdentifier (hex); null for self-signed (uses the certificate's own). */
  issuerKeyId: string | null;
  publicKeyPem: string;
  signingKey: KeyObject;
  serialDerHex: string;
  notBefore: Date;
  notAfter: Date;
  extensions: object[];
}

/**
 * Assembles the certificate with forge and signs its TBSCertificate natively. The issuer Name is
 * spliced in as the issuer certificate's own DER: forge re-encodes parsed UTF-8 names twice.
 */
function buildCertificate(input: BuildInput): Buffer {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(input.publicKeyPem);
  cert.serialNumber = input.serialDerHex;
  cert.validity.notBefore = input.notBefore;
  cert.validity.notAfter = input.notAfter;
  const subject = toForgeAttributes(input.subject);
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const ownKeyId = cert.generateSubjectKeyIdentifier().getBytes();
  const authorityKeyId = input.issuerKeyId ? forge.util.hexToBytes(input.issuerKeyId) : ownKeyId;
  cert.setExtensions([
    ...input.extensions,
    { name: 'subjectKeyIdentifier', subjectKeyIdentifier: forge.util.bytesToHex(ownKeyId) },
    { name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId },
  ]);
  (cert as unknown as { siginfo: { algorithmOid: string } }).siginfo.algorithmOid = OID.sha256WithRSAEncryption;
  const tbs = (
    forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }
  ).getTBSCertificate(cert);
  if (input.issuerNameDer) {
    // TBSCertificate: [0] version, serialNumber, signature, issuer (index 3), …
    (tbs.value as forge.asn1.Asn1[])[3] = forge.asn1.fromDer(toBinary(input.issuerNameDer));
  }
  const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  const signature = cryptoSign('sha256', tbsDer, input.signingKey);
  return tlv(
    TAG.SEQUENCE,
    tbsDer,
    tlv(TAG.SEQUENCE, oidDer(OID.sha256WithRSAEncryption), tlv(TAG.NULL)),
    tlv(TAG.BIT_STRING, Buffer.from([0]), signature),
  );
}

/** Name DER of a certificate's subject, for splicing as the issuer of the certificates it signs. */
function subjectNameDer(der: Buffer): Buffer {
  const outer = readWhole(der, TAG.SEQUENCE);
  const f = children(der, children(der, outer)[0]!);
  const i = f[0]?.tag === 0xa0 ? 1 : 0;
  return raw(der, expectTag(f[i + 4], TAG.SEQUENCE)); // serial, signature, issuer, validity, subject
}

/** A CA certificate and its private key. */
export interface CaBundle {
  certPem: string;
  /** PKCS#8 `ENCRYPTED PRIVATE KEY` when a secret was given (see {@link encryptKey}), else plain PKCS#8. */
  keyPem: string;
  subject: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

function generateRsaKey(): { privateKey: KeyObject; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

function caExtensions(pathLen: number | null): object[] {
  return [
    { name: 'basicConstraints', cA: true, critical: true, ...(pathLen === null ? {} : { pathLenConstraint: pathLen }) },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ];
}

/**
 * The platform's self-signed root: `CN=<commonName>, O=Kaihu, C=CN`, CA:true, keyCertSign +
 * cRLSign, 20 years. With `secret` the returned key is encrypted ({@link encryptKey}); without,
 * it is plain PKCS#8 PEM for a caller that encrypts it itself.
 */
export function createRootCa(opts: { commonName: string; now: Date; secret?: string }): CaBundle {
  if (!opts.commonName.trim()) throw new Error('createRootCa: commonName must not be empty');
  const subject: SubjectPart[] = [
    { oid: '2.5.4.6', value: 'CN' },
    { oid: '2.5.4.10', value: 'Kaihu' },
    { oid: OID.commonName, value: opts.commonName },
  ];
  const { privateKey, publicKeyPem } = generateRsaKey();
  const serial = randomSerial();
  const notBefore = truncSeconds(new Date(opts.now.getTime() - FIVE_MINUTES));
  const notAfter = truncSeconds(addYears(opts.now, 20));
  const der = buildCertificate({
    subject,
    issuerNameDer: null,
    issuerKeyId: null,
    publicKeyPem,
    signingKey: privateKey,
    serialDerHex: serial.derHex,
    notBefore,
    notAfter,
    extensions: caExtensions(null),
  });
  return {
    certPem: derToPem(der, 'CERTIFICATE'),
    keyPem: exportKey(privateKey, opts.secret),
    subject: subjectString(subject),
    serialNumber: serial.hex,
    notBefore,
    notAfter,
  };
}

/**
 * A broker's issuing CA under the root: `CN=<brokerName> 个人证书 CA, O=<brokerName>,
 * OU=<brokerCode>, C=CN`, CA:true pathlen 0, keyCertSign + cRLSign, 10 years. `root.keyPem` may be
 * encrypted (decrypted with `rootSecret ?? secret`) or plain. With `secret` the returned key is
 * encrypted, without it is plain PKCS#8 PEM.
 */
export function createIssuingCa(
  root: { certPem: string; keyPem: string },
  opts: { brokerCode: string; brokerName: string; now: Date; secret?: string; rootSecret?: string },
): CaBundle {
  if (!opts.brokerCode.trim() || !opts.brokerName.trim())
    throw new Error('createIssuingCa: brokerCode and brokerName must not be empty');
  const rootKey = createPrivateKey(
    isEncryptedPem(root.keyPem) ? decryptKey(root.keyPem, opts.rootSecret ?? opts.secret ?? '') : root.keyPem,
  );
  const rootDer = pemToDer(root.certPem, ['CERTIFICATE']);
  const rootCert = parseCertificateDer(rootDer);
  assertKeyMatches(rootKey, rootCert);
  const subject: SubjectPart[] = [
    { oid: '2.5.4.6', value: 'CN' },
    { oid: '2.5.4.10', value: opts.brokerName },
    { oid: '2.5.4.11', value: opts.brokerCode },
    { oid: OID.commonName, value: `${opts.brokerName} 个人证书 CA` },
  ];
  const { privateKey, publicKeyPem } = generateRsaKey();
  const serial = randomSerial();
  const notBefore = truncSeconds(new Date(opts.now.getTime() - FIVE_MINUTES));
  const notAfter = truncSeconds(addYears(opts.now, 10));
  const der = buildCertificate({
    subject,
    issuerNameDer: subjectNameDer(rootDer),
    issuerKeyId: rootCert.subjectKeyId ?? keyIdOf(rootCert.spki),
    publicKeyPem,
    signingKey: rootKey,
    serialDerHex: serial.derHex,
    notBefore,
    notAfter,
    extensions: caExtensions(0),
  });
  return {
    certPem: derToPem(der, 'CERTIFICATE'),
    keyPem: exportKey(privateKey, opts.secret),
    subject: subjectString(subject),
    serialNumber: serial.hex,
    notBefore,
    notAfter,
  };
}

function exportKey(key: KeyObject, secret: string | undefined): string {
  const pem = key.export({ type: 'pkcs8', format: 'pem' }) as string;
  return secret === undefined ? pem : encryptKey(pem, secret);
}

/** RFC 5280 method 1 key id: SHA-1 of the subjectPublicKey BIT STRING's bits. */
function keyIdOf(spki: Buffer): string {
  const seq = readWhole(spki, TAG.SEQUENCE);
  const bits = expectTag(children(spki, seq)[1], TAG.BIT_STRING);
  return createHash('sha1')
    .update(spki.subarray(bits.contentStart + 1, bits.end))
    .digest('hex');
}

/** SPKI derived from a private key (≈ 0.2 ms), remembered per KeyObject. */
const derivedSpki = new WeakMap<KeyObject, Buffer>();

function assertKeyMatches(key: KeyObject, cert: ParsedCertificate): void {
  let spki = derivedSpki.get(key);
  if (!spki) {
    spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
    derivedSpki.set(key, spki);
  }
  if (!spki.equals(cert.spki)) throw new Error('CA private key does not match the CA certificate');
}

// ---------------------------------------------------------------------------------------------
// PKCS#10 requests
// ---------------------------------------------------------------------------------------------

export interface ParsedCsr {
  /** First value of each attribute type, by short name: `{ CN: '张伟' }`. */
  subject: Record<string, string>;
  /** Every subject attribute in DER order (repeated types included). */
  subjectAttributes: NameAttribute[];
  publicKeyPem: string;
  keyBits: number;
}

const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;

function csrError(reason: CertificateRequestReason, message: string): CertificateRequestError {
  return new CertificateRequestError(reason, message);
}

/**
 * Parses a PEM PKCS#10 request and verifies its self-signature. Requires an RSA key of 2048–8192
 * bits and an RSA PKCS#1 v1.5 signature with SHA-256/384/512.
 */
export function parseCsr(csrPem: string): ParsedCsr {
  let der: Buffer;
  let info: Buffer;
  let subjectAttributes: NameAttribute[];
  let spki: Buffer;
  let algorithm: string;
  let signature: Buffer;
  try {
    der = pemToDer(csrPem, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
    const outer = readWhole(der, TAG.SEQUENCE);
    const [infoT, algT, sigT, extra] = children(der, outer);
    if (!infoT || !algT || !sigT || extra) throw new DerError('bad CertificationRequest');
    const [verT, subjT, spkiT, attrsT] = children(der, expectTag(infoT, TAG.SEQUENCE));
    if (readSmallInteger(der, expectTag(verT, TAG.INTEGER)) !== 0) throw new DerError('unsupported version');
    subjectAttributes = readName(der, expectTag(subjT, TAG.SEQUENCE));
    spki = raw(der, expectTag(spkiT, TAG.SEQUENCE));
    expectTag(attrsT, 0xa0);
    algorithm = readOid(der, expectTag(children(der, expectTag(algT, TAG.SEQUENCE))[0], TAG.OID));
    expectTag(sigT, TAG.BIT_STRING);
    if (der[sigT.contentStart] !== 0) throw new DerError('signature BIT STRING with unused bits');
    signature = der.subarray(sigT.contentStart + 1, sigT.end);
    info = raw(der, infoT);
  } catch (e) {
    if (e instanceof DerError) throw csrError('MALFORMED', '证书申请数据格式无效，无法解析');
    throw e;
  }
  let publicKey: KeyObject;
  try {
    publicKey = publicKeyFromSpki(spki);
  } catch {
    throw csrError('MALFORMED', '证书申请中的公钥无法解析');
  }
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (publicKey.asymmetricKeyType !== 'rsa')
    throw csrError('WEAK_KEY', '仅支持 RSA 密钥，请使用 2048 位 RSA 密钥重新申请');
  if (bits < MIN_RSA_BITS) throw csrError('WEAK_KEY', `密钥长度不足：${bits} 位，至少需要 2048 位 RSA 密钥`);
  if (bits > MAX_RSA_BITS) throw csrError('WEAK_KEY', `密钥长度不受支持：${bits} 位，请使用 2048 位 RSA 密钥`);
  const hash = RSA_SIGNATURE_HASHES[algorithm];
  if (!hash) {
    if (WEAK_SIGNATURE_ALGORITHMS.has(algorithm))
      throw csrError('WEAK_KEY', '证书申请的签名算法强度不足，需使用 SHA-256 或更强的算法');
    throw csrError('MALFORMED', `证书申请使用了不支持的签名算法（${algorithm}）`);
  }
  let ok = false;
  try {
    ok = cryptoVerify(hash, info, publicKey, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw csrError('BAD_SIGNATURE', '证书申请的签名验证失败：数据可能被篡改');
  const subject: Record<string, string> = {};
  for (const a of subjectAttributes) if (!(a.type in subject)) subject[a.type] = a.value;
  return {
    subject,
    subjectAttributes,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    keyBits: bits,
  };
}

// ---------------------------------------------------------------------------------------------
// Client certificates
// ---------------------------------------------------------------------------------------------

export interface IssueClientCertificateInput {
  issuerCertPem: string;
  /**
   * The issuing CA's key, decrypted (see {@link decryptKey}). A caller that issues often may pass
   * `createPrivateKey(pem)` once instead: importing an RSA key and its first signature cost ≈ 0.6 ms.
   */
  issuerKeyPem: string | KeyObject;
  csrPem: string;
  /** The customer's name on file; the request's CN must be exactly this. */
  expectedCommonName: string;
  subject: { commonName: string; customerId: string; brokerCode: string };
  now: Date;
  validityYears?: number;
}

export interface IssuedCertificate {
  certPem: string;
  /** Lowercase hex, 32 digits (128 random bits). */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** `CN=张伟, serialNumber=<customerId>, OU=<brokerCode>, O=Kaihu, C=CN` */
  subject: string;
}

const nfc = (s: string) => s.normalize('NFC');

/**
 * Issues a personal certificate for the key in `csrPem`. The subject is built here, never copied
 * from the request; the request only proves possession of the key and must name the customer.
 */
export function issueClientCertificate(input: IssueClientCertificateInput): IssuedCertificate {
  const { commonName, customerId, brokerCode } = input.subject;
  if (!commonName.trim() || !customerId.trim() || !brokerCode.trim()) {
    throw new Error('issueClientCertificate: commonName, customerId and brokerCode must not be empty');
  }
  const validityYears = input.validityYears ?? 2;
  if (!Number.isInteger(validityYears) || validityYears < 1)
    throw new Error('issueClientCertificate: validityYears must be a positive integer');

  const csr = parseCsr(input.csrPem);
  const cns = csr.subjectAttributes.filter((a) => a.oid === OID.commonName);
  if (cns.length !== 1 || nfc(cns[0]!.value) !== nfc(input.expectedCommonName)) {
    const got = cns.map((a) => a.value).join('、') || '（空）';
    throw csrError('SUBJECT_MISMATCH', `证书申请中的姓名“${got}”与开户人“${input.expectedCommonName}”不一致`);
  }

  const issuerDer = pemToDer(input.issuerCertPem, ['CERTIFICATE']);
  const issuer = parseCertificateDer(issuerDer);
  if (!issuer.isCa) throw new Error('issueClientCertificate: the issuer certificate is not a CA');
  let issuerKey: KeyObject;
  if (typeof input.issuerKeyPem === 'string') {
    if (isEncryptedPem(input.issuerKeyPem))
      throw new Error('issueClientCertificate: issuerKeyPem must be decrypted (decryptKey)');
    issuerKey = createPrivateKey(input.issuerKeyPem);
  } else {
    issuerKey = input.issuerKeyPem;
  }
  assertKeyMatches(issuerKey, issuer);

  const notBefore = truncSeconds(new Date(input.now.getTime() - FIVE_MINUTES));
  const notAfter = truncSeconds(addYears(input.now, validityYears));
  if (input.now < issuer.notBefore || notAfter > issuer.notAfter) {
    throw new Error(
      `签发 CA 证书有效期（${issuer.notBefore.toISOString()} – ${issuer.notAfter.toISOString()}）不能覆盖新证书，请更换签发 CA`,
    );
  }

  const subject: SubjectPart[] = [
    { oid: '2.5.4.6', value: 'CN' },
    { oid: '2.5.4.10', value: 'Kaihu' },
    { oid: '2.5.4.11', value: brokerCode },
    { oid: OID.serialNumber, value: customerId },
    { oid: OID.commonName, value: commonName },
  ];
  const serial = randomSerial();
  const der = buildCertificate({
    subject,
    issuerNameDer: subjectNameDer(issuerDer),
    issuerKeyId: issuer.subjectKeyId ?? keyIdOf(issuer.spki),
    publicKeyPem: csr.publicKeyPem,
    signingKey: issuerKey,
    serialDerHex: serial.derHex,
    notBefore,
    notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true, emailProtection: true },
    ],
  });
  return {
    certPem: derToPem(der, 'CERTIFICATE'),
    serialNumber: serial.hex,
    notBefore,
    notAfter,
    subject: subjectString(subject),
  };
}
