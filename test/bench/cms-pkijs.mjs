// The same detached-CMS verification as api/src/modules/certificates/cms.ts, with the DER/ASN.1
// reading done by a maintained library (pkijs on asn1js) instead of Kaihu's own reader; the RSA and
// SHA work stays in node:crypto in both, so the benchmark compares the reading. Same checks, same
// order: format, digest, signature, chain (issuing CA → root), validity, revocation, signer.
import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_SUBJECT_SERIAL = '2.5.4.5';
const DIGESTS = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const caCache = new Map();
function caCert(pem) {
  let c = caCache.get(pem);
  if (!c) {
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const cert = pkijs.Certificate.fromBER(der);
    c = { cert, key: spkiKey(cert), notBefore: cert.notBefore.value, notAfter: cert.notAfter.value };
    caCache.set(pem, c);
  }
  return c;
}

const spkiKey = (cert) =>
  crypto.createPublicKey({
    key: Buffer.from(cert.subjectPublicKeyInfo.toSchema().toBER(false)),
    format: 'der',
    type: 'spki',
  });
const tbsOf = (cert) => Buffer.from(cert.tbsView);
const serialHex = (cert) =>
  Buffer.from(cert.serialNumber.valueBlock.valueHexView)
    .toString('hex')
    .replace(/^(00)+(?=[0-9a-f]{2})/, '');
const nameKey = (name) => Buffer.from(name.toSchema().toBER(false)).toString('hex');
const fail = (check) => Object.assign(new Error(check), { check });

export function verifyWithPkijs(input) {
  const ci = pkijs.ContentInfo.fromBER(input.signatureDer);
  if (ci.contentType !== OID_SIGNED_DATA) throw fail('FORMAT');
  const sd = new pkijs.SignedData({ schema: ci.content });
  if (sd.encapContentInfo.eContent) throw fail('FORMAT');
  if (sd.signerInfos.length !== 1 || !sd.certificates?.length) throw fail('FORMAT');
  const si = sd.signerInfos[0];
  const sid = si.sid;
  const cert = sd.certificates.find(
    (c) =>
      c instanceof pkijs.Certificate &&
      serialHex(c) === serialHex({ serialNumber: sid.serialNumber }) &&
      nameKey(c.issuer) === nameKey(sid.issuer),
  );
  if (!cert || !si.signedAttrs) throw fail('FORMAT');
  const attr = (oid) => si.signedAttrs.attributes.find((a) => a.type === oid)?.values[0];
  const ct = attr(OID_CONTENT_TYPE);
  const md = attr(OID_MESSAGE_DIGEST);
  if (!ct || !md || ct.valueBlock.toString() !== sd.encapContentInfo.eContentType) throw fail('FORMAT');
  const digest = DIGESTS[si.digestAlgorithm.algorithmId];
  if (!digest) throw fail('FORMAT');
  const st = attr(OID_SIGNING_TIME);
  // DIGEST
  if (!crypto.createHash(digest).update(input.content).digest().equals(Buffer.from(md.valueBlock.valueHexView)))
    throw fail('DIGEST');
  // SIGNATURE over the signed attributes as SET OF
  const setOf = Buffer.from(si.signedAttrs.toSchema().toBER(false));
  setOf[0] = 0x31;
  if (!crypto.verify(digest, setOf, spkiKey(cert), Buffer.from(si.signature.valueBlock.valueHexView)))
    throw fail('SIGNATURE');
  // CHAIN
  const ca = caCert(input.issuerCertPem);
  const root = caCert(input.rootCertPem);
  if (nameKey(cert.issuer) !== nameKey(ca.cert.subject)) throw fail('CHAIN');
  if (!crypto.verify('sha256', tbsOf(cert), ca.key, Buffer.from(cert.signatureValue.valueBlock.valueHexView)))
    throw fail('CHAIN');
  if (nameKey(ca.cert.issuer) !== nameKey(root.cert.subject)) throw fail('CHAIN');
  // VALIDITY
  const now = input.now.getTime();
  const valid = (a, b) => a.getTime() <= now && now <= b.getTime();
  if (!valid(cert.notBefore.value, cert.notAfter.value) || !valid(ca.notBefore, ca.notAfter)) throw fail('VALIDITY');
  // REVOKED
  const serial = serialHex(cert);
  if (input.isRevoked(serial)) throw fail('REVOKED');
  // SIGNER
  const subjectSerial = cert.subject.typesAndValues.find((t) => t.type === OID_SUBJECT_SERIAL)?.value.valueBlock.value;
  if (subjectSerial !== input.expectedSubjectSerialNumber) throw fail('SIGNER');
  return { signerSerial: serial, signingTime: st ? st.toDate() : null };
}

export { asn1js };
