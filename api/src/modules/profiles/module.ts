/** The profiles module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { Customer } from './customer.entity';
import { ProfileStepResolver } from './profile-steps.resolver';
import { ContactPhoneStepResolver, contactPhoneStep } from './steps/contact-phone.step';
import { IdValidityStepResolver, idValidityStep } from './steps/id-validity.step';
import { OtherInfoStepResolver, otherInfoStep } from './steps/other-info.step';
import { CustomerResolver } from './profile.resolver';

export const profilesModule: KaihuModule = {
  entities: [Customer],
  resolvers: [
    ProfileStepResolver,
    CustomerResolver,
    IdValidityStepResolver,
    ContactPhoneStepResolver,
    OtherInfoStepResolver,
  ],
  steps: [idValidityStep, contactPhoneStep, otherInfoStep],
};
