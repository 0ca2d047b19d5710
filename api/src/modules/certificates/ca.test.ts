import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import {
  CertificateRequestError,
  KeyDecryptionError,
  createIssuingCa,
  createRootCa,
  decryptKey,
  encryptKey,
  issueClientCertificate,
  parseCsr,
  type CaBundle,
} from './ca';
import { derToPem, parseCertificatePem, pemToDer } from './der';
import { generateBrowserKeyPair, makeCsr, type BrowserKeyPair } from './testing/browser-like';

const SECRET = 'kaihu-test-secret-口令';
const NOW = new Date('2026-03-02T08:30:15.123Z');
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const withOpenssl = hasOpenssl ? it : it.skip;

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmpFile(name: string, data: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-ca-'));
  tmpDirs.push(dir);
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  return f;
}

function ext(pem: string, name: string): Record<string, unknown> {
  return forge.pki.certificateFromPem(pem).getExtension(name) as Record<string, unknown>;
}

async function expectCsrError(
  fn: () => unknown,
  reason: CertificateRequestError['reason'],
): Promise<CertificateRequestError> {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CertificateRequestError);
    const err = e as CertificateRequestError;
    expect(err.reason).toBe(reason);
    expect(err.message).toMatch(/[\u4e00-\u9fa5]/);
    return err;
  }
  throw new Error(`expected CertificateRequestError ${reason}`);
}

let root: CaBundle;
let issuing: CaBundle;
let issuingKeyPem: string;
let keys: BrowserKeyPair;

beforeAll(async () => {
  root = createRootCa({ commonName: 'Kaihu 开户云根证书', now: NOW, secret: SECRET });
  issuing = createIssuingCa(root, { brokerCode: 'DEMO', brokerName: '开户云演示期货', now: NOW, secret: SECRET });
  issuingKeyPem = decryptKey(issuing.keyPem, SECRET);
  keys = await generateBrowserKeyPair();
});

describe('certificate authorities', () => {
  it('creates a self-signed 20-year root CA', () => {
    const x = new X509Certificate(root.certPem);
    expect(x.ca).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkIssued(x)).toBe(true);
    const p = parseCertificatePem(root.certPem);
    expect(p.subject.map((a) => `${a.type}=${a.value}`)).toEqual(['C=CN', 'O=Kaihu', 'CN=Kaihu 开户云根证书']);
    expect(root.subject).toBe('CN=Kaihu 开户云根证书, O=Kaihu, C=CN');
    expect(p.notBefore).toEqual(new Date('2026-03-02T08:25:15Z'));
    expect(p.notAfter).toEqual(new Date('2046-03-02T08:30:15Z'));
    expect(ext(root.certPem, 'keyUsage')).toMatchObject({
      critical: true,
      keyCertSign: true,
      cRLSign: true,
      digitalSignature: false,
    });
    expect(ext(root.certPem, 'basicConstraints')).toMatchObject({ critical: true, cA: true });
    expect(root.serialNumber).toMatch(/^[0-9a-f]{32}$/);
    expect(createPublicKey(decryptKey(root.keyPem, SECRET)).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('creates a broker issuing CA under the root, with its Chinese name intact', () => {
    const x = new X509Certificate(issuing.certPem);
    const r = new X509Certificate(root.certPem);
    expect(x.ca).toBe(true);
    expect(x.verify(r.publicKey)).toBe(true);
    expect(x.checkIssued(r)).toBe(true);
    expect(r.verify(x.publicKey)).toBe(false);
    const p = parseCertificatePem(issuing.certPem);
    expect(p.subject.map((a) => `${a.type}=${a.value}`)).toEqual([
      'C=CN',
      'O=开户云演示期货',
      'OU=DEMO',
      'CN=开户云演示期货 个人证书 CA',
    ]);
    expect(issuing.subject).toBe('CN=开户云演示期货 个人证书 CA, OU=DEMO, O=开户云演示期货, C=CN');
    // the issuer name is the root's subject, byte for byte
    expect(p.issuer).toEqual(parseCertificatePem(root.certPem).subject);
    expect(
      Buffer.from(pemToDer(issuing.certPem, ['CERTIFICATE'])).includes(Buffer.from('Kaihu 开户云根证书', 'utf8')),
    ).toBe(true);
    // another library reads the same UTF-8 bytes back
    const f = forge.pki.certificateFromPem(issuing.certPem);
    expect(forge.util.decodeUtf8(f.subject.getField('CN').value)).toBe('开户云演示期货 个人证书 CA');
    expect(f.subject.getField('CN').valueTagClass).toBe(forge.asn1.Type.UTF8);
    expect(f.subject.getField('C').valueTagClass).toBe(forge.asn1.Type.PRINTABLESTRING);
    expect(x.subject).toContain('CN=开户云演示期货 个人证书 CA');
    expect(ext(issuing.certPem, 'basicConstraints')).toMatchObject({ critical: true, cA: true, pathLenConstraint: 0 });
    expect(ext(issuing.certPem, 'keyUsage')).toMatchObject({ keyCertSign: true, cRLSign: true });
    expect(p.notAfter).toEqual(new Date('2036-03-02T08:30:15Z'));
    // AKI of the issuing CA is the root's SKI
    expect(ext(issuing.certPem, 'authorityKeyIdentifier')).toBeTruthy();
    const store = forge.pki.createCaStore([root.certPem]);
    expect(forge.pki.verifyCertificateChain(store, [f])).toBe(true);
  });

  it('works with plain keys for callers that encrypt them themselves', () => {
    const r = createRootCa({ commonName: 'Plain Root', now: NOW });
    expect(r.keyPem).toContain('-----BEGIN PRIVATE KEY-----');
    const i = createIssuingCa(r, { brokerCode: 'P1', brokerName: '普通期货', now: NOW });
    expect(i.keyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(new X509Certificate(i.certPem).verify(new X509Certificate(r.certPem).publicKey)).toBe(true);
  });
});

describe('private keys at rest', () => {
  it('encrypts as PKCS#8 (PBES2, PBKDF2-SHA256, AES-256-CBC) and decrypts only with the right secret', () => {
    expect(root.keyPem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const plain = decryptKey(root.keyPem, SECRET);
    expect(plain).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPublicKey(plain).export({ type: 'spki', format: 'pem' })).toBe(
      new X509Certificate(root.certPem).publicKey.export({ type: 'spki', format: 'pem' }),
    );
    expect(() => decryptKey(root.keyPem, 'wrong secret')).toThrow(KeyDecryptionError);
    expect(() => decryptKey(root.keyPem, '')).toThrow('私钥解密失败：口令错误或密钥文件已损坏');
    expect(() => decryptKey(plain, SECRET)).toThrow(KeyDecryptionError);
    // Node (OpenSSL) reads the structure directly
    expect(createPrivateKey({ key: root.keyPem, passphrase: SECRET }).asymmetricKeyType).toBe('rsa');
  });

  it('uses a fresh salt and IV every time, and honours the iteration count', () => {
    const a = encryptKey(issuingKeyPem, 's', { iterations: 1000 });
    const b = encryptKey(issuingKeyPem, 's', { iterations: 1000 });
    expect(a).not.toBe(b);
    expect(decryptKey(a, 's')).toBe(decryptKey(b, 's'));
    expect(() => encryptKey(issuingKeyPem, '')).toThrow();
  });

  withOpenssl('is readable by the openssl command line', () => {
    const f = tmpFile('key.pem', encryptKey(issuingKeyPem, 'pass 123', { iterations: 2000 }));
    const out = execFileSync('openssl', ['pkey', '-in', f, '-passin', 'pass:pass 123']).toString();
    expect(out).toBe(issuingKeyPem);
    const info = execFileSync('openssl', ['asn1parse', '-in', f]).toString();
    expect(info).toContain('PBES2');
    expect(info).toContain('hmacWithSHA256');
    expect(info).toContain('aes-256-cbc');
  });
});

describe('PKCS#10 requests', () => {
  it('parses a browser-made request and verifies its self-signature', () => {
    const csr = parseCsr(makeCsr(keys, '张伟'));
    expect(csr.subject).toEqual({ CN: '张伟' });
    expect(csr.keyBits).toBe(2048);
    expect(csr.publicKeyPem).toBe(keys.publicKeyPem);
  });

  it('refuses a request whose signature byte was flipped (BAD_SIGNATURE)', async () => {
    const der = pemToDer(makeCsr(keys, '张伟'), ['CERTIFICATE REQUEST']);
    der[der.length - 1] ^= 0x01;
    await expectCsrError(() => parseCsr(derToPem(der, 'CERTIFICATE REQUEST')), 'BAD_SIGNATURE');
  });

  it('refuses a request whose subject was changed after signing (BAD_SIGNATURE)', async () => {
    const der = pemToDer(makeCsr(keys, '张伟'), ['CERTIFICATE REQUEST']);
    const at = der.indexOf(Buffer.from('张伟'));
    Buffer.from('李四').copy(der, at);
    const pem = derToPem(der, 'CERTIFICATE REQUEST');
    await expectCsrError(() => parseCsr(pem), 'BAD_SIGNATURE');
  });

  it('refuses a 1024-bit key and a SHA-1 signature (WEAK_KEY)', async () => {
    const small = await generateBrowserKeyPair({ modulusLength: 1024 });
    const e = await expectCsrError(() => parseCsr(makeCsr(small, '张伟')), 'WEAK_KEY');
    expect(e.message).toContain('1024');
    await expectCsrError(() => parseCsr(makeCsr(keys, '张伟', { digest: 'sha1' })), 'WEAK_KEY');
  });

  withOpenssl('accepts an openssl-made RSA request and refuses an EC key (WEAK_KEY)', async () => {
    const keyFile = tmpFile('req.key', '');
    const req = (...args: string[]) =>
      execFileSync('openssl', ['req', '-new', '-nodes', '-utf8', '-subj', '/CN=张伟', '-keyout', keyFile, ...args], {
        stdio: ['ignore', 'pipe', 'ignore'],
      }).toString();
    expect(parseCsr(req('-newkey', 'rsa:3072', '-sha384')).subject).toEqual({ CN: '张伟' });
    const e = await expectCsrError(
      () => parseCsr(req('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256')),
      'WEAK_KEY',
    );
    expect(e.message).toContain('RSA');
  });

  it('refuses garbage (MALFORMED)', async () => {
    await expectCsrError(() => parseCsr('hello'), 'MALFORMED');
    await expectCsrError(
      () => parseCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----'),
      'MALFORMED',
    );
    await expectCsrError(() => parseCsr(root.certPem), 'MALFORMED');
    const der = pemToDer(makeCsr(keys, '张伟'), ['CERTIFICATE REQUEST']);
    await expectCsrError(
      () => parseCsr(derToPem(der.subarray(0, der.length - 10), 'CERTIFICATE REQUEST')),
      'MALFORMED',
    );
    await expectCsrError(
      () => parseCsr(derToPem(Buffer.concat([der, Buffer.from([0])]), 'CERTIFICATE REQUEST')),
      'MALFORMED',
    );
  });
});

describe('client certificates', () => {
  const issue = (csrPem: string, over: Partial<Parameters<typeof issueClientCertificate>[0]> = {}) =>
    issueClientCertificate({
      issuerCertPem: issuing.certPem,
      issuerKeyPem: issuingKeyPem,
      csrPem,
      expectedCommonName: '张伟',
      subject: { commonName: '张伟', customerId: 'c0a8012e-7f00-4e21-9d3a-000000000001', brokerCode: 'DEMO' },
      now: NOW,
      ...over,
    });

  it('issues a 2-year certificate with the server-built subject for the key in the request', () => {
    const issued = issue(makeCsr(keys, '张伟'));
    expect(issued.subject).toBe('CN=张伟, serialNumber=c0a8012e-7f00-4e21-9d3a-000000000001, OU=DEMO, O=Kaihu, C=CN');
    expect(issued.notBefore).toEqual(new Date('2026-03-02T08:25:15Z'));
    expect(issued.notAfter).toEqual(new Date('2028-03-02T08:30:15Z'));
    const p = parseCertificatePem(issued.certPem);
    expect(p.notBefore).toEqual(issued.notBefore);
    expect(p.notAfter).toEqual(issued.notAfter);
    expect(p.serialHex).toBe(issued.serialNumber);
    expect(p.isCa).toBe(false);
    const x = new X509Certificate(issued.certPem);
    expect(x.ca).toBe(false);
    expect(x.serialNumber.toLowerCase().replace(/^(00)+/, '')).toBe(issued.serialNumber);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4']);
    expect(x.publicKey.export({ type: 'spki', format: 'pem' })).toBe(keys.publicKeyPem);
    expect(ext(issued.certPem, 'keyUsage')).toMatchObject({
      critical: true,
      digitalSignature: true,
      nonRepudiation: true,
      keyCertSign: false,
    });
    expect(ext(issued.certPem, 'basicConstraints')).toMatchObject({ critical: true, cA: false });
    expect(ext(issued.certPem, 'extKeyUsage')).toMatchObject({ clientAuth: true, emailProtection: true });
    // SKI is the key's, AKI the issuing CA's SKI
    const ski = ext(issued.certPem, 'subjectKeyIdentifier').subjectKeyIdentifier;
    expect(ski).toBe(forge.pki.getPublicKeyFingerprint(keys.publicKey, { type: 'RSAPublicKey', encoding: 'hex' }));
    const caSki = ext(issuing.certPem, 'subjectKeyIdentifier').subjectKeyIdentifier as string;
    expect(pemToDer(issued.certPem, ['CERTIFICATE']).includes(Buffer.from(`8014${caSki}`, 'hex'))).toBe(true);
  });

  it('chains to the issuing CA and the root (Node, forge)', () => {
    const issued = issue(makeCsr(keys, '张伟'));
    const leaf = new X509Certificate(issued.certPem);
    const ca = new X509Certificate(issuing.certPem);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.verify(new X509Certificate(root.certPem).publicKey)).toBe(false);
    const store = forge.pki.createCaStore([root.certPem]);
    expect(
      forge.pki.verifyCertificateChain(
        store,
        [forge.pki.certificateFromPem(issued.certPem), forge.pki.certificateFromPem(issuing.certPem)],
        { validityCheckDate: NOW },
      ),
    ).toBe(true);
  });

  withOpenssl('verifies with openssl as a client-auth / S/MIME certificate', () => {
    const issued = issue(makeCsr(keys, '张伟'));
    const rootF = tmpFile('root.pem', root.certPem);
    const caF = tmpFile('ca.pem', issuing.certPem);
    const leafF = tmpFile('leaf.pem', issued.certPem);
    const at = String(Math.floor(NOW.getTime() / 1000) + 60);
    for (const purpose of ['sslclient', 'smimesign']) {
      const out = execFileSync('openssl', [
        'verify',
        '-attime',
        at,
        '-purpose',
        purpose,
        '-CAfile',
        rootF,
        '-untrusted',
        caF,
        leafF,
      ]).toString();
      expect(out.trim()).toBe(`${leafF}: OK`);
    }
  });

  it('ignores whatever else the request asks for', () => {
    const csr = forge.pki.createCertificationRequest();
    csr.publicKey = keys.publicKey;
    const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
    csr.setSubject([
      { name: 'commonName', value: '张伟', valueTagClass: utf8 },
      { name: 'organizationName', value: '别的公司', valueTagClass: utf8 },
      { type: '2.5.4.5', value: 'someone-else' },
    ]);
    csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'basicConstraints', cA: true }] }]);
    csr.sign(keys.privateKey, forge.md.sha256.create());
    const issued = issue(forge.pki.certificationRequestToPem(csr));
    expect(issued.subject).toBe('CN=张伟, serialNumber=c0a8012e-7f00-4e21-9d3a-000000000001, OU=DEMO, O=Kaihu, C=CN');
    expect(new X509Certificate(issued.certPem).ca).toBe(false);
  });

  it('accepts the CA key as a KeyObject imported once', () => {
    const key = createPrivateKey(issuingKeyPem);
    const a = issue(makeCsr(keys, '张伟'), { issuerKeyPem: key });
    const b = issue(makeCsr(keys, '张伟'), { issuerKeyPem: key });
    expect(new X509Certificate(a.certPem).verify(new X509Certificate(issuing.certPem).publicKey)).toBe(true);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(() =>
      issue(makeCsr(keys, '张伟'), { issuerKeyPem: createPrivateKey(decryptKey(root.keyPem, SECRET)) }),
    ).toThrow(/does not match/);
  });

  it('gives every certificate a fresh random 128-bit serial', () => {
    const csr = makeCsr(keys, '张伟');
    const serials = Array.from({ length: 8 }, () => issue(csr).serialNumber);
    expect(new Set(serials).size).toBe(serials.length);
    for (const s of serials) expect(s).toMatch(/^(?!00)[0-9a-f]{32}$/);
  });

  it('refuses a request for someone else (SUBJECT_MISMATCH)', async () => {
    const e = await expectCsrError(() => issue(makeCsr(keys, '李四')), 'SUBJECT_MISMATCH');
    expect(e.message).toContain('李四');
    expect(e.message).toContain('张伟');
  });

  it('honours validityYears and refuses to outlive or predate its CA', () => {
    const csr = makeCsr(keys, '张伟');
    expect(issue(csr, { validityYears: 1 }).notAfter).toEqual(new Date('2027-03-02T08:30:15Z'));
    expect(() => issue(csr, { validityYears: 11 })).toThrow(/签发 CA/);
    expect(() => issue(csr, { now: new Date('2025-01-01T00:00:00Z') })).toThrow(/签发 CA/);
    expect(() => issue(csr, { issuerKeyPem: issuing.keyPem })).toThrow(/decrypted/);
    expect(() => issue(csr, { issuerKeyPem: decryptKey(root.keyPem, SECRET) })).toThrow(/does not match/);
  });
});
