import { Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { AdminCreateBranchGQL, AdminUpdateBranchGQL } from '../../graphql/generated';
import { AdminBroker } from './admin-broker';

/** 营业部: the broker's branches, renamed in place; a new one with its code and name. */
@Component({
  selector: 'kh-admin-branches',
  imports: [FormsModule],
  template: `
    <header class="bar"><h1>营业部</h1><span class="muted">{{ admin.broker()?.name }}</span></header>
    @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
    @if (notice()) { <div class="banner success" role="status">{{ notice() }}</div> }
    <div class="cols">
      <section class="card" aria-labelledby="b-list">
        <h2 id="b-list">全部营业部</h2>
        <table>
          <thead><tr><th scope="col">名称</th><th scope="col"><span class="sr-only">操作</span></th></tr></thead>
          <tbody>
            @for (b of admin.broker()?.branches ?? []; track b.id) {
              <tr data-testid="branch-row">
                <td>
                  @if (editing() === b.id) {
                    <input [(ngModel)]="editName" [attr.aria-label]="'新名称：' + b.name" (keydown.enter)="rename(b.id)" (keydown.escape)="editing.set(null)" />
                  } @else { {{ b.name }} }
                </td>
                <td class="act">
                  @if (editing() === b.id) {
                    <button type="button" class="slim" (click)="rename(b.id)" [disabled]="busy()">保存</button>
                    <button type="button" class="secondary slim" (click)="editing.set(null)">取消</button>
                  } @else {
                    <button type="button" class="secondary slim" (click)="edit(b.id, b.name)" [attr.aria-label]="'修改名称：' + b.name">修改名称</button>
                  }
                </td>
              </tr>
            }
          </tbody>
        </table>
      </section>
      <form class="card" (ngSubmit)="create()" aria-labelledby="b-new">
        <h2 id="b-new">新增营业部</h2>
        <div class="field"><label for="b-name">营业部名称</label><input id="b-name" name="name" [(ngModel)]="name" placeholder="例如：广州营业部" /></div>
        <div class="field"><label for="b-code">营业部代码</label><input id="b-code" name="code" [(ngModel)]="code" placeholder="字母、数字、_ 或 -" /></div>
        <button type="submit" [disabled]="busy()">新增</button>
      </form>
    </div>
  `,
  styles: `
    .bar { display: flex; align-items: baseline; gap: 14px; margin-bottom: 10px; }
    .bar h1 { margin: 0; }
    .cols { display: grid; grid-template-columns: minmax(0, 1fr) 360px; gap: 16px; align-items: start; }
    .act { text-align: right; white-space: nowrap; }
    .slim { min-height: 34px; padding: 4px 12px; }
    td input { min-height: 34px; padding: 4px 8px; }
  `,
})
export class BranchesPage implements OnInit {
  protected readonly admin = inject(AdminBroker);
  private readonly api = inject(Api);
  private readonly createMutation = inject(AdminCreateBranchGQL);
  private readonly updateMutation = inject(AdminUpdateBranchGQL);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly editing = signal<string | null>(null);
  editName = '';
  name = '';
  code = '';

  ngOnInit(): void {
    this.admin.load().catch((e: ApiError) => this.error.set(e.message));
  }

  protected edit(id: string, name: string): void {
    this.editing.set(id);
    this.editName = name;
  }

  async rename(id: string): Promise<void> {
    await this.run(async () => {
      const { updateBranch } = await this.api.mutate(this.updateMutation, {
        id,
        input: { name: this.editName.trim() },
      });
      this.editing.set(null);
      this.notice.set(`已修改为“${updateBranch.name}”`);
    });
  }

  async create(): Promise<void> {
    await this.run(async () => {
      const { createBranch } = await this.api.mutate(this.createMutation, {
        input: { name: this.name.trim(), code: this.code.trim() },
      });
      this.notice.set(`已新增“${createBranch.name}”`);
      this.name = this.code = '';
    });
  }

  private async run(f: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    this.notice.set(null);
    try {
      await f();
      await this.admin.load();
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
