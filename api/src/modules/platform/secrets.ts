import { createHmac, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Setting } from './setting.entity';

/**
 * The deployment's secret: `KAIHU_SECRET` when configured (required in production), otherwise a
 * random one generated on first start and kept in the database, so every API node and every
 * restart agree on it. Used for HMACs of one-time codes and captcha answers and for signed URLs.
 */
export class Secrets {
  private constructor(private readonly key: Buffer) {}

  static async load(em: EntityManager, configured: string | null): Promise<Secrets> {
    if (configured) return new Secrets(Buffer.from(configured, 'utf8'));
    const fresh = randomBytes(32).toString('base64url');
    await em
      .getConnection()
      .execute('insert into kaihu_settings (key, value) values (?, ?) on conflict (key) do nothing', ['secret', fresh]);
    const row = await em.findOneOrFail(Setting, { key: 'secret' });
    return new Secrets(Buffer.from(row.value, 'utf8'));
  }

  /** HMAC-SHA256 (hex) of `parts` joined with NUL, under a purpose-specific key. */
  mac(purpose: string, ...parts: string[]): string {
    const k = createHmac('sha256', this.key).update(purpose).digest();
    return createHmac('sha256', k).update(parts.join('\0')).digest('hex');
  }
}
