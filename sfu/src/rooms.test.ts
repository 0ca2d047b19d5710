/**
 * LocalRooms when a party comes back to a call (a reload, a return to the page): its new tracks
 * replace the earlier ones, and the transports of the page it left close; a snapshot of a video
 * that sends nothing just now is refused at once, saying why. Signalling only (no RTP is sent):
 * the call with real media is test/e2e/witness-call.test.ts and test/browser/reconnect.test.ts.
 */
import { liveFfmpegPids } from './ffmpeg';
import { LocalRooms, MediaError, type MediaEvent } from './rooms';

const VIDEO = (ssrc: number) => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
  encodings: [{ ssrc }],
});
const AUDIO = (ssrc: number) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters: {} }],
  encodings: [{ ssrc }],
});

describe('LocalRooms: a party that comes back', () => {
  let rooms: LocalRooms;
  const events: { type: string; id: string }[] = [];
  const names = new Map<string, string>();
  const record = (e: MediaEvent) => {
    if (e.type !== 'ROOM_LOST') events.push({ type: e.type, id: e.producer.id });
  };
  /** the events so far, with the tracks' names */
  const seen = () => events.map((e) => `${e.type} ${names.get(e.id) ?? e.id}`);

  beforeAll(() => {
    rooms = new LocalRooms({ pool: { workers: 1 } });
    rooms.on('event', record);
  });
  afterAll(async () => {
    rooms.off('event', record);
    await rooms.shutdown();
  });

  /** One page of a party: a send and a receive transport, its camera and microphone. */
  async function page(roomId: string, party: string, name: string, ssrc: number) {
    const send = await rooms.createTransport(roomId, party);
    const recv = await rooms.createTransport(roomId, party);
    const video = await rooms.produce(roomId, party, send.id, 'video', VIDEO(ssrc));
    names.set(video.id, `${name}/video`);
    const audio = await rooms.produce(roomId, party, send.id, 'audio', AUDIO(ssrc + 1));
    names.set(audio.id, `${name}/audio`);
    return { send: send.id, recv: recv.id, video: video.id, audio: audio.id };
  }

  const transports = async () => (await rooms.stats()).transports;
  /** Whether the party still has the consumer (pausing it is refused once it is gone). */
  const hasConsumer = (roomId: string, party: string, id: string) =>
    rooms.pause(roomId, party, id, false).then(
      () => true,
      (e: unknown) => {
        if (e instanceof MediaError && e.code === 'NOT_FOUND') return false;
        throw e;
      },
    );

  it('replaces its tracks (PRODUCER_CLOSED of the old before NEW_PRODUCER of the new) and closes the transports of the page it left', async () => {
    const room = 'rejoin';
    const caps = await rooms.rtpCapabilities(room);
    const agent = await page(room, 'AGENT', 'agent', 3000);
    const first = await page(room, 'CUSTOMER', 'customer-1', 1000);
    const agentGets = [];
    for (const p of [first.video, first.audio])
      agentGets.push((await rooms.consume(room, 'AGENT', agent.recv, p, caps)).id);
    const firstGets = [];
    for (const p of [agent.video, agent.audio])
      firstGets.push((await rooms.consume(room, 'CUSTOMER', first.recv, p, caps)).id);
    expect(await transports()).toBe(4);

    // the customer reloads: the new page's camera replaces the old one
    events.length = 0;
    const again = await page(room, 'CUSTOMER', 'customer-2', 2000);
    expect(seen()).toEqual([
      'PRODUCER_CLOSED customer-1/video',
      'NEW_PRODUCER customer-2/video',
      'PRODUCER_CLOSED customer-1/audio',
      'NEW_PRODUCER customer-2/audio',
    ]);
    expect((await rooms.producers(room)).map((p) => names.get(p.id)).sort()).toEqual([
      'agent/audio',
      'agent/video',
      'customer-2/audio',
      'customer-2/video',
    ]);
    // the old page's send transport carries nothing now and is gone; its receive transport still
    // carries the agent's tracks; the new page's receive transport, unused so far, stays
    expect(await transports()).toBe(5);
    // the agent's consumers of the old tracks went with them (mediasoup closes them after the producer)
    for (const id of agentGets) {
      for (let i = 0; i < 50 && (await hasConsumer(room, 'AGENT', id)); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await hasConsumer(room, 'AGENT', id)).toBe(false);
    }

    // the new page receives the agent's tracks: the old page's consumers of them close, and then its receive transport
    const againGets = [];
    againGets.push((await rooms.consume(room, 'CUSTOMER', again.recv, agent.video, caps)).id);
    expect(await hasConsumer(room, 'CUSTOMER', firstGets[0]!)).toBe(false);
    expect(await hasConsumer(room, 'CUSTOMER', firstGets[1]!)).toBe(true);
    expect(await transports()).toBe(5);
    againGets.push((await rooms.consume(room, 'CUSTOMER', again.recv, agent.audio, caps)).id);
    expect(await hasConsumer(room, 'CUSTOMER', firstGets[1]!)).toBe(false);
    expect(await transports()).toBe(4);
    for (const id of againGets) expect(await hasConsumer(room, 'CUSTOMER', id)).toBe(true);
    // what the old page still had is refused: its transports are gone
    await expect(rooms.produce(room, 'CUSTOMER', first.send, 'video', VIDEO(1500))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // the agent receives the new tracks, on the transport it had all along
    for (const p of [again.video, again.audio]) await rooms.consume(room, 'AGENT', agent.recv, p, caps);
    expect(await transports()).toBe(4);
    // the other party's tracks were never touched
    expect(seen().filter((e) => e.includes('agent/'))).toEqual([]);
    await rooms.close(room);
    expect(await transports()).toBe(0);
  });

  it('refuses a snapshot of a video that sends nothing just now, at once and saying why', async () => {
    const room = 'no-picture';
    await rooms.rtpCapabilities(room);
    const customer = await page(room, 'CUSTOMER', 'silent', 5000);
    const refused = await rooms.snapshot(room, 'CUSTOMER').then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(MediaError);
    expect(refused).toMatchObject({ code: 'UNAVAILABLE' });
    expect((refused as MediaError).message).toBe(
      '对方的视频暂时没有画面（对方可能正在重新连接），请等画面恢复后再截图',
    );
    // ffmpeg was not even started
    expect(liveFfmpegPids()).toEqual([]);
    // paused comes first, and says so
    await rooms.pause(room, 'CUSTOMER', customer.video, true);
    await expect(rooms.snapshot(room, 'CUSTOMER')).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: '对方已关闭摄像头，无法截图',
    });
    await rooms.close(room);
  });
});
