// Load generator of the SFU benchmark, a child process of sfu.mjs (talks to it over IPC): for the
// witness sessions it is given, it plays both parties' send side (one UDP socket per party, as a
// browser has one send transport, carrying opus 32 kbps (synthetic payloads) and VP8 600 kbps
// (real libvpx frames looped, when sfu.mjs could encode them with ffmpeg; else synthetic frames),
// paced in 10 ms ticks) and the receive side of every consumer (one UDP sink per session, counting the
// packets of each consumer SSRC and their sequence numbers, so loss = 1 − received / expected per
// consumer). Optionally SRTP-protects what it sends (AES_CM_128_HMAC_SHA1_80 or AEAD_AES_*_GCM,
// RFC 3711 / RFC 7714), as a browser does; what it receives is only counted, never decrypted.
import { createCipheriv, createHmac } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';

const TICK_MS = 10;
const MAX_PAYLOAD = 1200; // RTP payload bytes per packet, VP8 payload descriptor included
const VIDEO_BPS = Number(process.env.BENCH_SFU_VIDEO_BPS ?? 600_000);
const FPS = 30;
const GOP = 2 * FPS; // a key frame every 2 s (and at once on PLI / FIR)
const KEY_BYTES = Math.round((VIDEO_BPS / 8) * 0.2); // 10 % of the 2 s budget: ~15 kB at 600 kbps
const DELTA_BYTES = Math.round(((VIDEO_BPS / 8) * (GOP / FPS) - KEY_BYTES) / (GOP - 1));
const AUDIO_PAYLOAD = 80; // opus 32 kbps, 20 ms frames
const FILLER = Buffer.alloc(MAX_PAYLOAD + 64, 0x5a);
// Real VP8 frames (an IVF file encoded by libvpx, looped; frame 0 is a key frame), or synthetic
// frames of the sizes above when there is none.
const FRAMES = process.env.BENCH_SFU_VP8_IVF ? readIvf(process.env.BENCH_SFU_VP8_IVF) : null;

function readIvf(file) {
  const b = fs.readFileSync(file);
  const frames = [];
  for (let o = b.readUInt16LE(6); o + 12 <= b.length;) {
    const n = b.readUInt32LE(o);
    const data = b.subarray(o + 12, o + 12 + n);
    frames.push({ data, key: (data[0] & 0x01) === 0 });
    o += 12 + n;
  }
  if (!frames.length || !frames[0].key) throw new Error(`${file}: no VP8 key frame first`);
  return frames;
}

const sessions = new Map();
const parties = []; // every sending party: { socket, streams: [audio, video], srtp }
let lagMax = 0;

// ---- SRTP (sender side only) ----------------------------------------------------------------
function kdf(alg, masterKey, masterSalt, label, len) {
  const iv = Buffer.alloc(16);
  masterSalt.copy(iv, 0); // a 96-bit (GCM) salt is zero-padded to 112 bits, as libsrtp does
  iv[7] ^= label;
  return createCipheriv(alg, masterKey, iv).update(Buffer.alloc(len));
}
function srtpContext({ cryptoSuite, keyBase64 }) {
  const master = Buffer.from(keyBase64, 'base64');
  if (cryptoSuite.startsWith('AES_CM_128_HMAC_SHA1_')) {
    const key = master.subarray(0, 16);
    const salt = master.subarray(16, 30);
    const tagLen = cryptoSuite.endsWith('_80') ? 10 : 4;
    const encKey = kdf('aes-128-ctr', key, salt, 0, 16);
    const authKey = kdf('aes-128-ctr', key, salt, 1, 20);
    const sessSalt = kdf('aes-128-ctr', key, salt, 2, 14);
    return (header, payload, ssrc, roc, seq) => {
      const iv = Buffer.alloc(16);
      sessSalt.copy(iv, 0);
      iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
      iv.writeUInt32BE((iv.readUInt32BE(8) ^ roc) >>> 0, 8);
      iv.writeUInt16BE(iv.readUInt16BE(12) ^ seq, 12);
      const enc = createCipheriv('aes-128-ctr', encKey, iv).update(payload);
      const rocBuf = Buffer.alloc(4);
      rocBuf.writeUInt32BE(roc);
      const tag = createHmac('sha1', authKey).update(header).update(enc).update(rocBuf).digest().subarray(0, tagLen);
      return Buffer.concat([header, enc, tag]);
    };
  }
  const bits = cryptoSuite === 'AEAD_AES_256_GCM' ? 256 : 128;
  const key = master.subarray(0, bits / 8);
  const salt = master.subarray(bits / 8, bits / 8 + 12);
  const encKey = kdf(`aes-${bits}-ctr`, key, salt, 0, bits / 8);
  const sessSalt = kdf(`aes-${bits}-ctr`, key, salt, 2, 12);
  return (header, payload, ssrc, roc, seq) => {
    const iv = Buffer.alloc(12);
    iv.writeUInt32BE(ssrc, 2);
    iv.writeUInt32BE(roc, 6);
    iv.writeUInt16BE(seq, 10);
    for (let i = 0; i < 12; i++) iv[i] ^= sessSalt[i];
    const c = createCipheriv(`aes-${bits}-gcm`, encKey, iv);
    c.setAAD(header);
    const enc = c.update(payload);
    c.final();
    return Buffer.concat([header, enc, c.getAuthTag()]);
  };
}

// ---- senders ------------------------------------------------------------------------------------
function rtpHeader(s, marker) {
  const h = Buffer.allocUnsafe(12);
  h[0] = 0x80;
  h[1] = (marker ? 0x80 : 0) | s.pt;
  h.writeUInt16BE(s.index & 0xffff, 2);
  h.writeUInt32BE(s.ts >>> 0, 4);
  h.writeUInt32BE(s.ssrc, 8);
  return h;
}

function sendPacket(party, s, header, payload) {
  const pkt = party.protect
    ? party.protect(header, payload, s.ssrc, Math.floor(s.index / 65536), s.index & 0xffff)
    : Buffer.concat([header, payload]);
  s.index++;
  s.sent++;
  s.bytes += pkt.length;
  party.socket.send(pkt);
}

function sendAudio(party, s) {
  const payload = Buffer.from(FILLER.subarray(0, AUDIO_PAYLOAD));
  payload[0] = 0x78; // opus TOC: hybrid fullband 20 ms, mono, one frame
  sendPacket(party, s, rtpHeader(s, false), payload);
  s.ts += 960;
}

function sendVideoFrame(party, s) {
  if (FRAMES) {
    if (s.forceKey) s.frame = 0;
    s.forceKey = false;
    const { data } = FRAMES[s.frame++ % FRAMES.length];
    const n = Math.ceil(data.length / (MAX_PAYLOAD - 4));
    const per = Math.ceil(data.length / n);
    s.pictureId = (s.pictureId + 1) & 0x7fff;
    for (let k = 0; k < n; k++) {
      const chunk = data.subarray(k * per, (k + 1) * per);
      const payload = Buffer.allocUnsafe(4 + chunk.length);
      payload[0] = k === 0 ? 0x90 : 0x80;
      payload[1] = 0x80;
      payload[2] = 0x80 | (s.pictureId >> 8);
      payload[3] = s.pictureId & 0xff;
      chunk.copy(payload, 4);
      sendPacket(party, s, rtpHeader(s, k === n - 1), payload);
    }
    s.ts += 90000 / FPS;
    return;
  }
  const key = s.forceKey || s.frame % GOP === 0;
  if (key) {
    s.forceKey = false;
    s.frame = 0;
  }
  s.frame++;
  const bytes = key ? KEY_BYTES : DELTA_BYTES;
  const n = Math.ceil(bytes / (MAX_PAYLOAD - 4));
  const per = Math.ceil(bytes / n);
  s.pictureId = (s.pictureId + 1) & 0x7fff;
  for (let k = 0; k < n; k++) {
    const payload = Buffer.from(FILLER.subarray(0, per + 4));
    // VP8 payload descriptor as Chrome writes it for one stream: X, S on the first packet of a
    // frame, partition 0; I with a 15-bit picture ID
    payload[0] = k === 0 ? 0x90 : 0x80;
    payload[1] = 0x80;
    payload[2] = 0x80 | (s.pictureId >> 8);
    payload[3] = s.pictureId & 0xff;
    if (k === 0) {
      // VP8 frame tag: P (inverse key frame) bit, version 0, show_frame, first partition size
      const tag = (key ? 0 : 1) | (1 << 4) | ((per - 10) << 5);
      payload[4] = tag & 0xff;
      payload[5] = (tag >> 8) & 0xff;
      payload[6] = (tag >> 16) & 0xff;
      if (key) {
        payload.set([0x9d, 0x01, 0x2a, 640 & 0xff, 640 >> 8, 480 & 0xff, 480 >> 8], 7); // start code, 640×480
      }
    }
    sendPacket(party, s, rtpHeader(s, k === n - 1), payload);
  }
  s.ts += 90000 / FPS;
}

function tick() {
  const now = performance.now();
  for (const party of parties) {
    for (const s of party.streams) {
      if (s.next <= now) lagMax = Math.max(lagMax, now - s.next);
      while (s.next <= now) {
        if (s.kind === 'audio') sendAudio(party, s);
        else sendVideoFrame(party, s);
        s.next += s.interval;
      }
    }
  }
}
setInterval(tick, TICK_MS);

function isKeyFrameRequest(msg, ssrc) {
  // compound RTCP: PSFB (206) FMT 1 = PLI, FMT 4 = FIR; media source SSRC at offset 8 (PLI)
  for (let off = 0; off + 12 <= msg.length;) {
    const pt = msg[off + 1];
    const fmt = msg[off] & 0x1f;
    if (pt === 206 && (fmt === 1 || fmt === 4)) {
      if (fmt === 4 || msg.readUInt32BE(off + 8) === ssrc) return true;
    }
    off += (msg.readUInt16BE(off + 2) + 1) * 4;
  }
  return false;
}

async function startParty({ port, srtp, streams }) {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  await new Promise((resolve) => socket.connect(port, '127.0.0.1', resolve));
  const now = performance.now();
  const party = {
    socket,
    protect: srtp ? srtpContext(srtp) : null,
    streams: streams.map((st) => ({
      ...st,
      index: Math.floor(Math.random() * 1000),
      ts: Math.floor(Math.random() * 2 ** 31),
      frame: 0,
      pictureId: Math.floor(Math.random() * 0x7fff),
      forceKey: false,
      interval: st.kind === 'audio' ? 20 : 1000 / FPS,
      next: now + Math.random() * (st.kind === 'audio' ? 20 : 1000 / FPS),
      sent: 0,
      bytes: 0,
      markSent: 0,
      markBytes: 0,
    })),
  };
  // the worker's RTCP to this party (receiver reports, PLI): a key frame on PLI / FIR (SRTCP when
  // SRTP is on: not parsed, the regular key frames every 2 s do)
  const video = party.streams.find((s) => s.kind === 'video');
  socket.on('message', (msg) => {
    if (!party.protect && video && isKeyFrameRequest(msg, video.ssrc)) video.forceKey = true;
  });
  socket.on('error', () => {});
  parties.push(party);
  return party;
}

// ---- sinks --------------------------------------------------------------------------------------
async function openSink() {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  const streams = new Map();
  socket.on('message', (m) => {
    if (m.length < 12) return;
    const pt = m[1] & 0x7f;
    if (pt >= 72 && pt <= 79) return; // RTCP (rtcp-mux)
    const ssrc = m.readUInt32BE(8);
    const seq = (m[2] << 8) | m[3];
    let s = streams.get(ssrc);
    if (!s) {
      s = { count: 0, last: seq, ext: seq, first: seq, markCount: 0, markExt: null };
      streams.set(ssrc, s);
    } else {
      const d = (seq - s.last) & 0xffff;
      if (d < 0x8000) {
        s.ext += d;
        s.last = seq;
      }
    }
    s.count++;
  });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, streams };
}

// ---- IPC ----------------------------------------------------------------------------------------
async function handle(msg) {
  switch (msg.cmd) {
    case 'sink': {
      const sink = await openSink();
      sessions.set(msg.session, { sink, parties: [] });
      return { port: sink.socket.address().port };
    }
    case 'start': {
      const session = sessions.get(msg.session);
      for (const p of msg.parties) session.parties.push(await startParty(p));
      return {};
    }
    case 'mark': {
      lagMax = 0;
      for (const { sink } of sessions.values())
        for (const s of sink.streams.values()) {
          s.markCount = s.count;
          s.markExt = s.ext;
        }
      for (const party of parties)
        for (const s of party.streams) {
          s.markSent = s.sent;
          s.markBytes = s.bytes;
        }
      return {};
    }
    case 'report': {
      // per consumer SSRC: [ssrc, received, expected] since the mark; per producer SSRC: [ssrc, sent, bytes]
      const received = [];
      for (const { sink } of sessions.values())
        for (const [ssrc, s] of sink.streams) {
          const expected = s.markExt === null ? s.ext - s.first + 1 : s.ext - s.markExt;
          received.push([ssrc, s.count - s.markCount, expected]);
        }
      const sent = [];
      for (const party of parties)
        for (const s of party.streams) sent.push([s.ssrc, s.sent - s.markSent, s.bytes - s.markBytes]);
      return { received, sent, lagMax };
    }
    case 'close': {
      for (const { sink } of sessions.values()) sink.socket.close();
      for (const party of parties) party.socket.close();
      setImmediate(() => process.exit(0));
      return {};
    }
    default:
      throw new Error(`unknown command ${msg.cmd}`);
  }
}

process.on('message', (msg) => {
  handle(msg).then(
    (res) => process.send({ id: msg.id, ...res }),
    (err) => process.send({ id: msg.id, error: String(err?.stack ?? err) }),
  );
});
process.on('disconnect', () => process.exit(0));
