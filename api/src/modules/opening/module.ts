/** The opening module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { OpeningResolver, OpeningTicketResolver } from './opening.resolver';
import { Questionnaire } from './questionnaire.entity';
import { ExchangesStepResolver, exchangesStep } from './steps/exchanges.step';
import { IdentityStepResolver, identityStep } from './steps/identity.step';
import { ReturnVisitStepResolver, returnVisitStep } from './steps/return-visit.step';
import { SettlementStepResolver, settlementStep } from './steps/settlement.step';
import { SuitabilityStepResolver, suitabilityStep } from './steps/suitability.step';
import { TradingCode } from './trading-code.entity';

export const openingModule: KaihuModule = {
  entities: [Questionnaire, TradingCode],
  resolvers: [
    OpeningResolver,
    OpeningTicketResolver,
    IdentityStepResolver,
    SettlementStepResolver,
    SuitabilityStepResolver,
    ExchangesStepResolver,
    ReturnVisitStepResolver,
  ],
  steps: [identityStep, settlementStep, suitabilityStep, exchangesStep, returnVisitStep],
};
