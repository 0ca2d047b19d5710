import {
  createCipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  pbkdf2Sync,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';

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

/** An encrypted private key that cannot be decrypted with the given secret (or is not encrypted). */
export class KeyDecryptionError extends Error {
  constructor(message = '私钥解密失败：口令错误或密钥文件已损坏') {
    super(message);
    this.name = 'KeyDecryptionError';
  }
}

// ---------------------------------------------------------------------------------------------
// OIDs
// ---------------------------------------------------------------------------------------------

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  md5WithRSAEncryption: '1.2.840.113549.1.1.4',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSHA256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
} as const;

/** Hash of the strong RSA PKCS#1 v1.5 signature algorithms we accept. */
export const RSA_SIGNATURE_HASHES: Readonly<Record<string, string>> = {
  [OID.sha256WithRSAEncryption]: 'sha256',
  [OID.sha384WithRSAEncryption]: 'sha384',
  [OID.sha512WithRSAEncryption]: 'sha512',
};

const WEAK_SIGNATURE_ALGORITHMS = new Set<string>([
  OID.md5WithRSAEncryption,
  OID.sha1WithRSAEncryption,
  OID.sha224WithRSAEncryption,
]);

/** Short names of the attribute types we print; others print as their dotted OID. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.1': 'UID',
};

// ---------------------------------------------------------------------------------------------
// A strict, small DER reader (definite lengths, low tag numbers), shared with cms.ts
// ---------------------------------------------------------------------------------------------

/** Thrown by the DER reader; callers turn it into their own error type. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** One TLV: `tag` is the whole identifier octet; content is `buf[contentStart, end)`. */
export interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export function readTlv(buf: Buffer, pos: number, limit: number = buf.length): Tlv {
  if (pos + 2 > limit) throw new DerError('truncated');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  let len = buf[pos + 1]!;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError('indefinite length (BER) is not DER');
    if (n > 4 || p + n > limit) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  if (p + len > limit) throw new DerError('truncated');
  return { tag, start: pos, contentStart: p, end: p + len };
}

/** Reads exactly one TLV spanning the whole buffer. */
export function readWhole(buf: Buffer, tag?: number): Tlv {
  const t = readTlv(buf, 0);
  if (t.end !== buf.length) throw new DerError('trailing bytes');
  if (tag !== undefined) expectTag(t, tag);
  return t;
}

export function children(buf: Buffer, t: Tlv): Tlv[] {
  if (!(t.tag & 0x20)) throw new DerError('primitive where constructed expected');
  const out: Tlv[] = [];
  let p = t.contentStart;
  while (p < t.end) {
    const c = readTlv(buf, p, t.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number): Tlv {
  if (!t) throw new DerError(`missing element (tag 0x${tag.toString(16)})`);
  if (t.tag !== tag) throw new DerError(`tag 0x${t.tag.toString(16)} where 0x${tag.toString(16)} expected`);
  return t;
}

export function content(buf: Buffer, t: Tlv): Buffer {
  return buf.subarray(t.contentStart, t.end);
}

export function raw(buf: Buffer, t: Tlv): Buffer {
  return buf.subarray(t.start, t.end);
}

export function readOid(buf: Buffer, t: Tlv): string {
  expectTag(t, TAG.OID);
  if (t.end === t.contentStart) throw new DerError('empty OID');
  const arcs: number[] = [];
  let v = 0;
  for (let i = t.contentStart; i < t.end; i++) {
    const b = buf[i]!;
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OID arc too large');
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  if (buf[t.end - 1]! & 0x80) throw new DerError('truncated OID');
  const first = arcs[0]!;
  const x = first < 40 ? 0 : first < 80 ? 1 : 2;
  return [x, first - 40 * x, ...arcs.slice(1)].join('.');
}

/** Unsigned big-endian value of a (positive) INTEGER as lowercase hex without sign octets. */
export function integerHex(buf: Buffer, t: Tlv): string {
  expectTag(t, TAG.INTEGER);
  let s = t.contentStart;
  if (s === t.end) throw new DerError('empty INTEGER');
  while (s < t.end - 1 && buf[s] === 0) s++;
  return buf.toString('hex', s, t.end);
}

export function readSmallInteger(buf: Buffer, t: Tlv): number {
  expectTag(t, TAG.INTEGER);
  const len = t.end - t.contentStart;
  if (len < 1 || len > 4) throw new DerError('INTEGER out of range');
  return buf.readIntBE(t.contentStart, len);
}

/** Decodes a directory string (UTF8String, PrintableString, IA5String, BMPString, …). */
export function readString(buf: Buffer, t: Tlv): string {
  const c = content(buf, t);
  switch (t.tag) {
    case 0x0c: // UTF8String
      return c.toString('utf8');
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
      return c.toString('ascii');
    case 0x14: // TeletexString (treated as Latin-1, as most software does)
      return c.toString('latin1');
    case 0x1e: {
      // BMPString: UTF-16BE
      if (c.length % 2) throw new DerError('odd BMPString');
      const le = Buffer.from(c);
      le.swap16();
      return le.toString('utf16le');
    }
    case 0x1c: {
      // UniversalString: UTF-32BE
      if (c.length % 4) throw new DerError('bad UniversalString');
      let s = '';
      for (let i = 0; i < c.length; i += 4) s += String.fromCodePoint(c.readUInt32BE(i));
      return s;
    }
    default:
      throw new DerError(`unsupported string type 0x${t.tag.toString(16)}`);
  }
}

/** UTCTime or GeneralizedTime (Z only; fractional seconds allowed for GeneralizedTime). */
export function readTime(buf: Buffer, t: Tlv): Date {
  const s = content(buf, t).toString('ascii');
  let m: RegExpExecArray | null;
  let year: number;
  if (t.tag === TAG.UTC_TIME) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new DerError('bad UTCTime');
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (t.tag === TAG.GENERALIZED_TIME) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3})\d*)?Z$/.exec(s);
    if (!m) throw new DerError('bad GeneralizedTime');
    year = Number(m[1]);
  } else {
    throw new DerError('time expected');
  }
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const d = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
  if (Number.isNaN(d.getTime()) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
    throw new DerError('bad time value');
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/** One AttributeTypeAndValue of a distinguished name, in DER order. */
export interface NameAttribute {
  oid: string;
  /** Short name (`CN`, `O`, `serialNumber`, …) or the dotted OID. */
  type: string;
  value: string;
}

export function readName(buf: Buffer, t: Tlv): NameAttribute[] {
  expectTag(t, TAG.SEQUENCE);
  const out: NameAttribute[] = [];
  for (const rdn of children(buf, t)) {
    expectTag(rdn, TAG.SET);
    for (const atv of children(buf, rdn)) {
      expectTag(atv, TAG.SEQUENCE);
      const [typeTlv, valueTlv, extra] = children(buf, atv);
      if (!typeTlv || !valueTlv || extra) throw new DerError('bad AttributeTypeAndValue');
      const oid = readOid(buf, typeTlv);
      out.push({ oid, type: SHORT_NAMES[oid] ?? oid, value: readString(buf, valueTlv) });
    }
  }
  return out;
}

/** Same attribute types and values in the same order (string types may differ: UTF8 vs Printable). */
export function namesEqual(a: readonly NameAttribute[], b: readonly NameAttribute[]): boolean {
  return a.length === b.length && a.every((x, i) => x.oid === b[i]!.oid && x.value === b[i]!.value);
}

function escapeDnValue(v: string): string {
  let s = v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  if (s.startsWith('#') || s.startsWith(' ')) s = `\\${s}`;
  if (s.endsWith(' ') && s.length > 1) s = `${s.slice(0, -1)}\\ `;
  return s;
}

/** RFC 4514 style, most specific first: `CN=张伟, serialNumber=…, OU=…, O=Kaihu, C=CN`. */
export function formatName(attrs: readonly NameAttribute[]): string {
  return [...attrs]
    .reverse()
    .map((a) => `${a.type}=${escapeDnValue(a.value)}`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// PEM
// ---------------------------------------------------------------------------------------------

export function pemToDer(pem: string, labels: readonly string[]): Buffer {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m || !labels.includes(m[1]!)) throw new DerError(`PEM (${labels.join(' / ')}) expected`);
  const body = m[2]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4) throw new DerError('bad base64 in PEM');
  return Buffer.from(body, 'base64');
}

export function derToPem(der: Buffer, label: string): string {
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

// ---------------------------------------------------------------------------------------------
// Certificates (reading)
// ---------------------------------------------------------------------------------------------

export interface ParsedCertificate {
  der: Buffer;
  /** The exact signed bytes (TBSCertificate). */
  tbs: Buffer;
  serialHex: string;
  issuer: NameAttribute[];
  subject: NameAttribute[];
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER. */
  spki: Buffer;
  signatureAlgorithm: string;
  signature: Buffer;
  /** basicConstraints cA (false when the extension is absent). */
  isCa: boolean;
  /** subjectKeyIdentifier (hex) when present. */
  subjectKeyId: string | null;
}

/** Parses an X.509 v3 certificate (DER). Throws DerError on anything malformed. */
export function parseCertificateDer(der: Buffer): ParsedCertificate {
  const outer = readWhole(der, TAG.SEQUENCE);
  const [tbsT, algT, sigT, extra] = children(der, outer);
  if (!tbsT || !algT || !sigT || extra) throw new DerError('bad Certificate');
  expectTag(tbsT, TAG.SEQUENCE);
  const signatureAlgorithm = readOid(der, expectTag(children(der, expectTag(algT, TAG.SEQUENCE))[0], TAG.OID));
  expectTag(sigT, TAG.BIT_STRING);
  if (der[sigT.contentStart] !== 0) throw new DerError('signature BIT STRING with unused bits');
  const signature = der.subarray(sigT.contentStart + 1, sigT.end);

  const f = children(der, tbsT);
  let i = 0;
  if (f[0]?.tag === 0xa0) i++; // [0] EXPLICIT version
  const serialHex = integerHex(der, expectTag(f[i++], TAG.INTEGER));
  expectTag(f[i++], TAG.SEQUENCE); // signature (inner)
  const issuer = readName(der, expectTag(f[i++], TAG.SEQUENCE));
  const validity = children(der, expectTag(f[i++], TAG.SEQUENCE));
  if (validity.length !== 2) throw new DerError('bad Validity');
  const notBefore = readTime(der, validity[0]!);
  const notAfter = readTime(der, validity[1]!);
  const subject = readName(der, expectTag(f[i++], TAG.SEQUENCE));
  const spki = raw(der, expectTag(f[i++], TAG.SEQUENCE));
  let isCa = false;
  let subjectKeyId: string | null = null;
  for (; i < f.length; i++) {
    if (f[i]!.tag !== 0xa3) continue; // issuer/subject unique ids
    const exts = expectTag(children(der, f[i]!)[0], TAG.SEQUENCE);
    for (const ext of children(der, exts)) {
      const parts = children(der, expectTag(ext, TAG.SEQUENCE));
      const oid = readOid(der, parts[0]!);
      const value = expectTag(parts[parts.length - 1], TAG.OCTET_STRING);
      if (oid === OID.basicConstraints) {
        const v = content(der, value);
        const bc = children(v, readWhole(v, TAG.SEQUENCE));
        isCa = bc[0]?.tag === TAG.BOOLEAN && v[bc[0].contentStart] !== 0;
      } else if (oid === OID.subjectKeyIdentifier) {
        const v = content(der, value);
        subjectKeyId = content(v, readWhole(v, TAG.OCTET_STRING)).toString('hex');
      }
    }
  }
  return {
    der,
    tbs: raw(der, tbsT),
    serialHex,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki,
    signatureAlgorithm,
    signature,
    isCa,
    subjectKeyId,
  };
}

export function parseCertificatePem(pem: string): ParsedCertificate {
  return parseCertificateDer(pemToDer(pem, ['CERTIFICATE']));
}

/**
 * A public key from SubjectPublicKeyInfo DER. RSA keys are imported from their inner PKCS#1
 * RSAPublicKey: with OpenSSL 3, Node's `createPublicKey` of an SPKI takes ≈ 150 µs (the generic
 * decoder tries every key type), of a PKCS#1 key ≈ 5 µs, which is most of a CMS verification.
 */
export function publicKeyFromSpki(spki: Buffer): KeyObject {
  try {
    const [algT, bitsT] = children(spki, readWhole(spki, TAG.SEQUENCE));
    const alg = readOid(spki, expectTag(children(spki, expectTag(algT, TAG.SEQUENCE))[0], TAG.OID));
    expectTag(bitsT, TAG.BIT_STRING);
    if (alg === OID.rsaEncryption && spki[bitsT!.contentStart] === 0) {
      return createPublicKey({ key: spki.subarray(bitsT!.contentStart + 1, bitsT!.end), format: 'der', type: 'pkcs1' });
    }
  } catch {
    // fall through: let OpenSSL judge the whole structure
  }
  return createPublicKey({ key: spki, format: 'der', type: 'spki' });
}

/** True when `cert` carries a valid strong RSA signature by `issuerKey`. Never throws. */
export function verifyCertificateSignature(cert: ParsedCertificate, issuerKey: KeyObject): boolean {
  const hash = RSA_SIGNATURE_HASHES[cert.signatureAlgorithm];
  if (!hash) return false;
  try {
    return cryptoVerify(hash, cert.tbs, issuerKey, cert.signature);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Private keys at rest
// ---------------------------------------------------------------------------------------------

/** PBKDF2-HMAC-SHA256 iterations for keys at rest (OWASP 2023 figure; ≈ 0.2 s per decryption). */
export const KEY_PBKDF2_ITERATIONS = 600_000;

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

function oidDer(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [];
  const push = (v: number) => {
    const stack = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) stack.unshift((v & 0x7f) | 0x80);
    out.push(...stack);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(TAG.OID, Buffer.from(out));
}

function integerDer(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (!bytes.length || bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

/**
 * Encrypts a private key (any PEM Node reads) as PKCS#8 `ENCRYPTED PRIVATE KEY`: PBES2 with
 * PBKDF2-HMAC-SHA256 (random 16-byte salt, {@link KEY_PBKDF2_ITERATIONS}) and AES-256-CBC.
 * Standard format: `openssl pkey -in key.pem` reads it with the same passphrase.
 */
export function encryptKey(privateKeyPem: string, secret: string, options: { iterations?: number } = {}): string {
  if (!secret) throw new Error('encryptKey: secret must not be empty');
  const iterations = options.iterations ?? KEY_PBKDF2_ITERATIONS;
  const pkcs8 = createPrivateKey(privateKeyPem).export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(secret, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  const seq = (...p: Buffer[]) => tlv(TAG.SEQUENCE, ...p);
  const der = seq(
    seq(
      oidDer(OID.pbes2),
      seq(
        seq(
          oidDer(OID.pbkdf2),
          seq(
            tlv(TAG.OCTET_STRING, salt),
            integerDer(iterations),
            integerDer(32),
            seq(oidDer(OID.hmacWithSHA256), tlv(TAG.NULL)),
          ),
        ),
        seq(oidDer(OID.aes256Cbc), tlv(TAG.OCTET_STRING, iv)),
      ),
    ),
    tlv(TAG.OCTET_STRING, encrypted),
  );
  return derToPem(der, 'ENCRYPTED PRIVATE KEY');
}

/** Decrypts a key made by {@link encryptKey} (or any PKCS#8 encrypted PEM); returns PKCS#8 PEM. */
export function decryptKey(encryptedPem: string, secret: string): string {
  if (!isEncryptedPem(encryptedPem)) {
    throw new KeyDecryptionError('私钥解密失败：私钥未加密或格式不正确');
  }
  try {
    const key = createPrivateKey({ key: encryptedPem, format: 'pem', passphrase: secret });
    return key.export({ type: 'pkcs8', format: 'pem' }) as string;
  } catch {
    throw new KeyDecryptionError();
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

function isEncryptedPem(pem: string): boolean {
  return pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----');
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
