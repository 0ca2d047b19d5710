// The agent's side of a witness call for the browser tests: a libwebrtc peer (@roamhq/wrtc) with
// a synthetic camera and microphone, driven by mediasoup-client through the API (the signalling of
// test/e2e/witness-call.peer.mjs). Run as a child process (libwebrtc crashes a process that exits
// with it loaded, so this one ends itself with process.exit): AGENT_CALL={url,token,sessionId} in
// its environment, commands `consume`, `stats` and `close` on stdin, one JSON line out for each
// (and {ready:true} once it sends).
const wrtc = require('@roamhq/wrtc');
for (const k of [
  'RTCPeerConnection',
  'RTCSessionDescription',
  'RTCIceCandidate',
  'MediaStream',
  'MediaStreamTrack',
  'RTCRtpSender',
  'RTCRtpReceiver',
  'RTCRtpTransceiver',
])
  globalThis[k] = wrtc[k];
const { Device } = require('mediasoup-client');
const { url, token, sessionId } = JSON.parse(process.env.AGENT_CALL);
const out = (v) => process.stdout.write(JSON.stringify(v) + '\n');
async function q(query, variables) {
  const res = await fetch(url + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(query.slice(0, 50) + ': ' + JSON.stringify(body.errors));
  return body.data;
}
const timers = [];
let device,
  send,
  recv,
  tracks = [],
  producers = [],
  consumers = [];
async function join() {
  const { witnessSession } = await q('query ($s: ID!) { witnessSession(id: $s) { routerRtpCapabilities } }', {
    s: sessionId,
  });
  device = new Device({ handlerName: 'Chrome111' });
  await device.load({ routerRtpCapabilities: witnessSession.routerRtpCapabilities });
  const transport = async () =>
    (
      await q(
        'mutation ($s: ID!) { createWitnessTransport(sessionId: $s) { id iceParameters iceCandidates dtlsParameters } }',
        { s: sessionId },
      )
    ).createWitnessTransport;
  const wire = (t) =>
    t.on('connect', ({ dtlsParameters }, cb, errb) =>
      q(
        'mutation ($s: ID!, $t: ID!, $d: JSONObject!) { connectWitnessTransport(sessionId: $s, transportId: $t, dtlsParameters: $d) }',
        { s: sessionId, t: t.id, d: dtlsParameters },
      ).then(() => cb(), errb),
    );
  send = device.createSendTransport(await transport());
  wire(send);
  send.on('produce', ({ kind, rtpParameters }, cb, errb) =>
    q(
      'mutation ($s: ID!, $t: ID!, $k: String!, $r: JSONObject!) { produceWitnessMedia(sessionId: $s, transportId: $t, kind: $k, rtpParameters: $r) { id } }',
      { s: sessionId, t: send.id, k: kind, r: rtpParameters },
    ).then((d) => cb({ id: d.produceWitnessMedia.id }), errb),
  );
  recv = device.createRecvTransport(await transport());
  wire(recv);
  // 320x240 frames of moving diagonal bands at 30 fps, a 440 Hz tone
  const video = new wrtc.nonstandard.RTCVideoSource();
  const audio = new wrtc.nonstandard.RTCAudioSource();
  const frame = { width: 320, height: 240, data: new Uint8ClampedArray(320 * 240 * 1.5) };
  frame.data.fill(128, 320 * 240);
  let n = 0;
  timers.push(
    setInterval(() => {
      n++;
      for (let y = 0; y < 240; y++) frame.data.fill((y * 2 + n * 6) % 256, y * 320, y * 320 + 320);
      video.onFrame(frame);
    }, 33),
  );
  const samples = new Int16Array(480);
  let t = 0;
  timers.push(
    setInterval(() => {
      for (let i = 0; i < samples.length; i++, t++)
        samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * t) / 48000));
      audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: samples.length });
    }, 10),
  );
  tracks = [video.createTrack(), audio.createTrack()];
  for (const track of tracks) producers.push(await send.produce({ track }));
}
async function consume() {
  const { witnessSession } = await q('query ($s: ID!) { witnessSession(id: $s) { producers { id kind party } } }', {
    s: sessionId,
  });
  for (const p of witnessSession.producers.filter((x) => x.party === 'CUSTOMER')) {
    const { consumeWitnessMedia: c } = await q(
      'mutation ($s: ID!, $t: ID!, $p: ID!, $c: JSONObject!) { consumeWitnessMedia(sessionId: $s, transportId: $t, producerId: $p, rtpCapabilities: $c) { id producerId kind rtpParameters } }',
      { s: sessionId, t: recv.id, p: p.id, c: device.rtpCapabilities },
    );
    consumers.push(
      await recv.consume({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters }),
    );
    await q('mutation ($s: ID!, $c: ID!) { resumeWitnessConsumer(sessionId: $s, consumerId: $c) }', {
      s: sessionId,
      c: c.id,
    });
  }
  return { consumed: consumers.length };
}
async function stats() {
  const s = {};
  // by the consumers' SSRCs: mediasoup's bandwidth probation is another inbound video stream (mid `probator`)
  const ssrcs = new Map(consumers.map((c) => [c.rtpParameters.encodings[0].ssrc, c.kind]));
  (await recv.getStats()).forEach((x) => {
    if (x.type === 'inbound-rtp' && ssrcs.has(x.ssrc)) s[ssrcs.get(x.ssrc)] = { packets: x.packetsReceived || 0 };
  });
  return { stats: s };
}
function close() {
  timers.forEach(clearInterval);
  try {
    producers.forEach((p) => p.close());
    consumers.forEach((c) => c.close());
    send?.close();
    recv?.close();
    tracks.forEach((x) => x.stop());
  } catch {
    // closing is best effort: the process exits below anyway
  }
  setTimeout(() => process.exit(0), 200);
}
const lines = require('node:readline').createInterface({ input: process.stdin });
let chain = join().then(
  () => out({ ready: true }),
  (e) => out({ error: String((e && e.stack) || e) }),
);
lines.on('line', (cmd) => {
  chain = chain.then(async () => {
    if (cmd === 'close') return close();
    try {
      out(cmd === 'consume' ? await consume() : await stats());
    } catch (e) {
      out({ error: String((e && e.stack) || e) });
    }
  });
});
lines.on('close', close);
