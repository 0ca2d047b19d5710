import type { EntityManager } from '@mikro-orm/postgresql';
import svgCaptcha from 'svg-captcha';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Secrets } from '../platform';
import { Captcha } from './captcha.entity';

export const CAPTCHA_TTL_MS = 5 * 60_000;

export interface CaptchaChallenge {
  id: string;
  /** `data:image/svg+xml;base64,…` */
  image: string;
  expiresAt: Date;
}

/**
 * Image captchas rendered on the server by svg-captcha (the text is drawn as paths, not as SVG
 * text). Answers are case-insensitive, one-time and valid for 5 minutes.
 */
export class CaptchaService {
  constructor(
    private readonly clock: Clock,
    private readonly secrets: () => Secrets,
    private readonly demo: boolean,
  ) {}

  async create(em: EntityManager): Promise<CaptchaChallenge> {
    // No look-alikes (0/O, 1/l/I) so a person can read it on a phone.
    const { text, data } = svgCaptcha.create({
      size: 4,
      noise: 2,
      color: true,
      ignoreChars: '0oO1ilIL',
      background: '#f3f6fb',
      width: 120,
      height: 44,
    });
    const now = this.clock.now();
    const captcha = em.create(Captcha, {
      answerHash: '',
      expiresAt: new Date(now.getTime() + CAPTCHA_TTL_MS),
      createdAt: now,
      demoAnswer: this.demo ? text : null,
    });
    captcha.answerHash = this.hash(captcha.id, text);
    await em.flush();
    return {
      id: captcha.id,
      image: `data:image/svg+xml;base64,${Buffer.from(data).toString('base64')}`,
      expiresAt: captcha.expiresAt,
    };
  }

  /**
   * Uses up the captcha (whatever the answer: one try per image) and refuses with CAPTCHA_INVALID
   * when it is unknown, used, expired or answered wrongly.
   */
  async consume(em: EntityManager, id: string, answer: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new KaihuError(ErrorCode.CAPTCHA_INVALID);
    const now = this.clock.now();
    const rows = (await em
      .getConnection()
      .execute('update captchas set used_at = ? where id = ? and used_at is null returning answer_hash, expires_at', [
        now,
        id,
      ])) as {
      answer_hash: string;
      expires_at: Date;
    }[];
    const row = rows[0];
    if (!row) throw new KaihuError(ErrorCode.CAPTCHA_INVALID, '图形验证码已失效，请刷新后重新输入');
    if (new Date(row.expires_at).getTime() <= now.getTime()) {
      throw new KaihuError(ErrorCode.CAPTCHA_INVALID, '图形验证码已过期，请刷新后重新输入');
    }
    if (typeof answer !== 'string' || answer.length > 16 || this.hash(id, answer) !== row.answer_hash) {
      throw new KaihuError(ErrorCode.CAPTCHA_INVALID, '图形验证码错误，请刷新后重新输入');
    }
  }

  /** Demo mode: the answer of an unused captcha, for `/dev/captcha/:id`. */
  async demoAnswer(em: EntityManager, id: string): Promise<string | null> {
    if (!this.demo || !/^[0-9a-f-]{36}$/i.test(id)) return null;
    const c = await em.findOne(Captcha, { id });
    return c?.demoAnswer ?? null;
  }

  private hash(id: string, answer: string): string {
    return this.secrets().mac('captcha', id, answer.trim().toLowerCase());
  }
}
