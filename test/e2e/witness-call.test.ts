/**
 * The witness call with real media through Kaihu's own signalling (witness-call.peer.mjs): a
 * customer and an agent, each a libwebrtc peer driven by mediasoup-client, reach each other only
 * through the GraphQL API and the SFU, and each receives and decodes the other's video and audio;
 * the agent takes a snapshot, the customer pauses the camera, the recording of both parties is
 * stored, listed, downloaded and probed with ffprobe. Once with the embedded SFU on PGlite, once
 * with the SFU as its own process on PostgreSQL. The peers and the servers run in a child process
 * inside a network namespace with only loopback (`unshare -n`), or libwebrtc would offer the
 * machine's external address. Skipped where `unshare` is not allowed, except in CI (`CI=true`).
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const canUnshare = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
const runs = canUnshare || process.env.CI === 'true';

function runCall(sfu: 'embedded' | 'remote'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      [
        '-n',
        'bash',
        '-c',
        'ip link set lo up && exec "$0" "$1"',
        process.execPath,
        path.join(__dirname, 'witness-call.peer.mjs'),
      ],
      {
        cwd: ROOT,
        env: { ...process.env, WITNESS_CALL_SFU: sfu },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.each(['embedded', 'remote'] as const)('the witness call with the %s SFU', (sfu) => {
  (runs ? it : it.skip)(
    'carries both parties’ video and audio through the API’s signalling, records them whole, takes a snapshot, and frees everything when the witness ends',
    async () => {
      const { code, stdout, stderr } = await runCall(sfu);
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
      // the agent saw the tracks come (SUBSCRIBED first), pause and resume, and go when the witness passed
      expect(r.events[0]).toEqual({ type: 'SUBSCRIBED', producer: null, party: null, endReason: null });
      expect(r.events[r.events.length - 1]).toEqual({
        type: 'ENDED',
        producer: null,
        party: null,
        endReason: 'COMPLETED',
      });
      const seen = (type: string) =>
        r.events
          .filter((e: any) => e.type === type)
          .map((e: any) => `${e.producer.party}/${e.producer.kind}`)
          .sort();
      expect(seen('NEW_PRODUCER')).toEqual(['AGENT/audio', 'AGENT/video', 'CUSTOMER/audio', 'CUSTOMER/video']);
      expect(seen('PRODUCER_PAUSED')).toEqual(['CUSTOMER/video']);
      expect(seen('PRODUCER_RESUMED')).toEqual(['CUSTOMER/video']);
      expect(seen('PRODUCER_CLOSED')).toEqual(['AGENT/audio', 'AGENT/video', 'CUSTOMER/audio', 'CUSTOMER/video']);
      expect(r.pausedSeen).toBe(true);
      expect(r.snapshotWhilePaused).toBe('BAD_USER_INPUT');
      // the snapshot: a still of the customer's 320×240 camera, on the ticket
      expect(r.snapshot).toEqual({ kind: 'WITNESS_SNAPSHOT', width: 320, height: 240 });
      expect(r.openTransportsDuring).toBe(4);
      expect(r.outcome).toEqual({ outcome: 'PASSED', ticket: { currentStep: 'CERTIFICATE' } });
      expect(r.openTransportsAfter).toBe(0);
      expect(r.roomsAfter).toBe(0);
      if (sfu === 'remote') expect(r.sfuNode).toBe('call-sfu');
      // one recording with both parties' audio and video for the whole call
      expect(r.recordings).toHaveLength(1);
      const [rec] = r.recordings;
      expect(rec.mimeType).toBe('video/webm');
      // kept for the broker's retention period (the demo broker's default, 20 years)
      expect(new Date(rec.retainUntil).getUTCFullYear() - new Date(rec.createdAt).getUTCFullYear()).toBe(20);
      const callSeconds = r.callMs / 1000;
      expect(rec.durationSeconds).toBeGreaterThanOrEqual(Math.floor(callSeconds) - 3);
      expect(rec.durationSeconds).toBeLessThanOrEqual(Math.ceil(callSeconds) + 2);
      expect(rec.streams.map((x: any) => `${x.party}/${x.kind}/${x.codec}`).sort()).toEqual([
        'AGENT/audio/opus',
        'AGENT/video/vp8',
        'CUSTOMER/audio/opus',
        'CUSTOMER/video/vp8',
      ]);
      expect(r.download).toEqual({ status: 200, contentType: 'video/webm', bytes: rec.size });
      // ffprobe on the downloaded file: 2 video + 2 audio streams, as long as the call
      expect(r.ffprobe.format).toContain('webm');
      expect(r.ffprobe.duration).toBeGreaterThan(callSeconds - 3);
      expect(r.ffprobe.duration).toBeLessThan(callSeconds + 2);
      expect(
        r.ffprobe.streams.filter((x: any) => x.type === 'video').map((x: any) => `${x.codec} ${x.width}x${x.height}`),
      ).toEqual(['vp8 320x240', 'vp8 320x240']);
      expect(r.ffprobe.streams.filter((x: any) => x.type === 'audio').map((x: any) => x.codec)).toEqual([
        'opus',
        'opus',
      ]);
    },
    130_000,
  );
});
