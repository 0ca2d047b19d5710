import type { StepDefinition } from '../modules/tickets';

/** What each module of `api/src/modules` hands to the composition root (server, ORM, schema). */
export interface KaihuModule {
  /** MikroORM entities of the module's own tables */
  entities: readonly (abstract new (...args: never[]) => unknown)[];
  /** type-graphql resolver classes */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: readonly Function[];
  /** the step kinds whose data the module collects (see modules/tickets/steps.ts) */
  steps?: readonly StepDefinition<never, unknown>[];
}
