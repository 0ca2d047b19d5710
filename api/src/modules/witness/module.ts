/** The witness module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { QueueEntry, WitnessRecording, WitnessSession } from './witness.entity';
import { WitnessResolver, WitnessSessionResolver } from './witness.resolver';

export const witnessModule: KaihuModule = {
  entities: [QueueEntry, WitnessRecording, WitnessSession],
  resolvers: [WitnessResolver, WitnessSessionResolver],
};

export { WITNESS_FAST_SUBSCRIPTIONS } from './witness.resolver';
