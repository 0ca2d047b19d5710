// Load generator of the queue benchmark, a child process of queue.mjs: opens one graphql-ws
// (graphql-transport-ws) connection per waiting customer with a bare `ws` client (cheaper than a
// full client library, so that the generator disturbs the server less), subscribes to
// queuePosition and timestamps every message. Talks to its parent over IPC.
import WebSocket from 'ws';

const SUBSCRIPTION =
  'subscription ($t: ID!) { queuePosition(ticketId: $t) { state position waiting estimatedWaitSeconds } }';
const subs = [];
const POSITION = /^\{"id":"1","type":"next","payload":\{"data":\{"queuePosition":\{"state":"(\w+)","position":(\d+),/;
let recording = false;

function open(url, sub) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    const s = { ...sub, ws, first: null, log: [], messages: 0, closed: null };
    subs.push(s);
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${sub.token}` } })),
    );
    ws.on('message', (raw) => {
      // the hot path: position updates are read without a full JSON parse (the generator must cost little)
      if (recording && s.first !== null) {
        const text = raw.toString();
        const m = POSITION.exec(text);
        if (m) {
          s.messages++;
          s.log.push(Date.now(), m[1] === 'WAITING' ? Number(m[2]) : 0);
          return;
        }
      }
      const msg = JSON.parse(raw);
      if (msg.type === 'connection_ack')
        ws.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: SUBSCRIPTION, variables: { t: sub.ticketId } },
          }),
        );
      else if (msg.type === 'next') {
        const entry = msg.payload.data?.queuePosition;
        if (!entry) return reject(new Error(JSON.stringify(msg.payload)));
        if (s.first === null) {
          s.first = entry.position;
          resolve();
        } else if (recording) {
          s.messages++;
          s.log.push(Date.now(), entry.state === 'WAITING' ? entry.position : 0);
        }
      } else if (msg.type === 'error') reject(new Error(JSON.stringify(msg.payload)));
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      s.closed = code;
      if (s.first === null) reject(new Error(`closed ${code}`));
    });
  });
}

process.on('message', async (m) => {
  try {
    if (m.cmd === 'connect') {
      const t0 = Date.now();
      for (let i = 0; i < m.subs.length; i += 100)
        await Promise.all(m.subs.slice(i, i + 100).map((s) => open(m.url, s)));
      process.send({ ok: 'connected', ms: Date.now() - t0, first: subs.map((s) => s.first) });
    } else if (m.cmd === 'record') {
      recording = true;
      process.send({ ok: 'recording' });
    } else if (m.cmd === 'report') {
      // a copy of what was recorded so far; recording goes on
      process.send({
        ok: 'report',
        subs: subs.map((s) => ({ first: s.first, log: s.log, messages: s.messages, closed: s.closed })),
      });
    } else if (m.cmd === 'close') {
      for (const s of subs) s.ws.close();
      process.send({ ok: 'closed' });
    }
  } catch (e) {
    process.send({ error: String(e?.stack ?? e) });
  }
});
