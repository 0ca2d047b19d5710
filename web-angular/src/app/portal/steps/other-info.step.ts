import { ChangeDetectorRef, Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { MeGQL, UpdateOtherInfoGQL } from '../../graphql/generated';
import { FieldErrors } from '../../shared/field-errors';
import { TicketContext } from '../ticket-context';
import { OtherInfoFields, emptyOtherInfo, otherInfoInput, otherInfoOf } from './other-info-fields';

/** 其他信息资料 (also 完善个人基本信息 of 密码重置): every field and option of the reference. */
@Component({
  selector: 'kh-other-info-step',
  imports: [FormsModule, OtherInfoFields],
  template: `
    <form class="card" (ngSubmit)="save()" novalidate>
      <h2>其他信息</h2>
      <p class="muted small">“*”为必输信息，信息输入完成，确认无误后，点“下一步”。</p>
      <kh-other-info-fields [model]="f" [errors]="errors" />
      @if (errors.general()) { <div class="banner error" role="alert">{{ errors.general() }}</div> }
      <div class="actions"><button type="submit" [disabled]="busy()">下一步</button></div>
    </form>
  `,
})
export class OtherInfoStep implements OnInit {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly meQuery = inject(MeGQL);
  private readonly update = inject(UpdateOtherInfoGQL);
  private readonly cdr = inject(ChangeDetectorRef);
  protected readonly errors = new FieldErrors();
  protected readonly busy = signal(false);
  protected f = emptyOtherInfo();

  async ngOnInit(): Promise<void> {
    const p = this.ctx.ticket()?.proposedProfile ?? (await this.api.query(this.meQuery)).me?.profile;
    if (!p) return;
    this.f = otherInfoOf(p);
    this.cdr.markForCheck();
  }

  async save(): Promise<void> {
    const { input, problems } = otherInfoInput(this.f);
    if (problems.length) {
      this.errors.set(problems);
      this.errors.focusFirst();
      return;
    }
    this.busy.set(true);
    this.errors.clear();
    try {
      this.ctx.update((await this.api.mutate(this.update, { ticketId: this.ctx.id(), input })).updateOtherInfo);
    } catch (e) {
      this.errors.fromApi(e as ApiError);
      this.errors.focusFirst();
    } finally {
      this.busy.set(false);
    }
  }
}
