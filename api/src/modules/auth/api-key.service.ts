import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import { ApiKey } from './api-key.entity';
import type { Viewer } from './viewer';

/**
 * What a partner key may do. `*` is everything; a key without a scope gets FORBIDDEN on the
 * operations that need it.
 */
export const API_KEY_SCOPES = {
  LOGIN: '代客户登录（获取验证码、登录，登录后的会话记在该密钥下）',
  EVENTS: '读取本公司业务事件（events 查询与订阅）',
  WEBHOOKS: '管理本公司的 Webhook 推送地址',
} as const;
export type ApiKeyScope = keyof typeof API_KEY_SCOPES;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A new key: `kh_` + 43 characters (32 random bytes, base64url). */
export function newApiKey(): string {
  return `kh_${randomBytes(32).toString('base64url')}`;
}

/** Refuses unless the viewer is a partner key with `scope` (or `*`), or staff of the broker (admins do everything a key can). */
export function requireScope(viewer: Viewer | null, scope: ApiKeyScope): Viewer {
  if (!viewer) throw new KaihuError(ErrorCode.UNAUTHENTICATED);
  if (viewer.kind === 'STAFF' && viewer.roles.includes('BROKER_ADMIN')) return viewer;
  if (viewer.kind === 'PARTNER' && (viewer.scopes ?? ['*']).some((s) => s === '*' || s === scope)) return viewer;
  throw new KaihuError(
    ErrorCode.FORBIDDEN,
    viewer.kind === 'PARTNER' ? `该 API 密钥没有 ${scope} 权限` : '仅限期货公司管理员或合作方 API 密钥',
  );
}

/** Broker admins manage their partners' API keys: shown once at creation, stored as SHA-256 only. */
export class ApiKeyService {
  constructor(private readonly clock: Clock) {}

  private admin(viewer: Viewer | null): Viewer {
    if (!viewer) throw new KaihuError(ErrorCode.UNAUTHENTICATED);
    if (viewer.kind !== 'STAFF' || !viewer.roles.includes('BROKER_ADMIN'))
      throw new KaihuError(ErrorCode.FORBIDDEN, '仅限期货公司管理员管理 API 密钥');
    return viewer;
  }

  async create(
    em: EntityManager,
    viewer: Viewer | null,
    input: { name: string; scopes?: string[] | null },
  ): Promise<{ key: string; apiKey: ApiKey }> {
    const admin = this.admin(viewer);
    const name = input.name.trim();
    if (name.length < 1 || name.length > 60)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '密钥名称须为 1 到 60 个字符', { field: 'name' });
    const scopes = [...new Set(input.scopes?.length ? input.scopes : ['*'])];
    const unknown = scopes.filter((s) => s !== '*' && !(s in API_KEY_SCOPES));
    if (unknown.length)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, `未知的权限：${unknown.join('、')}`, {
        field: 'scopes',
        allowed: ['*', ...Object.keys(API_KEY_SCOPES)],
      });
    const key = newApiKey();
    const apiKey = em.create(ApiKey, {
      brokerId: admin.brokerId,
      name,
      keyHash: createHash('sha256').update(key).digest('hex'),
      prefix: key.slice(0, 12),
      scopes,
      createdAt: this.clock.now(),
    });
    await em.flush();
    return { key, apiKey };
  }

  list(em: EntityManager, viewer: Viewer | null): Promise<ApiKey[]> {
    const admin = this.admin(viewer);
    return em.find(ApiKey, { brokerId: admin.brokerId }, { orderBy: { createdAt: 'desc', id: 'asc' } });
  }

  /** Revokes the key at once: its next request is refused (UNAUTHENTICATED, REVOKED). */
  async revoke(em: EntityManager, viewer: Viewer | null, id: string): Promise<ApiKey> {
    const admin = this.admin(viewer);
    const key = UUID.test(id) ? await em.findOne(ApiKey, { id, brokerId: admin.brokerId }) : null;
    if (!key) throw new KaihuError(ErrorCode.NOT_FOUND, 'API 密钥不存在');
    key.revokedAt ??= this.clock.now();
    await em.flush();
    return key;
  }
}
