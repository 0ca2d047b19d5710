/**
 * 结算账户设置: one or more bank cards of the applicant in the broker's list of banks, exactly one
 * 主结算账户, the holder being the applicant (shown, not typed), and a photo of the card (uploaded
 * at this step through the documents' pipeline as BANK_CARD). 银期转账 is signed at the bank later.
 */
import { cardNumberProblem, maskCardNumber, normalizeCardNumber } from '@kaihu/domain';
import { Arg, Ctx, Field, ID, InputType, Mutation, Resolver } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../../common/errors';
import type { KaihuContext } from '../../../graphql/context';
import { defineStep, runApplicantStep, TicketType, type StepRun } from '../../tickets';
import type { SettlementData } from '../opening.service';

@InputType({ description: '结算账户' })
export class SettlementAccountInput {
  @Field() bankCode!: string;
  @Field({ description: '银行卡号（16–19位数字）' }) cardNumber!: string;
  @Field({ description: '主结算账户' }) primary!: boolean;
  @Field(() => String, {
    nullable: true,
    description: '户名 (optional, the portal shows it instead): refused unless it is the applicant',
  })
  holderName?: string | null;
}

const MAX_ACCOUNTS = 5;

const refuse = (code: ErrorCode, field: string, message: string): never => {
  throw new KaihuError(code, message, { fields: [{ field, message }] });
};

export const settlementStep = defineStep({
  kind: 'SETTLEMENT_ACCOUNT',
  async collect({ em, ticket, input, services }: StepRun<SettlementAccountInput[]>): Promise<SettlementData> {
    const holderName = await services.opening.applicantName(em, ticket);
    if (!holderName) throw new KaihuError(ErrorCode.STEP_NOT_ALLOWED, '请先填写身份信息');
    if (!input.length) refuse(ErrorCode.BAD_USER_INPUT, 'accounts', '请至少设置一个结算账户');
    if (input.length > MAX_ACCOUNTS) refuse(ErrorCode.BAD_USER_INPUT, 'accounts', `结算账户最多设置${MAX_ACCOUNTS}个`);
    const primaries = input.filter((a) => a.primary).length;
    if (primaries !== 1)
      refuse(ErrorCode.BAD_USER_INPUT, 'primary', primaries ? '只能设置一个主结算账户' : '请选择一个主结算账户');
    const banks = services.opening.pack(ticket.brokerId).banks;
    const seen = new Set<string>();
    const accounts = input.map((a, i) => {
      const bank = banks.find((b) => b.code === a.bankCode);
      if (!bank) refuse(ErrorCode.INVALID_BANK_CARD, `accounts.${i}.bankCode`, '请从支持的银行列表中选择开户银行');
      if (a.holderName != null && a.holderName.trim() !== holderName)
        refuse(
          ErrorCode.INVALID_BANK_CARD,
          `accounts.${i}.holderName`,
          `结算账户的户名须为申请人本人（${holderName}）`,
        );
      const problem = cardNumberProblem(a.cardNumber, bank!);
      if (problem) refuse(ErrorCode.INVALID_BANK_CARD, `accounts.${i}.cardNumber`, problem);
      const cardNumber = normalizeCardNumber(a.cardNumber);
      if (seen.has(cardNumber))
        refuse(ErrorCode.INVALID_BANK_CARD, `accounts.${i}.cardNumber`, '同一张银行卡不能重复添加');
      seen.add(cardNumber);
      return { bankCode: bank!.code, bankName: bank!.name, cardNumber, primary: a.primary, holderName };
    });
    const docs = await services.documents.listForTicket(em, ticket.id);
    if (!docs.some((d) => d.kind === 'BANK_CARD'))
      throw new KaihuError(ErrorCode.DOCUMENTS_INCOMPLETE, '请上传主结算账户银行卡的照片（卡号面）后再进入下一步', {
        missing: ['BANK_CARD'],
      });
    return { accounts };
  },
  reviewRows: (d) =>
    d.accounts.map((a) => ({
      label: a.primary ? '主结算账户' : '结算账户',
      value: `${a.bankName} ${maskCardNumber(a.cardNumber)}（户名：${a.holderName}）`,
    })),
});

@Resolver()
export class SettlementStepResolver {
  @Mutation(() => TicketType, { description: '结算账户设置: one or more accounts, exactly one primary' })
  updateSettlementAccounts(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('accounts', () => [SettlementAccountInput]) accounts: SettlementAccountInput[],
    @Ctx() ctx: KaihuContext,
  ): Promise<TicketType> {
    return runApplicantStep(ctx, ticketId, settlementStep, accounts);
  }
}
