import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { KaihuContext } from '../../graphql/context';
import { CodeDelivery } from '../auth';
import { requireCustomer } from '../auth';
import { toTicketType, type TicketRoot } from '../tickets';
import { TicketType } from '../tickets';
import { EDUCATION_OPTIONS, OCCUPATION_OPTIONS, PROVINCES } from './profile-changes';
import { ContactPhoneInput, IdValidityInput, OtherInfoInput, ProfileOptions } from './profile-steps.types';
import { Profile } from './profile.types';

@Resolver(() => TicketType)
export class ProfileStepResolver {
  @Query(() => ProfileOptions, { description: '学历、职业、省份等选项' })
  profileOptions(): ProfileOptions {
    return { education: [...EDUCATION_OPTIONS], occupation: [...OCCUPATION_OPTIONS], provinces: [...PROVINCES] };
  }

  @Mutation(() => TicketType, { description: '身份信息资料：修改身份证有效期' })
  async updateIdValidity(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('input', () => IdValidityInput) input: IdValidityInput,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    return toTicketType(await services.profileSteps.updateIdValidity(em, requireCustomer(viewer), ticketId, input));
  }

  @Mutation(() => CodeDelivery, { description: '向新手机号发送短信验证码' })
  requestPhoneCode(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('mobile', () => String) mobile: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<CodeDelivery> {
    return services.profileSteps.requestPhoneCode(em, requireCustomer(viewer), ticketId, mobile);
  }

  @Mutation(() => TicketType, { description: '联系电话信息资料（联系电话是座机时，不输入短信验证码）' })
  async updateContactPhone(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('input', () => ContactPhoneInput) input: ContactPhoneInput,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    return toTicketType(await services.profileSteps.updateContactPhone(em, requireCustomer(viewer), ticketId, input));
  }

  @Mutation(() => TicketType, { description: '其他信息资料' })
  async updateOtherInfo(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('input', () => OtherInfoInput) input: OtherInfoInput,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    return toTicketType(await services.profileSteps.updateOtherInfo(em, requireCustomer(viewer), ticketId, input));
  }

  @FieldResolver(() => Profile, { nullable: true, description: 'the profile as it will be after approval' })
  async proposedProfile(@Root() t: TicketRoot, @Ctx() { em, services, viewer }: KaihuContext): Promise<Profile | null> {
    if (!viewer) return null;
    const ticket = await services.tickets.get(em, viewer, t.id);
    const proposed = await services.profileSteps.proposedProfile(em, ticket);
    return services.profiles.toProfile(proposed, viewer.kind === 'STAFF' ? 'WHOLE' : 'MASKED');
  }
}
