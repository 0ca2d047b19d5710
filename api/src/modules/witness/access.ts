import type { EntityManager } from '@mikro-orm/postgresql';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Viewer } from '../auth';
import type { TicketService } from '../tickets';
import { UUID } from './queue';
import { WitnessSession } from './witness.entity';

/** A witness session the viewer may see: its customer, or staff of its broker (NOT_FOUND otherwise). */
export async function visibleSession(
  em: EntityManager,
  tickets: TicketService,
  viewer: Viewer | null,
  id: string,
): Promise<WitnessSession> {
  const s = UUID.test(id) ? await em.findOne(WitnessSession, { id }, { disableIdentityMap: true }) : null;
  const mine =
    s &&
    viewer &&
    (viewer.kind === 'STAFF'
      ? viewer.brokerId === s.brokerId
      : (await tickets.get(em, viewer, s.ticketId).catch(() => null)) !== null);
  if (!s || !mine) throw new KaihuError(ErrorCode.NOT_FOUND, '见证会话不存在');
  return s;
}
