/**
 * The witness call with real media through Kaihu's own signalling (witness-call.peer.mjs): a
 * customer and an agent, each a libwebrtc peer driven by mediasoup-client, reach each other only
 * through the GraphQL API and the embedded SFU, and each receives and decodes the other's video
 * and audio. The peers and the server run in a child process inside a network namespace with only
 * loopback (`unshare -n`), or libwebrtc would offer the machine's external address; the embedded
 * PGlite serves there. Skipped where `unshare` is not allowed, except in CI (`CI=true`).
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const canUnshare = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
const runs = canUnshare || process.env.CI === 'true';

function runCall(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-n', 'bash', '-c', 'ip link set lo up && exec "$0" "$1"', process.execPath, path.join(__dirname, 'witness-call.peer.mjs')], {
      cwd: ROOT,
      env: { ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

(runs ? it : it.skip)('carries both parties’ video and audio through the API’s signalling and the embedded SFU, and frees everything when the witness ends', async () => {
  const { code, stdout, stderr } = await runCall();
  const line = stdout.trim().split('\n').pop() ?? '';
  let r: any;
  try {
    r = JSON.parse(line);
  } catch {
    throw new Error(`the call printed no result (exit ${code}); stdout: ${stdout}; stderr: ${stderr}`);
  }
  expect(r.error).toBeUndefined();
  expect(code).toBe(0);
  for (const side of [r.agentReceived, r.customerReceived]) {
    expect(side.video.packets).toBeGreaterThan(20);
    expect(side.video.framesDecoded).toBeGreaterThan(10);
    expect(side.audio.packets).toBeGreaterThan(50);
  }
  // the agent saw the tracks come (SUBSCRIBED first) and go when the witness passed
  expect(r.events[0]).toEqual({ type: 'SUBSCRIBED', producer: null });
  const seen = (type: string) => r.events.filter((e: any) => e.type === type).map((e: any) => `${e.producer.party}/${e.producer.kind}`).sort();
  expect(seen('NEW_PRODUCER')).toEqual(['AGENT/audio', 'AGENT/video', 'CUSTOMER/audio', 'CUSTOMER/video']);
  expect(seen('PRODUCER_CLOSED')).toEqual(['AGENT/audio', 'AGENT/video', 'CUSTOMER/audio', 'CUSTOMER/video']);
  expect(r.openTransportsDuring).toBe(4);
  expect(r.outcome).toEqual({ outcome: 'PASSED', ticket: { currentStep: 'CERTIFICATE' } });
  expect(r.openTransportsAfter).toBe(0);
  expect(r.routersAfter).toEqual([]);
}, 120_000);
