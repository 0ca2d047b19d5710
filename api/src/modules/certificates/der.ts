import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';

/**
 * Reading what the CA and the signature verifier are given: a strict, small DER reader (definite
 * lengths, low tag numbers), distinguished names, PEM, X.509 certificates; and the few DER writers
 * the key store and the CA need. What we verify is exactly the bytes that were signed.
 */

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

export const WEAK_SIGNATURE_ALGORITHMS = new Set<string>([
  OID.md5WithRSAEncryption,
  OID.sha1WithRSAEncryption,
  OID.sha224WithRSAEncryption,
]);

/** Short names of the attribute types we print; others print as their dotted OID. */
export const SHORT_NAMES: Readonly<Record<string, string>> = {
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
// Writing DER (the few structures we build ourselves)
// ---------------------------------------------------------------------------------------------

export function tlv(tag: number, ...parts: Buffer[]): Buffer {
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

export function oidDer(oid: string): Buffer {
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

export function integerDer(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (!bytes.length || bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}
