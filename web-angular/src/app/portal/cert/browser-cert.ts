import forge from 'node-forge';

/**
 * The customer's personal certificate, made and used in the browser (the server only ever sees
 * the CSR and the signatures):
 * - WebCrypto generates the key pair (RSASSA-PKCS1-v1_5, 2048 bits, SHA-256), exported into
 *   node-forge keys;
 * - node-forge builds the PKCS#10 request (CN = the customer's name, UTF8String), the PKCS#12 kept
 *   in IndexedDB (key AES-256 under the certificate password, MAC'd) and the detached CMS
 *   signatures of the agreements.
 * The same steps as api/src/modules/certificates/testing/browser-like.ts, without Node's Buffer.
 *
 * forge pitfall (see that file): `addSigner({ certificate })` would encode the issuer's UTF-8
 * (Chinese) name twice, so the signer identifier would not match; the issuer attributes are given
 * decoded, with the serial number, instead.
 */

export interface CertKeys {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
}

export interface OpenedPkcs12 {
  keys: CertKeys;
  /** the customer's certificate (the one that goes with the key) */
  certPem: string;
  /** the rest of the chain */
  chainPems: string[];
}

/** Thrown by {@link openPkcs12} when the password does not open the PKCS#12 (its MAC check fails). */
export class WrongPasswordError extends Error {
  constructor() {
    super('证书密码错误，请重新输入');
    this.name = 'WrongPasswordError';
  }
}

const UTF8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;

export const bytesToBinary = (bytes: Uint8Array): string => forge.util.binary.raw.encode(bytes);
export const binaryToBytes = (binary: string): Uint8Array => forge.util.binary.raw.decode(binary);
export const base64ToBytes = (b64: string): Uint8Array => binaryToBytes(forge.util.decode64(b64));
export const bytesToBase64 = (bytes: Uint8Array): string => forge.util.encode64(bytesToBinary(bytes));

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('此浏览器不支持 WebCrypto，无法安装数字证书，请使用最新版 Chrome、Edge、Safari 或 Firefox');
  return s;
}

/** A new RSA key pair from WebCrypto, as forge keys (WebCrypto works off the page's thread). */
export async function generateKeys(): Promise<CertKeys> {
  const pair = (await subtle().generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey));
  const spki = new Uint8Array(await subtle().exportKey('spki', pair.publicKey));
  const privateKey = forge.pki.privateKeyFromAsn1(forge.asn1.fromDer(bytesToBinary(pkcs8))) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.publicKeyFromAsn1(forge.asn1.fromDer(bytesToBinary(spki))) as forge.pki.rsa.PublicKey;
  pkcs8.fill(0);
  return { privateKey, publicKey };
}

/** PKCS#10 request, PEM, subject CN=<commonName> as UTF8String, signed with SHA-256. */
export function makeCsr(keys: CertKeys, commonName: string): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([{ name: 'commonName', value: commonName, valueTagClass: UTF8 }]);
  csr.sign(keys.privateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

/** The PKCS#12 (DER) to keep: key (AES-256, PBKDF2) + certificate + chain, MAC'd, under `password`. */
export function makePkcs12(
  keys: CertKeys,
  certPem: string,
  chainPems: readonly string[],
  password: string,
): Uint8Array {
  const certs = [certPem, ...chainPems].map((p) => forge.pki.certificateFromPem(p));
  const asn1 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, certs, password, {
    algorithm: 'aes256',
    friendlyName: '开户云个人证书',
  });
  return binaryToBytes(forge.asn1.toDer(asn1).getBytes());
}

/** Opens a PKCS#12 made by {@link makePkcs12}; a wrong password throws {@link WrongPasswordError}. */
export function openPkcs12(der: Uint8Array, password: string): OpenedPkcs12 {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytesToBinary(der)), true, password);
  } catch (e) {
    if (/MAC could not be verified|Invalid password/i.test((e as Error).message)) throw new WrongPasswordError();
    throw new Error('本机保存的数字证书已损坏，请重新申请');
  }
  const keyBag = p12.getBags({ bagType: forge.pki.oids['pkcs8ShroudedKeyBag']! })[
    forge.pki.oids['pkcs8ShroudedKeyBag']!
  ]?.[0];
  const privateKey = keyBag?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!privateKey) throw new Error('本机保存的数字证书缺少私钥，请重新申请');
  const certs = (p12.getBags({ bagType: forge.pki.oids['certBag']! })[forge.pki.oids['certBag']!] ?? []).flatMap((b) =>
    b.cert ? [b.cert] : [],
  );
  const publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  // the certificate of this key first, whatever the bag order
  const mine = certs.find((c) => (c.publicKey as forge.pki.rsa.PublicKey).n.equals(privateKey.n));
  if (!mine) throw new Error('本机保存的数字证书与私钥不匹配，请重新申请');
  return {
    keys: { privateKey, publicKey },
    certPem: forge.pki.certificateToPem(mine),
    chainPems: certs.filter((c) => c !== mine).map((c) => forge.pki.certificateToPem(c)),
  };
}

/** A detached CMS SignedData (DER) over `content`: contentType, messageDigest and signingTime signed. */
export function signDetached(opened: OpenedPkcs12, content: Uint8Array, signingTime: Date = new Date()): Uint8Array {
  const cert = forge.pki.certificateFromPem(opened.certPem);
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(bytesToBinary(content));
  p7.addCertificate(cert);
  p7.addSigner({
    key: opened.keys.privateKey,
    // not `certificate: cert`: see the note at the top of this file
    issuer: cert.issuer.attributes.map((a) => ({
      ...a,
      value: (a.valueTagClass as unknown) === forge.asn1.Type.UTF8 ? forge.util.decodeUtf8(a.value as string) : a.value,
    })),
    serialNumber: cert.serialNumber,
    digestAlgorithm: forge.pki.oids['sha256'],
    authenticatedAttributes: [
      { type: forge.pki.oids['contentType'], value: forge.pki.oids['data'] },
      { type: forge.pki.oids['messageDigest'] },
      { type: forge.pki.oids['signingTime'], value: signingTime as unknown as string },
    ],
  } as unknown as Parameters<typeof p7.addSigner>[0]);
  p7.sign({ detached: true });
  return binaryToBytes(forge.asn1.toDer(p7.toAsn1()).getBytes());
}

/**
 * The serial number (hex, as the API gives it: no DER sign octet, so a serial whose first octet is
 * ≥ 0x80 does not come back as 00…) and end of validity of a certificate.
 */
export function certificateFacts(certPem: string): { serialNumber: string; notAfter: Date; subjectName: string } {
  const cert = forge.pki.certificateFromPem(certPem);
  const cn = cert.subject.getField('CN') as { value: string; valueTagClass?: unknown } | null;
  const name = cn
    ? (cn.valueTagClass as unknown) === forge.asn1.Type.UTF8
      ? forge.util.decodeUtf8(cn.value)
      : cn.value
    : '';
  return { serialNumber: cert.serialNumber.replace(/^(00)+/, ''), notAfter: cert.validity.notAfter, subjectName: name };
}
