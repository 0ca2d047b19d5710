import type { Clock } from './common/clock';
import type { KaihuConfig } from './config';
import { AuthService } from './modules/auth/auth.service';
import { CaptchaService } from './modules/auth/captcha.service';
import { LockService, OtpService } from './modules/auth/otp.service';
import { BrokerService } from './modules/brokers/broker.service';
import type { Secrets } from './modules/platform/secrets';
import { ProfileService } from './modules/profiles/profile.service';
import { DocumentService } from './modules/documents/document.service';
import { TicketService } from './modules/tickets/ticket.service';
import type { Plugins } from './plugins/loader';

/** One instance of each module's service; modules reach each other only through these. */
export interface Services {
  brokers: BrokerService;
  auth: AuthService;
  captchas: CaptchaService;
  otp: OtpService;
  locks: LockService;
  profiles: ProfileService;
  tickets: TicketService;
  documents: DocumentService;
  plugins: Plugins;
  secrets: Secrets;
  /** Set by the server: closes this node's WebSockets of a session that just ended. */
  sessionsClosed: (sessionId: string) => void;
}

export function createServices(deps: { clock: Clock; plugins: Plugins; config: KaihuConfig; secrets: Secrets }): Services {
  const { clock, plugins, config, secrets } = deps;
  const brokers = new BrokerService(clock);
  const captchas = new CaptchaService(clock, () => secrets, config.demo);
  const locks = new LockService(clock);
  const otp = new OtpService(clock, () => secrets, plugins.sms, locks);
  const profiles = new ProfileService(clock, plugins.counter, brokers);
  const auth = new AuthService(clock, { captchas, otp, locks, brokers, profiles, counter: plugins.counter });
  const tickets = new TicketService(clock, { brokers, profiles });
  const documents = new DocumentService(clock, () => secrets, plugins.documents, tickets, config.dataDir);
  return { brokers, auth, captchas, otp, locks, profiles, tickets, documents, plugins, secrets, sessionsClosed: () => {} };
}
