/** The video witness (视频见证): queue, sessions, presence, recordings and media. What other modules may use of it. */
import type { KaihuModule } from '../../common/module';
import { QueueEntry, SfuNode, WitnessRecording, WitnessSession } from './witness.entity';
import { WitnessResolver, WitnessSessionResolver } from './witness.resolver';

export { WITNESS_FAST_SUBSCRIPTIONS } from './witness.resolver';
export { WitnessService } from './witness.service';

/** For the composition root: the module's tables and GraphQL resolvers. */
export const witnessModule: KaihuModule = {
  entities: [QueueEntry, SfuNode, WitnessRecording, WitnessSession],
  resolvers: [WitnessResolver, WitnessSessionResolver],
};
