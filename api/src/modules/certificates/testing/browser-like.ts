import { webcrypto } from 'node:crypto';
import forge from 'node-forge';

/**
 * What the customer's browser does around the personal certificate, with the same libraries:
 * WebCrypto generates the key pair (RSASSA-PKCS1-v1_5 2048 / SHA-256), node-forge builds the
 * PKCS#10 request, the detached CMS signatures of agreements and the PKCS#12 the browser keeps.
 * For tests (unit and integration); only `generateBrowserKeyPair` is asynchronous (WebCrypto is).
 *
 * One forge pitfall the web client must avoid too: `p7.addSigner({ certificate })` copies the
 * parsed issuer name, whose UTF-8 values forge then encodes a second time, so the signer
 * identifier no longer matches a certificate issued by a CA with a Chinese name. Pass `issuer`
 * (values decoded with `forge.util.decodeUtf8`) and `serialNumber` instead, as done below.
 */

export interface BrowserKeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  /** PKCS#8 PEM (unencrypted), as exported from WebCrypto. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

/** A WebCrypto RSA key pair, exported (pkcs8/spki) and converted to forge keys. */
export async function generateBrowserKeyPair(options: { modulusLength?: number } = {}): Promise<BrowserKeyPair> {
  const subtle = webcrypto.subtle;
  const pair = (await subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: options.modulusLength ?? 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )) as webcrypto.CryptoKeyPair;
  const privateKeyPem = toPem(await subtle.exportKey('pkcs8', pair.privateKey), 'PRIVATE KEY');
  const publicKeyPem = toPem(await subtle.exportKey('spki', pair.publicKey), 'PUBLIC KEY');
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKeyPem) as forge.pki.rsa.PublicKey,
    privateKeyPem,
    publicKeyPem,
  };
}

const UTF8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;

/** PKCS#10 request with `CN=<commonName>` (UTF8String), signed with SHA-256 (or `digest`). */
export function makeCsr(
  keys: BrowserKeyPair,
  commonName: string,
  options: { digest?: 'sha1' | 'sha256' } = {},
): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([{ name: 'commonName', value: commonName, valueTagClass: UTF8 }]);
  csr.sign(keys.privateKey, options.digest === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

export interface SignCmsOptions {
  signingTime?: Date;
  /** false: the content is embedded (an "attached" signature). Default true. */
  detached?: boolean;
}

/** DER of a CMS SignedData over `content` (authenticated attributes contentType, messageDigest, signingTime). */
export function signCms(keys: BrowserKeyPair, certPem: string, content: Buffer, options: SignCmsOptions = {}): Buffer {
  const cert = forge.pki.certificateFromPem(certPem);
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(content.toString('binary'));
  p7.addCertificate(cert);
  p7.addSigner({
    key: keys.privateKey,
    // not `certificate: cert`: see the note at the top of this file
    issuer: cert.issuer.attributes.map((a) => ({
      ...a,
      value: (a.valueTagClass as unknown) === forge.asn1.Type.UTF8 ? forge.util.decodeUtf8(a.value as string) : a.value,
    })),
    serialNumber: cert.serialNumber,
    digestAlgorithm: forge.pki.oids.sha256,
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
      { type: forge.pki.oids.messageDigest },
      { type: forge.pki.oids.signingTime, value: (options.signingTime ?? new Date()) as unknown as string },
    ],
  } as unknown as Parameters<typeof p7.addSigner>[0]);
  p7.sign({ detached: options.detached ?? true });
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
}

/** DER of a detached CMS signature, as the browser sends it with a signed agreement. */
export function signDetached(keys: BrowserKeyPair, certPem: string, content: Buffer, signingTime?: Date): Buffer {
  return signCms(keys, certPem, content, { signingTime });
}

/** The PKCS#12 the browser keeps: key (AES-256, PBKDF2) + certificate + chain, MAC'd, under the password. */
export function makePkcs12(
  keys: BrowserKeyPair,
  certPem: string,
  chainPems: readonly string[],
  password: string,
): Buffer {
  if (!/^\d{6,8}$/.test(password)) throw new Error('证书密码须为 6–8 位数字');
  const certs = [certPem, ...chainPems].map((p) => forge.pki.certificateFromPem(p));
  const asn1 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, certs, password, {
    algorithm: 'aes256',
    friendlyName: '开户云个人证书',
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

export interface Pkcs12Contents {
  privateKeyPem: string;
  keys: BrowserKeyPair;
  /** The certificate that goes with the key first, then the rest of the chain. */
  certPems: string[];
}

/** Opens a PKCS#12 made by {@link makePkcs12}; throws on a wrong password (MAC check). */
export function readPkcs12(der: Buffer, password: string): Pkcs12Contents {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), true, password);
  const keyBag = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag]?.[0];
  if (!keyBag?.key) throw new Error('PKCS#12 without a private key');
  const privateKey = keyBag.key;
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  const certPems = certBags.filter((b) => b.cert).map((b) => forge.pki.certificateToPem(b.cert!));
  const privateKeyPem = forge.pki.privateKeyInfoToPem(
    forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(privateKey)),
  );
  const publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  return {
    privateKeyPem,
    certPems,
    keys: { privateKey, publicKey, privateKeyPem, publicKeyPem: forge.pki.publicKeyToPem(publicKey) },
  };
}
