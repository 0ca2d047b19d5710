import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { BrokerService } from '../brokers';
import type { Secrets } from '../platform';
import type { ProfileService } from '../profiles';
import type { Ticket } from '../tickets';
import {
  CertificateRequestError,
  createIssuingCa,
  createRootCa,
  decryptKey,
  encryptKey,
  issueClientCertificate,
} from './ca';
import { Certificate, CertificateAuthority } from './certificate.entity';
import { SignatureError, verifyDetachedSignature } from './cms';

export type CertificateStatus = 'VALID' | 'REVOKED' | 'EXPIRED';

/**
 * The platform CA (a root and one issuing CA per broker, created on first start, keys encrypted
 * at rest), certificates issued from browser-made CSRs after a passed witness, revocation, and
 * verification of agreement signatures against all of that.
 */
export class CertificateService {
  constructor(
    private readonly clock: Clock,
    private readonly secrets: () => Secrets,
    private readonly deps: { profiles: ProfileService; brokers: BrokerService },
  ) {}

  /** Decrypted issuing keys, by broker (decrypting runs PBKDF2 on purpose slowly: once per process). */
  private readonly issuingKeys = new Map<string, KeyObject>();

  private keySecret(): string {
    return this.secrets().mac('ca-private-keys');
  }

  private issuingKey(brokerId: string, issuing: CertificateAuthority): KeyObject {
    let key = this.issuingKeys.get(brokerId);
    if (!key) {
      key = createPrivateKey(decryptKey(issuing.keyPemEncrypted, this.keySecret()));
      this.issuingKeys.set(brokerId, key);
    }
    return key;
  }

  /** Creates the root CA and the issuing CA of every broker that has none yet. */
  async ensureAuthorities(
    em: EntityManager,
    brokers: { id: string; code: string; name: string }[],
    log?: Logger,
  ): Promise<void> {
    const now = this.clock.now();
    let root = await em.findOne(CertificateAuthority, { kind: 'ROOT' }, { populate: ['keyPemEncrypted'] });
    if (!root) {
      const ca = createRootCa({ commonName: 'Kaihu 开户云根证书', now });
      root = em.create(CertificateAuthority, {
        kind: 'ROOT',
        brokerId: null,
        certPem: ca.certPem,
        keyPemEncrypted: encryptKey(ca.keyPem, this.keySecret()),
        createdAt: now,
      });
      await em.flush();
      log?.info('root CA created');
    }
    for (const b of brokers) {
      if (await em.count(CertificateAuthority, { kind: 'ISSUING', brokerId: b.id })) continue;
      const ca = createIssuingCa(
        { certPem: root.certPem, keyPem: decryptKey(root.keyPemEncrypted, this.keySecret()) },
        { brokerCode: b.code, brokerName: b.name, now },
      );
      em.create(CertificateAuthority, {
        kind: 'ISSUING',
        brokerId: b.id,
        certPem: ca.certPem,
        keyPemEncrypted: encryptKey(ca.keyPem, this.keySecret()),
        createdAt: now,
      });
      await em.flush();
      log?.info({ broker: b.code }, 'issuing CA created');
    }
  }

  private async authorities(
    em: EntityManager,
    brokerId: string,
    withKey = false,
  ): Promise<{ root: CertificateAuthority; issuing: CertificateAuthority }> {
    const root = await em.findOneOrFail(CertificateAuthority, { kind: 'ROOT' });
    const issuing = await em.findOneOrFail(
      CertificateAuthority,
      { kind: 'ISSUING', brokerId },
      withKey ? { populate: ['keyPemEncrypted'] } : {},
    );
    return { root, issuing };
  }

  status(c: Certificate): CertificateStatus {
    if (c.revokedAt) return 'REVOKED';
    const now = this.clock.now();
    return c.notAfter <= now || c.notBefore > now ? 'EXPIRED' : 'VALID';
  }

  /**
   * The customer's newest certificate (whatever its status), or null: the one not revoked if there
   * is one (a new certificate supersedes, i.e. revokes, all earlier ones, and two issued within the
   * same second have the same notBefore).
   */
  async latest(em: EntityManager, customerId: string): Promise<Certificate | null> {
    return (
      (await em.findOne(Certificate, { customerId, revokedAt: null }, { orderBy: { notBefore: 'desc' } })) ??
      (await em.findOne(Certificate, { customerId }, { orderBy: [{ notBefore: 'desc' }, { revokedAt: 'desc' }] }))
    );
  }

  async hasValid(em: EntityManager, customerId: string): Promise<boolean> {
    const now = this.clock.now();
    return (
      (await em.count(Certificate, { customerId, revokedAt: null, notBefore: { $lte: now }, notAfter: { $gt: now } })) >
      0
    );
  }

  async chainPem(em: EntityManager, brokerId: string): Promise<string[]> {
    const { root, issuing } = await this.authorities(em, brokerId);
    return [issuing.certPem, root.certPem];
  }

  /**
   * Issues a 2-year client certificate from a PKCS#10 CSR made in the browser (the CERTIFICATE
   * step: see steps/certificate.step.ts). The CSR's self-signature and subject (the customer's
   * name) are checked (CSR_INVALID). Earlier certificates of the customer are revoked (重新申请
   * replaces them); both are stored with the step's flush.
   */
  async issue(em: EntityManager, ticket: Ticket, csrPem: string, holderName: string): Promise<Certificate> {
    if (typeof csrPem !== 'string' || csrPem.length > 20_000) throw new KaihuError(ErrorCode.CSR_INVALID);
    // the applicant: a customer, or a prospect opening an account (the customer keeps their id)
    const customer = { id: ticket.customerId, name: holderName };
    const broker = await this.deps.brokers.findById(em, ticket.brokerId);
    if (!broker) throw new KaihuError(ErrorCode.NOT_FOUND);
    const { issuing } = await this.authorities(em, ticket.brokerId, true);
    const now = this.clock.now();
    let issued;
    try {
      issued = issueClientCertificate({
        issuerCertPem: issuing.certPem,
        issuerKeyPem: this.issuingKey(ticket.brokerId, issuing),
        csrPem,
        expectedCommonName: customer.name,
        subject: { commonName: customer.name, customerId: customer.id, brokerCode: broker.code },
        now,
      });
    } catch (e) {
      if (e instanceof CertificateRequestError)
        throw new KaihuError(ErrorCode.CSR_INVALID, e.message, { reason: e.reason });
      throw e;
    }
    for (const old of await em.find(Certificate, { customerId: customer.id, revokedAt: null }))
      em.assign(old, { revokedAt: now, revokedReason: 'SUPERSEDED' });
    return em.create(Certificate, {
      customerId: customer.id,
      brokerId: ticket.brokerId,
      ticketId: ticket.id,
      serialNumber: issued.serialNumber,
      subject: issued.subject,
      certPem: issued.certPem,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
    });
  }

  /** One of the customer's certificates by serial number. */
  bySerial(em: EntityManager, customerId: string, serialNumber: string): Promise<Certificate> {
    return em.findOneOrFail(Certificate, { customerId, serialNumber });
  }

  /**
   * Verifies a CMS detached signature made by the ticket's customer: digest, RSA signature,
   * chain to the broker's CA, validity, revocation, signer. Throws SIGNATURE_INVALID naming the
   * failed check.
   */
  async verifySignature(
    em: EntityManager,
    ticket: Ticket,
    signatureDer: Buffer,
    content: Buffer,
  ): Promise<{ signerSerial: string; signingTime: Date | null }> {
    const { root, issuing } = await this.authorities(em, ticket.brokerId);
    const revoked = new Set(
      (
        await em.find(
          Certificate,
          { brokerId: ticket.brokerId, revokedAt: { $ne: null } },
          { fields: ['serialNumber'] },
        )
      ).map((c) => c.serialNumber.toLowerCase()),
    );
    try {
      return verifyDetachedSignature({
        signatureDer,
        content,
        issuerCertPem: issuing.certPem,
        rootCertPem: root.certPem,
        isRevoked: (serial) => revoked.has(serial.toLowerCase()),
        now: this.clock.now(),
        expectedSubjectSerialNumber: ticket.customerId,
      });
    } catch (e) {
      if (e instanceof SignatureError) throw new KaihuError(ErrorCode.SIGNATURE_INVALID, e.message, { check: e.check });
      throw e;
    }
  }
}
