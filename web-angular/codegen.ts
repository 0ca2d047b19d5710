import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types and Angular services (one injectable per operation) from the API's schema and the
 * operations the front end uses. The output is built, not committed.
 */
const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: '../schema/operations/*.graphql',
  generates: {
    'src/app/graphql/generated.ts': {
      plugins: ['typescript-operations', 'typescript-apollo-angular'],
      config: {
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Date: 'string', JSONObject: 'Record<string, unknown>', Upload: 'File' },
        addExplicitOverride: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
      },
    },
  },
};
export default config;
