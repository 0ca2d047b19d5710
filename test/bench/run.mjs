#!/usr/bin/env node
// `npm run bench`: builds, runs every benchmark in this folder in turn on this machine, and writes
// BENCHMARKS.md. `npm run bench -- foundation` runs only the named ones.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const ALL = ['foundation', 'login', 'photos', 'certificates', 'business', 'opening', 'queue', 'sfu', 'web'];
const only = process.argv.slice(2);
const names = only.length ? ALL.filter((n) => only.includes(n)) : ALL;

execSync('npx tsc -b tsconfig.build.json', { cwd: ROOT, stdio: 'inherit' });
const sections = [];
for (const name of names) {
  process.stdout.write(`bench ${name}…\n`);
  const mod = await import(`./${name}.mjs`);
  sections.push(await mod.run());
}
const header = [
  '# Benchmarks',
  '',
  (only.length
    ? `Produced by \`npm run bench\`; the sections ${names.map((n) => `\`${n}\``).join(', ')} last re-run by \`npm run bench -- ${only.join(' ')}\` on ${new Date().toISOString().slice(0, 10)}: `
    : `Produced by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: `) +
    `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
    `PostgreSQL on 127.0.0.1. Load generator and servers share the machine's cores, so absolute numbers are modest; ` +
    'the ratios against a baseline measured in the same run are what to compare.',
  '',
].join('\n');
const out = path.join(ROOT, 'BENCHMARKS.md');
// a partial run replaces its own sections (by their `## ` heading) and keeps the others
const kept =
  only.length && fs.existsSync(out)
    ? fs
        .readFileSync(out, 'utf8')
        .split(/^(?=## )/m)
        .slice(1)
    : [];
const heading = (s) => s.split('\n', 1)[0];
const merged = kept.map((old) => sections.find((s) => heading(s) === heading(old)) ?? old.replace(/\n*$/, '\n'));
for (const s of sections) if (!kept.some((old) => heading(old) === heading(s))) merged.push(s);
fs.writeFileSync(out, header + '\n' + merged.join('\n'));
process.stdout.write(fs.readFileSync(out, 'utf8'));
