import { ChangeDetectorRef, Component, OnInit, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import {
  ETHNICITIES,
  birthDateOfIdNumber,
  chinaToday,
  genderOfIdNumber,
  identityProblems,
  type FieldProblem,
} from '@kaihu/domain';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { PortalInfo } from '../../core/portal-info';
import { IdentityOfTicketGQL, UpdateIdentityGQL, type Gender } from '../../graphql/generated';
import { FieldErrors } from '../../shared/field-errors';
import { TicketContext } from '../ticket-context';
import { IdValidityFields, type ValidityModel } from './id-validity-fields';
import { OtherInfoFields, emptyOtherInfo, otherInfoInput, otherInfoOf } from './other-info-fields';

/**
 * 身份信息填写 (开立期货账户): the ID card as printed (姓名, 性别, 民族, 出生, 住址, 公民身份号码, 签发机关,
 * 有效期限), the mobile the applicant logged in with (not editable), 联系电话, and 其他信息. 性别 and
 * 出生日期 follow the ID number as it is typed; the server checks all of it again.
 */
@Component({
  selector: 'kh-identity-step',
  imports: [FormsModule, RouterLink, IdValidityFields, OtherInfoFields],
  template: `
    <form class="card" (ngSubmit)="save()" novalidate>
      <h2>身份信息填写</h2>
      <p class="muted small">请按身份证如实填写。“*”为必输信息，确认无误后点“下一步”。</p>
      <div class="grid-2">
        <div class="field">
          <label for="name">* 姓名</label>
          <input id="name" name="name" maxlength="30" autocomplete="name" [(ngModel)]="name" [attr.aria-invalid]="!!errors.of('name')" aria-describedby="name-error" />
          <div id="name-error" class="field-error">{{ errors.of('name') }}</div>
        </div>
        <div class="field">
          <label for="idNumber">* 身份证号码</label>
          <input id="idNumber" name="idNumber" maxlength="18" autocomplete="off" [(ngModel)]="idNumber" (ngModelChange)="idNumberChanged()" [attr.aria-invalid]="!!errors.of('idNumber')" aria-describedby="idNumber-error" />
          <div id="idNumber-error" class="field-error">{{ errors.of('idNumber') }}</div>
        </div>
        <fieldset id="gender" tabindex="-1">
          <legend>* 性别</legend>
          <div class="choices">
            <label class="choice"><input type="radio" name="gender" value="MALE" [(ngModel)]="gender" /> 男</label>
            <label class="choice"><input type="radio" name="gender" value="FEMALE" [(ngModel)]="gender" /> 女</label>
          </div>
          <div class="field-error">{{ errors.of('gender') }}</div>
        </fieldset>
        <div class="field">
          <label for="ethnicity">* 民族</label>
          <select id="ethnicity" name="ethnicity" [(ngModel)]="ethnicity" [attr.aria-invalid]="!!errors.of('ethnicity')" aria-describedby="ethnicity-error">
            <option value="">请选择</option>
            @for (e of ethnicities; track e) { <option [value]="e">{{ e }}</option> }
          </select>
          <div id="ethnicity-error" class="field-error">{{ errors.of('ethnicity') }}</div>
        </div>
        <div class="field">
          <label for="birthDate">* 出生日期</label>
          <input id="birthDate" name="birthDate" type="date" [(ngModel)]="birthDate" [attr.aria-invalid]="!!errors.of('birthDate')" aria-describedby="birthDate-error birthDate-hint" />
          <div id="birthDate-hint" class="muted small">根据身份证号码自动填写，请与身份证核对</div>
          <div id="birthDate-error" class="field-error">{{ errors.of('birthDate') }}</div>
        </div>
        <div class="field">
          <label for="idIssuer">* 签发机关</label>
          <input id="idIssuer" name="idIssuer" maxlength="50" placeholder="身份证背面，例如：北京市公安局朝阳分局" [(ngModel)]="idIssuer" [attr.aria-invalid]="!!errors.of('idIssuer')" aria-describedby="idIssuer-error" />
          <div id="idIssuer-error" class="field-error">{{ errors.of('idIssuer') }}</div>
        </div>
      </div>
      <div class="field">
        <label for="idAddress">* 证件地址</label>
        <input id="idAddress" name="idAddress" maxlength="100" placeholder="身份证上的住址" [(ngModel)]="idAddress" [attr.aria-invalid]="!!errors.of('idAddress')" aria-describedby="idAddress-error" />
        <div id="idAddress-error" class="field-error">{{ errors.of('idAddress') }}</div>
      </div>
      <kh-id-validity-fields [model]="validity" [errors]="errors" [ids]="{ from: 'idValidFrom', to: 'idValidTo' }" />
      <div class="grid-2">
        <div class="field">
          <span class="label" id="mobile-label">* 手机号码</span>
          <p class="readonly" aria-labelledby="mobile-label" data-testid="login-mobile">{{ mobile() }}<span class="muted small">（登录手机号，不可修改）</span></p>
        </div>
        <div class="field">
          <label for="phone">联系电话</label>
          <input id="phone" name="phone" type="tel" maxlength="20" placeholder="固定电话，选填，例如：010-62345678" [(ngModel)]="phone" [attr.aria-invalid]="!!errors.of('phone')" aria-describedby="phone-error" />
          <div id="phone-error" class="field-error">{{ errors.of('phone') }}</div>
        </div>
      </div>
      <h3>其他信息</h3>
      <kh-other-info-fields [model]="other" [errors]="errors" />
      @if (errors.general()) { <div class="banner error" role="alert">{{ errors.general() }}</div> }
      @if (links().length) {
        <div class="banner info" role="note">
          @for (l of links(); track l.path) { <a [routerLink]="l.route" [queryParams]="l.query">{{ l.title }}</a>&nbsp; }
        </div>
      }
      <div class="actions"><button type="submit" [disabled]="busy()">下一步</button></div>
    </form>
  `,
  styles: `
    .readonly { margin: 6px 0 0; font-size: 1rem; }
    .label { display: block; font-weight: 600; }
    h3 { margin-top: 18px; border-top: 1px solid var(--line); padding-top: 12px; }
  `,
})
export class IdentityStep implements OnInit {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly info = inject(PortalInfo);
  private readonly load = inject(IdentityOfTicketGQL);
  private readonly update = inject(UpdateIdentityGQL);
  private readonly cdr = inject(ChangeDetectorRef);
  protected readonly errors = new FieldErrors();
  protected readonly busy = signal(false);
  protected readonly ethnicities = ETHNICITIES;
  protected readonly mobile = signal('');
  /** where an ALREADY_CUSTOMER refusal sends the person (我的基本资料, 增开交易编码) */
  private readonly refusalLinks = signal<{ title: string; path: string }[]>([]);
  protected readonly links = computed(() =>
    this.refusalLinks().map((l) => {
      const url = new URL(l.path, location.origin);
      return { ...l, route: url.pathname, query: Object.fromEntries(url.searchParams) };
    }),
  );
  name = '';
  idNumber = '';
  gender: Gender | '' = '';
  ethnicity = '汉族';
  birthDate = '';
  idAddress = '';
  idIssuer = '';
  protected validity: ValidityModel = { from: '', to: '', longTerm: false };
  phone = '';
  protected other = emptyOtherInfo();

  async ngOnInit(): Promise<void> {
    void this.info.load();
    const { viewer, ticket } = await this.api.query(this.load, { id: this.ctx.id() });
    this.mobile.set(viewer?.maskedMobile ?? '');
    const d = ticket?.identity;
    if (d) {
      Object.assign(this, {
        name: d.name,
        idNumber: d.idNumber,
        gender: d.gender,
        ethnicity: d.ethnicity,
        birthDate: d.birthDate,
        idAddress: d.idAddress,
        idIssuer: d.idIssuer,
        validity: { from: d.idValidFrom, to: d.idValidTo ?? '', longTerm: d.idLongTerm },
        phone: d.phone ?? '',
      });
      this.mobile.set(d.mobile);
    }
    if (ticket?.proposedProfile) this.other = otherInfoOf(ticket.proposedProfile);
    this.cdr.markForCheck();
  }

  /** 性别 and 出生日期 as the number says them, once it is complete. */
  idNumberChanged(): void {
    const n = this.idNumber.trim().toUpperCase();
    const birth = birthDateOfIdNumber(n, chinaToday(new Date()));
    if (!birth) return;
    this.birthDate = birth;
    this.gender = genderOfIdNumber(n);
  }

  async save(): Promise<void> {
    const identity = {
      name: this.name.trim(),
      idNumber: this.idNumber.trim().toUpperCase(),
      gender: this.gender as Gender,
      ethnicity: this.ethnicity,
      birthDate: this.birthDate || null,
      idAddress: this.idAddress.trim(),
      idIssuer: this.idIssuer.trim(),
      idValidFrom: this.validity.from,
      idValidTo: this.validity.longTerm ? null : this.validity.to || null,
      idLongTerm: this.validity.longTerm,
    };
    const ages = { minAge: 18, maxAge: 200 }; // the broker's limits are the server's to say
    const problems: FieldProblem[] = identityProblems(identity, chinaToday(new Date()), ages);
    const other = otherInfoInput(this.other);
    problems.push(...other.problems);
    this.refusalLinks.set([]);
    if (problems.length) {
      this.errors.set(problems);
      this.errors.focusFirst();
      return;
    }
    this.busy.set(true);
    this.errors.clear();
    try {
      const input = { ...identity, phone: this.phone.trim() || null, other: other.input };
      this.ctx.update((await this.api.mutate(this.update, { ticketId: this.ctx.id(), input })).updateIdentity);
    } catch (e) {
      const err = e as ApiError;
      this.errors.fromApi(err);
      // a field problem is shown at its field; say the whole refusal above the button too
      if (err.fields.length) this.errors.general.set(err.message);
      const links = err.extensions['links'];
      if (Array.isArray(links)) this.refusalLinks.set(links as { title: string; path: string }[]);
      this.errors.focusFirst();
    } finally {
      this.busy.set(false);
    }
  }
}
