import { Agreement, AgreementSignature } from '../modules/agreements/agreement.entity';
import { ApiKey } from '../modules/auth/api-key.entity';
import { Certificate, CertificateAuthority } from '../modules/certificates/certificate.entity';
import { Captcha } from '../modules/auth/captcha.entity';
import { LoginLock } from '../modules/auth/login-lock.entity';
import { OtpCode } from '../modules/auth/otp-code.entity';
import { Session } from '../modules/auth/session.entity';
import { Document } from '../modules/documents/document.entity';
import { Customer } from '../modules/profiles/customer.entity';
import { TicketEvent } from '../modules/tickets/ticket-event.entity';
import { Ticket } from '../modules/tickets/ticket.entity';
import { QueueEntry, SfuNode, WitnessRecording, WitnessSession } from '../modules/witness/witness.entity';
import { Setting } from '../modules/platform/setting.entity';
import { IdempotencyKey, RateLimit } from '../modules/platform/limits.entity';
import { StaffUser } from '../modules/auth/staff-user.entity';
import { Branch } from '../modules/brokers/branch.entity';
import { BrokerHoliday } from '../modules/brokers/broker-holiday.entity';
import { Broker } from '../modules/brokers/broker.entity';
import { PartnerEvent, WebhookDelivery, WebhookEndpoint } from '../modules/partners/partner.entity';

/** Every entity of every module; each module adds its own here. */
export const ENTITIES = [
  Setting,
  Broker,
  Branch,
  BrokerHoliday,
  StaffUser,
  ApiKey,
  Captcha,
  OtpCode,
  LoginLock,
  Session,
  Customer,
  Ticket,
  TicketEvent,
  Document,
  Agreement,
  AgreementSignature,
  CertificateAuthority,
  Certificate,
  QueueEntry,
  WitnessSession,
  WitnessRecording,
  SfuNode,
  IdempotencyKey,
  RateLimit,
  PartnerEvent,
  WebhookEndpoint,
  WebhookDelivery,
];
