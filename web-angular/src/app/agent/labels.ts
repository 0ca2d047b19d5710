import { PROFILE_ENUM_WORDS as ENUM_WORDS } from '@kaihu/domain';

/** The console's sections, by role. */
export const ROLE_NAMES: Record<string, string> = {
  AGENT: '坐席',
  REVIEWER: '复核',
  BROKER_ADMIN: '管理',
};

/** 00:42 or 1:02:05 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** 2026-11-22 18:03 in the viewer's time zone */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A JSON value of a change or an event, readable. */
export function showValue(json: string | null | undefined): string {
  if (json === null || json === undefined || json === '') return '—';
  try {
    const v = JSON.parse(json) as unknown;
    if (v === null) return '—';
    if (typeof v === 'string') return ENUM_WORDS[v] ?? (v || '—');
    if (typeof v === 'boolean') return v ? '是' : '否';
    if (Array.isArray(v))
      return v.length
        ? v.map((x) => (typeof x === 'string' ? (ENUM_WORDS[x] ?? x) : JSON.stringify(x))).join('、')
        : '无';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  } catch {
    return json;
  }
}
