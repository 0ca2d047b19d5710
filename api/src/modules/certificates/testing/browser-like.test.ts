import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createIssuingCa,
  createRootCa,
  issueClientCertificate,
  parseCsr,
  type CaBundle,
  type IssuedCertificate,
} from '../ca';
import { verifyDetachedSignature } from '../cms';
import {
  generateBrowserKeyPair,
  makeCsr,
  makePkcs12,
  readPkcs12,
  signDetached,
  type BrowserKeyPair,
} from './browser-like';

const NOW = new Date('2026-03-02T08:30:00Z');
const CUSTOMER = 'c0a8012e-7f00-4e21-9d3a-000000000001';

let root: CaBundle;
let ca: CaBundle;
let keys: BrowserKeyPair;
let cert: IssuedCertificate;

beforeAll(async () => {
  root = createRootCa({ commonName: 'Kaihu 开户云根证书', now: NOW });
  ca = createIssuingCa(root, { brokerCode: 'DEMO', brokerName: '开户云演示期货', now: NOW });
  keys = await generateBrowserKeyPair();
  cert = issueClientCertificate({
    issuerCertPem: ca.certPem,
    issuerKeyPem: ca.keyPem,
    csrPem: makeCsr(keys, '张伟'),
    expectedCommonName: '张伟',
    subject: { commonName: '张伟', customerId: CUSTOMER, brokerCode: 'DEMO' },
    now: NOW,
  });
});

describe('browser-like key handling', () => {
  it('generates 2048-bit RSA keys through WebCrypto and a CSR with a UTF-8 CN', () => {
    const csr = parseCsr(makeCsr(keys, '欧阳娜娜'));
    expect(csr.keyBits).toBe(2048);
    expect(csr.subject.CN).toBe('欧阳娜娜');
    expect(keys.privateKey.n.equals(keys.publicKey.n)).toBe(true);
  });

  it('round-trips key, certificate and chain through a password-protected PKCS#12', () => {
    const p12 = makePkcs12(keys, cert.certPem, [ca.certPem, root.certPem], '20260302');
    expect(p12.includes(Buffer.from(keys.privateKeyPem))).toBe(false);
    const back = readPkcs12(p12, '20260302');
    expect(back.certPems.map((p) => new X509Certificate(p).fingerprint256)).toEqual(
      [cert.certPem, ca.certPem, root.certPem].map((p) => new X509Certificate(p).fingerprint256),
    );
    expect(back.keys.publicKeyPem.replace(/\r/g, '')).toBe(keys.publicKeyPem);
    // the key from the PKCS#12 signs agreements that verify
    const sig = signDetached(back.keys, back.certPems[0]!, Buffer.from('{"a":1}'));
    const r = verifyDetachedSignature({
      signatureDer: sig,
      content: Buffer.from('{"a":1}'),
      issuerCertPem: ca.certPem,
      rootCertPem: root.certPem,
      isRevoked: () => false,
      now: NOW,
      expectedSubjectSerialNumber: CUSTOMER,
    });
    expect(r.signerSerial).toBe(cert.serialNumber);
  });

  it('refuses a wrong password and passwords that are not 6–8 digits', () => {
    const p12 = makePkcs12(keys, cert.certPem, [ca.certPem], '123456');
    expect(() => readPkcs12(p12, '123457')).toThrow();
    expect(() => readPkcs12(p12, '')).toThrow();
    expect(() => makePkcs12(keys, cert.certPem, [], '12345')).toThrow(/6–8/);
    expect(() => makePkcs12(keys, cert.certPem, [], 'abcdefg')).toThrow(/6–8/);
  });

  const opensslIt = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return it;
    } catch {
      return it.skip;
    }
  })();

  opensslIt('writes a PKCS#12 that openssl opens with the password', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-p12-'));
    const f = path.join(dir, 'c.p12');
    try {
      fs.writeFileSync(f, makePkcs12(keys, cert.certPem, [ca.certPem, root.certPem], '8642097'));
      const out = execFileSync('openssl', ['pkcs12', '-in', f, '-passin', 'pass:8642097', '-nodes'], {
        stdio: 'pipe',
      }).toString();
      expect(out.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
      expect(out).toContain('BEGIN PRIVATE KEY');
      expect(() =>
        execFileSync('openssl', ['pkcs12', '-in', f, '-passin', 'pass:0000000', '-nodes'], { stdio: 'pipe' }),
      ).toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
