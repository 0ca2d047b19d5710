import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccountType, CounterCustomer, CounterSystem } from '@kaihu/plugin-api';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { BrokerService } from '../brokers';
import type { ProfileService } from '../profiles';
import { ApiKey } from './api-key.entity';
import { requireScope } from './api-key.service';
import type { CaptchaService } from './captcha.service';
import { ID_PROBLEM_MESSAGES, MINIMUM_AGE, ageOn, chinaToday, parseIdNumber, phoneKind } from '@kaihu/domain';
import type { CodeDelivery, LockService, OtpService } from './otp.service';
import { hashPassword, verifyPassword } from './passwords';
import { Prospect } from './prospect.entity';
import { Session } from './session.entity';
import { StaffUser, type StaffRole } from './staff-user.entity';
import type { Viewer } from './viewer';

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 8 * 3600_000;
/** lastSeenAt is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;
const ACCOUNT_TYPES: AccountType[] = ['FUTURES_BROKERAGE', 'ASSET_MANAGEMENT'];

export interface NewStaff {
  username: string;
  password: string;
  displayName: string;
  roles: StaffRole[];
  brokerId: string;
  branchId: string | null;
  licenseNo?: string | null;
}

export interface IssuedSession {
  token: string;
  expiresAt: Date;
  viewer: Viewer;
}

/** Why a token was not accepted; graphql-ws closes with 4401 (expired/invalid) or 4403 (revoked). */
export type TokenProblem = 'INVALID' | 'EXPIRED' | 'REVOKED';

export type Authentication = { viewer: Viewer | null } | { problem: TokenProblem };

/**
 * The front door: customer login (captcha → ID checks → counter check → SMS code → session),
 * staff login, partner API keys, and turning an Authorization header into a {@link Viewer}.
 */
export class AuthService {
  constructor(
    private readonly clock: Clock,
    private readonly deps: {
      captchas: CaptchaService;
      otp: OtpService;
      locks: LockService;
      brokers: BrokerService;
      profiles: ProfileService;
      counter: CounterSystem;
      agreements: {
        privacyPolicy(em: EntityManager, brokerId: string): Promise<{ id: string; version: number } | null>;
      };
    },
  ) {}

  // --- customer login ------------------------------------------------------------------------

  /**
   * Checks, in this order: the captcha (CAPTCHA_INVALID), the ID number (INVALID_ID_NUMBER), the
   * age (UNDERAGE), the counter (CUSTOMER_NOT_FOUND); then sends a code to the mobile on file.
   */
  async requestLoginCode(
    em: EntityManager,
    input: { idNumber: string; accountType: AccountType; captchaId: string; captchaAnswer: string },
    viewer: Viewer | null,
  ): Promise<CodeDelivery> {
    await this.deps.captchas.consume(em, input.captchaId, input.captchaAnswer);
    const { idNumber, accountType } = this.checkIdentity(input.idNumber, input.accountType);
    const { brokerId, brokerCode, brokerName, customer } = await this.locateCustomer(em, idNumber, accountType, viewer);
    return this.deps.otp.issue(em, {
      purpose: 'LOGIN_CODE',
      subject: this.loginSubject(brokerId, idNumber, accountType),
      to: customer.profile.mobile,
      brokerCode,
      text: (code) =>
        `【${brokerName}】您的登录验证码为${code}，5分钟内有效。如非本人操作，请忽略本短信，切勿向任何人泄露。`,
    });
  }

  /** Verifies the SMS code and opens a customer session. */
  async login(
    em: EntityManager,
    input: { idNumber: string; accountType: AccountType; code: string },
    viewer: Viewer | null,
  ): Promise<IssuedSession> {
    const { idNumber, accountType } = this.checkIdentity(input.idNumber, input.accountType);
    const { brokerId, customer: found } = await this.locateCustomer(em, idNumber, accountType, viewer);
    await this.deps.otp.verify(em, { subject: this.loginSubject(brokerId, idNumber, accountType), code: input.code });
    const customer = await this.deps.profiles.upsertFromCounter(em, brokerId, accountType, found);
    return this.openSession(em, {
      kind: 'CUSTOMER',
      customerId: customer.id,
      brokerId,
      roles: ['CUSTOMER'],
      apiKeyId: viewer?.kind === 'PARTNER' ? viewer.id : null,
    });
  }

  private loginSubject(brokerId: string, idNumber: string, accountType: AccountType): string {
    return this.deps.otp.subject('LOGIN', brokerId, idNumber, accountType);
  }

  private checkIdentity(raw: string, accountType: AccountType): { idNumber: string; accountType: AccountType } {
    if (!ACCOUNT_TYPES.includes(accountType)) throw new KaihuError(ErrorCode.INVALID_ACCOUNT_TYPE);
    const today = chinaToday(this.clock.now());
    const parsed = parseIdNumber(raw, today);
    if (!parsed.ok)
      throw new KaihuError(ErrorCode.INVALID_ID_NUMBER, ID_PROBLEM_MESSAGES[parsed.problem], {
        problem: parsed.problem,
      });
    if (ageOn(parsed.value.birthDate, today) < MINIMUM_AGE) throw new KaihuError(ErrorCode.UNDERAGE);
    return { idNumber: parsed.value.idNumber, accountType };
  }

  /**
   * Finds the customer's account at the counter. A partner (or a session a partner opened) only
   * reaches customers of its own broker: another broker's customer is FORBIDDEN. Otherwise every
   * broker of the deployment is asked, in code order.
   */
  private async locateCustomer(
    em: EntityManager,
    idNumber: string,
    accountType: AccountType,
    viewer: Viewer | null,
  ): Promise<{ brokerId: string; brokerCode: string; brokerName: string; customer: CounterCustomer }> {
    if (viewer?.kind === 'PARTNER') requireScope(viewer, 'LOGIN');
    const all = await this.deps.brokers.list(em);
    const scoped = viewer?.kind === 'PARTNER' ? all.filter((b) => b.id === viewer.brokerId) : all;
    for (const b of scoped) {
      const customer = await this.deps.counter.findCustomer(b.code, idNumber, accountType);
      if (customer) return { brokerId: b.id, brokerCode: b.code, brokerName: b.name, customer };
    }
    if (viewer?.kind === 'PARTNER') {
      for (const b of all.filter((x) => x.id !== viewer.brokerId)) {
        if (await this.deps.counter.findCustomer(b.code, idNumber, accountType)) {
          throw new KaihuError(ErrorCode.FORBIDDEN, '该客户不属于本合作方所在的期货公司');
        }
      }
    }
    const type = accountType === 'FUTURES_BROKERAGE' ? '期货经纪' : '非期货经纪';
    throw new KaihuError(
      ErrorCode.CUSTOMER_NOT_FOUND,
      `柜台校验客户不存在：未查询到您的${type}账户，请先开通对应账户类型的账户后再使用`,
    );
  }

  // --- prospect login (开户申请人) ------------------------------------------------------------------

  /**
   * A person who is not yet a customer: the captcha (CAPTCHA_INVALID), a mainland mobile
   * (INVALID_PHONE), then a code to that mobile with the same throttles and lock as the login code.
   */
  async requestProspectCode(
    em: EntityManager,
    input: { brokerCode: string; mobile: string; captchaId: string; captchaAnswer: string },
    viewer: Viewer | null,
  ): Promise<CodeDelivery> {
    await this.deps.captchas.consume(em, input.captchaId, input.captchaAnswer);
    const broker = await this.prospectBroker(em, input.brokerCode, viewer);
    const mobile = mainlandMobile(input.mobile);
    return this.deps.otp.issue(em, {
      purpose: 'PROSPECT_CODE',
      subject: this.deps.otp.subject('PROSPECT', broker.id, mobile),
      to: mobile,
      brokerCode: broker.code,
      text: (code) =>
        `【${broker.name}】您正在登录网上开户，验证码为${code}，5分钟内有效。如非本人操作，请忽略本短信，切勿向任何人泄露。`,
    });
  }

  /**
   * Verifies the code and opens a PROSPECT session, recording the consent to the broker's current
   * 《隐私政策》: an older version, or none, is refused (PRIVACY_POLICY_OUTDATED, naming the current one).
   */
  async prospectLogin(
    em: EntityManager,
    input: { brokerCode: string; mobile: string; code: string; privacyPolicyVersion: number },
    viewer: Viewer | null,
  ): Promise<IssuedSession> {
    const broker = await this.prospectBroker(em, input.brokerCode, viewer);
    const mobile = mainlandMobile(input.mobile);
    const policy = await this.deps.agreements.privacyPolicy(em, broker.id);
    if (!policy) throw new KaihuError(ErrorCode.NOT_FOUND, '该期货公司尚未发布隐私政策，暂不能网上开户');
    if (input.privacyPolicyVersion !== policy.version)
      throw new KaihuError(
        ErrorCode.PRIVACY_POLICY_OUTDATED,
        input.privacyPolicyVersion
          ? `《隐私政策》已更新为第${policy.version}版，请阅读新版本并勾选同意后再登录`
          : '请阅读并勾选同意《隐私政策》后再登录',
        { currentVersion: policy.version },
      );
    await this.deps.otp.verify(em, {
      subject: this.deps.otp.subject('PROSPECT', broker.id, mobile),
      code: input.code,
      sentTo: mobile,
    });
    const now = this.clock.now();
    let prospect = await em.findOne(Prospect, { brokerId: broker.id, mobile });
    const consent = {
      privacyPolicyId: policy.id,
      privacyPolicyVersion: policy.version,
      consentedAt: now,
      lastLoginAt: now,
    };
    if (prospect) em.assign(prospect, consent);
    else prospect = em.create(Prospect, { brokerId: broker.id, mobile, createdAt: now, ...consent });
    await em.flush();
    return this.openSession(em, {
      kind: 'PROSPECT',
      prospectId: prospect.id,
      brokerId: broker.id,
      roles: ['PROSPECT'],
      apiKeyId: viewer?.kind === 'PARTNER' ? viewer.id : null,
    });
  }

  /** The mobile a prospect logged in with. */
  async prospectMobile(em: EntityManager, prospectId: string): Promise<string | null> {
    return (await em.findOne(Prospect, { id: prospectId }))?.mobile ?? null;
  }

  /** The broker of a prospect login; a partner key only reaches its own broker. */
  private async prospectBroker(
    em: EntityManager,
    brokerCode: string,
    viewer: Viewer | null,
  ): Promise<{ id: string; code: string; name: string }> {
    if (viewer?.kind === 'PARTNER') requireScope(viewer, 'LOGIN');
    const broker = await this.deps.brokers.findByCode(em, String(brokerCode ?? '').trim());
    if (!broker) throw new KaihuError(ErrorCode.NOT_FOUND, '期货公司不存在');
    if (viewer?.kind === 'PARTNER' && viewer.brokerId !== broker.id)
      throw new KaihuError(ErrorCode.FORBIDDEN, '合作方只能为本公司办理开户');
    return broker;
  }

  // --- staff login -----------------------------------------------------------------------------

  /** Staff login with the same 5-failures / 15-minute lock as SMS codes. */
  async staffLogin(em: EntityManager, username: string, password: string): Promise<IssuedSession> {
    const name = (username ?? '').trim();
    if (!name || name.length > 64 || typeof password !== 'string' || password.length > 256) {
      throw new KaihuError(ErrorCode.INVALID_CREDENTIALS);
    }
    const subject = this.deps.otp.subject('STAFF', name.toLowerCase());
    await this.deps.locks.assertUnlocked(em, subject);
    const staff = await em.findOne(StaffUser, { username: name }, { populate: ['passwordHash'] });
    // Hash even for unknown users so timing does not tell which usernames exist.
    const ok = await verifyPassword(password, staff?.passwordHash ?? DUMMY_HASH);
    if (!staff || !ok || staff.disabled) {
      const left = await this.deps.locks.recordFailure(em, subject);
      if (left === 0) throw new KaihuError(ErrorCode.TOO_MANY_ATTEMPTS, '密码错误次数过多，账号已锁定15分钟');
      throw new KaihuError(
        ErrorCode.INVALID_CREDENTIALS,
        staff?.disabled && ok ? '账号已停用，请联系期货公司管理员' : `用户名或密码错误，还可尝试${left}次`,
      );
    }
    await this.deps.locks.reset(em, subject);
    return this.openSession(em, {
      kind: 'STAFF',
      staffId: staff.id,
      brokerId: staff.brokerId,
      roles: [...staff.roles],
      apiKeyId: null,
    });
  }

  // --- sessions ------------------------------------------------------------------------------

  private async openSession(
    em: EntityManager,
    s: {
      kind: Session['kind'];
      customerId?: string;
      staffId?: string;
      prospectId?: string;
      brokerId: string;
      roles: string[];
      apiKeyId: string | null;
    },
  ): Promise<IssuedSession> {
    const token = newSessionToken();
    const now = this.clock.now();
    const session = em.create(Session, {
      tokenHash: sha256Hex(token),
      kind: s.kind,
      customerId: s.customerId ?? null,
      staffId: s.staffId ?? null,
      prospectId: s.prospectId ?? null,
      brokerId: s.brokerId,
      roles: s.roles,
      apiKeyId: s.apiKeyId,
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
    });
    await em.flush();
    return { token, expiresAt: this.expiresAt(session), viewer: this.sessionViewer(session) };
  }

  expiresAt(session: Pick<Session, 'lastSeenAt' | 'absoluteExpiresAt'>): Date {
    return new Date(Math.min(session.lastSeenAt.getTime() + SESSION_IDLE_MS, session.absoluteExpiresAt.getTime()));
  }

  private sessionViewer(s: Session): Viewer {
    return {
      kind: s.kind,
      id: (s.customerId ?? s.staffId ?? s.prospectId)!,
      brokerId: s.brokerId,
      roles: s.roles,
      sessionId: s.id,
      customerId: s.customerId,
      staffId: s.staffId,
      prospectId: s.prospectId,
      applicantId: s.customerId ?? s.prospectId,
      apiKeyId: s.apiKeyId,
    };
  }

  /**
   * Resolves `Authorization: Bearer <token>`: a session token or a partner API key (`kh_…`).
   * No header → anonymous. A session is extended by use (30 min idle) up to 8 h.
   */
  async authenticate(em: EntityManager, authorization: string | undefined | null): Promise<Authentication> {
    if (!authorization) return { viewer: null };
    const m = /^Bearer\s+(\S{16,256})$/i.exec(authorization.trim());
    if (!m) return { problem: 'INVALID' };
    const token = m[1]!;
    const now = this.clock.now();
    if (token.startsWith('kh_')) {
      const key = await em.findOne(ApiKey, { keyHash: sha256Hex(token) });
      if (!key) return { problem: 'INVALID' };
      if (key.revokedAt) return { problem: 'REVOKED' };
      if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
        await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: now });
      }
      return {
        viewer: {
          kind: 'PARTNER',
          id: key.id,
          brokerId: key.brokerId,
          roles: ['PARTNER'],
          sessionId: null,
          customerId: null,
          staffId: null,
          apiKeyId: key.id,
          scopes: key.scopes,
        },
      };
    }
    const session = await em.findOne(Session, { tokenHash: sha256Hex(token) });
    if (!session) return { problem: 'INVALID' };
    if (session.revokedAt) return { problem: 'REVOKED' };
    if (this.expiresAt(session) <= now) return { problem: 'EXPIRED' };
    if (session.kind === 'STAFF' && session.staffId) {
      const staff = await em.findOne(StaffUser, { id: session.staffId });
      if (!staff || staff.disabled) return { problem: 'REVOKED' };
    }
    if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      await em.nativeUpdate(Session, { id: session.id }, { lastSeenAt: now });
    }
    return { viewer: this.sessionViewer(session) };
  }

  /** The current expiry of a session (after this request touched it). */
  async sessionExpiry(em: EntityManager, sessionId: string): Promise<Date | null> {
    const s = await em.findOne(Session, { id: sessionId }, { disableIdentityMap: true });
    return s ? this.expiresAt(s) : null;
  }

  /** Whether a session is still usable (for open WebSockets). */
  async sessionStillValid(em: EntityManager, sessionId: string): Promise<TokenProblem | null> {
    const s = await em.findOne(Session, { id: sessionId }, { disableIdentityMap: true });
    if (!s || s.revokedAt) return 'REVOKED';
    if (this.expiresAt(s) <= this.clock.now()) return 'EXPIRED';
    return null;
  }

  /**
   * The sessions of open WebSockets, checked together (in chunks of one query each): an open
   * socket is activity, so a live session's idle timeout restarts (a customer may wait in the
   * witness queue longer than the idle timeout), never past its absolute expiry. Returns the
   * sessions that must be closed and why.
   */
  async checkSocketSessions(em: EntityManager, ids: string[]): Promise<Map<string, TokenProblem>> {
    const now = this.clock.now();
    const problems = new Map<string, TokenProblem>();
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      await em.nativeUpdate(
        Session,
        {
          id: { $in: chunk },
          revokedAt: null,
          lastSeenAt: { $gt: new Date(now.getTime() - SESSION_IDLE_MS), $lt: now },
        },
        { lastSeenAt: now },
      );
      const rows = await em.find(
        Session,
        { id: { $in: chunk } },
        { fields: ['id', 'revokedAt', 'lastSeenAt', 'absoluteExpiresAt'], disableIdentityMap: true },
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const id of chunk) {
        const r = byId.get(id);
        if (!r || r.revokedAt) problems.set(id, 'REVOKED');
        else if (this.expiresAt(r) <= now) problems.set(id, 'EXPIRED');
      }
    }
    return problems;
  }

  async logout(em: EntityManager, viewer: Viewer | null): Promise<boolean> {
    if (!viewer?.sessionId) return false;
    const n = await em.nativeUpdate(
      Session,
      { id: viewer.sessionId, revokedAt: null },
      { revokedAt: this.clock.now() },
    );
    return n === 1;
  }

  // --- seeding ---------------------------------------------------------------------------------

  /** Creates the staff member unless the username exists; returns whether it was created. */
  async ensureStaff(em: EntityManager, staff: NewStaff): Promise<boolean> {
    if (await em.count(StaffUser, { username: staff.username })) return false;
    em.create(StaffUser, {
      username: staff.username,
      displayName: staff.displayName,
      roles: staff.roles,
      brokerId: staff.brokerId,
      branchId: staff.branchId,
      licenseNo: staff.licenseNo ?? null,
      passwordHash: await hashPassword(staff.password),
      createdAt: this.clock.now(),
    });
    await em.flush();
    return true;
  }

  /** Agents of a branch (or of the whole broker) seen in the last 5 minutes with a live session. */
  async activeAgents(em: EntityManager, brokerId: string, branchId: string): Promise<number> {
    const since = new Date(this.clock.now().getTime() - 5 * 60_000);
    const agents = await em.find(
      StaffUser,
      { brokerId, disabled: false, $or: [{ branchId }, { branchId: null }] },
      { fields: ['id', 'roles'] },
    );
    const ids = agents.filter((a) => a.roles.includes('AGENT')).map((a) => a.id);
    if (!ids.length) return 0;
    const live = await em.find(
      Session,
      { staffId: { $in: ids }, revokedAt: null, lastSeenAt: { $gte: since } },
      { fields: ['staffId'] },
    );
    return new Set(live.map((s) => s.staffId)).size;
  }

  async staffExists(em: EntityManager, username: string): Promise<boolean> {
    return (await em.count(StaffUser, { username })) > 0;
  }

  async findStaff(em: EntityManager, id: string): Promise<StaffUser | null> {
    return em.findOne(StaffUser, { id });
  }

  /** Registers a known key (demo seeding); stores only its hash. */
  async ensureApiKey(em: EntityManager, key: { key: string; name: string; brokerId: string }): Promise<boolean> {
    const keyHash = sha256Hex(key.key);
    if (await em.count(ApiKey, { keyHash })) return false;
    em.create(ApiKey, {
      brokerId: key.brokerId,
      name: key.name,
      keyHash,
      prefix: key.key.slice(0, 12),
      createdAt: this.clock.now(),
    });
    await em.flush();
    return true;
  }
}

/**
 * A session token: 32 random bytes, base64url. Partner API keys start with `kh_`, and a token that
 * happened to start so (one login in 262,144) would be looked up as a key and refused at once.
 */
export function newSessionToken(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const token = random(32).toString('base64url');
    if (!token.startsWith('kh_')) return token;
  }
}

/** A valid scrypt hash of a random password, compared against when the username is unknown. */
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** A mainland mobile number (11 digits, 1[3-9]…), or INVALID_PHONE. */
function mainlandMobile(raw: string): string {
  const phone = phoneKind(String(raw ?? ''));
  if (phone?.kind !== 'MOBILE')
    throw new KaihuError(ErrorCode.INVALID_PHONE, '请输入正确的中国大陆手机号码（11位，以1开头）', {
      fields: [{ field: 'mobile', message: '请输入正确的中国大陆手机号码' }],
    });
  return phone.phone;
}
