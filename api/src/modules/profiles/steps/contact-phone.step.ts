/**
 * 联系电话信息资料 (修改联系电话): a mobile needs the SMS code sent to it (the same throttles and
 * lock as the login code), a landline none.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../../common/errors';
import type { KaihuContext } from '../../../graphql/context';
import type { Services } from '../../../services';
import { CodeDelivery, requireCustomer, type Viewer } from '../../auth';
import { defineStep, runApplicantStep, TicketType, type StepRun } from '../../tickets';
import { classifyPhone, type PhoneKind } from '../profile-changes';
import { ContactPhoneInput } from '../profile-steps.types';

const subject = (services: Services, customerId: string) => services.otp.subject('PHONE', customerId);

export const contactPhoneStep = defineStep({
  kind: 'CONTACT_PHONE',
  async collect({
    em,
    viewer,
    input,
    services,
  }: StepRun<ContactPhoneInput>): Promise<{ kind: PhoneKind; phone: string }> {
    const phone = classifyPhone(input.phone);
    if (phone.kind === 'MOBILE') {
      if (!input.code) throw new KaihuError(ErrorCode.CODE_INVALID, '请输入发送到新手机号的短信验证码');
      await services.otp.verify(em, {
        subject: subject(services, viewer.customerId!),
        code: input.code,
        sentTo: phone.phone,
      });
    }
    return phone;
  },
  profileChanges: (d) => (d.kind === 'MOBILE' ? { mobile: d.phone } : { phone: d.phone }),
});

/** Sends a code to the NEW mobile, at the step only. */
async function requestPhoneCode(
  em: EntityManager,
  services: Services,
  viewer: Viewer & { customerId: string; applicantId: string },
  ticketId: string,
  mobile: string,
): Promise<CodeDelivery> {
  const ticket = await services.tickets.getOwn(em, viewer, ticketId);
  services.tickets.assertAtStep(ticket, 'CONTACT_PHONE');
  const phone = classifyPhone(mobile);
  if (phone.kind !== 'MOBILE')
    throw new KaihuError(ErrorCode.INVALID_PHONE, '座机号码无需短信验证码；获取验证码请输入中国大陆手机号');
  const broker = await services.brokers.findById(em, ticket.brokerId);
  return services.otp.issue(em, {
    purpose: 'PHONE_CODE',
    subject: subject(services, viewer.customerId),
    to: phone.phone,
    brokerCode: broker?.code,
    text: (code) =>
      `【${broker?.name ?? '开户云'}】您正在修改联系电话，验证码为${code}，5分钟内有效。如非本人操作，请忽略本短信。`,
  });
}

@Resolver()
export class ContactPhoneStepResolver {
  @Mutation(() => CodeDelivery, { description: '向新手机号发送短信验证码' })
  requestPhoneCode(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('mobile', () => String) mobile: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<CodeDelivery> {
    return requestPhoneCode(em, services, requireCustomer(viewer), ticketId, mobile);
  }

  @Mutation(() => TicketType, { description: '联系电话信息资料（联系电话是座机时，不输入短信验证码）' })
  async updateContactPhone(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('input', () => ContactPhoneInput) input: ContactPhoneInput,
    @Ctx() ctx: KaihuContext,
  ): Promise<TicketType> {
    return runApplicantStep(ctx, ticketId, contactPhoneStep, input);
  }
}
