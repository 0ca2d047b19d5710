import { Component, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { Api } from '../core/api';
import { ApiError } from '../core/errors';
import { SessionStore } from '../core/session';
import { StaffLoginGQL } from '../graphql/generated';
import { STAFF_ROLES, StaffContext } from './staff';

/** 工作人员登录: username and password; the roles decide where the console opens. */
@Component({
  selector: 'kh-staff-login',
  imports: [FormsModule],
  template: `
    <main class="login">
      <form class="card" (ngSubmit)="login()" novalidate aria-labelledby="login-title">
        <h1 id="login-title">开户云 · 工作台登录</h1>
        <p class="muted small">视频见证坐席、复核人员及期货公司管理员使用</p>
        @if (expired()) { <div class="banner warn" role="status">登录已超时，请重新登录。</div> }
        <div class="field">
          <label for="username">用户名</label>
          <input id="username" name="username" autocomplete="username" [(ngModel)]="username" autofocus />
        </div>
        <div class="field">
          <label for="password">密码</label>
          <input id="password" name="password" type="password" autocomplete="current-password" [(ngModel)]="password" />
        </div>
        @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
        <button type="submit" class="block" [disabled]="busy()">登录</button>
      </form>
    </main>
  `,
  styles: `
    .login { min-height: 100vh; display: grid; place-items: center; background: linear-gradient(160deg, #f5f5f7, #ece6e5); padding: 16px; }
    .card { width: 380px; max-width: 100%; }
    h1 { font-size: 1.3rem; }
  `,
})
export class StaffLoginPage {
  readonly next = input<string | undefined>();
  readonly expired = input<string | undefined>();
  private readonly api = inject(Api);
  private readonly session = inject(SessionStore);
  private readonly staff = inject(StaffContext);
  private readonly router = inject(Router);
  private readonly loginMutation = inject(StaffLoginGQL);
  username = '';
  password = '';
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  async login(): Promise<void> {
    this.error.set(null);
    if (!this.username.trim() || !this.password) {
      this.error.set('请输入用户名和密码');
      return;
    }
    this.busy.set(true);
    try {
      const { staffLogin } = await this.api.mutate(this.loginMutation, {
        username: this.username.trim(),
        password: this.password,
      });
      if (!staffLogin.viewer.roles.some((r) => (STAFF_ROLES as readonly string[]).includes(r))) {
        this.error.set('该账号不能使用工作台');
        return;
      }
      this.session.set({ token: staffLogin.token, expiresAt: staffLogin.expiresAt, roles: staffLogin.viewer.roles });
      this.staff.set(staffLogin.viewer.staff);
      this.password = '';
      const next = this.next();
      const target = next && next.startsWith('/agent/') && !next.startsWith('/agent/login') ? next : this.staff.home();
      void this.router.navigateByUrl(target, { replaceUrl: true });
    } catch (e) {
      const err = e as ApiError;
      // the server's message: 用户名或密码错误（还可尝试几次）or 账号已停用
      this.error.set(err.message);
    } finally {
      this.busy.set(false);
    }
  }
}
