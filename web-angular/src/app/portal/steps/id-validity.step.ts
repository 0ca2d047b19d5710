import { ChangeDetectorRef, Component, OnInit, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { MeGQL, UpdateIdValidityGQL } from '../../graphql/generated';
import { FieldErrors } from '../../shared/field-errors';
import { chinaToday, idValidityProblems } from '@kaihu/domain';
import { TicketContext } from '../ticket-context';
import { IdValidityFields, type ValidityModel } from './id-validity-fields';

/** 身份信息资料: only the ID card's validity can change here (自 … 至 … or 长期). */
@Component({
  selector: 'kh-id-validity-step',
  imports: [FormsModule, IdValidityFields],
  template: `
    <form class="card" (ngSubmit)="save()" novalidate>
      <h2>身份信息</h2>
      <p class="muted small">请您仔细核对下列资料是否与身份证一致，不一致请手动修改。此处仅可修改身份证有效期。</p>
      <dl class="kv">
        <dt>客户姓名</dt><dd>{{ name() }}</dd>
        <dt>身份证号</dt><dd>{{ idNumber() }}</dd>
      </dl>
      <kh-id-validity-fields [model]="validity" [errors]="errors" />
      @if (errors.general()) { <div class="banner error" role="alert">{{ errors.general() }}</div> }
      <div class="actions"><button type="submit" [disabled]="busy()">下一步</button></div>
    </form>
  `,
})
export class IdValidityStep implements OnInit {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly meQuery = inject(MeGQL);
  private readonly update = inject(UpdateIdValidityGQL);
  private readonly cdr = inject(ChangeDetectorRef);
  protected readonly errors = new FieldErrors();
  protected readonly busy = signal(false);
  protected readonly name = signal('');
  protected readonly idNumber = signal('');
  protected validity: ValidityModel = { from: '', to: '', longTerm: false };
  private readonly proposed = computed(() => this.ctx.ticket()?.proposedProfile);

  async ngOnInit(): Promise<void> {
    const p = this.proposed();
    const me = (await this.api.query(this.meQuery)).me;
    const src = p ?? me?.profile;
    this.name.set(me?.profile.name ?? '');
    this.idNumber.set(me?.profile.idNumber ?? '');
    if (src) {
      this.validity = { from: src.idValidFrom, to: src.idValidTo ?? '', longTerm: src.idLongTerm };
    }
    this.cdr.markForCheck();
  }

  async save(): Promise<void> {
    const v = this.validity;
    const input = { validFrom: v.from, validTo: v.longTerm ? null : v.to || null, longTerm: v.longTerm };
    const problems = idValidityProblems(input, chinaToday(new Date()));
    if (problems.length) {
      this.errors.set(problems);
      this.errors.focusFirst();
      return;
    }
    this.busy.set(true);
    this.errors.clear();
    try {
      this.ctx.update((await this.api.mutate(this.update, { ticketId: this.ctx.id(), input })).updateIdValidity);
    } catch (e) {
      this.errors.fromApi(e as ApiError);
    } finally {
      this.busy.set(false);
    }
  }
}
