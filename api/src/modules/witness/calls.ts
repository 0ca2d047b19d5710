import type { EntityManager } from '@mikro-orm/postgresql';
import type { MediaRooms, RecordingInfo, SfuNodeRegistry } from '@kaihu/sfu';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { EventBus } from '../../common/pubsub';
import type { WitnessConfig } from '../../config';
import type { Viewer } from '../auth';
import type { Document, DocumentService } from '../documents';
import type { TicketService } from '../tickets';
import { visibleSession } from './access';
import type { Agent } from './queue';
import { WitnessMedia, type MediaProducer, type Party } from './witness-media';
import { WitnessSession } from './witness.entity';

/**
 * The call's media, for its two parties only: the SFU's rooms (embedded in this process, or on the
 * SFU service the session was given), the tracks, pausing, the agent's snapshot.
 */
export class WitnessCalls {
  /** The media of this node's sessions; set by {@link start}. */
  media: WitnessMedia | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly config: WitnessConfig,
    private readonly deps: { tickets: TicketService; documents: DocumentService; sfuNodes: SfuNodeRegistry },
  ) {}

  start(
    forkEm: () => EntityManager,
    log: Logger,
    onLost: (sessionId: string, recording: RecordingInfo | null, rooms: MediaRooms) => void,
  ): void {
    this.media = new WitnessMedia({
      mode: this.config.sfuMode,
      secret: this.config.sfuSecret,
      workers: this.config.sfuWorkers,
      log: log.child({ component: 'sfu' }),
      listenIp: this.config.sfuListenIp,
      announcedAddress: this.config.sfuAnnouncedAddress,
      recordingDir: this.config.recordingDir,
      nodeOf: (sessionId) => this.sfuNodeOf(forkEm(), sessionId, true),
      onLost,
    });
  }

  async stop(): Promise<void> {
    await this.media?.close();
  }

  /** The rooms of the session's call on this node; null with remote SFUs when no service carries it. */
  async roomsOf(em: EntityManager, sessionId: string): Promise<MediaRooms | null> {
    if (!this.media) return null;
    if (this.config.sfuMode === 'remote' && !(await this.sfuNodeOf(em, sessionId, false))) return null;
    return this.media.rooms(sessionId);
  }

  /** The viewer's side of an open session (its customer or its agent), and the media of this node. */
  async party(
    em: EntityManager,
    viewer: Viewer | null,
    sessionId: string,
  ): Promise<{ session: WitnessSession; party: Party; media: WitnessMedia }> {
    const s = await visibleSession(em, this.deps.tickets, viewer, sessionId);
    const ticket = await this.deps.tickets.get(em, viewer, s.ticketId);
    const party: Party | null =
      viewer?.kind === 'STAFF'
        ? viewer.staffId === s.agentStaffId
          ? 'AGENT'
          : null
        : (viewer?.kind === 'CUSTOMER' || viewer?.kind === 'PROSPECT') && viewer.applicantId === ticket.customerId
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

  /**
   * The SFU service carrying the session (remote SFUs); with `assign`, gives an open session without
   * one the live service with the most free places (its capacity minus its open sessions).
   */
  async sfuNodeOf(em: EntityManager, sessionId: string, assign: boolean): Promise<{ id: string; url: string } | null> {
    const s = await em.findOne(
      WitnessSession,
      { id: sessionId },
      { fields: ['sfuNodeId', 'endedAt'], disableIdentityMap: true },
    );
    if (!s) return null;
    if (!s.sfuNodeId && assign && !s.endedAt) {
      const live = await this.deps.sfuNodes.live();
      const open = await this.openSessionsPerNode(
        em,
        live.map((n) => n.id),
      );
      const best = live
        .map((n) => ({ n, free: n.capacity - (open.get(n.id) ?? 0) }))
        .filter((x) => x.free > 0)
        .sort((a, b) => b.free - a.free || a.n.id.localeCompare(b.n.id))[0];
      if (!best) return null;
      await em.nativeUpdate(WitnessSession, { id: sessionId, sfuNodeId: null }, { sfuNodeId: best.n.id });
      const assigned = await em.findOne(
        WitnessSession,
        { id: sessionId },
        { fields: ['sfuNodeId'], disableIdentityMap: true },
      );
      s.sfuNodeId = assigned?.sfuNodeId ?? null;
    }
    const node = s.sfuNodeId ? await this.deps.sfuNodes.byId(s.sfuNodeId) : null;
    return node ? { id: node.id, url: node.url } : null;
  }

  /** Open sessions of each of these SFU services. */
  private async openSessionsPerNode(em: EntityManager, nodeIds: string[]): Promise<Map<string, number>> {
    if (!nodeIds.length) return new Map();
    const open = await em.find(
      WitnessSession,
      { sfuNodeId: { $in: nodeIds }, endedAt: null },
      { fields: ['sfuNodeId'], disableIdentityMap: true },
    );
    const counts = new Map<string, number>();
    for (const s of open) counts.set(s.sfuNodeId!, (counts.get(s.sfuNodeId!) ?? 0) + 1);
    return counts;
  }

  /** Open sessions on SFU services that stopped their heartbeat (or left): their calls are lost. */
  async orphanedSessions(em: EntityManager): Promise<WitnessSession[]> {
    const open = await em.find(
      WitnessSession,
      { endedAt: null, sfuNodeId: { $ne: null } },
      { disableIdentityMap: true },
    );
    if (!open.length) return [];
    const live = new Set((await this.deps.sfuNodes.live()).map((n) => n.id));
    return open.filter((s) => !live.has(s.sfuNodeId!));
  }

  /** This node's room events of the session (for witnessMedia). */
  async mediaEvents(sessionId: string): Promise<AsyncIterator<Record<string, unknown>>> {
    if (!this.media) throw new KaihuError(ErrorCode.MEDIA_UNAVAILABLE);
    return this.media.subscribe(sessionId, this.bus);
  }
}
