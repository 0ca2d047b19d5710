import { beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import {
  createIssuingCa,
  createRootCa,
  issueClientCertificate,
  type CaBundle,
  type IssuedCertificate,
} from '../../api/src/modules/certificates/ca';
import { verifyDetachedSignature } from '../../api/src/modules/certificates/cms';
import {
  WrongPasswordError,
  base64ToBytes,
  bytesToBase64,
  certificateFacts,
  generateKeys,
  makeCsr,
  makePkcs12,
  openPkcs12,
  signDetached,
  type CertKeys,
} from '../../web-angular/src/app/portal/cert/browser-cert';

/**
 * The browser's certificate code against the server's own CA and signature verifier (not
 * forge checking itself): the CSR is accepted for 张伟, the PKCS#12 opens only with the password,
 * and the detached CMS made from it verifies — with an issuing CA whose name is Chinese (the
 * forge issuer pitfall).
 */
const NOW = new Date();
const CUSTOMER = '6f1c2d3e-0000-4000-8000-000000000001';

describe('certificate in the browser', () => {
  let root: CaBundle;
  let ca: CaBundle;
  let keys: CertKeys;
  let issued: IssuedCertificate;
  let p12: Uint8Array;

  beforeAll(async () => {
    root = createRootCa({ commonName: 'Kaihu 开户云根证书', now: NOW });
    ca = createIssuingCa(root, { brokerCode: 'DEMO', brokerName: '开户云演示期货', now: NOW });
    keys = await generateKeys();
    issued = issueClientCertificate({
      issuerCertPem: ca.certPem,
      issuerKeyPem: ca.keyPem,
      csrPem: makeCsr(keys, '张伟'),
      expectedCommonName: '张伟',
      subject: { commonName: '张伟', customerId: CUSTOMER, brokerCode: 'DEMO' },
      now: NOW,
    });
    p12 = makePkcs12(keys, issued.certPem, [ca.certPem, root.certPem], '258036');
  });

  it('makes a 2048-bit CSR naming the customer in UTF-8, which the CA accepts', () => {
    const csr = forge.pki.certificationRequestFromPem(makeCsr(keys, '张伟'));
    expect(csr.verify()).toBe(true);
    expect((csr.publicKey as forge.pki.rsa.PublicKey).n.bitLength()).toBe(2048);
    const cn = csr.subject.getField('CN') as { value: string; valueTagClass: unknown };
    expect(cn.valueTagClass).toBe(forge.asn1.Type.UTF8);
    expect(forge.util.decodeUtf8(cn.value)).toBe('张伟');
    expect(new X509Certificate(issued.certPem).subject).toContain('CN=张伟');
    expect(certificateFacts(issued.certPem)).toMatchObject({ serialNumber: issued.serialNumber, subjectName: '张伟' });
  });

  it('reads the serial number as the API gives it, whether or not DER needs a sign octet', () => {
    // random serials: issue until both kinds came (first octet ≥ 0x80 takes a 00 in DER)
    const seen = { high: 0, low: 0 };
    for (let i = 0; i < 200 && (seen.high < 2 || seen.low < 2); i++) {
      const c = issueClientCertificate({
        issuerCertPem: ca.certPem,
        issuerKeyPem: ca.keyPem,
        csrPem: makeCsr(keys, '张伟'),
        expectedCommonName: '张伟',
        subject: { commonName: '张伟', customerId: CUSTOMER, brokerCode: 'DEMO' },
        now: NOW,
      });
      seen[parseInt(c.serialNumber.slice(0, 2), 16) >= 0x80 ? 'high' : 'low']++;
      expect(certificateFacts(c.certPem).serialNumber).toBe(c.serialNumber);
    }
    expect(seen.high).toBeGreaterThanOrEqual(2);
    expect(seen.low).toBeGreaterThanOrEqual(2);
  });

  it('keeps key and chain in a PKCS#12 (AES-256) that only the password opens', () => {
    const der = forge.util.binary.raw.encode(p12);
    expect(der).toContain(forge.asn1.oidToDer(forge.pki.oids['aes256-CBC']!).getBytes());
    expect(() => openPkcs12(p12, '258037')).toThrow(WrongPasswordError);
    expect(() => openPkcs12(p12, '258037')).toThrow('证书密码错误，请重新输入');
    const opened = openPkcs12(p12, '258036');
    expect(opened.certPem.replace(/\r/g, '')).toBe(issued.certPem.replace(/\r/g, ''));
    expect(opened.chainPems).toHaveLength(2);
    expect(opened.keys.privateKey.n.equals(keys.privateKey.n)).toBe(true);
    expect(() => openPkcs12(new Uint8Array([1, 2, 3]), '258036')).toThrow('本机保存的数字证书已损坏，请重新申请');
  });

  it('signs the base64 payload with a detached CMS that the server verifies', () => {
    const payload = '{"acceptanceNo":"2611230000000001","agreementCode":"CUSTOMER_COMMITMENT","agreementVersion":1}';
    const b64 = bytesToBase64(new TextEncoder().encode(payload));
    const opened = openPkcs12(p12, '258036');
    const der = signDetached(opened, base64ToBytes(b64), NOW);
    const input = {
      signatureDer: Buffer.from(der),
      content: Buffer.from(payload),
      issuerCertPem: ca.certPem,
      rootCertPem: root.certPem,
      isRevoked: () => false,
      now: new Date(NOW.getTime() + 1000),
      expectedSubjectSerialNumber: CUSTOMER,
    };
    expect(verifyDetachedSignature(input)).toMatchObject({ signerSerial: issued.serialNumber });
    // detached and bound to the payload: other bytes do not verify
    expect(() => verifyDetachedSignature({ ...input, content: Buffer.from(payload + ' ') })).toThrow();
  });
});
