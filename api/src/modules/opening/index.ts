/** 开立期货账户: prospects' applications, questionnaires, exchanges and the account the counter opens. What other modules may use of it. */
export { OpeningService, type IdentityData } from './opening.service';
