/**
 * 身份信息填写 (开立期货账户): what the ID card says (姓名, 性别, 民族, 出生 from the number, 住址, 公民
 * 身份号码, 签发机关, 有效期限), the mobile the applicant logged in with, 联系电话 and the 其他信息
 * fields. The ID number must not hold a futures account at the broker's counter already, nor run
 * a second open application.
 */
import {
  birthDateOfIdNumber,
  chinaToday,
  identityProblems,
  PROFILE_FIELD_LABELS,
  GENDER_NAMES,
  type IdentityProblem,
} from '@kaihu/domain';
import { Arg, Ctx, Field, ID, InputType, Mutation, Resolver } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../../common/errors';
import { maskPhone } from '../../../common/mask';
import { Gender } from '../../../graphql/enums';
import { DateScalar } from '../../../graphql/scalars';
import type { KaihuContext } from '../../../graphql/context';
import { OtherInfoInput, classifyPhone, validateOtherInfo } from '../../profiles';
import { defineStep, runApplicantStep, TicketType, type StepRun } from '../../tickets';
import type { IdentityData } from '../opening.service';

@InputType({ description: '身份信息填写' })
export class IdentityInput {
  @Field() name!: string;
  @Field() idNumber!: string;
  @Field(() => Gender) gender!: Gender;
  @Field({ description: '民族' }) ethnicity!: string;
  @Field() idAddress!: string;
  @Field({ description: '签发机关' }) idIssuer!: string;
  @Field(() => DateScalar, {
    nullable: true,
    description:
      '出生日期 as the applicant read it from the card (optional): refused when the ID number says otherwise',
  })
  birthDate?: string | null;
  @Field(() => DateScalar) idValidFrom!: string;
  @Field(() => DateScalar, { nullable: true }) idValidTo?: string | null;
  @Field() idLongTerm!: boolean;
  @Field(() => String, {
    nullable: true,
    description: '联系电话 (landline, optional); the mobile is the one the person logged in with',
  })
  phone?: string | null;
  @Field(() => OtherInfoInput) other!: OtherInfoInput;
}

const refuse = (code: ErrorCode, problems: { field: string; message: string }[]): never => {
  throw new KaihuError(code, problems.map((p) => p.message).join('；'), { fields: problems });
};

/** The error code of a refused identity page: the first kind of problem in this order decides. */
const PROBLEM_CODES: readonly [IdentityProblem['kind'], ErrorCode][] = [
  ['AGE', ErrorCode.AGE_LIMIT],
  ['ID_NUMBER', ErrorCode.INVALID_ID_NUMBER],
  ['MISMATCH', ErrorCode.IDENTITY_MISMATCH],
  ['VALIDITY', ErrorCode.INVALID_VALIDITY],
];

export const identityStep = defineStep({
  kind: 'IDENTITY',
  async collect({ em, ticket, input, services, clock }: StepRun<IdentityInput>): Promise<IdentityData> {
    const today = chinaToday(clock.now());
    const { opening } = services.opening.pack(ticket.brokerId);
    const problems = identityProblems(input, today, opening);
    if (problems.length) {
      const code =
        PROBLEM_CODES.find(([kind]) => problems.some((p) => p.kind === kind))?.[1] ?? ErrorCode.BAD_USER_INPUT;
      refuse(
        code,
        problems.map(({ field, message }) => ({ field, message })),
      );
    }
    const idNumber = input.idNumber.trim().toUpperCase();
    const phone = (input.phone ?? '').trim() ? classifyPhone(input.phone!) : null;
    const other = validateOtherInfo(input.other);
    const broker = await services.brokers.findById(em, ticket.brokerId);
    if (broker && (await services.plugins.counter.findCustomer(broker.code, idNumber, 'FUTURES_BROKERAGE')))
      throw new KaihuError(ErrorCode.ALREADY_CUSTOMER, undefined, {
        fields: [{ field: 'idNumber', message: '该身份证号码已在本公司开立期货账户' }],
        links: [
          { title: '我的基本资料', path: '/login?next=%2Fprofile' },
          { title: '增开交易编码', path: '/login?next=%2Fstart%2FADD_TRADING_CODE' },
        ],
      });
    if (await services.tickets.otherOpenApplication(em, ticket, idNumber))
      throw new KaihuError(ErrorCode.APPLICATION_EXISTS, undefined, {
        fields: [{ field: 'idNumber', message: '该身份证号码已有正在办理的开户申请' }],
      });
    ticket.applicantIdNumber = idNumber;
    return {
      name: input.name.trim(),
      idNumber,
      gender: input.gender,
      ethnicity: input.ethnicity,
      birthDate: birthDateOfIdNumber(idNumber, today)!,
      idAddress: input.idAddress.trim(),
      idIssuer: input.idIssuer.trim(),
      idValidFrom: input.idValidFrom,
      idValidTo: input.idLongTerm ? null : input.idValidTo!,
      mobile: await services.opening.applicantMobile(em, ticket),
      phone: phone?.phone ?? null,
      ...other,
    };
  },
  // the whole profile: what the counter opens the account with, and what the reviewer reads
  profileChanges: (d) => ({
    name: d.name,
    idNumber: d.idNumber,
    idAddress: d.idAddress,
    idValidFrom: d.idValidFrom,
    idValidTo: d.idValidTo,
    mobile: d.mobile,
    phone: d.phone,
    province: d.province as string,
    city: d.city as string,
    address: d.address as string,
    postalCode: d.postalCode as string,
    email: (d.email as string | null) ?? null,
    education: d.education as string,
    occupation: d.occupation as string,
    taxResidency: d.taxResidency as never,
    pepRelation: d.pepRelation as never,
    investmentHorizon: d.investmentHorizon as never,
    expectedReturn: d.expectedReturn as never,
    hasActualController: d.hasActualController as boolean,
    beneficialOwnerIsSelf: d.beneficialOwnerIsSelf as boolean,
    products: d.products as never,
    badCreditRecords: d.badCreditRecords as never,
  }),
  reviewRows: (d) => [
    { label: PROFILE_FIELD_LABELS.name!, value: d.name },
    { label: '性别', value: GENDER_NAMES[d.gender] },
    { label: '民族', value: d.ethnicity },
    { label: '出生日期', value: d.birthDate },
    { label: PROFILE_FIELD_LABELS.idNumber!, value: d.idNumber },
    { label: PROFILE_FIELD_LABELS.idAddress!, value: d.idAddress },
    { label: '签发机关', value: d.idIssuer },
    { label: '身份证有效期', value: `${d.idValidFrom} 至 ${d.idValidTo ?? '长期'}` },
    { label: PROFILE_FIELD_LABELS.mobile!, value: maskPhone(d.mobile) },
    { label: PROFILE_FIELD_LABELS.phone!, value: d.phone ?? '未填写' },
  ],
  agreementFacts: (d) => ({ name: d.name }),
});

@Resolver()
export class IdentityStepResolver {
  @Mutation(() => TicketType, { description: '身份信息填写' })
  updateIdentity(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('input', () => IdentityInput) input: IdentityInput,
    @Ctx() ctx: KaihuContext,
  ): Promise<TicketType> {
    return runApplicantStep(ctx, ticketId, identityStep, input);
  }
}
