import { createLogger } from '../../common/logger';
import { TOPICS, createInProcessBus } from '../../common/pubsub';
import { QueueBoard, SnapshotMailbox, type BranchSnapshot } from './queue-board';

const log = createLogger('silent');
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A queue whose loads are counted and can be held open, to see what the board coalesces. */
function fakeQueue() {
  let waiting: string[] = ['t1', 't2', 't3'];
  let loads = 0;
  let gate: Promise<void> | null = null;
  return {
    set: (tickets: string[]) => (waiting = tickets),
    loads: () => loads,
    hold: () => {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = null;
        open();
      };
    },
    load: async (branchId: string): Promise<BranchSnapshot> => {
      loads++;
      const order = new Map(waiting.map((t, i) => [t, i]));
      const n = waiting.length;
      if (gate) await gate;
      return { branchId, order, waiting: n, secondsPerWitness: 180, agents: 1 };
    },
  };
}

describe('QueueBoard', () => {
  it('loads a branch once for all its subscribers and tells each of them every change', async () => {
    const bus = createInProcessBus();
    const q = fakeQueue();
    const board = new QueueBoard(bus, q.load, log, 0);
    const seen: [number, string[]][] = [];
    const a = await board.watch('b1', (s, touched) => seen.push([s.waiting, [...touched]]));
    const b = await board.watch('b1', () => {});
    expect(q.loads()).toBe(1);
    expect(a.snapshot.order.get('t2')).toBe(1);
    expect(board.stats()).toEqual({ b1: 2 });

    q.set(['t2', 't3']);
    bus.publish(TOPICS.QUEUE_CHANGED, 'b1', { branchId: 'b1', tickets: ['t1'] });
    await tick(20);
    expect(q.loads()).toBe(2);
    expect(seen).toEqual([[2, ['t1']]]);
    // another branch's change is not ours
    bus.publish(TOPICS.QUEUE_CHANGED, 'b2', { branchId: 'b2', tickets: ['x'] });
    await tick(20);
    expect(q.loads()).toBe(2);

    a.unwatch();
    b.unwatch();
    expect(board.stats()).toEqual({});
    bus.publish(TOPICS.QUEUE_CHANGED, 'b1', { branchId: 'b1', tickets: ['t2'] });
    await tick(20);
    expect(q.loads()).toBe(2);
    board.close();
  });

  it('coalesces the changes that arrive while a load runs into one more load, with all their tickets', async () => {
    const bus = createInProcessBus();
    const q = fakeQueue();
    const board = new QueueBoard(bus, q.load, log, 0);
    const seen: [number, string[]][] = [];
    await board.watch('b1', (s, touched) => seen.push([s.waiting, [...touched].sort()]));
    const release = q.hold();
    bus.publish(TOPICS.QUEUE_CHANGED, 'b1', { branchId: 'b1', tickets: ['t1'] });
    await tick(10);
    q.set(['t3']);
    for (const t of ['t2', 't4', 't5']) bus.publish(TOPICS.QUEUE_CHANGED, 'b1', { branchId: 'b1', tickets: [t] });
    await tick(10);
    release();
    await tick(30);
    // one load for the first change, one for the three that came while it ran
    expect(q.loads()).toBe(3);
    expect(seen.map(([n]) => n)).toEqual([3, 1]);
    expect(seen[1]![1]).toEqual(['t2', 't4', 't5']);
    board.close();
  });

  it('keeps rounds of one branch at least minIntervalMs apart', async () => {
    const bus = createInProcessBus();
    const q = fakeQueue();
    const board = new QueueBoard(bus, q.load, log, 150);
    const at: number[] = [];
    await board.watch('b1', () => at.push(Date.now()));
    for (let i = 0; i < 5; i++) {
      bus.publish(TOPICS.QUEUE_CHANGED, 'b1', { branchId: 'b1', tickets: [] });
      await tick(20);
    }
    await tick(300);
    // five changes in ~100 ms (longer on a loaded machine): coalesced into fewer rounds, each ≥ 150 ms after the last
    expect(at.length).toBeGreaterThanOrEqual(2);
    expect(at.length).toBeLessThan(5);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(140);
    board.close();
  });
});

describe('SnapshotMailbox', () => {
  it('keeps only the newest snapshot for a busy subscriber, and every ticket touched meanwhile', async () => {
    const box = new SnapshotMailbox();
    const snap = (n: number): BranchSnapshot => ({
      branchId: 'b',
      order: new Map(),
      waiting: n,
      secondsPerWitness: 1,
      agents: 1,
    });
    box.listener(snap(1), new Set(['a']));
    box.listener(snap(2), new Set(['b']));
    const got = await box.take();
    expect(got!.snapshot.waiting).toBe(2);
    expect([...got!.touched].sort()).toEqual(['a', 'b']);
    const pending = box.take();
    box.end();
    expect(await pending).toBeNull();
  });
});
