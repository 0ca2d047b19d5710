#!/usr/bin/env node
// `npm test`: the contract report (informative until every contract operation exists), then jest
// over the whole repository; exits with jest's status. Extra arguments go to jest.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Integration and end-to-end tests run the compiled server as a child process too: build first.
const build = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'],
  { cwd: root, stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const checker = path.resolve(root, '../shared/tools/check-contract.mjs');
if (existsSync(checker)) {
  const r = spawnSync(process.execPath, [checker, 'schema/schema.graphql'], { cwd: root, encoding: 'utf8' });
  process.stdout.write('--- public contract report (missing operations do not fail the run yet) ---\n');
  process.stdout.write(r.stdout + r.stderr);
  process.stdout.write('---\n');
} else {
  process.stdout.write('contract check skipped: ../shared/tools/check-contract.mjs is not beside this clone\n');
}
// The Angular app: the browser tests drive it, and the server serves it.
const web = spawnSync('npm', ['run', 'build', '-w', 'web-angular', '--silent'], { cwd: root, stdio: 'inherit' });
if (web.status !== 0) process.exit(web.status ?? 1);
const args = process.argv.slice(2);
const browserOnly = args[0] === '--browser';
if (browserOnly) args.shift();
// PGlite loads its WebAssembly with a dynamic import(), which jest's VM only allows with this flag.
const jestArgs = [
  '--experimental-vm-modules',
  '--disable-warning=ExperimentalWarning',
  path.join(root, 'node_modules/jest/bin/jest.js'),
];
let status = 0;
if (!browserOnly) {
  const jest = spawnSync(process.execPath, [...jestArgs, ...args], { cwd: root, stdio: 'inherit' });
  status = jest.status ?? 1;
}
// Browser tests (test/browser): headless Chromium with WebRTC, in a network namespace with only
// loopback (as the WebRTC tests of the SFU); PostgreSQL through its Unix socket there.
const canUnshare = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (!existsSync('/usr/bin/chromium') && !process.env.KAIHU_CHROMIUM) {
  process.stdout.write('browser tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)\n');
  if (process.env.CI === 'true') status = status || 1;
} else if (browserOnly || args.length === 0) {
  const socket = process.env.KAIHU_TEST_PG_SOCKET ?? '/var/run/postgresql';
  const env = {
    ...process.env,
    KAIHU_BROWSER_TESTS: '1',
    KAIHU_TEST_PG_URL: process.env.KAIHU_TEST_PG_URL ?? `postgresql://postgres@${encodeURIComponent(socket)}/postgres`,
  };
  const browserArgs = [...jestArgs, '--roots', path.join(root, 'test/browser'), '--runInBand', ...args];
  const run = canUnshare
    ? spawnSync(
        'unshare',
        ['-n', 'bash', '-c', 'ip link set lo up && exec "$@"', 'bash', process.execPath, ...browserArgs],
        { cwd: root, stdio: 'inherit', env },
      )
    : spawnSync(process.execPath, browserArgs, { cwd: root, stdio: 'inherit', env });
  status = status || (run.status ?? 1);
}
process.exit(status);
