import { Component, OnInit, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { BUSINESSES, OPEN_STATUSES, STATUS_NAMES } from '@kaihu/domain';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { PortalInfo } from '../../core/portal-info';
import { MyApplicationsGQL, StartAccountOpeningGQL, type MyApplicationsQuery } from '../../graphql/generated';
import { FieldErrors } from '../../shared/field-errors';

type Application = NonNullable<MyApplicationsQuery['viewer']>['applications'][number];

/**
 * 开立期货账户's start for a prospect: their application to continue, or a new one at the branch
 * they choose (营业部) with an optional 推荐人; the eight stages they will go through.
 */
@Component({
  selector: 'kh-open-start-page',
  imports: [FormsModule, RouterLink],
  template: `
    <main class="page narrow">
      <h1>开立期货账户</h1>
      @if (open(); as a) {
        <section class="card" aria-labelledby="resume-title">
          <h2 id="resume-title">您有正在办理的开户申请</h2>
          <p>受理单号 {{ a.acceptanceNo }} · {{ statusName(a.status) }} · 当前步骤：{{ stepTitle(a) }}</p>
          @if (a.status === 'RETURNED' && a.reason) { <p class="warn small">打回原因：{{ a.reason }}</p> }
          <div class="actions"><a class="button" [routerLink]="['/ticket', a.id]">{{ a.status === 'SUBMITTED' ? '查看进度' : '继续办理' }}</a></div>
        </section>
      } @else if (loaded()) {
        <form class="card" (ngSubmit)="start()" novalidate aria-labelledby="start-title">
          <h2 id="start-title">选择开户营业部</h2>
          <div class="field">
            <label for="branchId">* 营业部</label>
            <select id="branchId" name="branchId" [(ngModel)]="branchId" [attr.aria-invalid]="!!errors.of('branchId')" aria-describedby="branchId-error">
              <option value="">请选择</option>
              @for (b of branches(); track b.id) { <option [value]="b.id">{{ b.name }}</option> }
            </select>
            <div id="branchId-error" class="field-error">{{ errors.of('branchId') }}</div>
          </div>
          <div class="field">
            <label for="referrer">推荐人编号（选填）</label>
            <input id="referrer" name="referrer" maxlength="20" autocomplete="off" placeholder="没有可不填" [(ngModel)]="referrer" [attr.aria-invalid]="!!errors.of('referrer')" aria-describedby="referrer-error" />
            <div id="referrer-error" class="field-error">{{ errors.of('referrer') }}</div>
          </div>
          @if (errors.general()) { <div class="banner error" role="alert">{{ errors.general() }}</div> }
          <button type="submit" class="block" [disabled]="busy()">开始开户</button>
        </form>
      }
      @for (a of done(); track a.id) {
        <section class="card small" [attr.data-status]="a.status">
          <strong>受理单号 {{ a.acceptanceNo }}</strong> · {{ statusName(a.status) }}
          @if (a.accountNo) { · 资金账号 <strong>{{ a.accountNo }}</strong> · <a routerLink="/login">使用身份证号登录</a> }
          · <a [routerLink]="['/ticket', a.id]">查看</a>
        </section>
      }
      <section class="card" aria-labelledby="stages-title">
        <h2 id="stages-title">开户流程</h2>
        <ol class="stages">
          @for (s of stages; track s.title) { <li>{{ s.title }}</li> }
        </ol>
        <p class="muted small">全程约需 15–20 分钟。中途退出后，用同一手机号登录即可继续办理。</p>
      </section>
    </main>
  `,
  styles: `
    .stages { display: grid; grid-template-columns: 1fr 1fr; gap: 6px 16px; padding-left: 1.4em; margin: 0 0 8px; }
    @media (min-width: 760px) { .stages { grid-template-columns: repeat(4, 1fr); } }
  `,
})
export class OpenStartPage implements OnInit {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly info = inject(PortalInfo);
  private readonly applicationsQuery = inject(MyApplicationsGQL);
  private readonly startMutation = inject(StartAccountOpeningGQL);
  protected readonly errors = new FieldErrors();
  protected readonly busy = signal(false);
  protected readonly loaded = signal(false);
  protected readonly applications = signal<Application[]>([]);
  protected readonly open = computed(() => this.applications().find((a) => OPEN_STATUSES.includes(a.status)) ?? null);
  protected readonly done = computed(() => this.applications().filter((a) => !OPEN_STATUSES.includes(a.status)));
  protected readonly branches = computed(() => this.info.broker()?.branches ?? []);
  protected readonly stages = BUSINESSES.OPEN_FUTURES_ACCOUNT.stages ?? [];
  branchId = '';
  referrer = '';

  async ngOnInit(): Promise<void> {
    void this.info.load();
    try {
      const { viewer } = await this.api.query(this.applicationsQuery);
      this.applications.set(viewer?.applications ?? []);
    } catch (e) {
      this.errors.fromApi(e as ApiError);
    } finally {
      this.loaded.set(true);
    }
  }

  statusName(s: Application['status']): string {
    return STATUS_NAMES[s];
  }

  stepTitle(a: Application): string {
    return a.steps.find((s) => s.kind === a.currentStep)?.title ?? '';
  }

  async start(): Promise<void> {
    if (!this.branchId) {
      this.errors.set([{ field: 'branchId', message: '请选择开户营业部' }]);
      this.errors.focusFirst();
      return;
    }
    const referrer = this.referrer.trim();
    if (referrer && !/^[A-Za-z0-9_-]{1,20}$/.test(referrer)) {
      this.errors.set([{ field: 'referrer', message: '推荐人编号为1至20位字母或数字' }]);
      this.errors.focusFirst();
      return;
    }
    this.busy.set(true);
    this.errors.clear();
    try {
      const { startAccountOpening } = await this.api.mutate(this.startMutation, {
        business: 'OPEN_FUTURES_ACCOUNT',
        branchId: this.branchId,
        referrer: referrer || null,
      });
      void this.router.navigate(['/ticket', startAccountOpening.id]);
    } catch (e) {
      this.errors.fromApi(e as ApiError);
    } finally {
      this.busy.set(false);
    }
  }
}
