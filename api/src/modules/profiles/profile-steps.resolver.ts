import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { CounterProfile } from '@kaihu/plugin-api';
import type { KaihuContext } from '../../graphql/context';
import { TicketType, type TicketRoot } from '../tickets';
import { EDUCATION_OPTIONS, OCCUPATION_OPTIONS, PROVINCES } from './profile-changes';
import { ProfileOptions } from './profile-steps.types';
import { Profile } from './profile.types';

@Resolver(() => TicketType)
export class ProfileStepResolver {
  @Query(() => ProfileOptions, { description: '学历、职业、省份等选项' })
  profileOptions(): ProfileOptions {
    return { education: [...EDUCATION_OPTIONS], occupation: [...OCCUPATION_OPTIONS], provinces: [...PROVINCES] };
  }

  @FieldResolver(() => Profile, { nullable: true, description: 'the profile as it will be after approval' })
  async proposedProfile(@Root() t: TicketRoot, @Ctx() { em, services, viewer }: KaihuContext): Promise<Profile | null> {
    if (!viewer) return null;
    const ticket = await services.tickets.get(em, viewer, t.id);
    const changes = services.tickets.steps.profileChanges(ticket);
    // an applicant who is not a customer yet: their whole profile is what 身份信息填写 collected (or none so far)
    const proposed = (await services.profiles.findCustomer(em, ticket.customerId))
      ? await services.profiles.withChanges(em, ticket.customerId, changes)
      : changes.idNumber
        ? (changes as CounterProfile)
        : null;
    return proposed && services.profiles.toProfile(proposed, viewer.kind === 'STAFF' ? 'WHOLE' : 'MASKED');
  }
}
