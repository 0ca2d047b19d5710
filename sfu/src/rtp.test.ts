/**
 * Media really flows through a pooled router (the essence of ../shared/tools/mediasoup/smoke.mjs):
 * hand-made RTP over node:dgram into PlainTransports, consumers on another PlainTransport that
 * sends to a dgram sink, and an SRTP PlainTransport loop that exercises the libsrtp 2 port of the
 * Debian build. With ffmpeg on the PATH, a second test feeds real VP8 + opus from ffmpeg.
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import type { types } from 'mediasoup';

import { createWorkerPool, type WorkerPool } from './pool';

const AUDIO_SSRC = 11111111;
const VIDEO_SSRC = 22222222;
const AUDIO_PT = 100;
const VIDEO_PT = 101;
const SEND_MS = 1500;

const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;

/** A sender of RTP packets with a fixed payload (marker bit set on every packet). */
function rtpSender(port: number, pt: number, ssrc: number, clockStep: number, payload: Buffer) {
  const socket = dgram.createSocket('udp4');
  let seq = 1000;
  let ts = 123456;
  const send = () => {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = 0x80 | pt;
    header.writeUInt16BE(seq++ & 0xffff, 2);
    header.writeUInt32BE(ts >>> 0, 4);
    header.writeUInt32BE(ssrc, 8);
    ts += clockStep;
    socket.send(Buffer.concat([header, payload]), port, '127.0.0.1');
  };
  return { socket, send };
}

/** A UDP socket counting the RTP packets it receives, by payload type (RTCP ignored). */
async function rtpSink() {
  const socket = dgram.createSocket('udp4');
  const byPt = new Map<number, number>();
  socket.on('message', (msg) => {
    if (msg.length < 12 || msg[0] >> 6 !== 2) return;
    const pt = msg[1] & 0x7f;
    if (pt >= 72 && pt <= 76) return; // RTCP (rtcp-mux)
    byPt.set(pt, (byPt.get(pt) ?? 0) + 1);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: (socket.address() as AddressInfo).port, byPt };
}

type PlainExtra = {
  comedia?: boolean;
  rtcpMux?: boolean;
  enableSrtp?: boolean;
  srtpCryptoSuite?: types.SrtpCryptoSuite;
};
const plain = (extra: PlainExtra = {}): types.PlainTransportOptions => ({
  listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
  rtcpMux: true,
  ...extra,
});

async function produceInto(router: types.Router, rtcpMux: boolean) {
  const audioIn = await router.createPlainTransport(plain({ comedia: true, rtcpMux }));
  const videoIn = await router.createPlainTransport(plain({ comedia: true, rtcpMux }));
  const audio = await audioIn.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2, parameters: {} }],
      encodings: [{ ssrc: AUDIO_SSRC }],
    },
  });
  const video = await videoIn.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: VIDEO_PT, clockRate: 90000, parameters: {} }],
      encodings: [{ ssrc: VIDEO_SSRC }],
    },
  });
  return { audioIn, videoIn, audio, video };
}

async function consumeTo(router: types.Router, port: number, producers: types.Producer[]) {
  const out = await router.createPlainTransport(plain({ comedia: false }));
  await out.connect({ ip: '127.0.0.1', port });
  const consumers = [];
  for (const p of producers)
    consumers.push(await out.consume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities }));
  return consumers;
}

const outboundPackets = async (c: types.Consumer) =>
  (await c.getStats()).find((s) => s.type === 'outbound-rtp')?.packetCount ?? 0;

describe('RTP through a pooled router', () => {
  let pool: WorkerPool;

  beforeAll(async () => {
    pool = await createWorkerPool({ workers: 1 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('forwards hand-made opus and VP8 RTP from one PlainTransport to another, and through SRTP', async () => {
    const router = await pool.routerFor('plain-rtp');
    const { audioIn, videoIn, audio, video } = await produceInto(router, true);
    const sink = await rtpSink();
    const [audioOut, videoOut] = await consumeTo(router, sink.port, [audio, video]);

    // SRTP loop: consumer on A (encrypts) -> B (decrypts) -> producer on B.
    const srtp = plain({ comedia: false, enableSrtp: true, srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80' });
    const a = await router.createPlainTransport(srtp);
    const b = await router.createPlainTransport(srtp);
    await a.connect({ ip: '127.0.0.1', port: b.tuple.localPort, srtpParameters: b.srtpParameters });
    await b.connect({ ip: '127.0.0.1', port: a.tuple.localPort, srtpParameters: a.srtpParameters });
    const encrypted = await a.consume({ producerId: video.id, rtpCapabilities: router.rtpCapabilities });
    const decrypted = await b.produce({ kind: encrypted.kind, rtpParameters: encrypted.rtpParameters });

    const opus = rtpSender(audioIn.tuple.localPort, AUDIO_PT, AUDIO_SSRC, 960, Buffer.alloc(60, 0xfc));
    // VP8 payload descriptor (S bit) + the start of a 320x240 key frame.
    const vp8Payload = Buffer.concat([
      Buffer.from([0x10, 0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]),
      Buffer.alloc(300, 0x11),
    ]);
    const vp8 = rtpSender(videoIn.tuple.localPort, VIDEO_PT, VIDEO_SSRC, 3000, vp8Payload);
    const timers = [setInterval(opus.send, 20), setInterval(vp8.send, 33)];
    try {
      await sleep(SEND_MS);
    } finally {
      timers.forEach(clearInterval);
      opus.socket.close();
      vp8.socket.close();
    }

    const [audioStats] = await audio.getStats();
    const [videoStats] = await video.getStats();
    expect(audioStats.packetCount).toBeGreaterThan(0);
    expect(videoStats.packetCount).toBeGreaterThan(0);
    expect(videoStats.mimeType).toBe('video/VP8');
    expect(await outboundPackets(audioOut)).toBeGreaterThan(0);
    expect(await outboundPackets(videoOut)).toBeGreaterThan(0);
    // The sink sees the consumers' payload types (the router's, not the producers').
    expect(sink.byPt.get(audioOut.rtpParameters.codecs[0].payloadType)).toBeGreaterThan(0);
    expect(sink.byPt.get(videoOut.rtpParameters.codecs[0].payloadType)).toBeGreaterThan(0);
    sink.socket.close();

    const [aStats] = await a.getStats();
    const [bStats] = await b.getStats();
    const [decryptedStats] = await decrypted.getStats();
    expect(aStats.bytesSent).toBeGreaterThan(0);
    expect(bStats.rtpBytesReceived).toBeGreaterThan(0);
    expect(decryptedStats?.packetCount).toBeGreaterThan(0);

    pool.closeRouter('plain-rtp');
  });

  (hasFfmpeg ? it : it.skip)('forwards VP8 and opus encoded by ffmpeg', async () => {
    const router = await pool.routerFor('ffmpeg');
    // ffmpeg sends RTCP from another socket: comedia needs rtcp-mux off and ?rtcpport=.
    const { audioIn, videoIn, audio, video } = await produceInto(router, false);
    const sink = await rtpSink();
    const [audioOut, videoOut] = await consumeTo(router, sink.port, [audio, video]);
    const target = (t: types.PlainTransport) =>
      `rtp://127.0.0.1:${t.tuple.localPort}?rtcpport=${t.rtcpTuple!.localPort}&pkt_size=1200`;
    const ffmpeg = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-re'],
        ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30'],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
        ...['-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '15'],
        ...['-ssrc', String(VIDEO_SSRC), '-payload_type', String(VIDEO_PT), '-f', 'rtp', target(videoIn)],
        ...['-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-ar', '48000', '-b:a', '64k'],
        ...['-ssrc', String(AUDIO_SSRC), '-payload_type', String(AUDIO_PT), '-f', 'rtp', target(audioIn)],
        ...['-t', '4'],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    ffmpeg.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await sleep(2500);
    } finally {
      if (ffmpeg.exitCode === null) ffmpeg.kill('SIGTERM');
    }
    const [audioStats] = await audio.getStats();
    const [videoStats] = await video.getStats();
    if (!videoStats?.packetCount) throw new Error(`no video from ffmpeg; its stderr: ${stderr}`);
    expect(audioStats.packetCount).toBeGreaterThan(0);
    expect(videoStats.packetCount).toBeGreaterThan(0);
    expect(videoStats.score).toBeGreaterThan(0);
    expect(await outboundPackets(audioOut)).toBeGreaterThan(0);
    expect(await outboundPackets(videoOut)).toBeGreaterThan(0);
    expect(sink.byPt.get(videoOut.rtpParameters.codecs[0].payloadType)).toBeGreaterThan(0);
    sink.socket.close();
    pool.closeRouter('ffmpeg');
  });
});
