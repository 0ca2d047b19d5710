import type { SqlClient } from '@kaihu/plugin-api';
import { SfuNodeRegistry } from '@kaihu/sfu';
import type { Clock } from './common/clock';
import { TOPICS, type EventBus } from './common/pubsub';
import type { KaihuConfig } from './config';
import { AgreementService } from './modules/agreements';
import { ApiKeyService } from './modules/auth';
import { AuthService } from './modules/auth';
import { CaptchaService } from './modules/auth';
import { StaffService } from './modules/auth';
import { LockService, OtpService } from './modules/auth';
import { BrokerService } from './modules/brokers';
import { CertificateService } from './modules/certificates';
import type { Secrets } from './modules/platform';
import { ProfileService } from './modules/profiles';
import { DocumentService } from './modules/documents';
import { PartnerService } from './modules/partners';
import { OpeningService } from './modules/opening';
import { ReviewService } from './modules/review';
import { StepRegistry, TicketService } from './modules/tickets';
import { MODULES } from './modules';
import { WitnessService } from './modules/witness';
import type { Plugins } from './plugins/loader';

/** One instance of each module's service; modules reach each other only through these. */
export interface Services {
  brokers: BrokerService;
  auth: AuthService;
  staff: StaffService;
  apiKeys: ApiKeyService;
  captchas: CaptchaService;
  otp: OtpService;
  locks: LockService;
  profiles: ProfileService;
  tickets: TicketService;
  documents: DocumentService;
  review: ReviewService;
  certificates: CertificateService;
  agreements: AgreementService;
  witness: WitnessService;
  partners: PartnerService;
  opening: OpeningService;
  plugins: Plugins;
  secrets: Secrets;
  bus: EventBus;
}

export function createServices(deps: {
  /** the database for plugins' and the SFU registry's own SQL */
  sql: SqlClient;
  clock: Clock;
  plugins: Plugins;
  config: KaihuConfig;
  secrets: Secrets;
  bus: EventBus;
}): Services {
  const { clock, plugins, config, secrets, bus, sql } = deps;
  const brokers = new BrokerService(clock);
  const captchas = new CaptchaService(clock, () => secrets, config.demo);
  const locks = new LockService(clock);
  const otp = new OtpService(clock, () => secrets, plugins.sms, locks);
  const profiles = new ProfileService(clock, plugins.counter, brokers);
  const apiKeys = new ApiKeyService(clock);
  const staff = new StaffService(clock, { brokers, otp, locks });
  const certificates = new CertificateService(clock, () => secrets, { profiles, brokers });
  const agreements = new AgreementService(clock, { certificates });
  const auth = new AuthService(clock, {
    captchas,
    otp,
    locks,
    brokers,
    profiles,
    counter: plugins.counter,
    agreements,
  });
  const partners = new PartnerService(clock, bus, () => secrets, { demo: config.demo, webhooks: config.webhooks });
  const tickets = new TicketService(
    clock,
    { brokers, profiles },
    {
      steps: new StepRegistry(MODULES.flatMap((m) => m.steps ?? [])),
      // the step definitions call other modules' services: the set being built here
      services: () => services,
      listeners: [
        // partner events ride on the ticket trail: recorded in the same flush, announced after it
        partners,
        { committed: (t) => bus.publish(TOPICS.TICKET_UPDATED, t.id, { id: t.id }) },
      ],
    },
  );
  const documents = new DocumentService(clock, () => secrets, plugins.documents, tickets, config.dataDir);
  const witness = new WitnessService(
    clock,
    bus,
    {
      tickets,
      brokers,
      auth,
      documents,
      store: plugins.documents,
      secrets: () => secrets,
      sfuNodes: new SfuNodeRegistry(sql),
    },
    config.witness,
  );
  const opening = new OpeningService(clock, {
    brokers,
    profiles,
    tickets,
    auth,
    counter: plugins.counter,
    sms: plugins.sms,
  });
  const review = new ReviewService({
    tickets,
    profiles,
    brokers,
    auth,
    counter: plugins.counter,
    sms: plugins.sms,
    services: () => services,
  });
  const services: Services = {
    brokers,
    auth,
    staff,
    apiKeys,
    captchas,
    otp,
    locks,
    profiles,
    tickets,
    documents,
    review,
    certificates,
    agreements,
    witness,
    partners,
    opening,
    plugins,
    secrets,
    bus,
  };
  return services;
}
