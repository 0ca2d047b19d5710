import { WITNESS_CHECKLIST_LABELS, type WitnessChecklistItem } from '@kaihu/domain';
import { timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DocumentStore } from '@kaihu/plugin-api';
import fs from 'node:fs';
import path from 'node:path';
import { probeMedia, type MediaRooms, type RecordingInfo, type RoomStats } from '@kaihu/sfu';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { TOPICS, type EventBus } from '../../common/pubsub';
import type { WitnessConfig } from '../../config';
import type { AuthService } from '../auth';
import type { Viewer } from '../auth';
import type { BrokerService } from '../brokers';
import type { Document } from '../documents';
import type { DocumentService } from '../documents';
import type { Secrets } from '../platform';
import { STEP_NAMES, type TicketStepKind } from '@kaihu/domain';
import type { Ticket } from '../tickets';
import { actorOf, type TicketService } from '../tickets';
import { QueueBoard, type BranchSnapshot } from './queue-board';
import { WitnessMedia, type MediaProducer, type Party } from './witness-media';
import { ACTIVE_STATES, QueueEntry, WitnessRecording, WitnessSession, type WitnessEndReason } from './witness.entity';

/** What the agent confirms during the witness (the reference's checks; words in @kaihu/domain). */
export const CHECKLIST = WITNESS_CHECKLIST_LABELS;
export type ChecklistItem = WitnessChecklistItem;

/** Used when a branch has no finished witness yet. */
export const DEFAULT_WITNESS_SECONDS = 180;

export interface QueueView {
  entry: QueueEntry;
  position: number;
  waiting: number;
  estimatedWaitSeconds: number;
}

type Agent = Viewer & { staffId: string };

/** What an agent may give as the reason for abandoning a witness. */
export type AbandonReason = 'AGENT_ABANDONED' | 'CUSTOMER_ABSENT';

/** Position-based estimate: every agent online takes one customer per witness length. */
export function estimateSeconds(position: number, agents: number, secondsPerWitness: number): number {
  return position > 0 ? Math.round(Math.ceil(position / Math.max(1, agents)) * secondsPerWitness) : 0;
}

/** The parties and kinds a PASSED witness needs on record, with their names for people. */
const RECORDED_TRACKS: ReadonlyArray<{ label: Party; kind: 'audio' | 'video'; name: string }> = [
  { label: 'CUSTOMER', kind: 'video', name: '客户视频' },
  { label: 'CUSTOMER', kind: 'audio', name: '客户音频' },
  { label: 'AGENT', kind: 'video', name: '坐席视频' },
  { label: 'AGENT', kind: 'audio', name: '坐席音频' },
];

/** How long a recording's signed URL is valid. */
export const RECORDING_URL_TTL_MS = 30 * 60_000;
/** An SFU service whose heartbeat is older than this takes no new session, and its open sessions end (MEDIA_FAILED). */
export const SFU_NODE_STALE_SECONDS = 20;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The video-witness queue of each branch and the witness sessions: customers join at the
 * VIDEO_WITNESS step, agents of the broker claim the head (SELECT … FOR UPDATE SKIP LOCKED, so two
 * agents never get the same customer), and complete with PASSED or RETURNED (打回 to a step).
 * Every change is published on the event bus for the live queue and positions.
 */
export class WitnessService {
  /** This node's live view of the queues it has subscribers for; set by {@link start}. */
  board: QueueBoard | null = null;
  /** The embedded SFU's routers of this node's sessions; set by {@link start}. */
  media: WitnessMedia | null = null;
  /** ticket id → the customer's queuePosition subscriptions on this node (their presence) */
  private readonly customersHere = new Map<string, number>();
  /** session id → the agent's witnessSession subscriptions on this node (their presence) */
  private readonly agentsHere = new Map<string, number>();
  private readonly brokerOfBranch = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private presenceEvents: AsyncIterator<unknown> | null = null;
  private endEvents: AsyncIterator<unknown> | null = null;
  private log: Logger | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly deps: {
      tickets: TicketService;
      brokers: BrokerService;
      auth: AuthService;
      documents: DocumentService;
      store: DocumentStore;
      secrets: () => Secrets;
    },
    readonly config: WitnessConfig,
  ) {}

  /**
   * Starts this node's queue board and the periodic sweep of grace periods. Parties who were
   * connected to a node that stopped without telling (a crash, a kill) get their grace period
   * from now: whoever is still connected elsewhere is healed by that node's next sweep.
   */
  async start(forkEm: () => EntityManager, log: Logger): Promise<void> {
    this.log = log;
    this.media = new WitnessMedia({
      mode: this.config.sfuMode,
      secret: this.config.sfuSecret,
      workers: this.config.sfuWorkers,
      log: log.child({ component: 'sfu' }),
      listenIp: this.config.sfuListenIp,
      announcedAddress: this.config.sfuAnnouncedAddress,
      recordingDir: this.config.recordingDir,
      nodeOf: (sessionId) => this.sfuNodeOf(forkEm(), sessionId, true),
      onLost: (sessionId, recording, rooms) => {
        log.warn({ sessionId }, 'witness media: the call was lost with its mediasoup worker');
        void this.mediaLost(forkEm(), sessionId, recording, rooms).catch((err: unknown) =>
          log.error({ err, sessionId }, 'witness media: ending a lost call failed'),
        );
      },
    });
    if (this.config.sfuMode === 'embedded')
      void this.adoptRecordings(forkEm()).catch((err: unknown) =>
        log.error({ err }, 'witness media: adopting recordings failed'),
      );
    // with the embedded SFU on several API nodes, the node that has a session's room closes it
    const ends = this.bus.subscribe(TOPICS.WITNESS_ENDED, 'all')[Symbol.asyncIterator]();
    this.endEvents = ends;
    void (async () => {
      for (let e = await ends.next(); !e.done; e = await ends.next()) {
        const id = String(e.value.id);
        const local = this.media?.embeddedRooms();
        if (local)
          await this.closeRoom(forkEm(), id, local).catch((err: unknown) =>
            log.warn({ err, sessionId: id }, 'witness media: closing a room failed'),
          );
      }
    })();
    this.board = new QueueBoard(
      this.bus,
      (branchId) => this.snapshot(forkEm(), branchId),
      log,
      this.config.pushIntervalMs,
    );
    const em = forkEm();
    const now = this.clock.now();
    await em.nativeUpdate(
      QueueEntry,
      { state: { $in: [...ACTIVE_STATES] }, disconnectedAt: null },
      { disconnectedAt: now },
    );
    await em.nativeUpdate(WitnessSession, { endedAt: null, agentDisconnectedAt: null }, { agentDisconnectedAt: now });
    // …and asks the other nodes to heal their parties now rather than at their next sweep
    const roll = this.bus.subscribe(TOPICS.WITNESS_PRESENCE, 'all')[Symbol.asyncIterator]();
    this.presenceEvents = roll;
    void (async () => {
      for (let e = await roll.next(); !e.done; e = await roll.next())
        await this.heal(forkEm()).catch((err: unknown) => log.warn({ err }, 'witness presence heal failed'));
    })();
    this.bus.publish(TOPICS.WITNESS_PRESENCE, 'all', {});
    this.timer = setInterval(() => {
      this.sweep(forkEm()).catch((err: unknown) => log.warn({ err }, 'witness sweep failed'));
    }, this.config.sweepMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    void this.presenceEvents?.return?.();
    void this.endEvents?.return?.();
    this.board?.close();
    await this.media?.close();
  }

  /** The viewer's side of an open session (its customer or its agent), and the media of this node. */
  async party(
    em: EntityManager,
    viewer: Viewer | null,
    sessionId: string,
  ): Promise<{ session: WitnessSession; party: Party; media: WitnessMedia }> {
    const s = await this.session(em, viewer, sessionId);
    const ticket = await this.deps.tickets.get(em, viewer, s.ticketId);
    const party: Party | null =
      viewer?.kind === 'STAFF'
        ? viewer.staffId === s.agentStaffId
          ? 'AGENT'
          : null
        : viewer?.kind === 'CUSTOMER' && viewer.customerId === ticket.customerId
          ? 'CUSTOMER'
          : null;
    if (!party) throw new KaihuError(ErrorCode.FORBIDDEN, '仅限本次见证的客户和坐席');
    if (s.endedAt) throw new KaihuError(ErrorCode.TICKET_CLOSED, '该见证已结束');
    if (!this.media) throw new KaihuError(ErrorCode.MEDIA_UNAVAILABLE);
    return { session: s, party, media: this.media };
  }

  /** Runs a room operation of the viewer's party in the session's call. */
  async call<T>(
    em: EntityManager,
    viewer: Viewer | null,
    sessionId: string,
    fn: (rooms: MediaRooms, party: Party, session: WitnessSession) => Promise<T>,
  ): Promise<T> {
    const { session, party, media } = await this.party(em, viewer, sessionId);
    return media.with(session.id, (rooms) => fn(rooms, party, session));
  }

  /** The mediasoup router's RTP capabilities, for the session's customer and agent only, while it is open. */
  rtpCapabilities(em: EntityManager, viewer: Viewer | null, sessionId: string): Promise<Record<string, unknown>> {
    return this.call(em, viewer, sessionId, (rooms, _party, s) => rooms.rtpCapabilities(s.id));
  }

  /** The tracks both parties send. */
  producers(em: EntityManager, viewer: Viewer | null, sessionId: string): Promise<MediaProducer[]> {
    return this.call(em, viewer, sessionId, (rooms, _party, s) => rooms.producers(s.id) as Promise<MediaProducer[]>);
  }

  /** 暂停/恢复: one of the party's own tracks (camera or microphone off and on again), or one it receives. */
  async pause(
    em: EntityManager,
    viewer: Viewer | null,
    sessionId: string,
    id: string,
    paused: boolean,
  ): Promise<boolean> {
    await this.call(em, viewer, sessionId, (rooms, party, s) => rooms.pause(s.id, party, id, paused));
    return true;
  }

  /**
   * 截图: the agent takes a still of the customer's video (a keyframe decoded by ffmpeg), stored on
   * the ticket as a WITNESS_SNAPSHOT document.
   */
  async captureSnapshot(em: EntityManager, viewer: Agent, sessionId: string): Promise<Document> {
    const { shot, ticketId } = await this.call(em, viewer, sessionId, async (rooms, party, s) => {
      if (party !== 'AGENT') throw new KaihuError(ErrorCode.FORBIDDEN, '仅限见证坐席截图');
      return { shot: await rooms.snapshot(s.id, 'CUSTOMER'), ticketId: s.ticketId };
    });
    return this.deps.documents.storeWitnessSnapshot(em, viewer, ticketId, shot.jpeg, { sessionId });
  }

  /** The SFU service carrying the session (remote SFUs); with `assign`, gives an open session the least-loaded live one. */
  async sfuNodeOf(em: EntityManager, sessionId: string, assign: boolean): Promise<{ id: string; url: string } | null> {
    const conn = em.getConnection();
    const find = async () =>
      (
        (await conn.execute(
          `select n.id, n.url, s.sfu_node_id, s.ended_at from witness_sessions s left join sfu_nodes n on n.id = s.sfu_node_id where s.id = ?`,
          [sessionId],
          'all',
        )) as { id: string | null; url: string | null; sfu_node_id: string | null; ended_at: Date | null }[]
      )[0];
    let row = await find();
    if (!row) return null;
    if (!row.sfu_node_id && assign && !row.ended_at) {
      // the live node with the most free places: capacity − its open sessions
      const [best] = (await conn.execute(
        `select n.id from sfu_nodes n left join witness_sessions s on s.sfu_node_id = n.id and s.ended_at is null
          where n.heartbeat_at > now() - interval '${SFU_NODE_STALE_SECONDS} seconds'
          group by n.id, n.capacity having n.capacity > count(s.id) order by n.capacity - count(s.id) desc, n.id limit 1`,
        [],
        'all',
      )) as { id: string }[];
      if (!best) return null;
      await conn.execute(`update witness_sessions set sfu_node_id = ? where id = ? and sfu_node_id is null`, [
        best.id,
        sessionId,
      ]);
      row = await find();
    }
    return row?.id && row.url ? { id: row.id, url: row.url } : null;
  }

  /** This node's room events of the session (for witnessMedia). */
  async mediaEvents(sessionId: string): Promise<AsyncIterator<Record<string, unknown>>> {
    if (!this.media) throw new KaihuError(ErrorCode.MEDIA_UNAVAILABLE);
    return this.media.subscribe(sessionId, this.bus);
  }

  /** The media of this node (stats for tests and /healthz): the embedded SFU's rooms, or nothing with remote SFUs. */
  async mediaStats(): Promise<RoomStats & { roomIds: string[] }> {
    const local = this.media?.embeddedRooms();
    if (!local) return { rooms: 0, transports: 0, recordings: 0, workers: [], roomIds: [] };
    return { ...(await local.stats()), roomIds: await local.roomIds() };
  }

  // --- recordings -------------------------------------------------------------------------------

  /** Closes the session's room and keeps its recording. */
  private async closeRoom(em: EntityManager, sessionId: string, rooms?: MediaRooms): Promise<void> {
    if (!this.media) return;
    if (!rooms) {
      if (this.config.sfuMode === 'remote' && !(await this.sfuNodeOf(em, sessionId, false))) return;
      rooms = await this.media.rooms(sessionId);
    }
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
      if (!m || !this.media) continue;
      const sessionId = m[1]!;
      if (!(await em.findOne(WitnessSession, { id: sessionId }, { fields: ['id'], disableIdentityMap: true })))
        continue;
      const file = path.join(dir, name);
      const probe = await probeMedia(file);
      const rooms = await this.media.rooms(sessionId);
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
  private async storeRecording(
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
    const s = await this.session(em, viewer, sessionId);
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
  private async assertRecorded(em: EntityManager, s: WitnessSession): Promise<void> {
    if (!this.config.requireRecording || !this.media) return;
    const rooms =
      this.config.sfuMode === 'remote' && !(await this.sfuNodeOf(em, s.id, false))
        ? null
        : await this.media.rooms(s.id);
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

  /** The call's room died with its worker (or its SFU service): the session ends, the customer goes back to the head. */
  private async mediaLost(
    em: EntityManager,
    sessionId: string,
    recording: RecordingInfo | null,
    rooms: MediaRooms | null,
  ): Promise<void> {
    const s = await em.findOne(WitnessSession, { id: sessionId }, { disableIdentityMap: true });
    if (!s) return;
    if (recording && rooms)
      await this.storeRecording(em, sessionId, recording, rooms).catch((err: unknown) =>
        this.log?.error({ err, sessionId }, 'witness media: keeping the recording of a lost call failed'),
      );
    if (!s.endedAt) await this.endSession(em, s, 'MEDIA_FAILED', { kind: 'SYSTEM', id: null });
  }

  private changed(branchId: string, tickets: string[]): void {
    this.bus.publish(TOPICS.QUEUE_CHANGED, branchId, { branchId, tickets });
  }

  private sessionChanged(sessionId: string): void {
    this.bus.publish(TOPICS.WITNESS_SESSION, sessionId, { id: sessionId });
  }

  /** Tells both parties' witnessMedia subscriptions, on every node. */
  private partyEvent(
    sessionId: string,
    payload: { type: 'PARTY_LEFT' | 'PARTY_RETURNED' | 'ENDED'; party?: Party; endReason?: WitnessEndReason },
  ): void {
    this.bus.publish(TOPICS.WITNESS_PARTY, sessionId, payload);
  }

  /** The customer's connection changed while they are called or in the call: tell the call. */
  private async customerPresence(
    em: EntityManager,
    ticketId: string,
    type: 'PARTY_LEFT' | 'PARTY_RETURNED',
  ): Promise<void> {
    const e = await this.activeEntry(em, ticketId);
    if (e?.sessionId) this.partyEvent(e.sessionId, { type, party: 'CUSTOMER' });
  }

  /** The branch's queue in one query: the order of the waiting tickets, plus what the estimate needs. */
  async snapshot(em: EntityManager, branchId: string): Promise<BranchSnapshot> {
    const rows = (await em
      .getConnection()
      .execute(
        `select ticket_id from witness_queue_entries where branch_id = ? and state = 'WAITING' order by sort_key, id`,
        [branchId],
        'all',
      )) as { ticket_id: string }[];
    const order = new Map<string, number>();
    rows.forEach((r, i) => order.set(r.ticket_id, i));
    const brokerId = await this.brokerOf(em, branchId);
    const [secondsPerWitness, agents] = await Promise.all([
      this.averageWitnessSeconds(em, branchId),
      brokerId ? this.deps.auth.activeAgents(em, brokerId, branchId) : 0,
    ]);
    return { branchId, order, waiting: rows.length, secondsPerWitness, agents: Math.max(1, agents) };
  }

  private async brokerOf(em: EntityManager, branchId: string): Promise<string | null> {
    let id = this.brokerOfBranch.get(branchId);
    if (!id) {
      id = (await this.deps.brokers.branchById(em, branchId))?.brokerId;
      if (id) this.brokerOfBranch.set(branchId, id);
    }
    return id ?? null;
  }

  /** The entry's view from a snapshot; null when the snapshot does not know the waiting entry yet. */
  viewFrom(entry: QueueEntry, s: BranchSnapshot): QueueView | null {
    if (entry.state !== 'WAITING') return { entry, position: 0, waiting: s.waiting, estimatedWaitSeconds: 0 };
    const i = s.order.get(entry.ticketId);
    if (i === undefined) return null;
    return {
      entry,
      position: i + 1,
      waiting: s.waiting,
      estimatedWaitSeconds: estimateSeconds(i + 1, s.agents, s.secondsPerWitness),
    };
  }

  /** Joins the branch queue at the ticket's VIDEO_WITNESS step (in service hours); joining twice returns the same entry. */
  async join(em: EntityManager, viewer: Viewer & { customerId: string }, ticketId: string): Promise<QueueEntry> {
    const ticket = await this.deps.tickets.getOwn(em, viewer, ticketId);
    const active = await this.activeEntry(em, ticket.id);
    if (active) {
      if (active.disconnectedAt) {
        // asking again is a sign of life: the place is kept
        await em.nativeUpdate(QueueEntry, { id: active.id }, { disconnectedAt: null });
        active.disconnectedAt = null;
        this.changed(active.branchId, [active.ticketId]);
      }
      return active;
    }
    this.deps.tickets.assertAtStep(ticket, 'VIDEO_WITNESS');
    await this.deps.brokers.assertInServiceHours(em, ticket.brokerId);
    const now = this.clock.now();
    // FIFO: after everyone already waiting, even when the clock reads the same millisecond
    const last = await em.findOne(
      QueueEntry,
      { branchId: ticket.branchId, state: 'WAITING' },
      { orderBy: { sortKey: 'desc' }, fields: ['sortKey'], disableIdentityMap: true },
    );
    const entry = em.create(QueueEntry, {
      ticketId: ticket.id,
      customerId: ticket.customerId,
      brokerId: ticket.brokerId,
      branchId: ticket.branchId,
      state: 'WAITING',
      sortKey: Math.max(now.getTime(), (last?.sortKey ?? 0) + 0.001),
      enqueuedAt: now,
    });
    this.deps.tickets.event(em, ticket, actorOf(viewer), 'QUEUE_JOINED', 'VIDEO_WITNESS', null, { entryId: entry.id });
    await em.flush();
    this.changed(entry.branchId, [entry.ticketId]);
    return entry;
  }

  async leave(em: EntityManager, viewer: Viewer & { customerId: string }, ticketId: string): Promise<boolean> {
    const ticket = await this.deps.tickets.getOwn(em, viewer, ticketId);
    const n = await em.nativeUpdate(
      QueueEntry,
      { ticketId: ticket.id, state: 'WAITING' },
      { state: 'LEFT', leftAt: this.clock.now() },
    );
    if (n) {
      this.deps.tickets.event(em, ticket, actorOf(viewer), 'QUEUE_LEFT', 'VIDEO_WITNESS', null, null);
      await em.flush();
      this.changed(ticket.branchId, [ticket.id]);
    }
    return n > 0;
  }

  activeEntry(em: EntityManager, ticketId: string): Promise<QueueEntry | null> {
    return em.findOne(QueueEntry, { ticketId, state: { $in: [...ACTIVE_STATES] } }, { disableIdentityMap: true });
  }

  latestEntry(em: EntityManager, ticketId: string): Promise<QueueEntry | null> {
    return em.findOne(QueueEntry, { ticketId }, { orderBy: { enqueuedAt: 'desc' }, disableIdentityMap: true });
  }

  /** Position (1 = next, counting the customer), how many wait, and the estimated wait. */
  async view(em: EntityManager, entry: QueueEntry): Promise<QueueView> {
    const waiting = await em.count(QueueEntry, { branchId: entry.branchId, state: 'WAITING' });
    const ahead =
      entry.state === 'WAITING'
        ? await em.count(QueueEntry, {
            branchId: entry.branchId,
            state: 'WAITING',
            $or: [{ sortKey: { $lt: entry.sortKey } }, { sortKey: entry.sortKey, id: { $lt: entry.id } }],
          })
        : 0;
    const position = entry.state === 'WAITING' ? ahead + 1 : 0;
    const seconds = await this.averageWitnessSeconds(em, entry.branchId);
    const agents = await this.deps.auth.activeAgents(em, entry.brokerId, entry.branchId);
    return { entry, position, waiting, estimatedWaitSeconds: estimateSeconds(position, agents, seconds) };
  }

  /** The mean length of the branch's last 20 finished witnesses. */
  async averageWitnessSeconds(em: EntityManager, branchId: string): Promise<number> {
    const recent = await em.find(
      WitnessSession,
      { branchId, endedAt: { $ne: null }, endReason: 'COMPLETED' },
      { orderBy: { endedAt: 'desc' }, limit: 20, fields: ['startedAt', 'endedAt'] },
    );
    if (!recent.length) return DEFAULT_WITNESS_SECONDS;
    return recent.reduce((s, w) => s + (w.endedAt!.getTime() - w.startedAt.getTime()) / 1000, 0) / recent.length;
  }

  /** The first `first` waiting customers of the branch in order (agents of the broker only). */
  async branchQueue(
    em: EntityManager,
    viewer: Viewer,
    branchId: string,
    first = 100,
  ): Promise<{ branchId: string; entries: QueueEntry[] }> {
    await this.assertAgentOfBranch(em, viewer, branchId);
    const entries = await em.find(
      QueueEntry,
      { branchId, state: 'WAITING' },
      { orderBy: [{ sortKey: 'asc' }, { id: 'asc' }], limit: first, disableIdentityMap: true },
    );
    return { branchId, entries };
  }

  /** Refuses unless the viewer is an agent (or broker admin) of the branch's broker. */
  async assertAgentOfBranch(em: EntityManager, viewer: Viewer | null, branchId: string): Promise<void> {
    if (viewer?.kind !== 'STAFF' || !viewer.roles.some((r) => r === 'AGENT' || r === 'BROKER_ADMIN')) {
      throw new KaihuError(ErrorCode.FORBIDDEN, '仅限本公司见证坐席');
    }
    const branch = UUID.test(branchId)
      ? await this.deps.brokers.findBranch(em, viewer.brokerId, { id: branchId })
      : null;
    if (!branch) throw new KaihuError(ErrorCode.FORBIDDEN, '无权查看其他期货公司的营业部队列');
  }

  /**
   * 接通下一位: takes the head of the queue. The row is locked with SKIP LOCKED, so concurrent
   * claims get different customers; `null` when nobody waits.
   */
  async claimNext(em: EntityManager, viewer: Agent, branchId: string): Promise<WitnessSession | null> {
    await this.assertAgentOfBranch(em, viewer, branchId);
    if (!viewer.roles.includes('AGENT')) throw new KaihuError(ErrorCode.FORBIDDEN, '仅限见证坐席接通客户');
    const now = this.clock.now();
    const session = await em.transactional(async (tx) => {
      const rows = (await tx.getConnection().execute(
        // customers whose connection dropped keep their place but are not called until they are back
        `select id from witness_queue_entries where branch_id = ? and state = 'WAITING' and disconnected_at is null order by sort_key, id limit 1 for update skip locked`,
        [branchId],
        'all',
        tx.getTransactionContext(),
      )) as { id: string }[];
      if (!rows[0]) return null;
      const entry = await tx.findOneOrFail(QueueEntry, { id: rows[0].id });
      const s = tx.create(WitnessSession, {
        ticketId: entry.ticketId,
        entryId: entry.id,
        agentStaffId: viewer.staffId,
        brokerId: entry.brokerId,
        branchId,
        startedAt: now,
      });
      entry.state = 'CALLED';
      entry.sessionId = s.id;
      return s;
    });
    if (session) {
      const ticket = await this.deps.tickets.get(em, viewer, session.ticketId);
      this.deps.tickets.event(em, ticket, actorOf(viewer), 'WITNESS_CALLED', 'VIDEO_WITNESS', null, {
        sessionId: session.id,
      });
      await em.flush();
      this.changed(branchId, [session.ticketId]);
    }
    return session;
  }

  async session(em: EntityManager, viewer: Viewer | null, id: string): Promise<WitnessSession> {
    const s = UUID.test(id) ? await em.findOne(WitnessSession, { id }, { disableIdentityMap: true }) : null;
    const mine =
      s &&
      viewer &&
      (viewer.kind === 'STAFF'
        ? viewer.brokerId === s.brokerId
        : (await this.deps.tickets.get(em, viewer, s.ticketId).catch(() => null)) !== null);
    if (!s || !mine) throw new KaihuError(ErrorCode.NOT_FOUND, '见证会话不存在');
    return s;
  }

  /**
   * Ends the witness. PASSED completes VIDEO_WITNESS (recording the agent, for SAME_PERSON);
   * RETURNED sends the ticket back to `returnToStep` with the reason the customer sees.
   */
  async complete(
    em: EntityManager,
    viewer: Agent,
    sessionId: string,
    input: {
      outcome: 'PASSED' | 'RETURNED';
      returnToStep?: TicketStepKind | null;
      reason?: string | null;
      checklist: string[];
    },
  ): Promise<WitnessSession> {
    const s = await this.session(em, viewer, sessionId);
    if (s.agentStaffId !== viewer.staffId) throw new KaihuError(ErrorCode.FORBIDDEN, '只能结束本人接通的见证');
    if (s.endedAt) throw new KaihuError(ErrorCode.TICKET_CLOSED, '该见证已结束');
    const unknown = input.checklist.filter((c) => !(c in CHECKLIST));
    if (unknown.length)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, `未知的核对项：${unknown.join('、')}`, {
        allowed: Object.keys(CHECKLIST),
      });
    const ticket: Ticket = await this.deps.tickets.get(em, viewer, s.ticketId);
    const now = this.clock.now();
    if (input.outcome === 'PASSED') {
      const missing = (Object.keys(CHECKLIST) as ChecklistItem[]).filter((c) => !input.checklist.includes(c));
      if (missing.length)
        throw new KaihuError(
          ErrorCode.BAD_USER_INPUT,
          `通过前请完成全部核对项：${missing.map((m) => CHECKLIST[m]).join('、')}`,
          { missing },
        );
      await this.assertRecorded(em, s);
      await this.deps.tickets.completeStep(
        em,
        ticket,
        'VIDEO_WITNESS',
        { outcome: 'PASSED', sessionId: s.id, agentStaffId: s.agentStaffId, checklist: input.checklist },
        actorOf(viewer),
      );
    } else {
      const reason = (input.reason ?? '').trim();
      if (!input.returnToStep || !reason)
        throw new KaihuError(ErrorCode.BAD_USER_INPUT, '打回时请选择需要重新填写的步骤并填写原因');
      const i = ticket.steps.findIndex((x) => x.kind === input.returnToStep);
      const here = ticket.steps.findIndex((x) => x.kind === 'VIDEO_WITNESS');
      if (i < 0 || i >= here)
        throw new KaihuError(
          ErrorCode.BAD_USER_INPUT,
          `只能打回到视频见证之前的步骤，不能打回到“${STEP_NAMES[input.returnToStep] ?? input.returnToStep}”`,
        );
      await this.deps.tickets.returnFromWitness(em, ticket, actorOf(viewer), input.returnToStep, reason);
    }
    const ended = await em.nativeUpdate(
      WitnessSession,
      { id: s.id, endedAt: null },
      {
        endedAt: now,
        outcome: input.outcome,
        endReason: 'COMPLETED',
        returnToStep: input.returnToStep ?? null,
        reason: input.reason ?? null,
        checklist: [...input.checklist],
      },
    );
    if (!ended) throw new KaihuError(ErrorCode.TICKET_CLOSED, '该见证已结束');
    await em.nativeUpdate(QueueEntry, { id: s.entryId }, { state: 'DONE' });
    await em.flush();
    this.changed(s.branchId, [s.ticketId]);
    this.sessionChanged(s.id);
    await this.ended(em, s.id, 'COMPLETED');
    return this.session(em, viewer, s.id);
  }

  /** After a session ended: its room closes (the recording is kept) here, and on every node that has one. */
  private async ended(em: EntityManager, sessionId: string, endReason: WitnessEndReason): Promise<void> {
    // the room first: its tracks' PRODUCER_CLOSED reach the parties before ENDED
    await this.closeRoom(em, sessionId).catch((err: unknown) =>
      this.log?.error({ err, sessionId }, 'witness media: closing the call failed'),
    );
    this.partyEvent(sessionId, { type: 'ENDED', endReason });
    this.bus.publish(TOPICS.WITNESS_ENDED, 'all', { id: sessionId });
  }

  /**
   * The agent gives up a witness: AGENT_ABANDONED puts the customer back at the head of the queue
   * (the agent could not go on); CUSTOMER_ABSENT takes them out of it (nobody answered), and they
   * may join again.
   */
  async abandon(em: EntityManager, viewer: Agent, sessionId: string, reason: AbandonReason): Promise<WitnessSession> {
    const s = await this.session(em, viewer, sessionId);
    if (s.agentStaffId !== viewer.staffId) throw new KaihuError(ErrorCode.FORBIDDEN, '只能结束本人接通的见证');
    if (s.endedAt) throw new KaihuError(ErrorCode.TICKET_CLOSED, '该见证已结束');
    await this.endSession(em, s, reason, actorOf(viewer));
    return this.session(em, viewer, s.id);
  }

  /** Ends an open session without an outcome; the customer goes back to the head or leaves the queue. */
  private async endSession(
    em: EntityManager,
    s: WitnessSession,
    reason: Exclude<WitnessEndReason, 'COMPLETED'>,
    actor: { kind: 'CUSTOMER' | 'STAFF' | 'PARTNER' | 'SYSTEM'; id: string | null },
  ): Promise<boolean> {
    const now = this.clock.now();
    const backToHead =
      reason === 'AGENT_ABANDONED' ||
      reason === 'AGENT_DISCONNECTED' ||
      reason === 'TIMEOUT' ||
      reason === 'MEDIA_FAILED';
    const ended = await em.transactional(async (tx) => {
      const n = await tx.nativeUpdate(WitnessSession, { id: s.id, endedAt: null }, { endedAt: now, endReason: reason });
      if (!n) return false;
      if (backToHead) {
        const head = await tx.findOne(
          QueueEntry,
          { branchId: s.branchId, state: 'WAITING' },
          { orderBy: { sortKey: 'asc' }, fields: ['sortKey'], disableIdentityMap: true },
        );
        await tx.nativeUpdate(
          QueueEntry,
          { id: s.entryId, state: { $in: ['CALLED', 'IN_SESSION'] } },
          { state: 'WAITING', sessionId: null, sortKey: head ? head.sortKey - 1 : now.getTime() },
        );
      } else {
        await tx.nativeUpdate(
          QueueEntry,
          { id: s.entryId, state: { $in: ['CALLED', 'IN_SESSION'] } },
          { state: 'LEFT', leftAt: now },
        );
      }
      return true;
    });
    if (!ended) return false;
    const ticket = await this.deps.tickets.getForSystem(em, s.ticketId);
    this.deps.tickets.event(
      em,
      ticket,
      actor,
      backToHead ? 'WITNESS_REQUEUED' : 'WITNESS_ENDED',
      'VIDEO_WITNESS',
      null,
      { sessionId: s.id, reason },
    );
    await em.flush();
    this.changed(s.branchId, [s.ticketId]);
    this.sessionChanged(s.id);
    await this.ended(em, s.id, reason);
    return true;
  }

  // --- presence and grace periods -------------------------------------------------------------

  /** The customer holds a queuePosition subscription on this node; true when that ended a grace period. */
  async customerConnected(em: EntityManager, ticketId: string, branchId: string): Promise<boolean> {
    const n = (this.customersHere.get(ticketId) ?? 0) + 1;
    this.customersHere.set(ticketId, n);
    if (n > 1) return false;
    const healed = await em.nativeUpdate(
      QueueEntry,
      { ticketId, state: { $in: [...ACTIVE_STATES] }, disconnectedAt: { $ne: null } },
      { disconnectedAt: null },
    );
    if (healed) {
      this.changed(branchId, [ticketId]);
      await this.customerPresence(em, ticketId, 'PARTY_RETURNED');
    }
    return healed > 0;
  }

  /** The customer's last subscription on this node ended (closed, or the socket dropped): the grace period starts. */
  async customerDisconnected(em: EntityManager, ticketId: string, branchId: string): Promise<void> {
    const n = (this.customersHere.get(ticketId) ?? 1) - 1;
    if (n > 0) {
      this.customersHere.set(ticketId, n);
      return;
    }
    this.customersHere.delete(ticketId);
    const marked = await em.nativeUpdate(
      QueueEntry,
      { ticketId, state: { $in: [...ACTIVE_STATES] }, disconnectedAt: null },
      { disconnectedAt: this.clock.now() },
    );
    if (marked) {
      this.changed(branchId, [ticketId]);
      await this.customerPresence(em, ticketId, 'PARTY_LEFT');
    }
  }

  /** The agent of the session holds its witnessSession subscription on this node. */
  async agentConnected(em: EntityManager, sessionId: string): Promise<void> {
    const n = (this.agentsHere.get(sessionId) ?? 0) + 1;
    this.agentsHere.set(sessionId, n);
    if (
      n === 1 &&
      (await em.nativeUpdate(
        WitnessSession,
        { id: sessionId, endedAt: null, agentDisconnectedAt: { $ne: null } },
        { agentDisconnectedAt: null },
      ))
    ) {
      this.sessionChanged(sessionId);
      this.partyEvent(sessionId, { type: 'PARTY_RETURNED', party: 'AGENT' });
    }
  }

  async agentDisconnected(em: EntityManager, sessionId: string): Promise<void> {
    const n = (this.agentsHere.get(sessionId) ?? 1) - 1;
    if (n > 0) {
      this.agentsHere.set(sessionId, n);
      return;
    }
    this.agentsHere.delete(sessionId);
    if (
      await em.nativeUpdate(
        WitnessSession,
        { id: sessionId, endedAt: null, agentDisconnectedAt: null },
        { agentDisconnectedAt: this.clock.now() },
      )
    ) {
      this.sessionChanged(sessionId);
      this.partyEvent(sessionId, { type: 'PARTY_LEFT', party: 'AGENT' });
    }
  }

  /** Marks the parties connected to this node as present (after another node marked them gone). */
  async heal(em: EntityManager): Promise<void> {
    const customers = [...this.customersHere.keys()];
    if (customers.length) {
      const healed = (await em
        .getConnection()
        .execute(
          `update witness_queue_entries set disconnected_at = null where ticket_id in (?) and state in ('WAITING', 'CALLED', 'IN_SESSION') and disconnected_at is not null returning ticket_id, branch_id`,
          [customers],
          'all',
        )) as { ticket_id: string; branch_id: string }[];
      for (const h of healed) this.changed(h.branch_id, [h.ticket_id]);
    }
    const agents = [...this.agentsHere.keys()];
    if (agents.length)
      await em.nativeUpdate(
        WitnessSession,
        { id: { $in: agents }, endedAt: null, agentDisconnectedAt: { $ne: null } },
        { agentDisconnectedAt: null },
      );
  }

  /**
   * Applies the grace periods (every `sweepMs` on each node; idempotent, so nodes may race):
   * parties connected here are marked present; a waiting customer gone longer than the grace
   * period leaves the queue; a called customer gone that long ends the session; an agent gone
   * longer than the agent grace period abandons the session and the customer returns to the head.
   */
  async sweep(em: EntityManager): Promise<{ left: number; ended: number }> {
    const now = this.clock.now();
    await this.heal(em);

    const customerDeadline = new Date(now.getTime() - this.config.customerGraceMs);
    const gone = (await em
      .getConnection()
      .execute(
        `update witness_queue_entries set state = 'LEFT', left_at = ? where state = 'WAITING' and disconnected_at <= ? returning ticket_id, branch_id`,
        [now, customerDeadline],
        'all',
      )) as { ticket_id: string; branch_id: string }[];
    const byBranch = new Map<string, string[]>();
    for (const g of gone) byBranch.set(g.branch_id, [...(byBranch.get(g.branch_id) ?? []), g.ticket_id]);
    for (const g of gone)
      this.deps.tickets.event(
        em,
        await this.deps.tickets.getForSystem(em, g.ticket_id),
        { kind: 'SYSTEM', id: null },
        'QUEUE_EXPIRED',
        'VIDEO_WITNESS',
        null,
        { graceMs: this.config.customerGraceMs },
      );
    if (gone.length) await em.flush();
    for (const [branchId, tickets] of byBranch) this.changed(branchId, tickets);

    let ended = 0;
    const calledGone = await em.find(
      QueueEntry,
      {
        state: { $in: ['CALLED', 'IN_SESSION'] },
        disconnectedAt: { $lte: customerDeadline },
        sessionId: { $ne: null },
      },
      { disableIdentityMap: true },
    );
    for (const e of calledGone) {
      const s = await em.findOne(WitnessSession, { id: e.sessionId!, endedAt: null }, { disableIdentityMap: true });
      if (s && (await this.endSession(em, s, 'CUSTOMER_DISCONNECTED', { kind: 'SYSTEM', id: null }))) ended++;
    }
    const agentDeadline = new Date(now.getTime() - this.config.agentGraceMs);
    const agentsGone = await em.find(
      WitnessSession,
      { endedAt: null, agentDisconnectedAt: { $lte: agentDeadline } },
      { disableIdentityMap: true },
    );
    for (const s of agentsGone)
      if (await this.endSession(em, s, 'AGENT_DISCONNECTED', { kind: 'SYSTEM', id: null })) ended++;
    // calls that went on too long, and calls whose SFU service stopped answering
    const tooOld = new Date(now.getTime() - this.config.sessionTimeoutMs);
    for (const s of await em.find(
      WitnessSession,
      { endedAt: null, startedAt: { $lte: tooOld } },
      { disableIdentityMap: true },
    )) {
      if (await this.endSession(em, s, 'TIMEOUT', { kind: 'SYSTEM', id: null })) ended++;
    }
    if (this.config.sfuMode === 'remote') {
      const orphaned = (await em.getConnection().execute(
        `select s.id from witness_sessions s left join sfu_nodes n on n.id = s.sfu_node_id
          where s.ended_at is null and s.sfu_node_id is not null and (n.id is null or n.heartbeat_at < now() - interval '${SFU_NODE_STALE_SECONDS} seconds')`,
        [],
        'all',
      )) as { id: string }[];
      for (const o of orphaned) {
        const s = await em.findOne(WitnessSession, { id: o.id, endedAt: null }, { disableIdentityMap: true });
        if (s && (await this.endSession(em, s, 'MEDIA_FAILED', { kind: 'SYSTEM', id: null }))) ended++;
      }
    }
    // recordings past the broker's retention period
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
    if (gone.length || ended) this.log?.info({ left: gone.length, ended }, 'witness grace periods applied');
    return { left: gone.length, ended };
  }
}
