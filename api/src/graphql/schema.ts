import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { MODULES } from '../modules';
import { createInProcessBus, type EventBus } from '../common/pubsub';
import { CONTRACT_SCALARS, DateTimeScalar } from './scalars';

/** Every module's resolvers (each module lists its own in its index.ts). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS = MODULES.flatMap((m) => m.resolvers) as unknown as NonEmptyArray<Function>;

/** Builds the executable schema; scalars the contract names are always present. */
export async function createSchema(bus: EventBus = createInProcessBus()): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    pubSub: bus,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
    emitSchemaFile: false,
  });
  const config = schema.toConfig();
  const present = new Set(config.types.map((t) => t.name));
  return new GraphQLSchema({
    ...config,
    types: [...config.types, ...CONTRACT_SCALARS.filter((s) => !present.has(s.name))],
  });
}

/** The SDL committed as schema/schema.graphql (sorted, so diffs stay small). */
export function printKaihuSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
