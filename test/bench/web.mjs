// Customer portal numbers: the JavaScript the login page /login of the built Angular app costs
// (raw, gzip -9 of the files, and what Chromium actually receives from the server), and how long a
// fresh headless Chromium takes until the login form can be used, next to a minimal static page
// with the same form controls served by a bare `http` server in the same run.
/* global window, document, MutationObserver -- in functions that run in the page */
import { execSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { ROOT, fmt, median, percentile, stop, waitHealthy } from './lib.mjs';

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 20);
const WARMUP = 2;
const CHROMIUM = process.env.KAIHU_CHROMIUM ?? '/usr/bin/chromium';
const DIST = path.join(ROOT, 'web-angular/dist/browser');
const PHONE = { width: 390, height: 844 };

/** Raw, gzip (zlib level 9) and brotli (quality 11) sizes of a file of the built app. */
function sizes(file) {
  const buf = fs.readFileSync(path.join(DIST, file));
  return {
    file,
    raw: buf.length,
    gzip: zlib.gzipSync(buf, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** The files index.html loads before the app starts: module scripts, modulepreloads, stylesheets. */
function initialFiles() {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const attr = (tag, name) => new RegExp(`\\b${name}="([^"]+)"`).exec(tag)?.[1];
  const js = new Set();
  const css = new Set();
  for (const [tag] of html.matchAll(/<script\b[^>]*>/g)) if (attr(tag, 'src')) js.add(attr(tag, 'src'));
  for (const [tag] of html.matchAll(/<link\b[^>]*>/g)) {
    const rel = attr(tag, 'rel');
    if (rel === 'modulepreload') js.add(attr(tag, 'href'));
    if (rel === 'stylesheet') css.add(attr(tag, 'href'));
  }
  return { js: [...js], css: [...css] };
}

const sum = (rows, key) => rows.reduce((t, r) => t + r[key], 0);
const kb = (bytes) => `${fmt(bytes / 1000, 1)} kB`;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The baseline: the same controls the readiness check looks for, in a static page, no script. */
const CAPTCHA_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="44"><rect width="100%" height="100%" fill="#f3f6fb"/><text x="20" y="30" font-size="22">7K3Q</text></svg>';
const BLANK_HTML = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>登录</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main><h1>登录</h1>
<img data-captcha-id="x" src="data:image/svg+xml;base64,${Buffer.from(CAPTCHA_SVG).toString('base64')}" width="120" height="44" alt="图形验证码图片">
<button type="button">获取短信验证码</button></main></body></html>`;

function startBlankServer() {
  const server = http.createServer((req, res) => {
    if (req.url === '/favicon.ico') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).end(BLANK_HTML);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Runs in every document before its own scripts: records `performance.now()` (ms since navigation
 * start) the first time the login form is usable — the 获取短信验证码 button rendered, visible and
 * enabled, and the captcha image `<img data-captcha-id>` loaded — checked after every DOM mutation
 * and every element load event.
 */
function readinessProbe() {
  const check = () => {
    if (window.__kaihuReady !== undefined) return;
    const img = document.querySelector('img[data-captcha-id]');
    if (!img || !img.complete || img.naturalWidth === 0) return;
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === '获取短信验证码');
    if (!button || button.disabled || !button.checkVisibility()) return;
    const box = button.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return;
    window.__kaihuReady = performance.now();
    observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  document.addEventListener('load', check, true);
  document.addEventListener('DOMContentLoaded', check);
}

/** One page load in a fresh context (empty cache, no cookies). */
async function loadOnce(browser, url) {
  const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    await context.addInitScript(readinessProbe);
    const page = await context.newPage();
    const encodings = {};
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.endsWith('.js'))
        encodings[new URL(r.url()).pathname.slice(1)] = r.headers()['content-encoding'] ?? 'identity';
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__kaihuReady !== undefined, null, { timeout: 30_000 });
    const m = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const resources = performance.getEntriesByType('resource').map((r) => ({
        path: new URL(r.name).pathname.slice(1),
        transfer: r.transferSize,
        encoded: r.encodedBodySize,
        decoded: r.decodedBodySize,
      }));
      return {
        ready: window.__kaihuReady,
        dcl: nav.domContentLoadedEventEnd,
        load: nav.loadEventEnd,
        fcp: fcp ? fcp.startTime : NaN,
        navTransfer: nav.transferSize,
        resources,
      };
    });
    return { ...m, encodings };
  } finally {
    await context.close();
  }
}

function stats(loads, key) {
  const v = loads.map((l) => l[key]).filter((x) => Number.isFinite(x));
  return v.length ? { median: median(v), p90: percentile(v, 90), n: v.length } : { median: NaN, p90: NaN, n: 0 };
}

function budgetsText() {
  const angular = JSON.parse(fs.readFileSync(path.join(ROOT, 'web-angular/angular.json'), 'utf8'));
  const budgets = angular.projects['kaihu-web'].architect.build.configurations.production.budgets ?? [];
  return budgets
    .map(
      (b) =>
        `\`${b.type}${b.name ? ` ${b.name}` : ''}\` warning ${b.maximumWarning ?? '–'} / error ${b.maximumError ?? '–'}`,
    )
    .join('; ');
}

export async function run() {
  // the app as the sources say now (the server serves web-angular/dist/browser);
  // BENCH_WEB_SKIP_BUILD=1 measures the dist/ that is there
  if (!process.env.BENCH_WEB_SKIP_BUILD)
    execSync('npm run build -w web-angular --silent', { cwd: ROOT, stdio: 'inherit' });
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);

  const initial = initialFiles();
  const initialJs = initial.js.map(sizes);
  const initialCss = initial.css.map(sizes);

  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-bench-web-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, ['api/dist/main.js'], {
    cwd: ROOT,
    // every load of /login creates a captcha: lift the per-IP captcha limit (20 per 10 min)
    env: {
      ...process.env,
      PORT: String(port),
      KAIHU_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      REDIS_URL: '',
      KAIHU_DEMO: '1',
      KAIHU_RATE_CODE_PER_IP: '100000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const blank = await startBlankServer();
  const loginUrl = `http://127.0.0.1:${port}/login`;
  const blankUrl = `http://127.0.0.1:${blank.address().port}/login.html`;
  let browser;
  try {
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, t0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    });
    // interleaved, so drift in the machine's load hits both alike; the first loads warm up
    // Chromium, the server's JIT and PGlite and are not counted
    const logins = [];
    const blanks = [];
    const loadBefore = os.loadavg()[0];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const b = await loadOnce(browser, blankUrl);
      const l = await loadOnce(browser, loginUrl);
      if (i >= WARMUP) {
        blanks.push(b);
        logins.push(l);
      }
    }

    const loadAfter = os.loadavg()[0];

    // what Chromium received for JavaScript on /login (the last load; every load is cold)
    const last = logins[logins.length - 1];
    const jsLoaded = last.resources.filter((r) => r.path.endsWith('.js'));
    for (const l of logins) {
      const n = l.resources.filter((r) => r.path.endsWith('.js')).length;
      if (n !== jsLoaded.length) throw new Error(`loads of /login fetched ${n} and ${jsLoaded.length} scripts`);
    }
    const lazyJs = jsLoaded.filter((r) => !initial.js.includes(r.path)).map((r) => sizes(r.path));
    const allJs = [...initialJs, ...lazyJs];
    const encodings = [...new Set(Object.values(last.encodings))].join(', ');
    const received = {
      transfer: sum(jsLoaded, 'transfer'),
      encoded: sum(jsLoaded, 'encoded'),
      decoded: sum(jsLoaded, 'decoded'),
    };
    const everything = last.navTransfer + sum(last.resources, 'transfer');
    const others = last.resources.filter((r) => !r.path.endsWith('.js'));
    const otherList = [...new Set(others.map((r) => r.path))]
      .map((p) => `\`/${p}\` × ${others.filter((r) => r.path === p).length}`)
      .join(', ');

    const ready = { login: stats(logins, 'ready'), blank: stats(blanks, 'ready') };
    const dcl = { login: stats(logins, 'dcl'), blank: stats(blanks, 'dcl') };
    const fcp = { login: stats(logins, 'fcp'), blank: stats(blanks, 'fcp') };
    const ms = (v) => (Number.isFinite(v) ? `${fmt(v, 0)} ms` : 'n/a');
    const ratio = (a, b) => (Number.isFinite(a / b) ? fmt(a / b, 1) : 'n/a');
    const row = (label, s) =>
      `| ${label} | ${ms(s.login.median)} | ${ms(s.login.p90)} | ${ms(s.blank.median)} | ${ms(s.blank.p90)} | ${ratio(s.login.median, s.blank.median)} |`;
    const fileRow = (r, kind) =>
      `| \`${r.file}\` | ${kind} | ${fmt(r.raw, 0)} | ${fmt(r.gzip, 0)} | ${fmt(r.brotli, 0)} |`;
    const angularInitial = sum(initialJs, 'raw') + sum(initialCss, 'raw');

    return [
      '## Customer portal (web)',
      '',
      `\`npm run bench -- web\` (test/bench/web.mjs): builds the Angular app (\`npm run build -w web-angular\`), starts \`node api/dist/main.js\` on embedded PGlite with the demo data, and loads \`/login\` in Debian's Chromium (${CHROMIUM}, headless, driven by playwright-core, 390 × 844 viewport) on the same 2-core machine as the server.`,
      '',
      '### JavaScript of `/login`',
      '',
      `Files from \`web-angular/dist/browser\`: the initial ones are the \`<script src>\` and \`<link rel="modulepreload">\` of \`index.html\`; the lazy ones are the further scripts Chromium fetched for \`/login\` (the login page's route chunk and what it imports). gzip is zlib level 9 and brotli quality 11, computed here from the files — **not** what the server sends.`,
      '',
      '| file | kind | raw bytes | gzip -9 bytes | brotli 11 bytes |',
      '|---|---|---|---|---|',
      ...initialJs.map((r) => fileRow(r, 'initial JS')),
      ...lazyJs.map((r) => fileRow(r, 'lazy JS for /login')),
      ...initialCss.map((r) => fileRow(r, 'initial CSS')),
      `| **initial JS** | | **${fmt(sum(initialJs, 'raw'), 0)}** | **${fmt(sum(initialJs, 'gzip'), 0)}** | **${fmt(sum(initialJs, 'brotli'), 0)}** |`,
      `| **all JS of /login** | | **${fmt(sum(allJs, 'raw'), 0)}** | **${fmt(sum(allJs, 'gzip'), 0)}** | **${fmt(sum(allJs, 'brotli'), 0)}** |`,
      '',
      `What Chromium received for those ${jsLoaded.length} scripts (Resource Timing of a cold load): ${fmt(received.transfer, 0)} bytes transferred including headers, ${fmt(received.encoded, 0)} bytes of body, ${fmt(received.decoded, 0)} bytes decoded; \`Content-Encoding\`: ${encodings}. ` +
        (received.encoded < received.decoded
          ? 'The server compresses.'
          : 'The API server (Express `express.static`) sends the files uncompressed, so on the wire /login costs the raw size; the gzip column is what a compressing reverse proxy (or compression in the server) would send.') +
        ` By the time the form was ready, the cold load of /login had transferred ${kb(everything)} in all: the document, the scripts, and ${otherList}.`,
      '',
      `### Time until the login form is usable, fresh browser context each load (median and p90 of ${RUNS} loads each, after ${WARMUP} warm-up loads of each, interleaved)`,
      '',
      'Measured in the page from navigation start (`performance.now()`): **ready** is the first moment the 获取短信验证码 button is rendered, visible and enabled and the captcha `<img data-captcha-id>` has loaded (checked after every DOM mutation and element load); DOMContentLoaded is `domContentLoadedEventEnd`; FCP is the `first-contentful-paint` paint entry. The baseline is a static HTML page with the same button and a data-URL captcha image, no script, served by a bare Node `http` server in the same process as the benchmark.',
      '',
      '| measure | /login median | /login p90 | baseline median | baseline p90 | ratio /login ÷ baseline (medians) |',
      '|---|---|---|---|---|---|',
      row('**ready (login form usable)**', ready),
      row('DOMContentLoaded', dcl),
      row('first contentful paint', fcp),
      '',
      `/login becomes usable after the scripts above are fetched and run, Angular boots, the login route's chunks load and the other requests listed above (among them the \`createCaptcha\` mutation) are answered. Chromium, the server and its PGlite share the two cores; the 1-minute load average was ${fmt(loadBefore, 2)} before the loads and ${fmt(loadAfter, 2)} after them (above 2 means other work was competing for the cores).`,
      '',
      '### Angular budgets (`web-angular/angular.json`, production)',
      '',
      `${budgetsText()}. Angular counts \`initial\` as the initial JS plus the global stylesheet, raw and in kB of 1,000 bytes: ${kb(angularInitial)} in this build; the \`login-page\` bundle budget is the lazy route chunk of /login. \`cd web-angular && npx ng build\` fails when an error budget is exceeded.`,
      '',
    ].join('\n');
  } finally {
    await browser?.close();
    blank.close();
    await stop(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
