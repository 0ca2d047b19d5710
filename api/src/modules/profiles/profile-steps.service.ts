import type { EntityManager } from '@mikro-orm/postgresql';
import type { CounterProfile } from '@kaihu/plugin-api';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import { chinaToday } from '@kaihu/domain';
import type { CodeDelivery, OtpService } from '../auth';
import type { Viewer } from '../auth';
import type { BrokerService } from '../brokers';
import type { Ticket } from '../tickets';
import { actorOf, type TicketService } from '../tickets';
import {
  changesOf,
  classifyPhone,
  validateIdValidity,
  validateOtherInfo,
  type IdValidityInput,
  type OtherInfoInput,
} from './profile-changes';
import type { ProfileService } from './profile.service';

type CustomerViewer = Viewer & { customerId: string };

/**
 * The info pages of the businesses: 身份信息资料 (ID validity), 联系电话信息资料 (with an SMS
 * code to a new mobile), 其他信息资料. Each validates, stores its data on the ticket and moves on;
 * nothing reaches the counter before review.
 */
export class ProfileStepService {
  constructor(
    private readonly clock: Clock,
    private readonly deps: {
      tickets: TicketService;
      profiles: ProfileService;
      otp: OtpService;
      brokers: BrokerService;
    },
  ) {}

  async updateIdValidity(
    em: EntityManager,
    viewer: CustomerViewer,
    ticketId: string,
    input: IdValidityInput,
  ): Promise<Ticket> {
    const ticket = await this.deps.tickets.getOwn(em, viewer, ticketId);
    this.deps.tickets.assertAtStep(ticket, 'ID_VALIDITY');
    const data = validateIdValidity(input, chinaToday(this.clock.now()));
    return this.deps.tickets.completeStep(em, ticket, 'ID_VALIDITY', data, actorOf(viewer));
  }

  /** Sends a code to the NEW mobile (same throttles and lock as the login code). */
  async requestPhoneCode(
    em: EntityManager,
    viewer: CustomerViewer,
    ticketId: string,
    mobile: string,
  ): Promise<CodeDelivery> {
    const ticket = await this.deps.tickets.getOwn(em, viewer, ticketId);
    this.deps.tickets.assertAtStep(ticket, 'CONTACT_PHONE');
    const phone = classifyPhone(mobile);
    if (phone.kind !== 'MOBILE')
      throw new KaihuError(ErrorCode.INVALID_PHONE, '座机号码无需短信验证码；获取验证码请输入中国大陆手机号');
    const broker = await this.deps.brokers.findById(em, ticket.brokerId);
    return this.deps.otp.issue(em, {
      purpose: 'PHONE_CODE',
      subject: this.phoneSubject(viewer.customerId),
      to: phone.phone,
      brokerCode: broker?.code,
      text: (code) =>
        `【${broker?.name ?? '开户云'}】您正在修改联系电话，验证码为${code}，5分钟内有效。如非本人操作，请忽略本短信。`,
    });
  }

  /** A mobile needs the code sent to it; a landline needs none; anything else is INVALID_PHONE. */
  async updateContactPhone(
    em: EntityManager,
    viewer: CustomerViewer,
    ticketId: string,
    input: { phone: string; code?: string | null },
  ): Promise<Ticket> {
    const ticket = await this.deps.tickets.getOwn(em, viewer, ticketId);
    this.deps.tickets.assertAtStep(ticket, 'CONTACT_PHONE');
    const phone = classifyPhone(input.phone);
    if (phone.kind === 'MOBILE') {
      if (!input.code) throw new KaihuError(ErrorCode.CODE_INVALID, '请输入发送到新手机号的短信验证码');
      await this.deps.otp.verify(em, {
        subject: this.phoneSubject(viewer.customerId),
        code: input.code,
        sentTo: phone.phone,
      });
    }
    return this.deps.tickets.completeStep(em, ticket, 'CONTACT_PHONE', phone, actorOf(viewer));
  }

  async updateOtherInfo(
    em: EntityManager,
    viewer: CustomerViewer,
    ticketId: string,
    input: OtherInfoInput,
  ): Promise<Ticket> {
    const ticket = await this.deps.tickets.getOwn(em, viewer, ticketId);
    this.deps.tickets.assertAtStep(ticket, 'OTHER_INFO');
    return this.deps.tickets.completeStep(em, ticket, 'OTHER_INFO', validateOtherInfo(input), actorOf(viewer));
  }

  /** The profile as it will be after approval (current counter profile + the ticket's changes). */
  async proposedProfile(em: EntityManager, ticket: Ticket): Promise<CounterProfile> {
    const customer = await this.deps.profiles.findCustomer(em, ticket.customerId);
    if (!customer) throw new KaihuError(ErrorCode.NOT_FOUND);
    return { ...(await this.deps.profiles.counterProfile(em, customer)), ...changesOf(ticket.data) };
  }

  private phoneSubject(customerId: string): string {
    return this.deps.otp.subject('PHONE', customerId);
  }
}
