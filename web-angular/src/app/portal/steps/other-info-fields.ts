import { Component, input } from '@angular/core';
import { FormsModule } from '@angular/forms';
import {
  BAD_CREDIT_SOURCE_NAMES as BAD_CREDIT,
  EDUCATION_OPTIONS,
  EXPECTED_RETURN_NAMES as EXPECTED_RETURN,
  INVESTMENT_HORIZON_NAMES as INVESTMENT_HORIZON,
  INVESTMENT_PRODUCT_NAMES as PRODUCTS,
  OCCUPATION_OPTIONS,
  PEP_RELATION_NAMES as PEP_RELATION,
  PROVINCES,
  TAX_RESIDENCY_NAMES as TAX_RESIDENCY,
  otherInfoProblems,
  type FieldProblem,
} from '@kaihu/domain';
import type {
  BadCreditSource,
  ExpectedReturn,
  InvestmentHorizon,
  InvestmentProduct,
  OtherInfoInput,
  PepRelation,
  ProfileFieldsFragment,
  TaxResidency,
} from '../../graphql/generated';
import type { FieldErrors } from '../../shared/field-errors';

const MUNICIPALITIES = ['北京市', '天津市', '上海市', '重庆市'];

/** What the 其他信息 fields hold while the customer fills them in. */
export interface OtherInfoModel {
  province: string;
  city: string;
  address: string;
  postalCode: string;
  email: string;
  education: string;
  occupation: string;
  taxResidency: TaxResidency | '';
  pepRelation: PepRelation | '';
  investmentHorizon: InvestmentHorizon | '';
  expectedReturn: ExpectedReturn | '';
  hasActualController: boolean | null;
  beneficialOwnerIsSelf: boolean | null;
  products: InvestmentProduct[];
  badCreditRecords: BadCreditSource[];
  /** 无 ticked explicitly (an empty list means 无 to the server; a fresh form has neither) */
  noBadCredit: boolean;
}

export function emptyOtherInfo(): OtherInfoModel {
  return {
    province: '',
    city: '',
    address: '',
    postalCode: '',
    email: '',
    education: '',
    occupation: '',
    taxResidency: '',
    pepRelation: '',
    investmentHorizon: '',
    expectedReturn: '',
    hasActualController: null,
    beneficialOwnerIsSelf: null,
    products: [],
    badCreditRecords: [],
    noBadCredit: false,
  };
}

/** The fields as a profile has them (a profile that was filled in before says 无 by an empty list). */
export function otherInfoOf(p: ProfileFieldsFragment): OtherInfoModel {
  return {
    province: p.province,
    city: p.city,
    address: p.address,
    postalCode: p.postalCode,
    email: p.email ?? '',
    education: p.education,
    occupation: p.occupation,
    taxResidency: p.taxResidency,
    pepRelation: p.pepRelation,
    investmentHorizon: p.investmentHorizon ?? '',
    expectedReturn: p.expectedReturn ?? '',
    hasActualController: p.hasActualController,
    beneficialOwnerIsSelf: p.beneficialOwnerIsSelf,
    products: [...p.products],
    badCreditRecords: [...p.badCreditRecords],
    noBadCredit: p.investmentHorizon !== null && p.badCreditRecords.length === 0,
  };
}

/** The API's input, and the problems the portal sees before sending it. */
export function otherInfoInput(m: OtherInfoModel): { input: OtherInfoInput; problems: FieldProblem[] } {
  const input = {
    province: m.province,
    city: m.city,
    address: m.address,
    postalCode: m.postalCode,
    email: m.email.trim() || null,
    education: m.education,
    occupation: m.occupation,
    taxResidency: m.taxResidency,
    pepRelation: m.pepRelation,
    investmentHorizon: m.investmentHorizon,
    expectedReturn: m.expectedReturn,
    hasActualController: m.hasActualController,
    beneficialOwnerIsSelf: m.beneficialOwnerIsSelf,
    products: m.products,
    badCreditRecords: m.badCreditRecords,
  };
  const problems = otherInfoProblems(input as never);
  if (!m.badCreditRecords.length && !m.noBadCredit)
    problems.push({ field: 'badCreditRecords', message: '请选择不良诚信记录来源，没有请选择“无”' });
  return { input: input as OtherInfoInput, problems };
}

/**
 * The 其他信息 fields with every option of the reference (修改其他信息, 完善个人基本信息 of 密码重置,
 * and 身份信息填写 of 开立期货账户). The host form owns the model and the errors.
 */
@Component({
  selector: 'kh-other-info-fields',
  imports: [FormsModule],
  template: `
    <div class="grid-2">
      <div class="field">
        <label for="province">* 联系地址省</label>
        <select id="province" name="province" [(ngModel)]="m().province" (ngModelChange)="provinceChanged()" [attr.aria-invalid]="!!errors().of('province')" aria-describedby="province-error">
          <option value="">请选择</option>
          @for (p of provinces; track p) { <option [value]="p">{{ p }}</option> }
        </select>
        <div id="province-error" class="field-error">{{ errors().of('province') }}</div>
      </div>
      <div class="field">
        <label for="city">* 联系地址市</label>
        <input id="city" name="city" maxlength="30" [(ngModel)]="m().city" [attr.aria-invalid]="!!errors().of('city')" aria-describedby="city-error" placeholder="例如：杭州市" />
        <div id="city-error" class="field-error">{{ errors().of('city') }}</div>
      </div>
    </div>
    <div class="field">
      <label for="address">* 联系地址</label>
      <input id="address" name="address" maxlength="100" autocomplete="street-address" [(ngModel)]="m().address" [attr.aria-invalid]="!!errors().of('address')" aria-describedby="address-error" />
      <div id="address-error" class="field-error">{{ errors().of('address') }}</div>
    </div>
    <div class="grid-2">
      <div class="field">
        <label for="postalCode">* 邮政编码</label>
        <input id="postalCode" name="postalCode" inputmode="numeric" maxlength="6" autocomplete="postal-code" [(ngModel)]="m().postalCode" [attr.aria-invalid]="!!errors().of('postalCode')" aria-describedby="postalCode-error" />
        <div id="postalCode-error" class="field-error">{{ errors().of('postalCode') }}</div>
      </div>
      <div class="field">
        <label for="email">电子邮箱</label>
        <input id="email" name="email" type="email" autocomplete="email" placeholder="请填写" [(ngModel)]="m().email" [attr.aria-invalid]="!!errors().of('email')" aria-describedby="email-error" />
        <div id="email-error" class="field-error">{{ errors().of('email') }}</div>
      </div>
      <div class="field">
        <label for="education">* 学历</label>
        <select id="education" name="education" [(ngModel)]="m().education" [attr.aria-invalid]="!!errors().of('education')" aria-describedby="education-error">
          <option value="">请选择</option>
          @for (o of education; track o) { <option [value]="o">{{ o }}</option> }
        </select>
        <div id="education-error" class="field-error">{{ errors().of('education') }}</div>
      </div>
      <div class="field">
        <label for="occupation">* 职业</label>
        <select id="occupation" name="occupation" [(ngModel)]="m().occupation" [attr.aria-invalid]="!!errors().of('occupation')" aria-describedby="occupation-error">
          <option value="">请选择</option>
          @for (o of occupation; track o) { <option [value]="o">{{ o }}</option> }
        </select>
        <div id="occupation-error" class="field-error">{{ errors().of('occupation') }}</div>
      </div>
    </div>

    <fieldset id="taxResidency" tabindex="-1">
      <legend>* 您的税收居民身份为</legend>
      <div class="choices">@for (o of options(tax); track o.value) { <label class="choice"><input type="radio" name="taxResidency" [value]="o.value" [(ngModel)]="m().taxResidency" /> {{ o.label }}</label> }</div>
      <div class="field-error">{{ errors().of('taxResidency') }}</div>
    </fieldset>
    <fieldset id="pepRelation" tabindex="-1">
      <legend>* 您的政要人物关系为</legend>
      <div class="choices">@for (o of options(pep); track o.value) { <label class="choice"><input type="radio" name="pepRelation" [value]="o.value" [(ngModel)]="m().pepRelation" /> {{ o.label }}</label> }</div>
      <div class="field-error">{{ errors().of('pepRelation') }}</div>
    </fieldset>
    <fieldset id="investmentHorizon" tabindex="-1">
      <legend>* 您的投资期限为</legend>
      <div class="choices">@for (o of options(horizon); track o.value) { <label class="choice"><input type="radio" name="investmentHorizon" [value]="o.value" [(ngModel)]="m().investmentHorizon" /> {{ o.label }}</label> }</div>
      <div class="field-error">{{ errors().of('investmentHorizon') }}</div>
    </fieldset>
    <fieldset id="expectedReturn" tabindex="-1">
      <legend>* 您的期望收益为</legend>
      <div class="choices">@for (o of options(ret); track o.value) { <label class="choice"><input type="radio" name="expectedReturn" [value]="o.value" [(ngModel)]="m().expectedReturn" /> {{ o.label }}</label> }</div>
      <div class="field-error">{{ errors().of('expectedReturn') }}</div>
    </fieldset>
    <fieldset id="hasActualController" tabindex="-1">
      <legend>* 您的账户是否存在实际控制关系</legend>
      <div class="choices">
        <label class="choice"><input type="radio" name="hasActualController" [value]="false" [(ngModel)]="m().hasActualController" /> 不存在</label>
        <label class="choice"><input type="radio" name="hasActualController" [value]="true" [(ngModel)]="m().hasActualController" /> 存在</label>
      </div>
      <div class="field-error">{{ errors().of('hasActualController') }}</div>
    </fieldset>
    <fieldset id="beneficialOwnerIsSelf" tabindex="-1">
      <legend>* 您的账户交易实际受益人为</legend>
      <div class="choices">
        <label class="choice"><input type="radio" name="beneficialOwnerIsSelf" [value]="true" [(ngModel)]="m().beneficialOwnerIsSelf" /> 本人</label>
        <label class="choice"><input type="radio" name="beneficialOwnerIsSelf" [value]="false" [(ngModel)]="m().beneficialOwnerIsSelf" /> 其他</label>
      </div>
      <div class="field-error">{{ errors().of('beneficialOwnerIsSelf') }}</div>
    </fieldset>
    <fieldset id="products" tabindex="-1">
      <legend>* 您想投资的品种为（可多选）</legend>
      <div class="choices">@for (o of options(productNames); track o.value) {
        <label class="choice"><input type="checkbox" [checked]="m().products.includes(o.value)" (change)="toggleProduct(o.value)" [attr.name]="'product-' + o.value" /> {{ o.label }}</label>
      }</div>
      <div class="field-error">{{ errors().of('products') }}</div>
    </fieldset>
    <fieldset id="badCreditRecords" tabindex="-1">
      <legend>您是否有来源以下机构的不良诚信记录（可多选；选“无”时不能选其他）</legend>
      <div class="choices column">
        @for (o of options(badCreditNames); track o.value) {
          <label class="choice"><input type="checkbox" [checked]="m().badCreditRecords.includes(o.value)" (change)="toggleBad(o.value)" [attr.name]="'bad-' + o.value" /> {{ o.label }}</label>
        }
        <label class="choice"><input type="checkbox" name="bad-none" [checked]="m().noBadCredit" (change)="setNoBadCredit()" /> 无</label>
      </div>
      <div class="field-error">{{ errors().of('badCreditRecords') }}</div>
    </fieldset>
  `,
  styles: `.column { flex-direction: column; gap: 0; } fieldset { border-top: 1px solid var(--line); padding-top: 10px; }`,
})
export class OtherInfoFields {
  readonly m = input.required<OtherInfoModel>({ alias: 'model' });
  readonly errors = input.required<FieldErrors>();
  protected readonly provinces = PROVINCES;
  protected readonly education = EDUCATION_OPTIONS;
  protected readonly occupation = OCCUPATION_OPTIONS;
  protected readonly tax = TAX_RESIDENCY;
  protected readonly pep = PEP_RELATION;
  protected readonly horizon = INVESTMENT_HORIZON;
  protected readonly ret = EXPECTED_RETURN;
  protected readonly productNames = PRODUCTS;
  protected readonly badCreditNames = BAD_CREDIT;

  options<K extends string>(names: Record<K, string>): { value: K; label: string }[] {
    return (Object.keys(names) as K[]).map((value) => ({ value, label: names[value] }));
  }

  provinceChanged(): void {
    const m = this.m();
    if (MUNICIPALITIES.includes(m.province)) m.city = m.province;
  }

  toggleProduct(p: InvestmentProduct): void {
    const m = this.m();
    m.products = m.products.includes(p) ? m.products.filter((x) => x !== p) : [...m.products, p];
  }

  toggleBad(b: BadCreditSource): void {
    const m = this.m();
    m.badCreditRecords = m.badCreditRecords.includes(b)
      ? m.badCreditRecords.filter((x) => x !== b)
      : [...m.badCreditRecords, b];
    if (m.badCreditRecords.length) m.noBadCredit = false;
  }

  /** 无 is exclusive: ticking it clears the others. */
  setNoBadCredit(): void {
    const m = this.m();
    m.noBadCredit = !m.noBadCredit;
    if (m.noBadCredit) m.badCreditRecords = [];
  }
}
