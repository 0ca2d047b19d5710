import { ChangeDetectorRef, Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import {
  MeGQL,
  UpdateOtherInfoGQL,
  type BadCreditSource,
  type ExpectedReturn,
  type InvestmentHorizon,
  type InvestmentProduct,
  type OtherInfoInput,
  type PepRelation,
  type TaxResidency,
} from '../../graphql/generated';
import { FieldErrors } from '../../shared/field-errors';
import {
  BAD_CREDIT_SOURCE_NAMES as BAD_CREDIT,
  EXPECTED_RETURN_NAMES as EXPECTED_RETURN,
  INVESTMENT_HORIZON_NAMES as INVESTMENT_HORIZON,
  PEP_RELATION_NAMES as PEP_RELATION,
  INVESTMENT_PRODUCT_NAMES as PRODUCTS,
  TAX_RESIDENCY_NAMES as TAX_RESIDENCY,
} from '@kaihu/domain';
import { EDUCATION_OPTIONS, OCCUPATION_OPTIONS, PROVINCES, otherInfoProblems } from '@kaihu/domain';
import { TicketContext } from '../ticket-context';

const MUNICIPALITIES = ['北京市', '天津市', '上海市', '重庆市'];

/** 其他信息资料 (also 完善个人基本信息 of 密码重置): every field and option of the reference. */
@Component({
  selector: 'kh-other-info-step',
  imports: [FormsModule],
  template: `
    <form class="card" (ngSubmit)="save()" novalidate>
      <h2>其他信息</h2>
      <p class="muted small">“*”为必输信息，信息输入完成，确认无误后，点“下一步”。</p>
      <div class="grid-2">
        <div class="field">
          <label for="province">* 联系地址省</label>
          <select id="province" name="province" [(ngModel)]="f.province" (ngModelChange)="provinceChanged()" [attr.aria-invalid]="!!errors.of('province')" aria-describedby="province-error">
            <option value="">请选择</option>
            @for (p of provinces; track p) { <option [value]="p">{{ p }}</option> }
          </select>
          <div id="province-error" class="field-error">{{ errors.of('province') }}</div>
        </div>
        <div class="field">
          <label for="city">* 联系地址市</label>
          <input id="city" name="city" maxlength="30" [(ngModel)]="f.city" [attr.aria-invalid]="!!errors.of('city')" aria-describedby="city-error" placeholder="例如：杭州市" />
          <div id="city-error" class="field-error">{{ errors.of('city') }}</div>
        </div>
      </div>
      <div class="field">
        <label for="address">* 联系地址</label>
        <input id="address" name="address" maxlength="100" autocomplete="street-address" [(ngModel)]="f.address" [attr.aria-invalid]="!!errors.of('address')" aria-describedby="address-error" />
        <div id="address-error" class="field-error">{{ errors.of('address') }}</div>
      </div>
      <div class="grid-2">
        <div class="field">
          <label for="postalCode">* 邮政编码</label>
          <input id="postalCode" name="postalCode" inputmode="numeric" maxlength="6" autocomplete="postal-code" [(ngModel)]="f.postalCode" [attr.aria-invalid]="!!errors.of('postalCode')" aria-describedby="postalCode-error" />
          <div id="postalCode-error" class="field-error">{{ errors.of('postalCode') }}</div>
        </div>
        <div class="field">
          <label for="email">电子邮箱</label>
          <input id="email" name="email" type="email" autocomplete="email" placeholder="请填写" [(ngModel)]="f.email" [attr.aria-invalid]="!!errors.of('email')" aria-describedby="email-error" />
          <div id="email-error" class="field-error">{{ errors.of('email') }}</div>
        </div>
        <div class="field">
          <label for="education">* 学历</label>
          <select id="education" name="education" [(ngModel)]="f.education" [attr.aria-invalid]="!!errors.of('education')" aria-describedby="education-error">
            <option value="">请选择</option>
            @for (o of education; track o) { <option [value]="o">{{ o }}</option> }
          </select>
          <div id="education-error" class="field-error">{{ errors.of('education') }}</div>
        </div>
        <div class="field">
          <label for="occupation">* 职业</label>
          <select id="occupation" name="occupation" [(ngModel)]="f.occupation" [attr.aria-invalid]="!!errors.of('occupation')" aria-describedby="occupation-error">
            <option value="">请选择</option>
            @for (o of occupation; track o) { <option [value]="o">{{ o }}</option> }
          </select>
          <div id="occupation-error" class="field-error">{{ errors.of('occupation') }}</div>
        </div>
      </div>

      <fieldset id="taxResidency" tabindex="-1">
        <legend>* 您的税收居民身份为</legend>
        <div class="choices">@for (o of options(tax); track o.value) { <label class="choice"><input type="radio" name="taxResidency" [value]="o.value" [(ngModel)]="f.taxResidency" /> {{ o.label }}</label> }</div>
        <div class="field-error">{{ errors.of('taxResidency') }}</div>
      </fieldset>
      <fieldset id="pepRelation" tabindex="-1">
        <legend>* 您的政要人物关系为</legend>
        <div class="choices">@for (o of options(pep); track o.value) { <label class="choice"><input type="radio" name="pepRelation" [value]="o.value" [(ngModel)]="f.pepRelation" /> {{ o.label }}</label> }</div>
        <div class="field-error">{{ errors.of('pepRelation') }}</div>
      </fieldset>
      <fieldset id="investmentHorizon" tabindex="-1">
        <legend>* 您的投资期限为</legend>
        <div class="choices">@for (o of options(horizon); track o.value) { <label class="choice"><input type="radio" name="investmentHorizon" [value]="o.value" [(ngModel)]="f.investmentHorizon" /> {{ o.label }}</label> }</div>
        <div class="field-error">{{ errors.of('investmentHorizon') }}</div>
      </fieldset>
      <fieldset id="expectedReturn" tabindex="-1">
        <legend>* 您的期望收益为</legend>
        <div class="choices">@for (o of options(ret); track o.value) { <label class="choice"><input type="radio" name="expectedReturn" [value]="o.value" [(ngModel)]="f.expectedReturn" /> {{ o.label }}</label> }</div>
        <div class="field-error">{{ errors.of('expectedReturn') }}</div>
      </fieldset>
      <fieldset id="hasActualController" tabindex="-1">
        <legend>* 您的账户是否存在实际控制关系</legend>
        <div class="choices">
          <label class="choice"><input type="radio" name="hasActualController" [value]="false" [(ngModel)]="f.hasActualController" /> 不存在</label>
          <label class="choice"><input type="radio" name="hasActualController" [value]="true" [(ngModel)]="f.hasActualController" /> 存在</label>
        </div>
        <div class="field-error">{{ errors.of('hasActualController') }}</div>
      </fieldset>
      <fieldset id="beneficialOwnerIsSelf" tabindex="-1">
        <legend>* 您的账户交易实际受益人为</legend>
        <div class="choices">
          <label class="choice"><input type="radio" name="beneficialOwnerIsSelf" [value]="true" [(ngModel)]="f.beneficialOwnerIsSelf" /> 本人</label>
          <label class="choice"><input type="radio" name="beneficialOwnerIsSelf" [value]="false" [(ngModel)]="f.beneficialOwnerIsSelf" /> 其他</label>
        </div>
        <div class="field-error">{{ errors.of('beneficialOwnerIsSelf') }}</div>
      </fieldset>
      <fieldset id="products" tabindex="-1">
        <legend>* 您想投资的品种为（可多选）</legend>
        <div class="choices">@for (o of options(productNames); track o.value) {
          <label class="choice"><input type="checkbox" [checked]="f.products.includes(o.value)" (change)="toggleProduct(o.value)" [attr.name]="'product-' + o.value" /> {{ o.label }}</label>
        }</div>
        <div class="field-error">{{ errors.of('products') }}</div>
      </fieldset>
      <fieldset id="badCreditRecords" tabindex="-1">
        <legend>您是否有来源以下机构的不良诚信记录（可多选；选“无”时不能选其他）</legend>
        <div class="choices column">
          @for (o of options(badCreditNames); track o.value) {
            <label class="choice"><input type="checkbox" [checked]="f.badCreditRecords.includes(o.value)" (change)="toggleBad(o.value)" [attr.name]="'bad-' + o.value" /> {{ o.label }}</label>
          }
          <label class="choice"><input type="checkbox" name="bad-none" [checked]="noBadCredit()" (change)="setNoBadCredit()" /> 无</label>
        </div>
        <div class="field-error">{{ errors.of('badCreditRecords') }}</div>
      </fieldset>
      @if (errors.general()) { <div class="banner error" role="alert">{{ errors.general() }}</div> }
      <div class="actions"><button type="submit" [disabled]="busy()">下一步</button></div>
    </form>
  `,
  styles: `.column { flex-direction: column; gap: 0; } fieldset { border-top: 1px solid var(--line); padding-top: 10px; }`,
})
export class OtherInfoStep implements OnInit {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly meQuery = inject(MeGQL);
  private readonly update = inject(UpdateOtherInfoGQL);
  private readonly cdr = inject(ChangeDetectorRef);
  protected readonly errors = new FieldErrors();
  protected readonly busy = signal(false);
  protected readonly provinces = PROVINCES;
  protected readonly education = EDUCATION_OPTIONS;
  protected readonly occupation = OCCUPATION_OPTIONS;
  protected readonly tax = TAX_RESIDENCY;
  protected readonly pep = PEP_RELATION;
  protected readonly horizon = INVESTMENT_HORIZON;
  protected readonly ret = EXPECTED_RETURN;
  protected readonly productNames = PRODUCTS;
  protected readonly badCreditNames = BAD_CREDIT;
  /** 无 ticked explicitly (an empty list means 无 to the server; a fresh form has neither) */
  protected readonly noBadCredit = signal(false);
  protected f: {
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
  } = {
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
  };

  async ngOnInit(): Promise<void> {
    const p = this.ctx.ticket()?.proposedProfile ?? (await this.api.query(this.meQuery)).me?.profile;
    if (!p) return;
    this.f = {
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
    };
    // a profile that was filled in before says 无 by an empty list
    this.noBadCredit.set(p.investmentHorizon !== null && p.badCreditRecords.length === 0);
    this.cdr.markForCheck();
  }

  options<K extends string>(names: Record<K, string>): { value: K; label: string }[] {
    return (Object.keys(names) as K[]).map((value) => ({ value, label: names[value] }));
  }

  provinceChanged(): void {
    if (MUNICIPALITIES.includes(this.f.province)) this.f.city = this.f.province;
  }

  toggleProduct(p: InvestmentProduct): void {
    this.f.products = this.f.products.includes(p) ? this.f.products.filter((x) => x !== p) : [...this.f.products, p];
  }

  toggleBad(b: BadCreditSource): void {
    this.f.badCreditRecords = this.f.badCreditRecords.includes(b)
      ? this.f.badCreditRecords.filter((x) => x !== b)
      : [...this.f.badCreditRecords, b];
    if (this.f.badCreditRecords.length) this.noBadCredit.set(false);
  }

  /** 无 is exclusive: ticking it clears the others. */
  setNoBadCredit(): void {
    const on = !this.noBadCredit();
    this.noBadCredit.set(on);
    if (on) this.f.badCreditRecords = [];
  }

  async save(): Promise<void> {
    const f = this.f;
    const input = {
      province: f.province,
      city: f.city,
      address: f.address,
      postalCode: f.postalCode,
      email: f.email.trim() || null,
      education: f.education,
      occupation: f.occupation,
      taxResidency: f.taxResidency,
      pepRelation: f.pepRelation,
      investmentHorizon: f.investmentHorizon,
      expectedReturn: f.expectedReturn,
      hasActualController: f.hasActualController,
      beneficialOwnerIsSelf: f.beneficialOwnerIsSelf,
      products: f.products,
      badCreditRecords: f.badCreditRecords,
    };
    const problems = otherInfoProblems(input as never);
    if (!f.badCreditRecords.length && !this.noBadCredit())
      problems.push({ field: 'badCreditRecords', message: '请选择不良诚信记录来源，没有请选择“无”' });
    if (problems.length) {
      this.errors.set(problems);
      this.errors.focusFirst();
      return;
    }
    this.busy.set(true);
    this.errors.clear();
    try {
      this.ctx.update(
        (await this.api.mutate(this.update, { ticketId: this.ctx.id(), input: input as OtherInfoInput }))
          .updateOtherInfo,
      );
    } catch (e) {
      this.errors.fromApi(e as ApiError);
      this.errors.focusFirst();
    } finally {
      this.busy.set(false);
    }
  }
}
