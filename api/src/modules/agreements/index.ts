/** Agreements (协议): versioned texts per business, what a ticket signs, and the verified signatures. What other modules may use of it. */

export { AgreementService } from './agreement.service';
