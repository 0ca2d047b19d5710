import type { Type } from '@angular/core';
import type { TicketStepKind } from '../../graphql/generated';

/**
 * Which view runs which step (data, not an if-chain). Each view is loaded when a customer reaches
 * its step, so the login page does not carry the camera, certificate or video-call code.
 */
export const STEP_VIEWS: Partial<Record<TicketStepKind, () => Promise<Type<unknown>>>> = {
  DOCUMENTS: () => import('./documents.step').then((m) => m.DocumentsStep),
  IDENTITY: () => import('./identity.step').then((m) => m.IdentityStep),
  SETTLEMENT_ACCOUNT: () => import('./settlement.step').then((m) => m.SettlementStep),
  SUITABILITY: () => import('./suitability.step').then((m) => m.SuitabilityStep),
  EXCHANGES: () => import('./exchanges.step').then((m) => m.ExchangesStep),
  RETURN_VISIT: () => import('./return-visit.step').then((m) => m.ReturnVisitStep),
  ID_VALIDITY: () => import('./id-validity.step').then((m) => m.IdValidityStep),
  CONTACT_PHONE: () => import('./contact-phone.step').then((m) => m.ContactPhoneStep),
  OTHER_INFO: () => import('./other-info.step').then((m) => m.OtherInfoStep),
  VIDEO_WITNESS: () => import('./witness/witness.step').then((m) => m.WitnessStep),
  CERTIFICATE: () => import('./certificate.step').then((m) => m.CertificateStep),
  AGREEMENTS: () => import('./agreements.step').then((m) => m.AgreementsStep),
  SUBMITTED: () => import('./submit.step').then((m) => m.SubmitStep),
};
