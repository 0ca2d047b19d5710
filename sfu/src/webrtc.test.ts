/**
 * A real WebRTC client (libwebrtc via @roamhq/wrtc, driven by mediasoup-client) against our build
 * of the worker: ICE, DTLS (the handshake that crashes an unpatched worker on Debian's OpenSSL),
 * SRTP both ways and a DataChannel. The peer runs in a child process inside a network namespace
 * with only loopback (`unshare -n`, needs root or user namespaces): outside one, libwebrtc offers
 * the machine's external address and never reaches the worker on 127.0.0.1. Without `unshare`
 * the test is skipped, except in CI (`CI=true`), where it must run.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

import { resolveWorkerBin } from './worker-bin';

const canUnshare = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
const runs = canUnshare || process.env.CI === 'true';
const PEER = path.join(__dirname, 'testing', 'webrtc-loopback.mjs');

function runPeer(workerBin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      ['-n', 'bash', '-c', 'ip link set lo up && exec "$0" "$1"', process.execPath, PEER],
      {
        env: { ...process.env, KAIHU_MEDIASOUP_WORKER_BIN: workerBin },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

(runs ? it : it.skip)('a libwebrtc peer sends VP8 + opus through the worker and gets them back', async () => {
  const { code, stdout, stderr } = await runPeer(resolveWorkerBin());
  const line = stdout.trim().split('\n').pop() ?? '';
  let result: any;
  try {
    result = JSON.parse(line);
  } catch {
    throw new Error(`the WebRTC peer printed no result (exit ${code}); stdout: ${stdout}; stderr: ${stderr}`);
  }
  expect(result.error).toBeUndefined();
  expect(result.workerDied).toBeUndefined();
  expect(code).toBe(0);
  for (const state of result.iceStates) expect(['connected', 'completed']).toContain(state);
  expect(result.dtlsStates).toEqual(['connected', 'connected']);
  for (const kind of ['video', 'audio']) {
    expect(result[kind].serverReceived).toBeGreaterThan(0);
    expect(result[kind].serverSent).toBeGreaterThan(0);
    expect(result[kind].clientReceived).toBeGreaterThan(0);
  }
  if (!(result.video.framesDecoded > 0))
    throw new Error(`no video frame decoded: ${JSON.stringify(result.diagnostics)}`);
  expect(result.sctpState).toBe('connected');
  expect(result.dataMessagesReceived).toBeGreaterThan(0);
});
