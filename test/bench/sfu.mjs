// Concurrent witness sessions on one mediasoup worker (`npm run bench -- sfu`). Each session is
// what a witness call puts on the SFU: one router (the codecs of sfu/src/codecs.ts, from
// @kaihu/sfu's worker pool), the customer and the agent each producing opus + VP8 on a send
// transport, each party consuming the other's audio + video on a receive transport, and (in the
// "recording" scenario) one recording consumer per produced stream on its own PlainTransport, as
// sfu/src/recorder.ts feeds ffmpeg. All transports are PlainTransports over 127.0.0.1: the load
// generator (sfu-load.mjs, child processes) sends RTP at 32 kbps opus / 600 kbps VP8 and counts,
// per consumer SSRC, what reaches its UDP sinks. The sessions are ramped up in steps; at each step
// the worker's CPU (utime + stime from /proc over a hold of HOLD_MS), its RSS and the loss at the
// sinks are taken. Also: the same without recording (baseline), sessions without media (idle),
// recording consumers with the router's full capabilities (fullcaps), SRTP on the parties'
// transports (srtp), one real ffmpeg recorder (ffmpeg), and a perf profile of the worker.
//
// Environment: KAIHU_MEDIASOUP_WORKER_BIN (the worker binary, see sfu/src/worker-bin.ts),
// BENCH_SFU_STEPS (JSON array of session counts), BENCH_SFU_HOLD_MS, BENCH_SFU_WARMUP_MS,
// BENCH_SFU_PIN=0 (don't pin the worker to core 0 and the generators to core 1),
// BENCH_SFU_SCENARIOS (comma list of recording,baseline,idle,fullcaps,srtp,ffmpeg),
// BENCH_SFU_SYNTHETIC=1 (synthetic VP8 frames instead of libvpx's), BENCH_SFU_PROFILE_AT (sessions
// profiled with perf; 0: none), BENCH_SFU_SRTP_SESSIONS, BENCH_SFU_SRTP_SUITES,
// BENCH_SFU_FULLCAPS_STEPS, BENCH_SFU_WAIT_QUIET_MS (how long to wait at the start for other work
// on the machine to calm down).
import { execSync, fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, fmt } from './lib.mjs';

const STEPS = JSON.parse(process.env.BENCH_SFU_STEPS ?? '[10, 25, 50, 75, 100, 125, 150]');
const HOLD_MS = Number(process.env.BENCH_SFU_HOLD_MS ?? 10000);
const WARMUP_MS = Number(process.env.BENCH_SFU_WARMUP_MS ?? 3000);
const GENERATORS = 2;
const PIN = process.env.BENCH_SFU_PIN !== '0' && os.cpus().length >= 2;
const SCENARIOS = (process.env.BENCH_SFU_SCENARIOS ?? 'recording,baseline,idle,fullcaps,srtp,ffmpeg').split(',');
const FULLCAPS_STEPS = JSON.parse(process.env.BENCH_SFU_FULLCAPS_STEPS ?? '[50]');
const SRTP_SESSIONS = Number(process.env.BENCH_SFU_SRTP_SESSIONS ?? 50);
const SRTP_SUITES = JSON.parse(process.env.BENCH_SFU_SRTP_SUITES ?? '["AEAD_AES_256_GCM"]'); // AES_CM_128_HMAC_SHA1_80 also works
const PROFILE_AT = Number(process.env.BENCH_SFU_PROFILE_AT ?? 50); // sessions of the recording ramp profiled with perf (0: none)
const PROFILE_S = 5;
const NOISE_LIMIT = 0.1;
const RETRY_BEFORE_MS = 270_000; // no re-measuring after this much of the run (keeps it < ~6 min)
let STARTED = Date.now();
const CPU_LIMIT = 0.8;
const LOSS_LIMIT = 0.01;
const CLK_TCK = 100;

const AUDIO_PT = 100;
const VIDEO_PT = 101;
const PLAIN = { listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true };
const PRODUCE = {
  audio: {
    mimeType: 'audio/opus',
    payloadType: AUDIO_PT,
    clockRate: 48000,
    channels: 2,
    parameters: {},
    rtcpFeedback: [],
  },
  video: {
    mimeType: 'video/VP8',
    payloadType: VIDEO_PT,
    clockRate: 90000,
    parameters: {},
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
  },
};

// ---- processes ----------------------------------------------------------------------------------
function procCpu(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: (Number(f[11]) * 1000) / CLK_TCK, sys: (Number(f[12]) * 1000) / CLK_TCK };
}
function rssMiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}
/** Busy and total jiffies of each core (cpu0, cpu1, …). */
function coreTimes() {
  return fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d/.test(l))
    .map((l) => {
      const v = l.split(/\s+/).slice(1).map(Number);
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
      return { busy: total - v[3] - v[4], total };
    });
}
/** Datagrams the kernel dropped (receive buffer full) per local UDP port, from /proc/net/udp. */
function udpDrops() {
  const drops = new Map();
  for (const line of fs.readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const port = parseInt(f[1].split(':')[1], 16);
    drops.set(port, (drops.get(port) ?? 0) + Number(f[12]));
  }
  return drops;
}
const sumPorts = (drops, ports) => [...ports].reduce((a, p) => a + (drops.get(p) ?? 0), 0);

function startGenerator() {
  const child = fork(path.join(ROOT, 'test/bench/sfu-load.mjs'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let next = 0;
  child.on('message', (m) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(m.error));
    else p.resolve(m);
  });
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`load generator exited ${code}`));
    pending.clear();
  });
  const call = (cmd, args = {}) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      child.send({ id, cmd, ...args });
    });
  return { child, call };
}

async function stopGenerator(gen) {
  if (gen.child.exitCode !== null || gen.child.signalCode !== null) return;
  const exited = new Promise((r) => gen.child.once('exit', r));
  await Promise.race([gen.call('close').catch(() => {}), sleep(2000)]);
  const timer = setTimeout(() => gen.child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

const srtpKey = (cryptoSuite) => ({
  cryptoSuite,
  keyBase64: randomBytes(
    cryptoSuite.startsWith('AEAD_AES_256') ? 44 : cryptoSuite.startsWith('AEAD_AES_128') ? 28 : 30,
  ).toString('base64'),
});

// ---- one scenario: a worker, generators, sessions ramped up in steps ------------------------------
async function openBench({ srtp = null } = {}) {
  const { createWorkerPool } = await import(path.join(ROOT, 'sfu/dist/index.js'));
  const pool = await createWorkerPool({ workers: 1, logLevel: 'error' });
  const [{ pid }] = await pool.stats();
  const gens = Array.from({ length: GENERATORS }, startGenerator);
  if (PIN) {
    // the worker gets core 0 to itself; the load generators (and this process) run on core 1
    execSync(`taskset -a -p -c 0 ${pid}`, { stdio: 'ignore' });
    for (const g of gens) execSync(`taskset -a -p -c 1 ${g.child.pid}`, { stdio: 'ignore' });
  }
  return {
    pool,
    pid,
    gens,
    srtp,
    sessions: [],
    added: 0,
    consumers: new Map(), // consumer SSRC -> { role, kind, producerSsrc, session }
    producers: [],
    workerPorts: new Set(),
    sinkPorts: new Set(),
    async close() {
      await Promise.all(gens.map(stopGenerator));
      await pool.close();
    },
  };
}

/**
 * Adds one witness session. `recordTo`: UDP ports of an external recorder for the 4 recording
 * consumers (else they go to the session's sink); `recording: false` leaves them out.
 */
async function addSession(bench, { recording, recordTo, recorderFullCaps = false, idle = false } = {}) {
  const i = bench.added++;
  const gen = bench.gens[i % bench.gens.length];
  const router = await bench.pool.routerFor(`witness-${i}`);
  const sink = await gen.call('sink', { session: i });
  bench.sinkPorts.add(sink.port);
  const parties = {};
  for (const [p, name] of ['customer', 'agent'].entries()) {
    const send = await router.createPlainTransport({
      ...PLAIN,
      comedia: true,
      ...(bench.srtp ? { enableSrtp: true, srtpCryptoSuite: bench.srtp } : {}),
    });
    const srtp = bench.srtp ? srtpKey(bench.srtp) : null;
    if (srtp) await send.connect({ srtpParameters: srtp });
    bench.workerPorts.add(send.tuple.localPort);
    const producers = {};
    const streams = [];
    for (const kind of ['audio', 'video']) {
      const ssrc = 0x10000000 + i * 16 + p * 4 + (kind === 'video' ? 1 : 0);
      producers[kind] = await send.produce({
        kind,
        rtpParameters: { codecs: [PRODUCE[kind]], encodings: [{ ssrc }] },
        appData: { ssrc },
      });
      bench.producers.push(producers[kind]);
      streams.push({ kind, ssrc, pt: PRODUCE[kind].payloadType });
    }
    parties[name] = { send, producers, start: { port: send.tuple.localPort, srtp, streams } };
  }
  const consume = async (transport, producer, role, rtpCapabilities = router.rtpCapabilities, extra = {}) => {
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, ...extra });
    bench.consumers.set(consumer.rtpParameters.encodings[0].ssrc, {
      role,
      kind: consumer.kind,
      producerSsrc: producer.appData.ssrc,
      session: i,
    });
    return consumer;
  };
  for (const other of ['agent', 'customer']) {
    const recv = await router.createPlainTransport({
      ...PLAIN,
      comedia: false,
      ...(bench.srtp ? { enableSrtp: true, srtpCryptoSuite: bench.srtp } : {}),
    });
    await recv.connect({
      ip: '127.0.0.1',
      port: sink.port,
      ...(bench.srtp ? { srtpParameters: srtpKey(bench.srtp) } : {}),
    });
    bench.workerPorts.add(recv.tuple.localPort);
    for (const kind of ['audio', 'video']) await consume(recv, parties[other].producers[kind], 'party');
  }
  if (recording) {
    let k = 0;
    for (const name of ['customer', 'agent'])
      for (const kind of ['audio', 'video']) {
        // as sfu/src/recorder.ts does: the recorder is local, a plain (unencrypted) transport per
        // track (ffmpeg reads one port per m-line), rtcp-mux off with the RTCP going to a sink
        const rec = await router.createPlainTransport({ ...PLAIN, rtcpMux: false, comedia: false });
        await rec.connect({ ip: '127.0.0.1', port: recordTo ? recordTo[k] : sink.port, rtcpPort: sink.port });
        bench.workerPorts.add(rec.tuple.localPort);
        const producer = parties[name].producers[kind];
        const consumer = await consume(
          rec,
          producer,
          'recording',
          recorderFullCaps ? router.rtpCapabilities : recorderCaps(router, producer),
          { enableRtx: false },
        );
        if (recordTo)
          parties[name][`record${kind}`] = {
            port: recordTo[k],
            payloadType: consumer.rtpParameters.codecs[0].payloadType,
          };
        k++;
      }
  }
  if (!idle) await gen.call('start', { session: i, parties: [parties.customer.start, parties.agent.start] });
  bench.sessions.push({ router, parties });
  return bench.sessions.at(-1);
}

/**
 * What the recorder (sfu/src/recorder.ts, `plainRtpCapabilities` of sfu/src/ffmpeg.ts) consumes
 * with: the router's codec of the producer's mime type only, no header extensions. Without the
 * transport-cc and abs-send-time extensions mediasoup runs no bandwidth estimator for the consumer.
 */
function recorderCaps(router, producer) {
  const mime = producer.rtpParameters.codecs[0].mimeType.toLowerCase();
  return {
    codecs: router.rtpCapabilities.codecs.filter((c) => c.mimeType.toLowerCase() === mime),
    headerExtensions: [],
  };
}

/**
 * measure(), again (once, without another warm-up) when other work on the machine used more than
 * NOISE_LIMIT of the worker's core during the hold; the quieter measurement is kept.
 */
async function measureQuiet(bench, label, extraPids = []) {
  let r = await measure(bench, extraPids);
  if (r.noise > NOISE_LIMIT && Date.now() - STARTED < RETRY_BEFORE_MS) {
    log(`${label} (noisy: ${fmt(r.noise * 100)} % of core 0 used by other work; measuring again)`, r);
    await waitQuiet([bench.pid, ...bench.gens.map((g) => g.child.pid), ...extraPids], 30_000);
    const again = await measure(bench, extraPids, false);
    again.retried = true;
    if (again.noise < r.noise) r = again;
    else r.retried = true;
  }
  return r;
}

/**
 * Waits (at most `timeoutMs`) until other work on the machine, i.e. the busy time of all cores
 * minus that of `pids` and of this process, stays under 15 % of a core for 2 s.
 */
async function waitQuiet(pids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mine = () =>
      pids.reduce((a, pid) => a + (fs.existsSync(`/proc/${pid}`) ? procCpu(pid).user + procCpu(pid).sys : 0), 0);
    const c0 = coreTimes();
    const m0 = mine();
    const p0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(2000);
    const c1 = coreTimes();
    const wall = performance.now() - t0;
    const cores = c1.reduce((a, c, k) => a + (c.busy - c0[k].busy) / (c.total - c0[k].total), 0);
    const p1 = process.cpuUsage(p0);
    const others = cores - (mine() - m0) / wall - (p1.user + p1.system) / 1000 / wall;
    if (others < 0.15) return true;
    if (Date.now() > deadline) {
      process.stdout.write(`  sfu: other work still uses ${fmt(others * 100, 0)} % of a core; going on\n`);
      return false;
    }
  }
}

/** Adds sessions, 10 at a time, until there are `n`. */
async function addSessions(bench, n, options) {
  while (bench.added < n)
    await Promise.all(Array.from({ length: Math.min(10, n - bench.added) }, () => addSession(bench, options)));
}

/** Holds the current sessions for HOLD_MS and measures. */
async function measure(bench, extraPids = [], warmup = true) {
  const gens = bench.gens;
  if (warmup) await sleep(WARMUP_MS);
  const drops0 = udpDrops();
  await Promise.all(gens.map((g) => g.call('mark')));
  const t0 = performance.now();
  const w0 = procCpu(bench.pid);
  const g0 = gens.map((g) => procCpu(g.child.pid));
  const x0 = extraPids.map(procCpu);
  const m0 = process.cpuUsage();
  const c0 = coreTimes();
  await sleep(HOLD_MS);
  const wall = performance.now() - t0;
  const w1 = procCpu(bench.pid);
  const g1 = gens.map((g) => procCpu(g.child.pid));
  const x1 = extraPids.map(procCpu);
  const m1 = process.cpuUsage(m0);
  const c1 = coreTimes();
  const reports = await Promise.all(gens.map((g) => g.call('report')));
  const drops1 = udpDrops();

  // loss per consumer: sequence-number gaps at the sink (a consumer that sent nothing counts
  // its producer's packets as lost)
  const sent = new Map();
  for (const r of reports) for (const [ssrc, n, bytes] of r.sent) sent.set(ssrc, { n, bytes });
  const recv = new Map();
  for (const r of reports) for (const [ssrc, n, expected] of r.received) recv.set(ssrc, { n, expected });
  const loss = { party: { n: 0, expected: 0 }, recording: { n: 0, expected: 0 } };
  let silent = 0;
  let worstConsumer = 0;
  for (const [ssrc, c] of bench.consumers) {
    const r = recv.get(ssrc);
    const expected = r && r.expected > 0 ? r.expected : (sent.get(c.producerSsrc)?.n ?? 0);
    const n = r ? Math.min(r.n, expected) : 0;
    if (!n) silent++;
    if (expected) worstConsumer = Math.max(worstConsumer, 1 - n / expected);
    loss[c.role].n += n;
    loss[c.role].expected += expected;
  }
  const total = { n: loss.party.n + loss.recording.n, expected: loss.party.expected + loss.recording.expected };
  let videoBytes = 0;
  let videoStreams = 0;
  let packetsIn = 0;
  for (const s of sent.values()) packetsIn += s.n;
  for (const p of bench.producers)
    if (p.kind === 'video') {
      videoBytes += sent.get(p.appData.ssrc)?.bytes ?? 0;
      videoStreams++;
    }
  const sec = wall / 1000;
  const cpu = (a, b) => (b.user + b.sys - a.user - a.sys) / wall;
  return {
    sessions: bench.sessions.length,
    consumers: bench.consumers.size,
    transports: bench.workerPorts.size,
    wall,
    workerCpu: cpu(w0, w1),
    workerUser: (w1.user - w0.user) / wall,
    workerSys: (w1.sys - w0.sys) / wall,
    rss: rssMiB(bench.pid),
    ppsIn: packetsIn / sec,
    ppsOut: total.n / sec,
    videoKbps: videoStreams ? (videoBytes * 8) / sec / 1000 / videoStreams : 0,
    loss: total.expected ? 1 - total.n / total.expected : 0,
    lossParty: loss.party.expected ? 1 - loss.party.n / loss.party.expected : 0,
    lossRecording: loss.recording.expected ? 1 - loss.recording.n / loss.recording.expected : 0,
    worstConsumer,
    silent,
    // where packets were dropped by the kernel (receive buffer full): at the worker's sockets, at the sinks'
    workerSocketDrops: sumPorts(drops1, bench.workerPorts) - sumPorts(drops0, bench.workerPorts),
    sinkSocketDrops: sumPorts(drops1, bench.sinkPorts) - sumPorts(drops0, bench.sinkPorts),
    genCpu: g0.reduce((a, g, k) => a + cpu(g, g1[k]), 0),
    mainCpu: (m1.user + m1.system) / 1000 / wall,
    extraCpu: x0.map((x, k) => cpu(x, x1[k])),
    cores: c1.map((c, k) => (c.busy - c0[k].busy) / (c.total - c0[k].total)),
    // core 0 is the worker's (pinned): whatever else ran there is other work on the machine
    noise: PIN
      ? Math.max(
          0,
          (c1[0].busy - c0[0].busy) / (c1[0].total - c0[0].total) - (w1.user + w1.sys - w0.user - w0.sys) / wall,
        )
      : 0,
    lagMax: Math.max(...reports.map((r) => r.lagMax)),
    load: os.loadavg()[0],
  };
}

function log(label, r) {
  process.stdout.write(
    `  sfu ${label}: ${r.sessions} sessions, ${r.consumers} consumers: worker ${fmt(r.workerCpu * 100)} % (user ${fmt(r.workerUser * 100)}, sys ${fmt(r.workerSys * 100)}), ` +
      `RSS ${fmt(r.rss, 0)} MiB, in ${fmt(r.ppsIn, 0)} pps, out ${fmt(r.ppsOut, 0)} pps, video ${fmt(r.videoKbps, 0)} kbps, loss ${fmt(r.loss * 100, 3)} % ` +
      `(drops worker ${r.workerSocketDrops} / sinks ${r.sinkSocketDrops}, silent ${r.silent}), ` +
      `generators ${fmt(r.genCpu * 100)} %, main ${fmt(r.mainCpu * 100)} %, cores ${r.cores.map((c) => fmt(c * 100, 0)).join('/')} %, lag ${fmt(r.lagMax, 0)} ms, others on core 0 ${fmt(r.noise * 100)} %, load ${fmt(r.load, 2)}, setup ${fmt((r.setupMs ?? 0) / 1000)} s of ${fmt((r.stepMs ?? 0) / 1000)} s\n`,
  );
}

async function ramp(label, { recording, recorderFullCaps = false, idle = false, steps = STEPS, profileDir }) {
  const bench = await openBench();
  const rows = [];
  try {
    for (const n of steps) {
      const t = performance.now();
      await addSessions(bench, n, { recording, recorderFullCaps, idle });
      const setup = performance.now() - t;
      const r = await measureQuiet(bench, label);
      r.setupMs = setup;
      r.stepMs = performance.now() - t;
      log(label, r);
      rows.push(r);
      if (profileDir && n === PROFILE_AT && r.loss < LOSS_LIMIT) {
        rows.profile = profileWorker(bench.pid, PROFILE_S, profileDir);
        if (rows.profile) rows.profile.sessions = n;
        process.stdout.write(`  sfu profile at ${n} sessions: ${JSON.stringify(rows.profile)}\n`);
      }
      if (r.workerCpu >= 0.95 || r.loss > 0.05) break;
    }
  } finally {
    await bench.close();
  }
  return rows;
}

async function srtpCompare(profileDir) {
  const rows = [];
  for (const suite of [null, ...SRTP_SUITES]) {
    const bench = await openBench({ srtp: suite });
    try {
      await addSessions(bench, SRTP_SESSIONS, { recording: true });
      const r = { suite, ...(await measureQuiet(bench, `srtp ${suite ?? 'off'}`)) };
      log(`srtp ${suite ?? 'off'}`, r);
      rows.push(r);
      if (suite === SRTP_SUITES[0] && PROFILE_AT) {
        r.profile = profileWorker(bench.pid, PROFILE_S, profileDir);
        process.stdout.write(`  sfu profile with ${suite}: ${JSON.stringify(r.profile)}\n`);
      }
    } finally {
      await bench.close();
    }
  }
  return rows;
}

/** Two free consecutive UDP ports (RTP, and the RTCP port ffmpeg also binds) at an even number. */
async function freePortPair(avoid) {
  for (;;) {
    const port = 20000 + 2 * Math.floor(Math.random() * 10000);
    if (avoid.has(port)) continue;
    const ok = await Promise.all(
      [port, port + 1].map(
        (p) =>
          new Promise((resolve) => {
            const s = dgram.createSocket('udp4');
            s.once('error', () => resolve(false));
            s.bind(p, '127.0.0.1', () => s.close(() => resolve(true)));
          }),
      ),
    );
    if (ok.every(Boolean)) {
      avoid.add(port);
      return port;
    }
  }
}

/** The CPU of one real recorder: ffmpeg writing one session's 4 recording consumers (-c copy). */
async function ffmpegRecorder() {
  if (spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-bench-sfu-'));
  const ports = [];
  const used = new Set();
  for (let k = 0; k < 4; k++) ports.push(await freePortPair(used));
  const bench = await openBench();
  let ffmpeg;
  try {
    // the router's payload types, known before any consumer exists
    const router = await bench.pool.routerFor('probe');
    const pt = (mime) => router.rtpCapabilities.codecs.find((c) => c.mimeType === mime).preferredPayloadType;
    bench.pool.closeRouter('probe');
    const m = (kind, port) =>
      kind === 'audio'
        ? [`m=audio ${port} RTP/AVP ${pt('audio/opus')}`, `a=rtpmap:${pt('audio/opus')} opus/48000/2`]
        : [`m=video ${port} RTP/AVP ${pt('video/VP8')}`, `a=rtpmap:${pt('video/VP8')} VP8/90000`];
    const sdp = [
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      's=witness',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      ...m('audio', ports[0]),
      ...m('video', ports[1]),
      ...m('audio', ports[2]),
      ...m('video', ports[3]),
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'witness.sdp'), sdp);
    // as sfu/src/recorder.ts runs it: one ffmpeg per session, each track to its own Matroska file
    const outs = [0, 1, 2, 3].map((k) => path.join(dir, `track${k}.mkv`));
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-i',
      path.join(dir, 'witness.sdp'),
    ];
    outs.forEach((out, k) => args.push('-map', `0:${k}`, '-c', 'copy', '-y', out));
    let stderr = '';
    ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    ffmpeg.stderr.on('data', (d) => (stderr += d));
    if (PIN) execSync(`taskset -a -p -c 1 ${ffmpeg.pid}`, { stdio: 'ignore' });
    await sleep(1000); // listening
    await addSession(bench, { recording: true, recordTo: ports });
    const exitedEarly = new Promise((res) =>
      ffmpeg.once('exit', () => res(new Error(`ffmpeg exited early: ${stderr.slice(0, 300)}`))),
    );
    const r = await Promise.race([measure(bench, [ffmpeg.pid]).catch((e) => e), exitedEarly]);
    if (r instanceof Error) {
      process.stdout.write(`  sfu ffmpeg: ${r.message}\n`);
      return null;
    }
    r.ffmpegCpu = r.extraCpu[0];
    r.ffmpegRss = rssMiB(ffmpeg.pid);
    const exited = new Promise((res) => ffmpeg.once('exit', res));
    ffmpeg.kill('SIGINT'); // finishes the file
    await Promise.race([exited, sleep(5000)]);
    r.fileBytes = outs.reduce((a, out) => a + (fs.existsSync(out) ? fs.statSync(out).size : 0), 0);
    r.fileKbps = (r.fileBytes * 8) / ((WARMUP_MS + HOLD_MS) / 1000) / 1000;
    r.ffmpegErrors = stderr.trim().split('\n').filter(Boolean).slice(0, 3);
    process.stdout.write(
      `  sfu ffmpeg: ${fmt(r.ffmpegCpu * 100)} % CPU, RSS ${fmt(r.ffmpegRss, 0)} MiB, ${r.fileBytes} bytes written${stderr ? `; stderr: ${stderr.slice(0, 300)}` : ''}\n`,
    );
    return r;
  } finally {
    if (ffmpeg && ffmpeg.exitCode === null && ffmpeg.signalCode === null) ffmpeg.kill('SIGKILL');
    await bench.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- analysis and write-up ------------------------------------------------------------------------
/** Least squares of worker CPU (ms per s) over sessions, for the steps without loss. */
function fit(rows) {
  const pts = rows
    .filter((r) => r.loss < LOSS_LIMIT && r.workerCpu < 0.95)
    .map((r) => [r.sessions, r.workerCpu * 1000]);
  if (pts.length < 2) return null;
  const n = pts.length;
  const mx = pts.reduce((a, [x]) => a + x, 0) / n;
  const my = pts.reduce((a, [, y]) => a + y, 0) / n;
  const slope = pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return { slope, intercept: my - slope * mx };
}

/** Sessions at which the worker reaches 80 % of a core or the loss 1 %, interpolated between steps. */
function limit(rows) {
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (r.workerCpu < CPU_LIMIT && r.loss < LOSS_LIMIT) continue;
    const prev = rows[k - 1] ?? { sessions: 0, workerCpu: 0, loss: 0 };
    const by = r.workerCpu >= CPU_LIMIT ? 'cpu' : 'loss';
    const [a, b, lim] = by === 'cpu' ? [prev.workerCpu, r.workerCpu, CPU_LIMIT] : [prev.loss, r.loss, LOSS_LIMIT];
    const at = prev.sessions + ((lim - a) / (b - a)) * (r.sessions - prev.sessions);
    return {
      sessions: Math.max(prev.sessions, Math.min(r.sessions, at)),
      by,
      between: [prev.sessions, r.sessions],
      extrapolated: false,
    };
  }
  const f = fit(rows);
  if (!f) return null;
  return { sessions: (CPU_LIMIT * 1000 - f.intercept) / f.slope, by: 'cpu', extrapolated: true };
}

const pct = (x, d = 1) => `${fmt(x * 100, d)} %`;
function table(rows) {
  return [
    '| sessions | consumers | packets/s in → out | worker CPU (user + sys) | worker RSS | loss at the sinks (worst consumer) | generators CPU | cores 0 / 1 busy | other work on core 0 | load (1 min) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.sessions} | ${r.consumers} | ${fmt(r.ppsIn, 0)} → ${fmt(r.ppsOut, 0)} | **${pct(r.workerCpu)}** (${pct(r.workerUser, 0)} + ${pct(r.workerSys, 0)}) | ${fmt(r.rss, 0)} MiB | ${r.loss >= LOSS_LIMIT ? '**' : ''}${pct(r.loss, 3)}${r.loss >= LOSS_LIMIT ? '**' : ''} (${pct(r.worstConsumer, 2)})${r.silent ? `, ${r.silent} consumers silent` : ''} | ${pct(r.genCpu, 0)} | ${r.cores.map((c) => fmt(c * 100, 0)).join(' / ')} % | ${pct(r.noise, 0)}${r.retried ? ' (re-measured)' : ''} | ${fmt(r.load, 2)} |`,
    ),
  ];
}

/**
 * 4 s of real VP8 from libvpx (realtime, 600 kbps CBR, a key frame every 2 s, 640×480 testsrc2)
 * as an IVF file for the load generators, which loop it; null without ffmpeg (synthetic frames).
 */
function encodeVp8(dir) {
  const file = path.join(dir, 'video.ivf');
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=30', '-t', '4'];
  args.push(
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '600k',
    '-minrate',
    '600k',
    '-maxrate',
    '600k',
    '-bufsize',
    '300k',
  );
  args.push('-g', '60', '-keyint_min', '60', '-auto-alt-ref', '0', '-lag-in-frames', '0', '-y', file);
  if (spawnSync('ffmpeg', args, { stdio: 'ignore' }).status !== 0) return null;
  const b = fs.readFileSync(file);
  const sizes = [];
  const keys = [];
  for (let o = b.readUInt16LE(6); o + 12 <= b.length; o += 12 + b.readUInt32LE(o)) {
    sizes.push(b.readUInt32LE(o));
    if ((b[o + 12] & 1) === 0) keys.push(b.readUInt32LE(o));
  }
  const seconds = sizes.length / 30;
  return {
    file,
    kbps: (sizes.reduce((a, n) => a + n, 0) * 8) / seconds / 1000,
    packetsPerSecond: sizes.reduce((a, n) => a + Math.ceil(n / 1196), 0) / seconds,
    keyBytes: keys,
    deltaBytes: (sizes.reduce((a, n) => a + n, 0) - keys.reduce((a, n) => a + n, 0)) / (sizes.length - keys.length),
  };
}

/**
 * A CPU profile of the worker (perf record, user and kernel stacks) for `seconds`, summed into
 * where its time goes; null without a usable perf.
 */
function profileWorker(pid, seconds, dir) {
  const file = path.join(dir, 'perf.data');
  const rec = spawnSync(
    'perf',
    ['record', '-F', '499', '-g', '-p', String(pid), '-o', file, '--', 'sleep', String(seconds)],
    { stdio: 'ignore' },
  );
  if (rec.status !== 0 || !fs.existsSync(file)) return null;
  const report = (args) =>
    spawnSync('perf', ['report', '-i', file, '-g', 'none', '-q', '-t', '\t', '--percent-limit', '0', ...args], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    })
      .stdout.split('\n')
      .map((l) => l.split('\t').map((f) => f.trim()))
      .filter((f) => f.length >= 3);
  const self = report(['--no-children', '--sort', 'dso,sym']).map(([p, dso, sym]) => ({
    pct: parseFloat(p),
    dso,
    sym: sym.replace(/^\[.\] /, ''),
  }));
  const children = new Map(
    report(['--children', '--sort', 'sym']).map(([c, , sym]) => [sym.replace(/^\[.\] /, ''), parseFloat(c)]),
  );
  if (!self.length) return null;
  const sum = (f) => self.filter(f).reduce((a, s) => a + s.pct, 0);
  const kernel = sum((s) => s.dso.includes('kernel'));
  const send = children.get('__libc_sendmsg') ?? 0;
  const delivery = children.get('net_rx_action') ?? 0;
  const recv =
    (children.get('__x64_sys_recvmmsg') ?? 0) +
    (children.get('__x64_sys_recvmsg') ?? 0) +
    (children.get('__x64_sys_recvfrom') ?? 0);
  const webrtc = sum((s) => s.sym.startsWith('webrtc::'));
  const mediasoup = sum((s) => s.dso.startsWith('mediasoup-worker') && !s.sym.startsWith('webrtc::'));
  const top = self.filter((s) => !s.dso.includes('kernel')).slice(0, 8);
  const crypto = sum((s) => /srtp|nss|softokn|freebl|libcrypto/.test(s.dso));
  const cryptoLibs = [
    ...new Set(self.filter((s) => /srtp|nss|softokn|freebl|libcrypto/.test(s.dso) && s.pct >= 0.5).map((s) => s.dso)),
  ];
  return {
    kernel,
    send,
    delivery,
    recv,
    otherKernel: kernel - Math.min(kernel, send + recv),
    webrtc,
    mediasoup,
    crypto,
    cryptoLibs,
    libs: 100 - kernel - webrtc - mediasoup - crypto,
    top,
  };
}

export async function run() {
  process.env.KAIHU_MEDIASOUP_WORKER_BIN ??= process.env.MEDIASOUP_WORKER_BIN;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-bench-sfu-'));
  try {
    await waitQuiet([], Number(process.env.BENCH_SFU_WAIT_QUIET_MS ?? 45_000));
    const t0 = Date.now();
    STARTED = t0;
    const loadBefore = os.loadavg();
    const vp8 = process.env.BENCH_SFU_SYNTHETIC === '1' ? null : encodeVp8(dir);
    if (vp8) process.env.BENCH_SFU_VP8_IVF = vp8.file; // inherited by the load generators
    const rec = SCENARIOS.includes('recording') ? await ramp('recording', { recording: true, profileDir: dir }) : [];
    const base = SCENARIOS.includes('baseline') ? await ramp('baseline', { recording: false }) : [];
    const idle = SCENARIOS.includes('idle')
      ? await ramp('recording, no media', { recording: true, idle: true, steps: [100] })
      : [];
    const fullCaps = SCENARIOS.includes('fullcaps')
      ? await ramp('recording, recorder with full capabilities', {
          recording: true,
          recorderFullCaps: true,
          steps: FULLCAPS_STEPS,
        })
      : [];
    const srtp = SCENARIOS.includes('srtp') ? await srtpCompare(dir) : [];
    const ff = SCENARIOS.includes('ffmpeg') ? await ffmpegRecorder() : null;
    const elapsed = (Date.now() - t0) / 1000;
    process.stdout.write(
      `  sfu: ${fmt(elapsed, 0)} s; load average before ${loadBefore.map((l) => fmt(l, 2)).join(' ')}, after ${os
        .loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}\n`,
    );
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/mediasoup/package.json'), 'utf8'));
    return writeUp({ rec, base, idle, fullCaps, srtp, ff, vp8, profile: rec.profile, elapsed, loadBefore, version });
  } finally {
    delete process.env.BENCH_SFU_VP8_IVF;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writeUp({ rec, base, idle, fullCaps, srtp, ff, vp8, profile, elapsed, loadBefore, version }) {
  const fr = fit(rec);
  const fb = fit(base);
  const lr = limit(rec);
  const lb = limit(base);
  const at = (rows, n) => rows.find((r) => r.sessions === n);
  const all = [...rec, ...base, ...fullCaps, ...srtp];
  const genMax = Math.max(0, ...all.map((r) => r.genCpu));
  // packets sent per session and second, as the generator was asked to: 2 parties × (video + 50 audio)
  const nominal = 2 * ((vp8 ? vp8.packetsPerSecond : 66) + 50);
  const paced = all.filter((r) => r.ppsIn > 0).map((r) => r.ppsIn / (r.sessions * nominal));
  const core1Max = Math.max(0, ...all.map((r) => r.cores[1] ?? 0));
  const perPacket = (r) => (r.workerCpu * 1e6) / (r.ppsIn + r.ppsOut);
  // the largest step without loss (and, for a fair reading, without much other work on the worker's core)
  const plainSrtp = srtp.find((r) => !r.suite);
  const sameAsPlain = plainSrtp && at(rec, SRTP_SESSIONS);
  const spread = sameAsPlain
    ? Math.abs(plainSrtp.workerCpu - sameAsPlain.workerCpu) / Math.min(plainSrtp.workerCpu, sameAsPlain.workerCpu)
    : null;
  const maxClean = (rows) => rows.filter((r) => r.loss < LOSS_LIMIT && r.noise <= NOISE_LIMIT).at(-1);
  const sessionsAt = (l) => (l ? `≈ ${fmt(l.sessions, 0)}${l.extrapolated ? ' (extrapolated)' : ''}` : 'n/a');
  const why = (l) =>
    l ? (l.by === 'cpu' ? `the worker at ${pct(CPU_LIMIT, 0)} of a core` : `${pct(LOSS_LIMIT, 0)} loss`) : '';
  const L = [
    '## Witness media (SFU)',
    '',
    `### Concurrent witness sessions on one mediasoup worker (mediasoup ${version})`,
    '',
  ];

  if (lr || lb)
    L.push(
      `**Result: ${sessionsAt(lr)} sessions per worker with recording** (${why(lr)}; ${lr ? fmt(lr.sessions * 8, 0) : '–'} consumers), ` +
        `**${sessionsAt(lb)} without recording** (${why(lb)}; ${lb ? fmt(lb.sessions * 4, 0) : '–'} consumers), on one core of this machine. ` +
        `Goal ≥ 100 sessions per worker with recording: **${lr && lr.sessions >= 100 ? 'met' : 'not met'}**${lr && lr.sessions >= 100 ? '' : ' (see "Where the time goes")'}` +
        (maxClean(rec) && lr && maxClean(rec).sessions > lr.sessions && maxClean(rec).workerCpu >= 0.9
          ? `; the worker did forward ${maxClean(rec).sessions} recorded sessions without loss, but at ${pct(maxClean(rec).workerCpu, 0)} of a core, without headroom. `
          : '. ') +
        `Anchor: mediasoup's ~500 consumers per worker, i.e. ~60 sessions at 8 consumers, ~125 at 4; measured ${lr ? fmt(lr.sessions * 8, 0) : '–'} consumers with recording and ${lb ? fmt(lb.sessions * 4, 0) : '–'} without. ` +
        "The consumer is not the unit of cost, the packet is: per consumer the baseline moves two streams of packets (its producer's in, its own out), recording one and a half. " +
        (spread !== null
          ? `One configuration measured twice in this run, on two fresh workers, differed by ${pct(spread, 0)} (SRTP section): read these figures with at least that much uncertainty.`
          : ''),
      '',
    );

  const video = vp8
    ? `VP8 is real libvpx output (encoded once by ffmpeg: realtime, 600 kbps CBR, 640×480 testsrc2 at 30 fps, a key frame every 2 s; 4 s looped, and restarted at its key frame on PLI): ${fmt(vp8.kbps, 0)} kbps, key frames of ${vp8.keyBytes.map((b) => fmt(b / 1000, 1)).join(' / ')} kB, delta frames ${fmt(vp8.deltaBytes / 1000, 1)} kB on average, ${fmt(vp8.packetsPerSecond, 0)} packets/s`
    : 'VP8 is synthetic (600 kbps at 30 fps: a ~15 kB key frame every 2 s and on PLI, ~2.3 kB delta frames, ~66 packets/s)';
  L.push(
    "Each session is what a witness call puts on the SFU: its own router (the codecs of `sfu/src/codecs.ts`, from `@kaihu/sfu`'s worker pool with one worker); " +
      "the customer and the agent each producing opus + VP8 on one send transport and consuming the other party's audio and video on one receive transport; " +
      'with **recording**, one more consumer per produced stream, each on its own transport, as `sfu/src/recorder.ts` feeds its ffmpeg (rtcp-mux off with the RTCP going to a sink; consumed with only its codec, no header extensions, no RTX). ' +
      'So a session is 4 producers and 8 consumers on 8 transports with recording (12 RTP streams through the router), 4 producers and 4 consumers on 4 transports in the **baseline** without recording. ' +
      "All transports are PlainTransports on 127.0.0.1 (the parties' with rtcp-mux, comedia on the send side), fed by the load generator (`test/bench/sfu-load.mjs`, two child processes pacing in 10 ms ticks). " +
      `${video}; each frame split into equal packets of ≤ 1200 payload bytes behind a Chrome-style VP8 payload descriptor (15-bit picture ID), NACK/PLI/FIR negotiated as a browser does. ` +
      'Opus: 80-byte payloads every 20 ms (32 kbps, 50 packets/s). ' +
      'Every consumer sends to a UDP sink of the generator that counts its packets by SSRC; loss = 1 − received / expected from the sequence numbers, summed over all consumers (a consumer that sent nothing counts as 100 % lost). ' +
      `Sessions are added in steps; after ${WARMUP_MS / 1000} s of warm-up each step is held for ${HOLD_MS / 1000} s. ` +
      "Worker CPU is the worker process's user + system time over the hold (100 % = one core; the worker is one thread), RSS at its end; generators CPU the same for the two generator processes. " +
      (PIN ? 'The worker runs alone on core 0 (taskset), the generators (and the benchmark process) on core 1. ' : '') +
      'A ramp stops at a worker at 95 % or 5 % loss. ' +
      `Other work shares this machine: "other work on core 0" is the busy time of the worker's core not spent by the worker; above ${pct(NOISE_LIMIT, 0)} the step is measured once more and the quieter hold kept. ` +
      "All traffic is over loopback, where the kernel's delivery of a datagram into the receiving socket is charged to the sender: the worker's system time includes handing its output to the sinks (and the generators' handing their input to the worker).",
    '',
  );

  const scenario = (title, rows, f, l, perSession) => {
    if (!rows.length) return;
    L.push(`#### ${title}`, '', ...table(rows), '');
    const parts = [];
    if (l)
      parts.push(
        l.extrapolated
          ? `Within the steps the worker reached neither ${pct(CPU_LIMIT, 0)} of a core nor ${pct(LOSS_LIMIT, 0)} loss; the CPU fit reaches ${pct(CPU_LIMIT, 0)} at **≈ ${fmt(l.sessions, 0)} sessions** (${fmt(l.sessions * perSession, 0)} consumers).`
          : `**≈ ${fmt(l.sessions, 0)} sessions per worker** (${fmt(l.sessions * perSession, 0)} consumers): ${l.by === 'cpu' ? `the worker's CPU crosses ${pct(CPU_LIMIT, 0)} of a core` : `the loss crosses ${pct(LOSS_LIMIT, 0)}`} between ${l.between[0]} and ${l.between[1]} sessions (interpolated linearly).`,
      );
    if (f)
      parts.push(
        `A least-squares line through the loss-free steps below 95 %: **${fmt(f.slope, 2)} ms of worker CPU per second per session**, i.e. ${fmt((f.slope * 1000) / perSession, 0)} µs/s per consumer (everything a session costs, divided by its ${perSession} consumers), plus ${fmt(f.intercept, 1)} ms/s at zero sessions — not an idle cost (below) but the worker being cheaper per packet as it gets busier, so the line is only good between the steps.`,
      );
    const lossy = rows.find((r) => r.loss >= LOSS_LIMIT);
    if (lossy)
      parts.push(
        `Where loss appeared (${lossy.sessions} sessions) the kernel dropped ${lossy.workerSocketDrops} datagrams at the worker's sockets and ${lossy.sinkSocketDrops} at the sinks' (receive buffers full, /proc/net/udp).`,
      );
    L.push(parts.join(' '), '');
  };
  scenario('With recording: 4 producers, 8 consumers per session', rec, fr, lr, 8);
  scenario('Baseline, without recording: 4 producers, 4 consumers per session', base, fb, lb, 4);

  if (fullCaps.length) {
    L.push(
      "#### With recording, the recording consumers created with the router's full capabilities",
      '',
      "The recorder consumes with only its codec and no header extensions (above). Had it used the router's capabilities, as a browser's do, every recording transport would negotiate transport-cc and mediasoup would run libwebrtc's send-side bandwidth estimator on it, for a receiver that never sends the feedback:",
      '',
      '| sessions | consumers | worker CPU (user + sys) | as the recorder does (above) | worker RSS | loss | generators CPU |',
      '|---|---|---|---|---|---|---|',
      ...fullCaps.map((r) => {
        const w = at(rec, r.sessions);
        return `| ${r.sessions} | ${r.consumers} | **${pct(r.workerCpu)}** (${pct(r.workerUser, 0)} + ${pct(r.workerSys, 0)}) | ${w ? `${pct(w.workerCpu)} (full capabilities × ${fmt(r.workerCpu / w.workerCpu, 2)})` : '–'} | ${fmt(r.rss, 0)} MiB | ${pct(r.loss, 3)} | ${pct(r.genCpu, 0)} |`;
      }),
      '',
    );
  }

  if (rec.length && base.length) {
    const common = rec.filter(
      (r) =>
        at(base, r.sessions) && r.loss < LOSS_LIMIT && at(base, r.sessions).loss < LOSS_LIMIT && r.workerCpu < 0.95,
    );
    const top = common.at(-1);
    const parts = [];
    if (top) {
      const b = at(base, top.sessions);
      const extra = common.map(
        (r) => ((r.workerCpu - at(base, r.sessions).workerCpu) * 1e6) / (r.ppsOut - at(base, r.sessions).ppsOut),
      );
      parts.push(
        `The recording consumers double the packets the worker sends and cost ${common.map((r) => `× ${fmt(r.workerCpu / at(base, r.sessions).workerCpu, 2)}`).join(', ')} of the baseline's CPU at ${common.map((r) => r.sessions).join(', ')} sessions. ` +
          `At ${top.sessions} sessions the worker spends ${fmt(perPacket(top), 1)} µs per packet it receives or sends with recording, ${fmt(perPacket(b), 1)} µs without; ` +
          `an extra forwarded packet (recording minus baseline, per extra packet sent) costs ${extra.map((x) => fmt(x, 1)).join(', ')} µs. ` +
          `Nearly all of the worker's work is per packet (the profile below), so a 32 kbps audio stream at 50 packets/s should cost it not much less than a 600 kbps video stream at ${vp8 ? fmt(vp8.packetsPerSecond, 0) : '~66'} packets/s. ` +
          `${pct(top.workerSys / top.workerCpu, 0)} of the worker's CPU is system time (${pct(b.workerSys / b.workerCpu, 0)} in the baseline).`,
      );
    }
    if (profile) {
      const p = (x) => `${fmt(x, 0)} %`;
      parts.push(
        `A \`perf\` profile of the worker at ${profile.sessions} sessions with recording (${PROFILE_S} s at 499 Hz, user and kernel stacks): ` +
          `**${p(profile.kernel)} in the kernel** — ${p(profile.send)} in \`sendmsg\` (one system call per packet and consumer; ${p(profile.delivery)} of it is the loopback delivery into the receiving socket, which a NIC would not charge to the worker), ${p(profile.recv)} receiving (\`recvmmsg\`), ${p(profile.otherKernel)} other (epoll, timers, scheduling); ` +
          `**${p(profile.webrtc)} in libwebrtc's send-side bandwidth estimation** (transport-cc: a send-time history entry per packet sent and periodic controller updates, one estimator per party receive transport); ` +
          `**${p(profile.mediasoup)} in mediasoup itself** (routing a packet to its consumers, cloning and rewriting it per consumer, the producer's receive stream with NACK generator, rate counters, the video consumers' retransmission buffers, RTCP); ` +
          `${p(profile.libs)} in libuv, libc and libstdc++ (timers, \`clock_gettime\`, malloc, tree inserts). ` +
          `Hottest user-space symbols: ${profile.top
            .slice(0, 6)
            .map((t) => `\`${t.sym.replace(/\(.*$/, '')}\` ${fmt(t.pct, 1)} %`)
            .join(', ')}.`,
      );
    }
    const idleRow = idle[0];
    if (idleRow)
      parts.push(
        `Without media, ${idleRow.sessions} recorded sessions (the same routers, transports, producers and consumers) cost the worker ${pct(idleRow.workerCpu)} of a core (${pct(idleRow.workerUser, 0)} user): ${fmt((idleRow.workerCpu * 1000) / idleRow.sessions, 2)} ms/s per session for timers (RTCP, bandwidth estimators, stream monitors), a small part of the ${fr ? fmt(fr.slope, 2) : '?'} ms/s a session costs with media. ` +
          `Per packet the worker tends to get cheaper as it gets busier (${rec
            .filter((r) => r.loss < LOSS_LIMIT)
            .map((r) => `${fmt(perPacket(r), 1)} µs at ${r.sessions}`)
            .join(
              ', ',
            )} sessions with recording), most likely because each wake-up of its event loop and each \`recvmmsg\` then handles more packets.`,
      );
    const fc = fullCaps.filter((r) => at(rec, r.sessions));
    if (fc.length)
      parts.push(
        `With the router's full capabilities on the recording consumers (bandwidth estimation on each recording transport, for receivers that never send feedback) the same sessions cost ${fc.map((r) => `× ${fmt(r.workerCpu / at(rec, r.sessions).workerCpu, 2)}`).join(', ')} of the worker's CPU as the recorder does it (at ${fc.map((r) => r.sessions).join(', ')} sessions; ` +
          `${fc.map((r) => `${r.workerCpu >= at(rec, r.sessions).workerCpu ? '+' : '−'}${fmt((Math.abs(r.workerCpu - at(rec, r.sessions).workerCpu) * 1000) / r.sessions, 2)}`).join(', ')} ms/s per session)` +
          (fc.every((r) => Math.abs(r.workerCpu / at(rec, r.sessions).workerCpu - 1) < 0.1)
            ? ': no difference beyond the spread between runs (SRTP section), so the bandwidth estimation is not what keeps a worker from 100 recorded sessions.'
            : '.'),
      );
    if (lr && lr.sessions < 100)
      parts.push(
        `So ≥ 100 recorded sessions on one worker would need ${pct(CPU_LIMIT, 0)} / 100 = ${fmt(CPU_LIMIT * 10, 1)} ms/s per session, against ${fr ? fmt(fr.slope, 2) : '?'} measured: the worker's time goes to moving ${fmt(nominal * 3, 0)} packets/s per recorded session (in + out) through the kernel one system call at a time, and to per-packet bookkeeping; the recording consumers already leave out what they can (header extensions, RTX, bandwidth estimation). ` +
          "Beyond that, the pool's answer is more workers (one per core: the pool places each router on the least-loaded one) or a faster core.",
      );
    L.push('#### Where the time goes', '', parts.join('\n\n'), '');
    L.push(
      `The load generators used at most ${pct(genMax, 0)} of a core (core 1 at most ${pct(core1Max, 0)} busy) and sent ${fmt(Math.min(...paced) * 100, 1)}–${fmt(Math.max(...paced) * 100, 1)} % of the nominal packet rate at every step (latest tick ${fmt(Math.max(...all.map((r) => r.lagMax)), 0)} ms late)` +
        (Math.min(...paced) < 0.98
          ? ': where they fell short of it they limited the load; read those rows with care. '
          : `, so they kept pace and did not limit the worker${core1Max > 0.9 ? ', though core 1 was nearly saturated at the top steps' : ''}. `) +
        'Production costs more per session than these PlainTransports: the parties use WebRtcTransports, with DTLS-SRTP (every received packet decrypted and every sent one encrypted: see below), ICE consent checks, transport-wide congestion control feedback and header extensions (abs-send-time, transport-cc, mid) on every packet, real loss and NACK retransmissions.',
      '',
    );
  }

  if (srtp.length) {
    const plain = srtp.find((r) => !r.suite);
    L.push(
      `#### SRTP on the parties' transports (${SRTP_SESSIONS} sessions with recording)`,
      '',
      "The encryption cost a WebRtcTransport adds, measured on PlainTransports with `enableSrtp: true` for the parties' send and receive transports, the generator encrypting what it sends as a browser does: per session the worker decrypts 4 streams and encrypts the 4 party consumers' packets; the recording transports stay plain (the recorder is local). " +
        "mediasoup offers AEAD_AES_256_GCM first in DTLS-SRTP, so that is what current browsers negotiate. The worker is linked to Debian's libsrtp 2 (`sfu/scripts/build-worker.sh`).",
      '',
      '| SRTP | worker CPU (user + sys) | vs. plain RTP | µs per packet in + out | loss | generators CPU |',
      '|---|---|---|---|---|---|',
      ...srtp.map(
        (r) =>
          `| ${r.suite ?? 'off (plain RTP)'} | **${pct(r.workerCpu)}** (${pct(r.workerUser, 0)} + ${pct(r.workerSys, 0)}) | ${r.suite && plain ? `× ${fmt(r.workerCpu / plain.workerCpu, 2)}` : '–'} | ${fmt(perPacket(r), 1)} | ${pct(r.loss, 3)} | ${pct(r.genCpu, 0)} |`,
      ),
      '',
    );
    const same = at(rec, SRTP_SESSIONS);
    if (plain && same)
      L.push(
        `The plain row is the configuration of the recording ramp's ${SRTP_SESSIONS}-session step, measured again on a fresh worker: ${pct(plain.workerCpu)} here, ${pct(same.workerCpu)} there, a difference of ${pct(spread, 0)}: the spread between runs, to keep in mind for every comparison in this section.`,
        '',
      );
    const gcm = srtp.find((r) => r.suite === 'AEAD_AES_256_GCM');
    if (gcm?.profile)
      L.push(
        `A \`perf\` profile with AEAD_AES_256_GCM: ${fmt(gcm.profile.crypto, 0)} % of the worker's time in ${gcm.profile.cryptoLibs.map((d) => `\`${d}\``).join(', ') || 'the crypto libraries'} — Debian's libsrtp 2 does its AES through NSS, a one-shot \`PK11_Encrypt\`/\`PK11_Decrypt\` (a new NSS cipher context) per packet; mediasoup's own build (libsrtp 3 on OpenSSL) may well do better, which this benchmark does not measure.`,
        '',
      );
    if (gcm && plain && fr && lr)
      L.push(
        (() => {
          const ratios = [gcm.workerCpu / plain.workerCpu, ...(same ? [gcm.workerCpu / same.workerCpu] : [])].sort(
            (a, b) => a - b,
          );
          const range = (xs) =>
            xs.length > 1 && Math.abs(xs[0] - xs.at(-1)) >= 0.005
              ? `${fmt(xs[0], 2)}–${fmt(xs.at(-1), 2)}`
              : fmt(xs[0], 2);
          const sessions = ratios.map((x) => lr.sessions / x).sort((a, b) => a - b);
          return (
            `AEAD_AES_256_GCM costs × ${range(ratios)} of plain RTP (against this table's plain row${same ? " and against the ramp's" : ''}). Scaled naively (the whole session costing that much more), recording sessions with SRTP parties reach ${pct(CPU_LIMIT, 0)} of a core at ≈ ${sessions.length > 1 ? `${fmt(sessions[0], 0)}–${fmt(sessions.at(-1), 0)}` : fmt(sessions[0], 0)} sessions per worker (≈ ${fmt(lr.sessions, 0)} / ${range(ratios)}) — ` +
            "before the rest of a WebRtcTransport's cost: the nearer estimate of what a worker carries in production on this machine."
          );
        })(),
        '',
      );
  }

  if (ff) {
    const ffVersion = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' }).stdout.split(' ')[2];
    L.push(
      '#### One recorder',
      '',
      `\`ffmpeg -protocol_whitelist file,udp,rtp -i witness.sdp -map 0:0 -c copy track0.mkv … -map 0:3 -c copy track3.mkv\` (ffmpeg ${ffVersion}; one process per session, a file per track, as \`sfu/src/recorder.ts\` runs it) receiving one session's 4 recording consumers: ` +
        `**${pct(ff.ffmpegCpu)} of a core**, RSS ${fmt(ff.ffmpegRss, 0)} MiB, ${fmt(ff.fileBytes / 1024, 0)} KiB written in ${fmt((WARMUP_MS + HOLD_MS) / 1000, 0)} s (${fmt(ff.fileKbps, 0)} kbps)` +
        (ff.ffmpegErrors.length
          ? `; ffmpeg said: \`${ff.ffmpegErrors.join(' / ').replace(/`/g, "'").slice(0, 200)}\``
          : '') +
        '. ' +
        (fr
          ? `A recorder per session costs about ${fmt((ff.ffmpegCpu * 1000) / fr.slope, 1)} × what the session costs the worker (${fmt(ff.ffmpegCpu * 1000, 1)} vs. ${fmt(fr.slope, 1)} ms/s), on other cores; its ${fmt(ff.ffmpegRss, 0)} MiB RSS (shared libraries counted in full) is the cost to watch at 100 sessions.`
          : ''),
      '',
    );
  }

  L.push(
    `Command: \`npm run bench -- sfu\` (${fmt(elapsed / 60, 1)} min; load average at its start ${loadBefore.map((l) => fmt(l, 2)).join(' / ')}, 1-minute load at each step in the tables). ` +
      'Environment knobs are listed at the top of `test/bench/sfu.mjs`.',
    '',
  );
  return L.join('\n');
}
