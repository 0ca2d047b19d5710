// A witness-call party for the end-to-end peers (witness-call.peer.mjs, account-opening.peer.mjs): a
// libwebrtc peer (@roamhq/wrtc) driven by mediasoup-client, signalling through Kaihu's GraphQL API
// only (router capabilities, transports, produce, consume, resume), sending synthetic VP8 video and
// opus audio and reporting what it received of the other party's.
import wrtc from '@roamhq/wrtc';
import { Device } from 'mediasoup-client';

for (const k of [
  'RTCPeerConnection',
  'RTCSessionDescription',
  'RTCIceCandidate',
  'MediaStream',
  'MediaStreamTrack',
  'RTCRtpSender',
  'RTCRtpReceiver',
  'RTCRtpTransceiver',
]) {
  globalThis[k] = wrtc[k];
}

/**
 * The parties' functions over `gql(query, variables, token)`; the synthetic media's intervals go
 * into `timers` (the peer clears them when the call is over).
 */
export function witnessParties(gql, timers) {
  /** Synthetic camera and microphone: 320×240 frames with changing luma, a tone. */
  function fakeMedia(pitch) {
    const video = new wrtc.nonstandard.RTCVideoSource();
    const audio = new wrtc.nonstandard.RTCAudioSource();
    const frame = { width: 320, height: 240, data: new Uint8ClampedArray(320 * 240 * 1.5) };
    let n = 0;
    timers.push(
      setInterval(() => {
        frame.data.fill((n++ * 7) % 256, 0, 320 * 240);
        frame.data.fill(128, 320 * 240);
        video.onFrame(frame);
      }, 33),
    );
    const samples = new Int16Array(480);
    let t = 0;
    timers.push(
      setInterval(() => {
        for (let i = 0; i < samples.length; i++, t++)
          samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * pitch * t) / 48000));
        audio.onData({
          samples,
          sampleRate: 48000,
          bitsPerSample: 16,
          channelCount: 1,
          numberOfFrames: samples.length,
        });
      }, 10),
    );
    return { video: video.createTrack(), audio: audio.createTrack() };
  }

  /** One party of the call, signalling through the API only. */
  async function join(token, sessionId, pitch) {
    const { witnessSession } = await gql(
      'query ($s: ID!) { witnessSession(id: $s) { routerRtpCapabilities } }',
      { s: sessionId },
      token,
    );
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: witnessSession.routerRtpCapabilities });
    const transport = async () =>
      (
        await gql(
          'mutation ($s: ID!) { createWitnessTransport(sessionId: $s) { id iceParameters iceCandidates dtlsParameters } }',
          { s: sessionId },
          token,
        )
      ).createWitnessTransport;
    const connect =
      (t) =>
      ({ dtlsParameters }, cb, errb) =>
        gql(
          'mutation ($s: ID!, $t: ID!, $d: JSONObject!) { connectWitnessTransport(sessionId: $s, transportId: $t, dtlsParameters: $d) }',
          { s: sessionId, t: t.id, d: dtlsParameters },
          token,
        ).then(() => cb(), errb);
    const send = device.createSendTransport(await transport());
    send.on('connect', connect(send));
    send.on('produce', ({ kind, rtpParameters }, cb, errb) =>
      gql(
        'mutation ($s: ID!, $t: ID!, $k: String!, $r: JSONObject!) { produceWitnessMedia(sessionId: $s, transportId: $t, kind: $k, rtpParameters: $r) { id } }',
        { s: sessionId, t: send.id, k: kind, r: rtpParameters },
        token,
      ).then((d) => cb({ id: d.produceWitnessMedia.id }), errb),
    );
    const recv = device.createRecvTransport(await transport());
    recv.on('connect', connect(recv));
    const media = fakeMedia(pitch);
    const producers = [await send.produce({ track: media.video }), await send.produce({ track: media.audio })];
    return { device, send, recv, producers, consumers: [] };
  }

  async function consumeOther(party, token, sessionId, me) {
    const { witnessSession } = await gql(
      'query ($s: ID!) { witnessSession(id: $s) { producers { id kind party } } }',
      { s: sessionId },
      token,
    );
    for (const p of witnessSession.producers.filter((x) => x.party !== me)) {
      const { consumeWitnessMedia: c } = await gql(
        'mutation ($s: ID!, $t: ID!, $p: ID!, $c: JSONObject!) { consumeWitnessMedia(sessionId: $s, transportId: $t, producerId: $p, rtpCapabilities: $c) { id producerId kind rtpParameters } }',
        { s: sessionId, t: party.recv.id, p: p.id, c: party.device.rtpCapabilities },
        token,
      );
      party.consumers.push(
        await party.recv.consume({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters }),
      );
      await gql(
        'mutation ($s: ID!, $c: ID!) { resumeWitnessConsumer(sessionId: $s, consumerId: $c) }',
        { s: sessionId, c: c.id },
        token,
      );
    }
  }

  async function received(party) {
    const out = {};
    const report = await party.recv.getStats();
    // by the consumers' SSRCs: mediasoup's bandwidth probation is another inbound video stream (mid
    // `probator`) that is never decoded
    const ssrcs = new Map(party.consumers.map((c) => [c.rtpParameters.encodings[0].ssrc, c.kind]));
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && ssrcs.has(s.ssrc))
        out[ssrcs.get(s.ssrc)] = { packets: s.packetsReceived ?? 0, framesDecoded: s.framesDecoded };
    });
    return out;
  }
  return { fakeMedia, join, consumeOther, received };
}
