#!/usr/bin/env node
// `npm test`: the contract report (informative until every contract operation exists), then jest
// over the whole repository; exits with jest's status. Extra arguments go to jest.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Integration and end-to-end tests run the compiled server as a child process too: build first.
const build = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
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
// PGlite loads its WebAssembly with a dynamic import(), which jest's VM only allows with this flag.
const jest = spawnSync(process.execPath, ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning', path.join(root, 'node_modules/jest/bin/jest.js'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(jest.status ?? 1);
