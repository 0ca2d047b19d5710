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
import { ProfileStepService } from './modules/profiles';
import { ProfileService } from './modules/profiles';
import { DocumentService } from './modules/documents';
import { PartnerService } from './modules/partners';
import { ReviewService } from './modules/review';
import { TicketService } from './modules/tickets';
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
  profileSteps: ProfileStepService;
  review: ReviewService;
  certificates: CertificateService;
  agreements: AgreementService;
  witness: WitnessService;
  partners: PartnerService;
  plugins: Plugins;
  secrets: Secrets;
  bus: EventBus;
  /** Set by the server: closes this node's WebSockets of a session that just ended. */
  sessionsClosed: (sessionId: string) => void;
}

export function createServices(deps: {
  clock: Clock;
  plugins: Plugins;
  config: KaihuConfig;
  secrets: Secrets;
  bus: EventBus;
}): Services {
  const { clock, plugins, config, secrets, bus } = deps;
  const brokers = new BrokerService(clock);
  const captchas = new CaptchaService(clock, () => secrets, config.demo);
  const locks = new LockService(clock);
  const otp = new OtpService(clock, () => secrets, plugins.sms, locks);
  const profiles = new ProfileService(clock, plugins.counter, brokers);
  const apiKeys = new ApiKeyService(clock);
  const staff = new StaffService(clock, { brokers, otp, locks });
  const auth = new AuthService(clock, { captchas, otp, locks, brokers, profiles, counter: plugins.counter });
  const tickets = new TicketService(clock, { brokers, profiles });
  const partners = new PartnerService(clock, bus, () => secrets, { demo: config.demo, webhooks: config.webhooks });
  // partner events ride on the ticket trail: recorded in the same flush, announced after it
  tickets.onEvent = (em, t, change) => partners.record(em, t, change);
  tickets.onChange = (t) => {
    bus.publish(TOPICS.TICKET_UPDATED, t.id, { id: t.id });
    partners.committed(t);
  };
  const documents = new DocumentService(clock, () => secrets, plugins.documents, tickets, config.dataDir);
  const profileSteps = new ProfileStepService(clock, { tickets, profiles, otp, brokers });
  const certificates = new CertificateService(clock, () => secrets, { tickets, profiles, brokers });
  tickets.certificateCheck = (em, customerId) => certificates.hasValid(em, customerId);
  const agreements = new AgreementService(clock, { tickets, certificates });
  const witness = new WitnessService(
    clock,
    bus,
    { tickets, brokers, auth, documents, store: plugins.documents, secrets: () => secrets },
    config.witness,
  );
  const review = new ReviewService({ tickets, profiles, brokers, auth, counter: plugins.counter, sms: plugins.sms });
  return {
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
    profileSteps,
    review,
    certificates,
    agreements,
    witness,
    partners,
    plugins,
    secrets,
    bus,
    sessionsClosed: () => {},
  };
}
