import { Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import {
  AdminCreateStaffGQL,
  AdminResetStaffPasswordGQL,
  AdminSetStaffDisabledGQL,
  AdminStaffMembersGQL,
  type StaffMemberFieldsFragment,
} from '../../graphql/generated';
import { StaffContext } from '../staff';

const ROLE_LABELS: Record<string, string> = { AGENT: '坐席', REVIEWER: '复核', BROKER_ADMIN: '管理员' };

/** 人员: agents, reviewers and admins; create, disable / enable, reset a password. */
@Component({
  selector: 'kh-admin-staff',
  imports: [FormsModule],
  template: `
    <header class="bar"><h1>人员</h1><span class="muted">共 {{ members().length }} 人</span></header>
    @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
    @if (notice()) { <div class="banner success" role="status">{{ notice() }}</div> }
    <div class="cols">
      <section class="card flush" aria-labelledby="s-list">
        <h2 id="s-list" class="sr-only">工作人员列表</h2>
        <table>
          <thead><tr><th scope="col">用户名</th><th scope="col">姓名</th><th scope="col">角色</th><th scope="col">营业部</th><th scope="col">从业资格号</th><th scope="col">状态</th><th scope="col"><span class="sr-only">操作</span></th></tr></thead>
          <tbody>
            @for (m of members(); track m.id) {
              <tr [class.off]="m.disabled" data-testid="staff-row" [attr.data-username]="m.username">
                <td class="mono">{{ m.username }}</td>
                <td>{{ m.displayName }}</td>
                <td>{{ roles(m.roles) }}</td>
                <td>{{ m.branch?.name ?? '全部' }}</td>
                <td class="mono">{{ m.licenseNo ?? '—' }}</td>
                <td>{{ m.disabled ? '已停用' : '正常' }}</td>
                <td class="act">
                  @if (m.id !== staff.me()?.id) {
                    <button type="button" class="secondary slim" (click)="setDisabled(m, !m.disabled)" [disabled]="busy()" [attr.aria-label]="(m.disabled ? '启用 ' : '停用 ') + m.username">{{ m.disabled ? '启用' : '停用' }}</button>
                  }
                  <button type="button" class="secondary slim" (click)="resetting.set(m.id)" [attr.aria-label]="'重置密码 ' + m.username">重置密码</button>
                  @if (resetting() === m.id) {
                    <form class="reset" (ngSubmit)="resetPassword(m)">
                      <input type="password" name="np" [(ngModel)]="newPassword" autocomplete="new-password" [attr.aria-label]="'新密码 ' + m.username" />
                      <button type="submit" class="slim" [disabled]="busy()">确定</button>
                    </form>
                  }
                </td>
              </tr>
            }
          </tbody>
        </table>
      </section>
      <form class="card" (ngSubmit)="create()" aria-labelledby="s-new">
        <h2 id="s-new">新增人员</h2>
        <div class="field"><label for="n-user">用户名</label><input id="n-user" name="username" [(ngModel)]="form.username" autocomplete="off" /></div>
        <div class="field"><label for="n-name">姓名</label><input id="n-name" name="displayName" [(ngModel)]="form.displayName" /></div>
        <div class="field"><label for="n-pass">初始密码</label><input id="n-pass" name="password" type="password" autocomplete="new-password" [(ngModel)]="form.password" aria-describedby="n-pass-hint" />
          <div id="n-pass-hint" class="muted small">8–64 位，含大写字母、小写字母、数字、符号中的至少三种</div></div>
        <fieldset>
          <legend>角色</legend>
          <div class="choices">
            @for (r of roleChoices; track r.code) {
              <label class="choice"><input type="checkbox" [name]="'role-' + r.code" [(ngModel)]="form.roles[r.code]" /> {{ r.label }}</label>
            }
          </div>
        </fieldset>
        <div class="field"><label for="n-branch">营业部</label>
          <select id="n-branch" name="branch" [(ngModel)]="form.branchId">
            <option value="">全部营业部</option>
            @for (b of staff.branches(); track b.id) { <option [value]="b.id">{{ b.name }}</option> }
          </select></div>
        <div class="field"><label for="n-lic">从业资格号（坐席必填）</label><input id="n-lic" name="licenseNo" [(ngModel)]="form.licenseNo" /></div>
        <button type="submit" class="block" [disabled]="busy()">新增</button>
      </form>
    </div>
  `,
  styles: `
    .bar { display: flex; align-items: baseline; gap: 14px; margin-bottom: 10px; }
    .bar h1 { margin: 0; }
    .cols { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 16px; align-items: start; }
    .flush { padding: 4px 0; }
    .flush td:first-child, .flush th:first-child { padding-left: 16px; }
    .act { text-align: right; white-space: nowrap; }
    .slim { min-height: 32px; padding: 3px 10px; font-size: .9rem; }
    tr.off td { color: var(--ink-3); }
    .mono { font-variant-numeric: tabular-nums; }
    .reset { display: flex; gap: 6px; margin-top: 6px; justify-content: flex-end; }
    .reset input { min-height: 32px; padding: 3px 8px; width: 12em; }
  `,
})
export class StaffPage implements OnInit {
  protected readonly staff = inject(StaffContext);
  private readonly api = inject(Api);
  private readonly listQuery = inject(AdminStaffMembersGQL);
  private readonly createMutation = inject(AdminCreateStaffGQL);
  private readonly disableMutation = inject(AdminSetStaffDisabledGQL);
  private readonly resetMutation = inject(AdminResetStaffPasswordGQL);
  protected readonly roleChoices = Object.entries(ROLE_LABELS).map(([code, label]) => ({ code, label }));
  protected readonly members = signal<StaffMemberFieldsFragment[]>([]);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly resetting = signal<string | null>(null);
  newPassword = '';
  form = {
    username: '',
    displayName: '',
    password: '',
    roles: { AGENT: true } as Record<string, boolean>,
    branchId: '',
    licenseNo: '',
  };

  async ngOnInit(): Promise<void> {
    void this.staff.load();
    await this.run(null, async () => undefined);
  }

  protected roles(rs: readonly string[]): string {
    return rs.map((r) => ROLE_LABELS[r] ?? r).join('、');
  }

  async create(): Promise<void> {
    const f = this.form;
    await this.run(`已新增 ${f.username.trim()}`, async () => {
      await this.api.mutate(this.createMutation, {
        input: {
          username: f.username.trim(),
          displayName: f.displayName.trim(),
          password: f.password,
          roles: Object.keys(f.roles).filter((r) => f.roles[r]),
          branchId: f.branchId || null,
          licenseNo: f.licenseNo.trim() || null,
        },
      });
      this.form = { username: '', displayName: '', password: '', roles: { AGENT: true }, branchId: '', licenseNo: '' };
    });
  }

  async setDisabled(m: StaffMemberFieldsFragment, disabled: boolean): Promise<void> {
    await this.run(`${m.username} ${disabled ? '已停用，其登录会话已失效' : '已启用'}`, async () => {
      await this.api.mutate(this.disableMutation, { id: m.id, disabled });
    });
  }

  async resetPassword(m: StaffMemberFieldsFragment): Promise<void> {
    await this.run(`${m.username} 的密码已重置，需用新密码重新登录`, async () => {
      await this.api.mutate(this.resetMutation, { id: m.id, password: this.newPassword });
      this.newPassword = '';
      this.resetting.set(null);
    });
  }

  /** Does `f`, then reloads the list; `done` is the notice on success. */
  private async run(done: string | null, f: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    this.notice.set(null);
    try {
      await f();
      this.members.set((await this.api.query(this.listQuery)).staffMembers);
      if (done) this.notice.set(done);
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
