import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000Foundation } from './Migration20261122000000Foundation';
import { Migration20261122010000Tickets } from './Migration20261122010000Tickets';
import { Migration20261122020000Documents } from './Migration20261122020000Documents';
import { Migration20261122030000Agreements } from './Migration20261122030000Agreements';
import { Migration20261122040000Witness } from './Migration20261122040000Witness';
import { Migration20261122050000WitnessPresence } from './Migration20261122050000WitnessPresence';
import { Migration20261122070000WitnessRecording } from './Migration20261122070000WitnessRecording';
import { Migration20261122090000Partners } from './Migration20261122090000Partners';
import { Migration20261122091000Idempotency } from './Migration20261122091000Idempotency';
import { Migration20261122100000BrokerAdmin } from './Migration20261122100000BrokerAdmin';
import { Migration20261203000000AccountOpening } from './Migration20261203000000AccountOpening';

/** Core migrations in order. Add new ones at the end; never edit one that has shipped. */
export const CORE_MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122000000Foundation', class: Migration20261122000000Foundation },
  { name: 'Migration20261122010000Tickets', class: Migration20261122010000Tickets },
  { name: 'Migration20261122020000Documents', class: Migration20261122020000Documents },
  { name: 'Migration20261122030000Agreements', class: Migration20261122030000Agreements },
  { name: 'Migration20261122040000Witness', class: Migration20261122040000Witness },
  { name: 'Migration20261122050000WitnessPresence', class: Migration20261122050000WitnessPresence },
  { name: 'Migration20261122070000WitnessRecording', class: Migration20261122070000WitnessRecording },
  { name: 'Migration20261122090000Partners', class: Migration20261122090000Partners },
  { name: 'Migration20261122091000Idempotency', class: Migration20261122091000Idempotency },
  { name: 'Migration20261122100000BrokerAdmin', class: Migration20261122100000BrokerAdmin },
  { name: 'Migration20261203000000AccountOpening', class: Migration20261203000000AccountOpening },
];
