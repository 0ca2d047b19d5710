import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SmsGateway } from '@kaihu/plugin-api';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import { maskPhone } from '../../common/mask';
import type { Secrets } from '../platform';
import { LoginLock } from './login-lock.entity';
import { OtpCode } from './otp-code.entity';

export const CODE_TTL_MS = 5 * 60_000;
export const RESEND_AFTER_MS = 60_000;
export const MAX_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;

export interface CodeDelivery {
  maskedPhone: string;
  expiresAt: Date;
  resendAfter: Date;
}

/**
 * Failed attempts and the 15-minute lock after 5 of them, per subject (an ID number + account
 * type, or a staff username). Subjects are HMACs, so no ID number is stored here.
 */
export class LockService {
  constructor(private readonly clock: Clock) {}

  /** Throws TOO_MANY_ATTEMPTS while the subject is locked. */
  async assertUnlocked(em: EntityManager, subject: string): Promise<void> {
    const lock = await em.findOne(LoginLock, { subject }, { disableIdentityMap: true });
    const now = this.clock.now();
    if (lock?.lockedUntil && lock.lockedUntil > now) {
      const minutes = Math.ceil((lock.lockedUntil.getTime() - now.getTime()) / 60_000);
      throw new KaihuError(ErrorCode.TOO_MANY_ATTEMPTS, `错误次数过多，已锁定，请${minutes}分钟后再试`, {
        lockedUntil: lock.lockedUntil.toISOString(),
      });
    }
  }

  /**
   * Counts a failure (atomically, so parallel guesses are all counted) and locks the subject at
   * the fifth within the window. Returns the attempts left, 0 when it is now locked.
   */
  async recordFailure(em: EntityManager, subject: string): Promise<number> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - LOCK_MS);
    const rows = (await em.getConnection().execute(
      `insert into login_locks (subject, failures, locked_until, updated_at) values (?, 1, null, ?)
       on conflict (subject) do update set
         failures = case when login_locks.updated_at < ? or (login_locks.locked_until is not null and login_locks.locked_until <= ?)
                         then 1 else login_locks.failures + 1 end,
         locked_until = null,
         updated_at = excluded.updated_at
       returning failures`,
      [subject, now, windowStart, now],
    )) as { failures: number }[];
    const failures = Number(rows[0]!.failures);
    if (failures >= MAX_FAILURES) {
      await em
        .getConnection()
        .execute('update login_locks set locked_until = ? where subject = ?', [
          new Date(now.getTime() + LOCK_MS),
          subject,
        ]);
      return 0;
    }
    return MAX_FAILURES - failures;
  }

  async reset(em: EntityManager, subject: string): Promise<void> {
    await em.getConnection().execute('delete from login_locks where subject = ?', [subject]);
  }
}

/**
 * One-time SMS codes: 6 digits, valid 5 minutes, a new one no sooner than 60 s after the last,
 * only the newest one valid, stored as an HMAC, never logged. Wrong codes count towards the lock.
 */
export class OtpService {
  constructor(
    private readonly clock: Clock,
    private readonly secrets: () => Secrets,
    private readonly sms: SmsGateway,
    private readonly locks: LockService,
  ) {}

  /** The HMAC that stands for a subject in codes and locks. */
  subject(purpose: string, ...parts: string[]): string {
    return this.secrets().mac('subject', purpose, ...parts);
  }

  async issue(
    em: EntityManager,
    args: { purpose: string; subject: string; to: string; brokerCode?: string; text: (code: string) => string },
  ): Promise<CodeDelivery> {
    await this.locks.assertUnlocked(em, args.subject);
    const now = this.clock.now();
    const last = await em.findOne(
      OtpCode,
      { subject: args.subject, consumedAt: null },
      { orderBy: { createdAt: 'desc' } },
    );
    if (last && last.resendAfter > now) {
      const seconds = Math.ceil((last.resendAfter.getTime() - now.getTime()) / 1000);
      throw new KaihuError(ErrorCode.RESEND_TOO_SOON, `验证码发送过于频繁，请${seconds}秒后再试`, {
        resendAfter: last.resendAfter.toISOString(),
      });
    }
    // Only the newest code is valid.
    await em.nativeUpdate(OtpCode, { subject: args.subject, consumedAt: null }, { consumedAt: now });
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const row = em.create(OtpCode, {
      subject: args.subject,
      purpose: args.purpose,
      sentTo: args.to,
      codeHash: '',
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
      resendAfter: new Date(now.getTime() + RESEND_AFTER_MS),
      createdAt: now,
    });
    row.codeHash = this.hash(row.id, code);
    await em.flush();
    await this.sms.send({
      to: args.to,
      text: args.text(code),
      purpose: args.purpose,
      brokerCode: args.brokerCode,
      code,
    });
    return { maskedPhone: maskPhone(args.to), expiresAt: row.expiresAt, resendAfter: row.resendAfter };
  }

  /**
   * Checks a code: TOO_MANY_ATTEMPTS while locked, CODE_INVALID when there is none or it is wrong
   * (the fifth wrong one locks: TOO_MANY_ATTEMPTS), CODE_EXPIRED after 5 minutes. A right code is
   * used up. `sentTo` (when given) must match where the code went.
   */
  async verify(em: EntityManager, args: { subject: string; code: string; sentTo?: string }): Promise<void> {
    await this.locks.assertUnlocked(em, args.subject);
    const now = this.clock.now();
    const row = await em.findOne(
      OtpCode,
      { subject: args.subject, consumedAt: null },
      { orderBy: { createdAt: 'desc' } },
    );
    if (!row) throw new KaihuError(ErrorCode.CODE_INVALID, '请先获取短信验证码');
    if (row.expiresAt <= now) throw new KaihuError(ErrorCode.CODE_EXPIRED);
    const right =
      typeof args.code === 'string' &&
      /^\d{6}$/.test(args.code.trim()) &&
      this.hash(row.id, args.code.trim()) === row.codeHash;
    if (!right || (args.sentTo !== undefined && args.sentTo !== row.sentTo)) {
      const left = await this.locks.recordFailure(em, args.subject);
      if (left === 0) throw new KaihuError(ErrorCode.TOO_MANY_ATTEMPTS, '验证码错误次数过多，已锁定15分钟，请稍后再试');
      throw new KaihuError(ErrorCode.CODE_INVALID, `短信验证码错误，还可尝试${left}次`, { attemptsLeft: left });
    }
    // Use it up; a concurrent use of the same code loses.
    const used = await em.nativeUpdate(OtpCode, { id: row.id, consumedAt: null }, { consumedAt: now });
    if (used !== 1) throw new KaihuError(ErrorCode.CODE_INVALID, '短信验证码已使用，请重新获取');
    await this.locks.reset(em, args.subject);
  }

  private hash(id: string, code: string): string {
    return this.secrets().mac('otp', id, code);
  }
}
