import { createHash } from 'node:crypto';
import type { RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AgreementText } from '@kaihu/plugin-api';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Viewer } from '../auth';
import type { CertificateService } from '../certificates';
import type { Ticket } from '../tickets';
import { Agreement, AgreementSignature } from './agreement.entity';

export const sha256Hex = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/**
 * The exact bytes a customer signs for one agreement: canonical JSON (fixed key order, no
 * spaces) of the acceptance number, the agreement's code and version, the SHA-256 of its text and
 * the time the ticket reached the AGREEMENTS step.
 */
export function signingPayload(p: {
  acceptanceNo: string;
  code: string;
  version: number;
  sha256: string;
  time: Date;
}): string {
  return JSON.stringify({
    acceptanceNo: p.acceptanceNo,
    agreementCode: p.code,
    agreementVersion: p.version,
    sha256: p.sha256,
    time: p.time.toISOString(),
  });
}

/** Versioned agreement texts per broker, and the signatures made on them. */
export interface AgreementToSign {
  agreement: Agreement;
  /** base64 of the canonical JSON */
  signingPayload: string;
  signedAt: Date | null;
  /** a template filled in with this ticket's facts (the text signed is kept with the signature) */
  rendered: boolean;
}

export class AgreementService {
  constructor(
    private readonly clock: Clock,
    private readonly deps: { certificates: CertificateService },
  ) {}

  /** What the ticket's customer signs: each agreement of its business with its exact payload. */
  async toSign(em: EntityManager, ticket: Ticket, facts: Record<string, string> = {}): Promise<AgreementToSign[]> {
    const signed = new Map((await this.signatures(em, ticket.id)).map((s) => [s.agreementId, s]));
    return (await this.forBusiness(em, ticket.brokerId, ticket.business)).map((version) => {
      const s = signed.get(version.id);
      // once signed, the text is the one signed, whatever the ticket's facts are now
      const a = s?.content ? withContent(version, s.content) : renderFor(version, facts);
      const payload =
        s?.payload ??
        signingPayload({
          acceptanceNo: ticket.acceptanceNo,
          code: a.code,
          version: a.version,
          sha256: a.sha256,
          time: ticket.stepEnteredAt,
        });
      return {
        agreement: a,
        signingPayload: Buffer.from(payload).toString('base64'),
        signedAt: s?.signedAt ?? null,
        rendered: placeholdersOf(version.content).length > 0,
      };
    });
  }

  /**
   * 签署协议: one CMS detached signature per agreement of the business, each over its exact
   * payload, verified (digest, signature, chain, validity, revocation, signer); all must be there
   * (AGREEMENTS_INCOMPLETE) and valid (SIGNATURE_INVALID naming the agreement and the check).
   * Needs a valid certificate (CERTIFICATE_REQUIRED).
   */
  async verifySignatures(
    em: EntityManager,
    ticket: Ticket,
    signatures: { agreementId: string; signature: string }[],
    facts: Record<string, string> = {},
  ): Promise<{ signed: { code: string; version: number }[] }> {
    const ticketId = ticket.id;
    if (!(await this.deps.certificates.hasValid(em, ticket.customerId)))
      throw new KaihuError(ErrorCode.CERTIFICATE_REQUIRED);
    const expected = await this.toSign(em, ticket, facts);
    const given = new Map(signatures.map((s) => [s.agreementId, s.signature]));
    const missing = expected.filter((e) => !given.has(e.agreement.id));
    if (missing.length) {
      throw new KaihuError(
        ErrorCode.AGREEMENTS_INCOMPLETE,
        `请签署全部协议：${missing.map((m) => `《${m.agreement.title}》`).join('')}`,
        { missing: missing.map((m) => m.agreement.id) },
      );
    }
    const unknown = signatures.filter((s) => !expected.some((e) => e.agreement.id === s.agreementId));
    if (unknown.length)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '签名中包含不属于本业务的协议', {
        agreementIds: unknown.map((u) => u.agreementId),
      });
    const now = this.clock.now();
    const rows: RequiredEntityData<AgreementSignature>[] = [];
    for (const e of expected) {
      const payload = Buffer.from(e.signingPayload, 'base64');
      const der = Buffer.from(given.get(e.agreement.id)!, 'base64');
      let verified;
      try {
        verified = await this.deps.certificates.verifySignature(em, ticket, der, payload);
      } catch (err) {
        if (err instanceof KaihuError) {
          throw new KaihuError(ErrorCode.SIGNATURE_INVALID, `《${e.agreement.title}》${err.message}`, {
            ...err.extensions,
            agreementId: e.agreement.id,
          });
        }
        throw err;
      }
      rows.push({
        ticketId,
        agreementId: e.agreement.id,
        payload: payload.toString('utf8'),
        content: e.rendered ? e.agreement.content : null,
        signature: der.toString('base64'),
        signerSerial: verified.signerSerial,
        verification: {
          checks: ['DIGEST', 'SIGNATURE', 'CHAIN', 'VALIDITY', 'REVOKED', 'SIGNER'],
          result: 'VALID',
          verifiedAt: now.toISOString(),
          signingTime: verified.signingTime?.toISOString() ?? null,
        },
        signedAt: now,
      });
    }
    // every signature verified: the earlier ones (of a ticket sent back) give way, stored with the step
    for (const old of await em.find(AgreementSignature, { ticketId })) em.remove(old);
    for (const row of rows) em.create(AgreementSignature, row);
    return { signed: expected.map((e) => ({ code: e.agreement.code, version: e.agreement.version })) };
  }

  /**
   * Stores a new version of each text of the BrokerPack whose title, wording or businesses differ
   * from the pack's own latest version (or that is new). Versions a broker admin wrote are not
   * compared against: a restart with the same pack leaves the admin's newest version in force;
   * only a pack that itself changes the text adds a version. Returns the number of versions added.
   */
  async sync(em: EntityManager, brokerId: string, texts: AgreementText[]): Promise<number> {
    let added = 0;
    for (const t of texts) {
      const unknown = placeholdersOf(t.content).filter((p) => !AGREEMENT_PLACEHOLDERS.includes(p));
      if (unknown.length)
        throw new Error(`agreement ${t.code}: unknown placeholders ${unknown.map((p) => `{{${p}}}`).join(', ')}`);
      const latest = await em.findOne(Agreement, { brokerId, code: t.code }, { orderBy: { version: 'desc' } });
      const fromPack = latest?.createdBy
        ? await em.findOne(Agreement, { brokerId, code: t.code, createdBy: null }, { orderBy: { version: 'desc' } })
        : latest;
      const sha = sha256Hex(t.content);
      const same =
        fromPack &&
        fromPack.sha256 === sha &&
        fromPack.title === t.title &&
        JSON.stringify([...fromPack.businesses].sort()) === JSON.stringify([...t.businesses].sort());
      if (same) continue;
      em.create(Agreement, {
        brokerId,
        code: t.code,
        version: (latest?.version ?? 0) + 1,
        title: t.title,
        content: t.content,
        sha256: sha,
        businesses: [...t.businesses],
        createdAt: this.clock.now(),
      });
      added++;
    }
    await em.flush();
    return added;
  }

  /** The latest version of each agreement of the broker, in the reference's order. */
  async latestAll(em: EntityManager, brokerId: string): Promise<Agreement[]> {
    const all = await em.find(Agreement, { brokerId }, { orderBy: { code: 'asc', version: 'desc' } });
    const latest = new Map<string, Agreement>();
    for (const a of all) if (!latest.has(a.code)) latest.set(a.code, a);
    return [...latest.values()].sort(byReferenceOrder);
  }

  /** Every version of one agreement of the broker, newest first (empty for an unknown code). */
  versions(em: EntityManager, brokerId: string, code: string): Promise<Agreement[]> {
    return em.find(Agreement, { brokerId, code }, { orderBy: { version: 'desc' } });
  }

  /**
   * A broker admin's new wording: stored as a NEW version (same code and businesses), so earlier
   * versions and the signatures on them stay as they were; tickets reaching 签署协议 from now on
   * sign the new one. Unchanged title and text add nothing and return the latest version.
   */
  async update(
    em: EntityManager,
    admin: Viewer & { staffId: string },
    code: string,
    title: string,
    content: string,
  ): Promise<Agreement> {
    const t = (title ?? '').trim();
    if (!t)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '请填写协议标题', {
        fields: [{ field: 'title', message: '请填写协议标题' }],
      });
    if (t.length > 100)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '协议标题不能超过100字', {
        fields: [{ field: 'title', message: '协议标题不能超过100字' }],
      });
    if (!(content ?? '').trim())
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '请填写协议内容', {
        fields: [{ field: 'content', message: '请填写协议内容' }],
      });
    if (content.length > MAX_CONTENT) {
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, `协议内容不能超过${MAX_CONTENT}字`, {
        fields: [{ field: 'content', message: `协议内容不能超过${MAX_CONTENT}字` }],
      });
    }
    const latest = await em.findOne(Agreement, { brokerId: admin.brokerId, code }, { orderBy: { version: 'desc' } });
    if (!latest) throw new KaihuError(ErrorCode.NOT_FOUND, `协议“${code}”不存在`);
    const sha = sha256Hex(content);
    if (latest.sha256 === sha && latest.title === t) return latest;
    const next = em.create(Agreement, {
      brokerId: admin.brokerId,
      code,
      version: latest.version + 1,
      title: t,
      content,
      sha256: sha,
      businesses: [...latest.businesses],
      createdBy: admin.staffId,
      createdAt: this.clock.now(),
    });
    await em.flush();
    return next;
  }

  /** The latest version of every agreement a business signs, in a stable order. */
  async forBusiness(em: EntityManager, brokerId: string, business: string): Promise<Agreement[]> {
    const all = await em.find(Agreement, { brokerId }, { orderBy: { code: 'asc', version: 'desc' } });
    const latest = new Map<string, Agreement>();
    for (const a of all) if (!latest.has(a.code)) latest.set(a.code, a);
    return [...latest.values()].filter((a) => a.businesses.includes(business)).sort(byReferenceOrder);
  }

  /** The broker's current 《隐私政策》 (the agreement `PRIVACY_POLICY`), agreed to at a prospect's login. */
  privacyPolicy(em: EntityManager, brokerId: string): Promise<Agreement | null> {
    return em.findOne(Agreement, { brokerId, code: PRIVACY_POLICY }, { orderBy: { version: 'desc' } });
  }

  findById(em: EntityManager, id: string): Promise<Agreement | null> {
    return em.findOne(Agreement, { id });
  }

  signatures(em: EntityManager, ticketId: string): Promise<AgreementSignature[]> {
    return em.find(AgreementSignature, { ticketId }, { orderBy: { signedAt: 'asc' } });
  }
}

/**
 * What an agreement template may say about the ticket it is signed for (《适当性匹配意见告知书》):
 * the steps give the values (StepDefinition.agreementFacts); a pack using another is refused.
 */
export const AGREEMENT_PLACEHOLDERS = [
  'name',
  'score',
  'tolerance',
  'lowestCategory',
  'products',
  'opinion',
  'assessedAt',
];

function placeholdersOf(content: string): string[] {
  return [...new Set([...content.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!))];
}

/** The agreement as this ticket signs it: a template's placeholders filled in (and its hash of that text). */
function renderFor(a: Agreement, facts: Record<string, string>): Agreement {
  if (!placeholdersOf(a.content).length) return a;
  return withContent(
    a,
    a.content.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => facts[key] ?? '—'),
  );
}

/** A copy of the version with another text (and that text's hash); the stored version is not touched. */
function withContent(a: Agreement, content: string): Agreement {
  return Object.assign(Object.create(Object.getPrototypeOf(a) as object) as Agreement, a, {
    content,
    sha256: sha256Hex(content),
  });
}

/** The code of the agreement prospects consent to at login. */
export const PRIVACY_POLICY = 'PRIVACY_POLICY';

/** An agreement text may be this long (characters). */
export const MAX_CONTENT = 100_000;

const byReferenceOrder = (a: Agreement, b: Agreement): number =>
  rank(a.code) - rank(b.code) || a.code.localeCompare(b.code);
const rank = (code: string): number => (ORDER.includes(code) ? ORDER.indexOf(code) : ORDER.length);

/** The order in which the reference lists them. */
const ORDER = [
  'CUSTOMER_ACCOUNT_COMMITMENT',
  'TAX_RESIDENCY_DECLARATION',
  'CERT_USER_RESPONSIBILITY',
  'CERT_APPLICATION_RESPONSIBILITY',
  'CUSTOMER_NOTICE',
  'FUTURES_BROKERAGE_CONTRACT',
  'FUTURES_RISK_DISCLOSURE',
];
