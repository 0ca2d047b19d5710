import { timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DocumentStore } from '@kaihu/plugin-api';
import { probeMedia, type MediaRooms, type RecordingInfo } from '@kaihu/sfu';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { WitnessConfig } from '../../config';
import type { Viewer } from '../auth';
import type { BrokerService } from '../brokers';
import type { Secrets } from '../platform';
import type { TicketService } from '../tickets';
import { visibleSession } from './access';
import type { WitnessCalls } from './calls';
import { UUID } from './queue';
import type { Party } from './witness-media';
import { WitnessRecording, WitnessSession } from './witness.entity';

/** How long a recording's signed URL is valid. */
export const RECORDING_URL_TTL_MS = 30 * 60_000;

/** The parties and kinds a PASSED witness needs on record, with their names for people. */
const RECORDED_TRACKS: ReadonlyArray<{ label: Party; kind: 'audio' | 'video'; name: string }> = [
  { label: 'CUSTOMER', kind: 'video', name: '客户视频' },
  { label: 'CUSTOMER', kind: 'audio', name: '客户音频' },
  { label: 'AGENT', kind: 'video', name: '坐席视频' },
  { label: 'AGENT', kind: 'audio', name: '坐席音频' },
];

/**
 * The witness recordings: finished by the SFU when a call ends (or before PASSED), copied into the
 * DocumentStore and linked to the session and ticket, served to the broker's staff through signed
 * URLs, deleted after the broker's retention period.
 */
export class WitnessRecordings {
  log: Logger | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly config: WitnessConfig,
    private readonly calls: WitnessCalls,
    private readonly deps: {
      tickets: TicketService;
      brokers: BrokerService;
      store: DocumentStore;
      secrets: () => Secrets;
    },
  ) {}

  /** Closes the session's room and keeps its recording. */
  async closeRoom(em: EntityManager, sessionId: string, rooms?: MediaRooms | null): Promise<void> {
    rooms ??= await this.calls.roomsOf(em, sessionId);
    if (!rooms) return;
    const recording = await rooms.close(sessionId);
    if (recording) await this.storeRecording(em, sessionId, recording, rooms);
  }

  /**
   * Recordings the embedded SFU finished while this process stopped (a shutdown closes every room
   * and finishes its file) are stored at the next start.
   */
  async adoptRecordings(em: EntityManager): Promise<number> {
    const dir = this.config.recordingDir;
    const names = fs.existsSync(dir) ? await fs.promises.readdir(dir) : [];
    let adopted = 0;
    for (const name of names) {
      const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\.\d+)?(-\d+)?\.(webm|mkv)$/.exec(
        name,
      );
      if (!m || !this.calls.media) continue;
      const sessionId = m[1]!;
      if (!(await em.findOne(WitnessSession, { id: sessionId }, { fields: ['id'], disableIdentityMap: true })))
        continue;
      const file = path.join(dir, name);
      const probe = await probeMedia(file);
      const rooms = await this.calls.media.rooms(sessionId);
      await this.storeRecording(
        em,
        sessionId,
        {
          name,
          bytes: (await fs.promises.stat(file)).size,
          mimeType: m[4] === 'webm' ? 'video/webm' : 'video/x-matroska',
          ...probe,
        },
        rooms,
      );
      adopted++;
    }
    if (adopted) this.log?.info({ adopted }, 'witness recordings of the previous run stored');
    return adopted;
  }

  /** Copies a finished recording from the SFU into the DocumentStore and links it to the session and ticket. */
  async storeRecording(
    em: EntityManager,
    sessionId: string,
    rec: RecordingInfo,
    rooms: MediaRooms,
  ): Promise<WitnessRecording> {
    const s = await em.findOneOrFail(WitnessSession, { id: sessionId }, { disableIdentityMap: true });
    const existing = await em.findOne(WitnessRecording, { sessionId, name: rec.name }, { disableIdentityMap: true });
    if (existing) return existing;
    const stored = await this.deps.store.put(await rooms.readRecording(rec.name), rec.mimeType);
    const broker = await this.deps.brokers.findById(em, s.brokerId);
    const now = this.clock.now();
    const retainUntil = new Date(now);
    retainUntil.setUTCFullYear(retainUntil.getUTCFullYear() + (broker?.recordingRetentionYears ?? 20));
    const row = em.create(WitnessRecording, {
      sessionId,
      ticketId: s.ticketId,
      brokerId: s.brokerId,
      name: rec.name,
      sha256: stored.sha256,
      size: rec.bytes,
      mimeType: rec.mimeType,
      durationMs: Math.round(rec.durationMs),
      streams: rec.streams.map((x) => ({
        label: x.label,
        kind: x.kind,
        codec: x.codec,
        durationMs: Math.round(x.durationMs),
      })),
      createdAt: now,
      retainUntil,
    });
    const ticket = await this.deps.tickets.getForSystem(em, s.ticketId);
    this.deps.tickets.event(em, ticket, { kind: 'SYSTEM', id: null }, 'WITNESS_RECORDED', 'VIDEO_WITNESS', null, {
      sessionId,
      recordingId: row.id,
      sha256: stored.sha256,
      durationMs: row.durationMs,
      streams: row.streams.map((x) => `${x.label}/${x.kind}`),
    });
    await em.flush();
    await rooms
      .removeRecording(rec.name)
      .catch((err: unknown) => this.log?.warn({ err, sessionId }, 'witness media: the SFU kept a stored recording'));
    this.log?.info(
      { sessionId, recordingId: row.id, bytes: rec.bytes, durationMs: row.durationMs },
      'witness recording stored',
    );
    return row;
  }

  /** The session's recordings (its agent and the broker's staff). */
  async recordings(em: EntityManager, viewer: Viewer | null, sessionId: string): Promise<WitnessRecording[]> {
    const s = await visibleSession(em, this.deps.tickets, viewer, sessionId);
    if (viewer?.kind !== 'STAFF') return [];
    return em.find(WitnessRecording, { sessionId: s.id }, { orderBy: { createdAt: 'asc' } });
  }

  /** A ticket's recordings (for the broker's staff). */
  async ticketRecordings(em: EntityManager, viewer: Viewer | null, ticketId: string): Promise<WitnessRecording[]> {
    if (viewer?.kind !== 'STAFF') return [];
    return em.find(WitnessRecording, { ticketId, brokerId: viewer.brokerId }, { orderBy: { createdAt: 'asc' } });
  }

  /** `/files/recordings/<id>?v=<viewer>&exp=<ms>&sig=<hmac>`: for that staff member, 30 minutes. */
  recordingUrl(rec: WitnessRecording, viewer: Viewer): string {
    const v = `${viewer.kind}.${viewer.id}.${viewer.brokerId}`;
    const exp = this.clock.now().getTime() + RECORDING_URL_TTL_MS;
    return `/files/recordings/${rec.id}?v=${encodeURIComponent(v)}&exp=${exp}&sig=${this.deps.secrets().mac('recording-url', rec.id, v, String(exp))}`;
  }

  /** Checks a recording URL: the file, or 403 (bad, expired, another broker) / 404. */
  async openRecording(
    em: EntityManager,
    params: { id: string; v?: unknown; exp?: unknown; sig?: unknown },
  ): Promise<
    { status: 200; stream: NodeJS.ReadableStream; size: number; contentType: string } | { status: 403 | 404 }
  > {
    const { id, v, exp, sig } = params;
    if (typeof v !== 'string' || typeof exp !== 'string' || typeof sig !== 'string' || !/^\d+$/.test(exp))
      return { status: 403 };
    const expected = Buffer.from(this.deps.secrets().mac('recording-url', id, v, exp), 'hex');
    const given = Buffer.from(sig, 'hex');
    if (
      given.length !== expected.length ||
      !timingSafeEqual(given, expected) ||
      Number(exp) < this.clock.now().getTime()
    )
      return { status: 403 };
    const rec = UUID.test(id) ? await em.findOne(WitnessRecording, { id }, { disableIdentityMap: true }) : null;
    if (!rec) return { status: 404 };
    const [kind, , brokerId] = v.split('.');
    if (kind !== 'STAFF' || brokerId !== rec.brokerId) return { status: 403 };
    const file = await this.deps.store.get(rec.sha256);
    return file ? { status: 200, ...file, contentType: rec.mimeType } : { status: 404 };
  }

  /**
   * Before PASSED: finishes the recording so far and stores it; refuses (RECORDING_MISSING, and
   * the recording goes on) unless the session's recordings hold both parties' audio and video for
   * at least `recordingMinSeconds` each.
   */
  async assertRecorded(em: EntityManager, s: WitnessSession): Promise<void> {
    if (!this.config.requireRecording || !this.calls.media) return;
    const rooms = await this.calls.roomsOf(em, s.id);
    const rec = rooms ? await rooms.stopRecording(s.id).catch(() => null) : null;
    if (rec && rooms) await this.storeRecording(em, s.id, rec, rooms);
    const all = await em.find(WitnessRecording, { sessionId: s.id }, { disableIdentityMap: true });
    const min = this.config.recordingMinSeconds * 1000;
    const recordedMs = (label: string, kind: string) =>
      all.reduce(
        (sum, r) =>
          sum + r.streams.filter((x) => x.label === label && x.kind === kind).reduce((a, x) => a + x.durationMs, 0),
        0,
      );
    const missing = RECORDED_TRACKS.filter((t) => recordedMs(t.label, t.kind) < min);
    if (!missing.length) return;
    if (rooms) await rooms.startRecording(s.id).catch(() => undefined);
    throw new KaihuError(
      ErrorCode.RECORDING_MISSING,
      `见证录像不完整：${missing.map((m) => m.name).join('、')}不足 ${this.config.recordingMinSeconds} 秒，暂不能通过（录像仍在继续）`,
      {
        missing: missing.map((m) => `${m.label}_${m.kind.toUpperCase()}`),
        minSeconds: this.config.recordingMinSeconds,
        recordedSeconds: Object.fromEntries(
          RECORDED_TRACKS.map((t) => [
            `${t.label}_${t.kind.toUpperCase()}`,
            Math.floor(recordedMs(t.label, t.kind) / 1000),
          ]),
        ),
      },
    );
  }

  /** Deletes recordings past the broker's retention period (a batch at a time; the presence sweep calls it). */
  async expire(em: EntityManager): Promise<number> {
    const now = this.clock.now();
    const expired = await em.find(
      WitnessRecording,
      { retainUntil: { $lte: now } },
      { limit: 100, disableIdentityMap: true },
    );
    for (const r of expired) {
      const shared = await em.count(WitnessRecording, { sha256: r.sha256, id: { $ne: r.id } });
      if (!shared) await this.deps.store.delete(r.sha256);
      await em.nativeDelete(WitnessRecording, { id: r.id });
      this.log?.info(
        { recordingId: r.id, sessionId: r.sessionId },
        'witness recording deleted after its retention period',
      );
    }
    return expired.length;
  }
}
