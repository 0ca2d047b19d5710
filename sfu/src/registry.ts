/**
 * The `sfu_nodes` table, owned here: SFU services register in it with a heartbeat; API nodes read
 * which services are live. No other code reads or writes it (the API's migrations only create it).
 * Times are the database's own (`now()`), so SFU and API nodes agree whatever their clocks say.
 */
import { SFU_NODES_TABLE } from './protocol';

/** What the registry needs of a database: `$1, $2, …` placeholders, rows as plain objects. */
export interface SqlQuery {
  query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<T[]>;
}

export interface SfuNodeInfo {
  id: string;
  url: string;
  /** sessions it takes */
  capacity: number;
}

/** A service whose heartbeat is older than this takes no new session, and its open sessions end (MEDIA_FAILED). */
export const SFU_NODE_STALE_SECONDS = 20;

export class SfuNodeRegistry {
  constructor(private readonly db: SqlQuery) {}

  /** The SFU service's heartbeat: its row, created or refreshed. */
  async beat(node: SfuNodeInfo & { rooms: number; workers: number }): Promise<void> {
    await this.db.query(
      `INSERT INTO ${SFU_NODES_TABLE} (id, url, capacity, rooms, workers, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, now(), now())
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, capacity = excluded.capacity, rooms = excluded.rooms, workers = excluded.workers, heartbeat_at = now()`,
      [node.id, node.url, node.capacity, node.rooms, node.workers],
    );
  }

  /** The SFU service stops: it takes no session any more. */
  async leave(id: string): Promise<void> {
    await this.db.query(`DELETE FROM ${SFU_NODES_TABLE} WHERE id = $1`, [id]);
  }

  /** The services whose heartbeat is recent, in id order. */
  async live(staleSeconds = SFU_NODE_STALE_SECONDS): Promise<SfuNodeInfo[]> {
    const rows = await this.db.query<{ id: string; url: string; capacity: number }>(
      `SELECT id, url, capacity FROM ${SFU_NODES_TABLE} WHERE heartbeat_at > now() - make_interval(secs => $1) ORDER BY id`,
      [staleSeconds],
    );
    return rows.map((r) => ({ id: r.id, url: r.url, capacity: Number(r.capacity) }));
  }

  /** One service by id, live or not; null when it is not registered (any more). */
  async byId(id: string): Promise<(SfuNodeInfo & { live: boolean }) | null> {
    const [r] = await this.db.query<{ id: string; url: string; capacity: number; live: boolean }>(
      `SELECT id, url, capacity, heartbeat_at > now() - make_interval(secs => $2) AS live FROM ${SFU_NODES_TABLE} WHERE id = $1`,
      [id, SFU_NODE_STALE_SECONDS],
    );
    return r ? { id: r.id, url: r.url, capacity: Number(r.capacity), live: Boolean(r.live) } : null;
  }
}
