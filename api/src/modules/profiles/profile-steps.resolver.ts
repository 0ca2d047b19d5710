import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
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
    const proposed = await services.profiles.withChanges(
      em,
      ticket.customerId,
      services.tickets.steps.profileChanges(ticket),
    );
    return services.profiles.toProfile(proposed, viewer.kind === 'STAFF' ? 'WHOLE' : 'MASKED');
  }
}
