// Photo numbers: a 12-megapixel, ~8 MB camera JPEG through the whole pipeline vs a bare sharp
// decode + rotate + encode of the same file (median time, peak RSS, each in its own process),
// and upload throughput through the API with 2 concurrent uploads.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, createDatabase, fmt, median, startNode, stop } from './lib.mjs';

const require = createRequire(path.join(ROOT, 'api/package.json'));
const sharp = require('sharp');
const RUNS = 7;

/** A camera-like photo: an ID card on a noisy dark desk, 4000×3000, JPEG quality 95 (~8 MB). */
export async function cameraPhoto(file) {
  const [w, h] = [4000, 3000];
  const noise = Buffer.alloc(w * h * 3);
  let x = 12345;
  for (let i = 0; i < noise.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    noise[i] = 35 + ((x >> 16) % 60);
  }
  const [cw, ch] = [2568, 1620];
  const lines = Array.from(
    { length: 8 },
    (_, i) => `<rect x="${140}" y="${260 + i * 140}" width="${900 + ((i * 97) % 500)}" height="46" fill="#39424e"/>`,
  ).join('');
  const card = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${cw}" height="${ch}"><rect width="100%" height="100%" rx="60" fill="#e9eef2"/>${lines}` +
      `<rect x="${cw - 820}" y="260" width="620" height="780" fill="#7a8596"/><ellipse cx="${cw - 510}" cy="560" rx="200" ry="250" fill="#c9b49a"/></svg>`,
  );
  await sharp(noise, { raw: { width: w, height: h, channels: 3 } })
    .composite([{ input: await sharp(card).png().toBuffer(), left: 716, top: 690 }])
    .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
    .toFile(file);
  return fs.statSync(file).size;
}

function measure(mode, file) {
  const script = `
    require('reflect-metadata');
    const sharp = require('sharp');
    const { processPhoto } = require('./api/dist/modules/documents/image-pipeline.js');
    (async () => {
      const times = [];
      for (let i = 0; i < ${RUNS}; i++) {
        const t0 = performance.now();
        if ('${mode}' === 'pipeline') await processPhoto(${JSON.stringify(file)}, 'ID_CARD_FRONT');
        else await sharp(${JSON.stringify(file)}).rotate().jpeg({ quality: 88 }).toBuffer();
        times.push(performance.now() - t0);
      }
      process.stdout.write(JSON.stringify({ times, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
    })();`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], {
      cwd: ROOT,
      env: { ...process.env, UV_THREADPOOL_SIZE: '4' },
    }).toString(),
  );
}

async function gql(url, query, variables, headers = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function uploadThroughput(file, total = 16, concurrency = 2) {
  const db = await createDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-bench-'));
  const { child, info } = await startNode(['test/bench/server.mjs'], { DATABASE_URL: db.url, KAIHU_DATA_DIR: dataDir });
  try {
    const url = info.kaihu;
    const { createCaptcha } = await gql(url, 'mutation { createCaptcha { id } }');
    const { answer } = await (await fetch(`${url}/dev/captcha/${createCaptcha.id}`)).json();
    const id = { idNumber: '110105198506123411', accountType: 'FUTURES_BROKERAGE' };
    await gql(url, 'mutation ($i: RequestLoginCodeInput!) { requestLoginCode(input: $i) { maskedPhone } }', {
      i: { ...id, captchaId: createCaptcha.id, captchaAnswer: answer },
    });
    const [{ code }] = await (await fetch(`${url}/dev/outbox?to=13800138000`)).json();
    const { login } = await gql(url, 'mutation ($i: LoginInput!) { login(input: $i) { token } }', {
      i: { ...id, code },
    });
    const auth = { authorization: `Bearer ${login.token}` };
    const { startTicket } = await gql(
      url,
      'mutation { startTicket(business: UPDATE_OTHER_INFO) { id } }',
      undefined,
      auth,
    );
    const bytes = fs.readFileSync(file);
    const once = async (n) => {
      // vary one byte in a JPEG comment-free tail so every upload is new content
      const copy = Buffer.from(bytes);
      copy[copy.length - 3] = n % 256;
      const form = new FormData();
      form.append(
        'operations',
        JSON.stringify({
          query:
            'mutation ($t: ID!, $f: Upload!) { uploadDocument(ticketId: $t, kind: ID_CARD_FRONT, file: $f) { id } }',
          variables: { t: startTicket.id, f: null },
        }),
      );
      form.append('map', JSON.stringify({ 0: ['variables.f'] }));
      form.append('0', new Blob([copy], { type: 'image/jpeg' }), 'camera.jpg');
      const t0 = performance.now();
      const res = await (
        await fetch(`${url}/graphql`, {
          method: 'POST',
          body: form,
          headers: { ...auth, 'apollo-require-preflight': 'true' },
        })
      ).json();
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return performance.now() - t0;
    };
    await once(999); // warm-up
    const latencies = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) latencies.push(await once(next++));
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return { perSecond: total / seconds, median: median(latencies), total, concurrency };
  } finally {
    await stop(child);
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-photo-'));
  const file = path.join(dir, 'camera.jpg');
  try {
    const size = await cameraPhoto(file);
    const bare = measure('bare', file);
    const pipeline = measure('pipeline', file);
    const up = await uploadThroughput(file);
    const mb = (size / 2 ** 20).toFixed(1);
    return [
      '## ID photos',
      '',
      `### One 4000×3000 (12 MP), ${mb} MB camera JPEG, ${RUNS} runs each, each variant in its own process`,
      '',
      '| what | median | runs (ms) | peak RSS |',
      '|---|---|---|---|',
      `| bare \`sharp(file).rotate().jpeg().toBuffer()\` | ${fmt(median(bare.times), 0)} ms | ${bare.times.map((t) => fmt(t, 0)).join(', ')} | ${fmt(bare.maxRssMb, 0)} MB |`,
      `| Kaihu pipeline: decode, orient, find card, crop, rotate, quality checks, JPEG + thumbnail | ${fmt(median(pipeline.times), 0)} ms | ${pipeline.times.map((t) => fmt(t, 0)).join(', ')} | ${fmt(pipeline.maxRssMb, 0)} MB |`,
      `| **ratio pipeline / bare** (goal ≤ 2) | **${fmt(median(pipeline.times) / median(bare.times), 2)}** | | |`,
      '',
      `### Uploads through the API (GraphQL multipart, PostgreSQL, storage-fs): ${up.total} uploads of that file, ${up.concurrency} at a time`,
      '',
      `${fmt(up.perSecond, 2)} uploads/s on this 2-core machine (median ${fmt(up.median, 0)} ms per upload, including transfer, hashing, the pipeline and storing original, processed and thumbnail).`,
      '',
    ].join('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
