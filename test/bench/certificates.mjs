// Certificate numbers: issuing a client certificate from a browser-made CSR (median time, next to
// the bare native RSA signature it contains and to forge's pure-JS signing), and detached CMS
// verifications per second on one core next to a bare crypto.verify of the same signature.
// Uses the compiled code in api/dist (`npx tsc -b tsconfig.build.json` first).
import crypto from 'node:crypto';
import path from 'node:path';
import { createRequire } from 'node:module';
import { verifyWithPkijs } from './cms-pkijs.mjs';
import { ROOT, fmt, median, percentile } from './lib.mjs';

const require = createRequire(path.join(ROOT, 'api/package.json'));
const dist = (f) => require(path.join(ROOT, 'api/dist/modules/certificates', f));
const forge = require('node-forge');

const ISSUES = 20;
const WARMUP = 3;
const CSRS = 5;
const VERIFY_SECONDS = 3;
const SECRET = 'bench-secret';

function timeEach(n, fn) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn(i);
    times.push(performance.now() - t0);
  }
  return times;
}

/** Runs `fn` in batches for about `seconds`; returns operations per second. */
function throughput(seconds, fn) {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  let ops = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  let now = t0;
  while (now < until) {
    for (let i = 0; i < 100; i++) fn();
    ops += 100;
    now = performance.now();
  }
  return (ops * 1000) / (now - t0);
}

/** SignerInfo's signed attributes (re-tagged as SET OF) and signature value, read with der.js's DER reader. */
function signedParts(der) {
  const ca = dist('der.js');
  const ci = ca.children(der, ca.readTlv(der, 0));
  const sd = ca.children(der, ca.children(der, ci[1])[0]);
  const signerInfo = ca.children(der, ca.children(der, sd[sd.length - 1])[0]);
  const attrs = signerInfo.find((t) => t.tag === 0xa0);
  const sig = signerInfo.find((t) => t.tag === 0x04);
  const setOf = Buffer.from(ca.raw(der, attrs));
  setOf[0] = 0x31;
  return { signedAttributesDer: setOf, signature: Buffer.from(ca.content(der, sig)) };
}

export async function issuing() {
  const ca = dist('ca.js');
  const browser = dist('testing/browser-like.js');
  const now = new Date();
  const root = ca.createRootCa({ commonName: 'Kaihu 开户云根证书', now, secret: SECRET });
  const issuingCa = ca.createIssuingCa(root, { brokerCode: 'DEMO', brokerName: '开户云演示期货', now, secret: SECRET });
  const decryptTimes = timeEach(3, () => ca.decryptKey(issuingCa.keyPem, SECRET));
  const caKeyPem = ca.decryptKey(issuingCa.keyPem, SECRET);
  const csrs = [];
  for (let i = 0; i < CSRS; i++) csrs.push(browser.makeCsr(await browser.generateBrowserKeyPair(), '张伟'));
  const issueInput = (i) => ({
    issuerCertPem: issuingCa.certPem,
    issuerKeyPem: caKeyPem,
    csrPem: csrs[i % CSRS],
    expectedCommonName: '张伟',
    subject: {
      commonName: '张伟',
      customerId: `c0a8012e-7f00-4e21-9d3a-${String(i).padStart(12, '0')}`,
      brokerCode: 'DEMO',
    },
    now,
  });
  const issue = (i) => ca.issueClientCertificate(issueInput(i));
  timeEach(WARMUP, issue);
  const serials = new Set();
  const issueTimes = timeEach(ISSUES, (i) => serials.add(issue(i).serialNumber));
  if (serials.size !== ISSUES) throw new Error('duplicate serial numbers');
  // the same with the CA key imported once (a KeyObject instead of the PEM)
  const caKey = crypto.createPrivateKey(caKeyPem);
  const issueWithKey = (i) => ca.issueClientCertificate({ ...issueInput(i), issuerKeyPem: caKey });
  timeEach(WARMUP, issueWithKey);
  const keyObjectTimes = timeEach(ISSUES, issueWithKey);

  // the bare native signature inside an issue: same key, a TBSCertificate-sized input
  const tbs = dist('der.js').parseCertificatePem(issue(0).certPem).tbs;
  timeEach(WARMUP, () => crypto.sign('sha256', tbs, caKey));
  const signTimes = timeEach(ISSUES, () => crypto.sign('sha256', tbs, caKey));

  // what forge alone would do: the same certificate signed with forge's pure-JS RSA
  const forgeKey = forge.pki.privateKeyFromPem(caKeyPem);
  const forgeCert = forge.pki.certificateFromPem(issue(0).certPem);
  const forgeTimes = timeEach(10, () => forgeCert.sign(forgeKey, forge.md.sha256.create()));

  const parseTimes = timeEach(ISSUES, (i) => ca.parseCsr(csrs[i % CSRS]));
  return { issueTimes, keyObjectTimes, signTimes, forgeTimes, decryptTimes, parseTimes };
}

export async function verifying(seconds = VERIFY_SECONDS) {
  const ca = dist('ca.js');
  const cms = dist('cms.js');
  const browser = dist('testing/browser-like.js');
  const now = new Date();
  const root = ca.createRootCa({ commonName: 'Kaihu 开户云根证书', now });
  const issuingCa = ca.createIssuingCa(root, { brokerCode: 'DEMO', brokerName: '开户云演示期货', now });
  const keys = await browser.generateBrowserKeyPair();
  const customerId = 'c0a8012e-7f00-4e21-9d3a-000000000001';
  const cert = ca.issueClientCertificate({
    issuerCertPem: issuingCa.certPem,
    issuerKeyPem: issuingCa.keyPem,
    csrPem: browser.makeCsr(keys, '张伟'),
    expectedCommonName: '张伟',
    subject: { commonName: '张伟', customerId, brokerCode: 'DEMO' },
    now,
  });
  const content = Buffer.from(
    JSON.stringify({ agreement: 'RISK_DISCLOSURE', version: 3, customerId, text: '期货交易风险说明书'.repeat(200) }),
  );
  const signatureDer = browser.signDetached(keys, cert.certPem, content);
  const revoked = new Set(['0123456789abcdef0123456789abcdef']);
  const input = {
    signatureDer,
    content,
    issuerCertPem: issuingCa.certPem,
    rootCertPem: root.certPem,
    isRevoked: (s) => revoked.has(s),
    now: new Date(now.getTime() + 60_000),
    expectedSubjectSerialNumber: customerId,
  };
  if (cms.verifyDetachedSignature(input).signerSerial !== cert.serialNumber)
    throw new Error('verification returned another serial');
  const { signedAttributesDer, signature } = signedParts(signatureDer);
  const publicKey = new crypto.X509Certificate(cert.certPem).publicKey;
  if (!crypto.verify('sha256', signedAttributesDer, publicKey, signature)) throw new Error('bare verification failed');

  if (verifyWithPkijs(input).signerSerial !== cert.serialNumber)
    throw new Error('pkijs verification returned another serial');
  const full = throughput(seconds, () => cms.verifyDetachedSignature(input));
  const library = throughput(seconds, () => verifyWithPkijs(input));
  const bare = throughput(seconds, () => crypto.verify('sha256', signedAttributesDer, publicKey, signature));
  return { full, library, bare, seconds, cmsBytes: signatureDer.length, contentBytes: content.length };
}

export async function run() {
  const i = await issuing();
  const v = await verifying();
  const ms = (t) => `${fmt(median(t), 2)} ms`;
  const p90 = (t) => `${fmt(percentile(t, 90), 2)} ms`;
  return [
    '## Certificates',
    '',
    `### Issuing a client certificate from a browser-made CSR (RSA 2048, median of ${ISSUES} after ${WARMUP} warm-ups, ${CSRS} CSRs in turn)`,
    '',
    '| operation | median | p90 |',
    '|---|---|---|',
    `| \`issueClientCertificate\`: parse + verify the CSR, build with forge, sign natively | ${ms(i.issueTimes)} | ${p90(i.issueTimes)} |`,
    `| the same with the CA key passed as a \`KeyObject\` imported once | ${ms(i.keyObjectTimes)} | ${p90(i.keyObjectTimes)} |`,
    `| of which \`parseCsr\` (DER read + RSA verification of the self-signature) | ${ms(i.parseTimes)} | ${p90(i.parseTimes)} |`,
    `| bare \`crypto.sign('sha256', tbsCertificate, caKey)\` | ${ms(i.signTimes)} | ${p90(i.signTimes)} |`,
    `| **ratio issue (KeyObject) / bare sign** | **${fmt(median(i.keyObjectTimes) / median(i.signTimes), 2)}** | |`,
    `| for comparison: forge \`cert.sign()\` alone (pure-JS RSA, median of 10) | ${ms(i.forgeTimes)} | ${p90(i.forgeTimes)} |`,
    `| \`decryptKey\` of a CA key (PBKDF2-HMAC-SHA256 × 600 000, once per load; median of 3) | ${ms(i.decryptTimes)} | |`,
    '',
    `### Verifying a detached CMS agreement signature on one core (${v.seconds} s each; CMS ${fmt(v.cmsBytes, 0)} B, content ${fmt(v.contentBytes, 0)} B)`,
    '',
    '| verifier | verifications/s | µs each |',
    '|---|---|---|',
    `| \`verifyDetachedSignature\`: DER parse, SHA-256 of the content, signature, certificate by the issuing CA, validity, revocation, signer (issuing CA → root cached) | ${fmt(v.full, 0)} | ${fmt(1e6 / v.full, 1)} |`,
    `| bare \`crypto.verify('sha256', signedAttributesDer, publicKey, signature)\` of the same signature | ${fmt(v.bare, 0)} | ${fmt(1e6 / v.bare, 1)} |`,
    `| **ratio verifyDetachedSignature / bare** | **${fmt(v.full / v.bare, 2)}** | |`,
    `| the same checks with the DER/ASN.1 read by a maintained library (pkijs 3 on asn1js; test/bench/cms-pkijs.mjs), RSA and SHA in node:crypto as above | ${fmt(v.library, 0)} | ${fmt(1e6 / v.library, 1)} |`,
    `| **ratio pkijs / Kaihu's DER reader** (≥ 0.80 would have meant switching) | **${fmt(v.library / v.full, 2)}** | |`,
    '',
  ].join('\n');
}
