import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import * as pkijs from 'pkijs';
import { createIssuingCa, createRootCa, issueClientCertificate, type CaBundle, type IssuedCertificate } from './ca';
import { SignatureError, verifyDetachedSignature, type SignatureCheck, type VerifyDetachedSignatureInput } from './cms';
import { generateBrowserKeyPair, makeCsr, signCms, signDetached, type BrowserKeyPair } from './testing/browser-like';

const NOW = new Date('2026-03-02T08:30:00Z');
const THREE_YEARS_AGO = new Date('2023-03-02T08:30:00Z');
const ZHANG = 'c0a8012e-7f00-4e21-9d3a-000000000001';
const LI = 'c0a8012e-7f00-4e21-9d3a-000000000002';
/** The canonical JSON of an agreement, as the browser signs it. */
const CONTENT = Buffer.from(
  JSON.stringify({
    agreement: 'RISK_DISCLOSURE',
    version: 3,
    customerId: ZHANG,
    text: '期货交易风险说明书：本人已阅读并理解…',
  }),
  'utf8',
);
const OTHER = Buffer.from(
  JSON.stringify({
    agreement: 'RISK_DISCLOSURE',
    version: 3,
    customerId: ZHANG,
    text: '期货交易风险说明书：本人不同意…',
  }),
  'utf8',
);

interface Customer {
  keys: BrowserKeyPair;
  cert: IssuedCertificate;
}

let root: CaBundle;
let ca: CaBundle;
let otherCa: CaBundle;
let zhang: Customer;
let li: Customer;

function issueFor(
  issuer: CaBundle,
  keys: BrowserKeyPair,
  name: string,
  customerId: string,
  now = NOW,
): IssuedCertificate {
  return issueClientCertificate({
    issuerCertPem: issuer.certPem,
    issuerKeyPem: issuer.keyPem,
    csrPem: makeCsr(keys, name),
    expectedCommonName: name,
    subject: { commonName: name, customerId, brokerCode: 'DEMO' },
    now,
  });
}

beforeAll(async () => {
  root = createRootCa({ commonName: 'Kaihu 开户云根证书', now: NOW });
  ca = createIssuingCa(root, { brokerCode: 'DEMO', brokerName: '开户云演示期货', now: NOW });
  otherCa = createIssuingCa(root, { brokerCode: 'OTHER', brokerName: '另一家期货', now: NOW });
  const [k1, k2] = await Promise.all([generateBrowserKeyPair(), generateBrowserKeyPair()]);
  zhang = { keys: k1, cert: issueFor(ca, k1, '张伟', ZHANG) };
  li = { keys: k2, cert: issueFor(ca, k2, '李娜', LI) };
});

function input(signatureDer: Buffer, over: Partial<VerifyDetachedSignatureInput> = {}): VerifyDetachedSignatureInput {
  return {
    signatureDer,
    content: CONTENT,
    issuerCertPem: ca.certPem,
    rootCertPem: root.certPem,
    isRevoked: () => false,
    now: NOW,
    expectedSubjectSerialNumber: ZHANG,
    ...over,
  };
}

function expectFailure(i: VerifyDetachedSignatureInput, check: SignatureCheck): SignatureError {
  try {
    verifyDetachedSignature(i);
  } catch (e) {
    expect(e).toBeInstanceOf(SignatureError);
    const err = e as SignatureError;
    expect({ check: err.check, message: err.message }).toEqual({
      check,
      message: expect.stringMatching(/^签名(格式无效|验证失败)：[\u4e00-\u9fa5]/),
    });
    return err;
  }
  throw new Error(`expected SignatureError ${check}`);
}

describe('detached CMS signatures', () => {
  it('verifies a good signature and returns the signer serial and signing time', () => {
    const signingTime = new Date('2026-03-02T08:29:31.456Z');
    const sig = signDetached(zhang.keys, zhang.cert.certPem, CONTENT, signingTime);
    const r = verifyDetachedSignature(input(sig));
    expect(r).toEqual({
      signerSerial: zhang.cert.serialNumber,
      signingTime: new Date('2026-03-02T08:29:31Z'),
      signerSubject: `CN=张伟, serialNumber=${ZHANG}, OU=DEMO, O=Kaihu, C=CN`,
    });
  });

  it('is a standard CMS: pkijs verifies the same signature', async () => {
    const sig = signDetached(zhang.keys, zhang.cert.certPem, CONTENT);
    const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as never });
    const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(sig).content });
    const data = CONTENT.buffer.slice(CONTENT.byteOffset, CONTENT.byteOffset + CONTENT.length);
    await expect(sd.verify({ signer: 0, data, checkChain: false }, engine)).resolves.toBe(true);
    const tampered = OTHER.buffer.slice(OTHER.byteOffset, OTHER.byteOffset + OTHER.length);
    await expect(sd.verify({ signer: 0, data: tampered, checkChain: false }, engine)).rejects.toBeTruthy();
  });

  const opensslIt = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return it;
    } catch {
      return it.skip;
    }
  })();

  opensslIt('is a standard CMS: openssl cms -verify accepts it (root + issuing CA as CA file)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-cms-'));
    const f = (n: string, d: string | Buffer) => (fs.writeFileSync(path.join(dir, n), d), path.join(dir, n));
    const args = [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      f('sig.der', signDetached(zhang.keys, zhang.cert.certPem, CONTENT)),
    ];
    args.push(
      '-attime',
      String(NOW.getTime() / 1000 + 60),
      '-CAfile',
      f('chain.pem', root.certPem + ca.certPem),
      '-purpose',
      'smimesign',
      '-out',
      path.join(dir, 'out'),
    );
    try {
      execFileSync('openssl', [...args, '-content', f('content.bin', CONTENT)], { stdio: 'pipe' });
      expect(() => execFileSync('openssl', [...args, '-content', f('other.bin', OTHER)], { stdio: 'pipe' })).toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses other content (DIGEST)', () => {
    const sig = signDetached(zhang.keys, zhang.cert.certPem, CONTENT);
    expect(expectFailure(input(sig, { content: OTHER }), 'DIGEST').message).toContain('协议内容');
    expectFailure(input(sig, { content: Buffer.alloc(0) }), 'DIGEST');
  });

  it('refuses forged signed attributes: the digest of other content put in (SIGNATURE)', () => {
    const sig = signDetached(zhang.keys, zhang.cert.certPem, CONTENT);
    const digest = createHash('sha256').update(CONTENT).digest();
    const at = sig.indexOf(digest);
    expect(at).toBeGreaterThan(0);
    const forged = Buffer.from(sig);
    createHash('sha256').update(OTHER).digest().copy(forged, at);
    expect(expectFailure(input(forged, { content: OTHER }), 'SIGNATURE').message).toBe(
      '签名验证失败：签名值与证书公钥不符',
    );
  });

  it('refuses altered signature bytes (SIGNATURE)', () => {
    const sig = Buffer.from(signDetached(zhang.keys, zhang.cert.certPem, CONTENT));
    sig[sig.length - 1] ^= 0x40; // forge writes no unsigned attributes: the signature value ends the DER
    expectFailure(input(sig), 'SIGNATURE');
  });

  it('refuses a signature by a key other than the certificate’s (SIGNATURE)', () => {
    // Li's key, Zhang's certificate (and Zhang's name as signer)
    expectFailure(input(signDetached(li.keys, zhang.cert.certPem, CONTENT)), 'SIGNATURE');
  });

  it('refuses a certificate of another issuing CA or of a look-alike CA (CHAIN)', async () => {
    const keys = await generateBrowserKeyPair();
    const fromOther = issueFor(otherCa, keys, '张伟', ZHANG);
    expectFailure(input(signDetached(keys, fromOther.certPem, CONTENT)), 'CHAIN');
    // a rogue root and an issuing CA with exactly our CA's name
    const rogueRoot = createRootCa({ commonName: 'Kaihu 开户云根证书', now: NOW });
    const rogueCa = createIssuingCa(rogueRoot, { brokerCode: 'DEMO', brokerName: '开户云演示期货', now: NOW });
    const rogue = issueFor(rogueCa, keys, '张伟', ZHANG);
    const err = expectFailure(input(signDetached(keys, rogue.certPem, CONTENT)), 'CHAIN');
    expect(err.message).toBe('签名验证失败：签名证书不是由本期货公司的证书签发机构签发');
    // the right issuing CA, but a root that did not sign it
    const good = signDetached(zhang.keys, zhang.cert.certPem, CONTENT);
    expect(expectFailure(input(good, { rootCertPem: rogueRoot.certPem }), 'CHAIN').message).toContain('根证书');
  });

  it('refuses an expired or not yet valid certificate (VALIDITY)', async () => {
    const oldRoot = createRootCa({ commonName: 'Kaihu 开户云根证书', now: THREE_YEARS_AGO });
    const oldCa = createIssuingCa(oldRoot, { brokerCode: 'DEMO', brokerName: '开户云演示期货', now: THREE_YEARS_AGO });
    const keys = await generateBrowserKeyPair();
    const old = issueFor(oldCa, keys, '张伟', ZHANG, THREE_YEARS_AGO);
    expect(old.notAfter).toEqual(new Date('2025-03-02T08:30:00Z'));
    const sig = signDetached(keys, old.certPem, CONTENT);
    const over = { issuerCertPem: oldCa.certPem, rootCertPem: oldRoot.certPem };
    expect(verifyDetachedSignature(input(sig, { ...over, now: new Date('2024-06-01T00:00:00Z') })).signerSerial).toBe(
      old.serialNumber,
    );
    expect(expectFailure(input(sig, over), 'VALIDITY').message).toContain('已过期');
    const good = signDetached(zhang.keys, zhang.cert.certPem, CONTENT);
    expectFailure(input(good, { now: new Date(zhang.cert.notBefore.getTime() - 1000) }), 'VALIDITY');
    expectFailure(input(good, { now: new Date(zhang.cert.notAfter.getTime() + 1000) }), 'VALIDITY');
  });

  it('refuses a revoked certificate (REVOKED)', () => {
    const asked: string[] = [];
    const sig = signDetached(zhang.keys, zhang.cert.certPem, CONTENT);
    const isRevoked = (serial: string) => (asked.push(serial), serial === zhang.cert.serialNumber);
    expect(expectFailure(input(sig, { isRevoked }), 'REVOKED').message).toBe('签名验证失败：签名证书已被吊销');
    expect(asked).toEqual([zhang.cert.serialNumber]);
  });

  it('refuses the certificate of another customer (SIGNER)', () => {
    const sig = signDetached(li.keys, li.cert.certPem, CONTENT);
    expect(verifyDetachedSignature(input(sig, { expectedSubjectSerialNumber: LI })).signerSerial).toBe(
      li.cert.serialNumber,
    );
    expect(expectFailure(input(sig), 'SIGNER').message).toBe('签名验证失败：签名证书不属于当前客户');
  });

  it('refuses what is not a single-signer detached CMS with its certificate (FORMAT)', () => {
    expectFailure(input(randomBytes(300)), 'FORMAT');
    expectFailure(input(Buffer.alloc(0)), 'FORMAT');
    expectFailure(input(Buffer.from(zhang.cert.certPem)), 'FORMAT');
    const sig = signDetached(zhang.keys, zhang.cert.certPem, CONTENT);
    expectFailure(input(sig.subarray(0, sig.length - 20)), 'FORMAT');
    expectFailure(input(Buffer.concat([sig, Buffer.from([0, 0])])), 'FORMAT');

    const attached = signCms(zhang.keys, zhang.cert.certPem, CONTENT, { detached: false });
    expect(expectFailure(input(attached), 'FORMAT').message).toContain('分离式');

    const p7 = () => {
      const m = forge.pkcs7.createSignedData();
      m.content = forge.util.createBuffer(CONTENT.toString('binary'));
      return m;
    };
    const attrs = () => [
      { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
      { type: forge.pki.oids.messageDigest },
      { type: forge.pki.oids.signingTime, value: new Date() as unknown as string },
    ];
    const der = (m: ReturnType<typeof p7>) => Buffer.from(forge.asn1.toDer(m.toAsn1()).getBytes(), 'binary');

    // no certificate in the CMS
    const noCert = p7();
    noCert.addSigner({
      key: zhang.keys.privateKey,
      certificate: zhang.cert.certPem,
      digestAlgorithm: forge.pki.oids.sha256,
      authenticatedAttributes: attrs(),
    });
    noCert.sign({ detached: true });
    expect(expectFailure(input(der(noCert)), 'FORMAT').message).toContain('缺少签名证书');

    // two signers
    const two = p7();
    two.addCertificate(zhang.cert.certPem);
    for (let i = 0; i < 2; i++) {
      two.addSigner({
        key: zhang.keys.privateKey,
        certificate: zhang.cert.certPem,
        digestAlgorithm: forge.pki.oids.sha256,
        authenticatedAttributes: attrs(),
      });
    }
    two.sign({ detached: true });
    expect(expectFailure(input(der(two)), 'FORMAT').message).toContain('只有一个签名者');

    // forge's own `certificate:` signer option re-encodes the UTF-8 issuer name: the signer
    // identifier then names no certificate in the CMS (the web client must not use it)
    const naive = p7();
    naive.addCertificate(zhang.cert.certPem);
    naive.addSigner({
      key: zhang.keys.privateKey,
      certificate: zhang.cert.certPem,
      digestAlgorithm: forge.pki.oids.sha256,
      authenticatedAttributes: attrs(),
    });
    naive.sign({ detached: true });
    expect(expectFailure(input(der(naive)), 'FORMAT').message).toContain('签名者标识');

    // no signed attributes at all
    const bare = p7();
    bare.addCertificate(zhang.cert.certPem);
    bare.addSigner({
      key: zhang.keys.privateKey,
      certificate: zhang.cert.certPem,
      digestAlgorithm: forge.pki.oids.sha256,
    });
    bare.sign({ detached: true });
    expectFailure(input(der(bare)), 'FORMAT');
  });

  it('checks in the order FORMAT, DIGEST, SIGNATURE, CHAIN, VALIDITY, REVOKED, SIGNER', async () => {
    const keys = await generateBrowserKeyPair();
    const stranger = issueFor(otherCa, keys, '王五', LI);
    const sig = signDetached(keys, stranger.certPem, CONTENT);
    const all = { content: OTHER, isRevoked: () => true, now: new Date('2040-01-01T00:00:00Z') };
    expectFailure(input(sig, all), 'DIGEST');
    expectFailure(input(sig, { ...all, content: CONTENT }), 'CHAIN');
    const li2 = signDetached(li.keys, li.cert.certPem, CONTENT);
    expectFailure(input(li2, { isRevoked: () => true, now: all.now }), 'VALIDITY');
    expectFailure(input(li2, { isRevoked: () => true }), 'REVOKED');
    const wrongKey = signDetached(keys, li.cert.certPem, CONTENT);
    expectFailure(input(wrongKey, { isRevoked: () => true, now: all.now }), 'SIGNATURE');
  });
});
