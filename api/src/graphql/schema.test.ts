import fs from 'node:fs';
import path from 'node:path';
import { buildSchema as buildSdl } from 'graphql';
import { createSchema, printKaihuSchema } from './schema';

describe('schema/schema.graphql', () => {
  it('is up to date with the resolvers (run `npm run schema` when this fails)', async () => {
    const committed = fs.readFileSync(path.resolve(__dirname, '../../../schema/schema.graphql'), 'utf8');
    expect(printKaihuSchema(await createSchema())).toBe(committed);
  });

  it('has the contract scalars under their contract names', async () => {
    const schema = buildSdl(printKaihuSchema(await createSchema()));
    for (const name of ['Date', 'DateTime', 'JSONObject', 'Upload']) {
      expect(schema.getType(name)?.toString()).toBe(name);
    }
  });
});
