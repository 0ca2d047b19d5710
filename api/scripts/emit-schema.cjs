#!/usr/bin/env node
// Writes schema/schema.graphql from the compiled API (run through `npm run schema`, which builds first).
require('reflect-metadata');
const fs = require('node:fs');
const path = require('node:path');
const { createSchema, printKaihuSchema } = require('../dist/graphql/schema.js');

createSchema().then(
  (schema) => {
    const out = path.resolve(__dirname, '../../schema/schema.graphql');
    const sdl = printKaihuSchema(schema);
    const before = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    fs.writeFileSync(out, sdl);
    console.log(
      `${path.relative(process.cwd(), out)}: ${before === sdl ? 'unchanged' : 'written'} (${sdl.split('\n').length} lines)`,
    );
  },
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
