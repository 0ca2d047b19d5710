import { Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { AdminAddHolidayGQL, AdminRemoveHolidayGQL, AdminSetServiceHoursGQL } from '../../graphql/generated';
import { AdminBroker } from './admin-broker';

const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

interface WindowRow {
  weekday: number;
  start: string;
  end: string;
}

/** 服务时间: the weekly service windows (saved together) and the holidays. */
@Component({
  selector: 'kh-admin-hours',
  imports: [FormsModule],
  template: `
    <header class="bar"><h1>服务时间</h1>
      @if (admin.broker(); as b) { <span class="muted" data-testid="hours-text">当前：{{ b.serviceHoursText }} · {{ b.inServiceHours ? '服务中' : '非服务时间' }}</span> }
    </header>
    @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
    @if (notice()) { <div class="banner success" role="status">{{ notice() }}</div> }
    <div class="cols">
      <section class="card" aria-labelledby="h-win">
        <h2 id="h-win">每周服务时段</h2>
        <p class="muted small">时间为 24 小时制（HH:MM），结束时间可填 24:00 表示当天结束。</p>
        <table>
          <thead><tr><th scope="col">星期</th><th scope="col">开始</th><th scope="col">结束</th><th scope="col"><span class="sr-only">操作</span></th></tr></thead>
          <tbody>
            @for (w of windows(); track $index; let i = $index) {
              <tr data-testid="window-row">
                <td><select [(ngModel)]="w.weekday" [attr.aria-label]="'第' + (i + 1) + '个时段的星期'">
                  @for (d of days; track d.value) { <option [ngValue]="d.value">{{ d.label }}</option> }
                </select></td>
                <td><input class="hhmm" [(ngModel)]="w.start" placeholder="08:40" maxlength="5" inputmode="numeric" [attr.aria-label]="'第' + (i + 1) + '个时段的开始时间'" /></td>
                <td><input class="hhmm" [(ngModel)]="w.end" placeholder="17:45" maxlength="5" inputmode="numeric" [attr.aria-label]="'第' + (i + 1) + '个时段的结束时间'" /></td>
                <td class="act"><button type="button" class="secondary slim" (click)="removeWindow(i)" [attr.aria-label]="'删除第' + (i + 1) + '个时段'">删除</button></td>
              </tr>
            } @empty {
              <tr><td colspan="4" class="muted">没有服务时段：保存后将暂停网上开户服务。</td></tr>
            }
          </tbody>
        </table>
        <div class="row btns">
          <button type="button" class="secondary slim" (click)="addWindow()">添加时段</button>
          <button type="button" class="secondary slim" (click)="workdays()">周一至周五 08:40-17:45</button>
          <span class="spacer"></span>
          <button type="button" (click)="saveWindows()" [disabled]="busy()">保存服务时段</button>
        </div>
      </section>
      <section class="card" aria-labelledby="h-hol">
        <h2 id="h-hol">节假日（全天不办理）</h2>
        @for (y of admin.broker()?.holidayYearsAssumed ?? []; track y) {
          <p class="banner warn" role="status" data-testid="holiday-year-assumed">
            {{ y }}年的节假日尚未维护：暂按法定节假日（元旦、春节、清明节、劳动节、端午节、中秋节、国庆节）休息。请按国务院办公厅当年的放假通知添加放假及调休日期。
          </p>
        }
        <ul class="hols">
          @for (d of admin.broker()?.holidays ?? []; track d) {
            <li data-testid="holiday"><span class="mono">{{ d }}</span><button type="button" class="link" (click)="removeHoliday(d)" [attr.aria-label]="'删除节假日 ' + d">删除</button></li>
          } @empty { <li class="muted">暂无节假日</li> }
        </ul>
        <form (ngSubmit)="addHoliday()" class="add">
          <div class="field"><label for="hol-date">日期</label><input id="hol-date" name="date" type="date" [(ngModel)]="holDate" /></div>
          <div class="field"><label for="hol-name">名称</label><input id="hol-name" name="name" [(ngModel)]="holName" placeholder="例如：国庆节" /></div>
          <button type="submit" [disabled]="busy()">添加节假日</button>
        </form>
      </section>
    </div>
  `,
  styles: `
    .bar { display: flex; align-items: baseline; gap: 14px; margin-bottom: 10px; }
    .bar h1 { margin: 0; }
    .cols { display: grid; grid-template-columns: minmax(0, 1fr) 360px; gap: 16px; align-items: start; }
    td select, td input { min-height: 34px; padding: 4px 8px; }
    .act { text-align: right; }
    .hhmm { width: 6.5em; font-variant-numeric: tabular-nums; }
    .slim { min-height: 34px; padding: 4px 12px; }
    .btns { margin-top: 12px; }
    .hols { list-style: none; padding: 0; margin: 0 0 12px; }
    .hols li { display: flex; justify-content: space-between; padding: 4px 0; border-bottom: 1px solid var(--line); }
    .mono { font-variant-numeric: tabular-nums; }
  `,
})
export class HoursPage implements OnInit {
  protected readonly admin = inject(AdminBroker);
  private readonly api = inject(Api);
  private readonly setHours = inject(AdminSetServiceHoursGQL);
  private readonly addHol = inject(AdminAddHolidayGQL);
  private readonly removeHol = inject(AdminRemoveHolidayGQL);
  protected readonly days = WEEKDAYS.slice(1).map((label, i) => ({ value: i + 1, label }));
  protected readonly windows = signal<WindowRow[]>([]);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  holDate = '';
  holName = '';

  async ngOnInit(): Promise<void> {
    try {
      const b = await this.admin.load();
      this.windows.set((b?.serviceWindows ?? []).map((w) => ({ ...w })));
    } catch (e) {
      this.error.set((e as ApiError).message);
    }
  }

  protected addWindow(): void {
    this.windows.update((ws) => [...ws, { weekday: 1, start: '09:00', end: '17:00' }]);
  }

  protected removeWindow(i: number): void {
    this.windows.update((ws) => ws.filter((_, j) => j !== i));
  }

  protected workdays(): void {
    this.windows.set([1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:40', end: '17:45' })));
  }

  async saveWindows(): Promise<void> {
    await this.run('服务时段已保存', async () => {
      const { setServiceHours } = await this.api.mutate(this.setHours, {
        windows: this.windows().map((w) => ({ weekday: Number(w.weekday), start: w.start, end: w.end })),
      });
      this.admin.broker.set(setServiceHours);
      this.windows.set(setServiceHours.serviceWindows.map((w) => ({ ...w })));
    });
  }

  async addHoliday(): Promise<void> {
    if (!this.holDate) return this.error.set('请选择日期');
    await this.run('节假日已添加', async () => {
      this.admin.broker.set(
        (await this.api.mutate(this.addHol, { date: this.holDate, name: this.holName.trim() || null })).addHoliday,
      );
      this.holDate = this.holName = '';
    });
  }

  async removeHoliday(date: string): Promise<void> {
    await this.run('节假日已删除', async () => {
      this.admin.broker.set((await this.api.mutate(this.removeHol, { date })).removeHoliday);
    });
  }

  private async run(done: string, f: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    this.notice.set(null);
    try {
      await f();
      this.notice.set(done);
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
