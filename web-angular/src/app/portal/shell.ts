import { Component, OnInit, inject } from '@angular/core';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { Api } from '../core/api';
import { PortalInfo } from '../core/portal-info';
import { SessionStore } from '../core/session';
import { LogoutGQL } from '../graphql/generated';

/** The portal's frame: broker name, service phone, 我的业务 links, 退出登录. */
@Component({
  selector: 'kh-portal-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  template: `
    <a class="skip" href="#content">跳到主要内容</a>
    <header class="bar">
      <a routerLink="/" class="brand">
        <span class="logo" aria-hidden="true">开</span>
        <span>{{ info.broker()?.name ?? '开户云' }}</span>
      </a>
      <nav aria-label="主菜单" class="nav">
        <a routerLink="/" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }">业务办理</a>
        @if (session.hasRole('PROSPECT')) {
          <a routerLink="/open" routerLinkActive="active">我的开户申请</a>
          <button type="button" class="link" (click)="logout()">退出登录</button>
        } @else if (session.loggedIn()) {
          <a routerLink="/profile" routerLinkActive="active">我的基本资料</a>
          <button type="button" class="link" (click)="logout()">退出登录</button>
        } @else {
          <a routerLink="/login" [queryParams]="{ mode: 'open' }">我要开户</a>
          <a routerLink="/login" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }">登录</a>
        }
      </nav>
    </header>
    <div id="content"><router-outlet /></div>
    <footer class="foot muted small">
      @if (info.broker()?.servicePhone; as phone) { 服务热线：<a [href]="'tel:' + phone">{{ phone }}</a> · }
      网上开户服务时间：{{ info.broker()?.serviceHoursText ?? '—' }}
    </footer>
  `,
  styles: `
    .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 8px; z-index: 10; }
    .skip:focus { left: 8px; }
    .bar { display: flex; align-items: center; gap: 12px; padding: 10px 16px; background: var(--accent); color: #fff; flex-wrap: wrap; }
    .brand { color: #fff; text-decoration: none; font-weight: 700; display: flex; align-items: center; gap: 8px; font-size: 1rem; }
    .logo { width: 30px; height: 30px; border-radius: 8px; background: #fff; color: var(--accent); display: grid; place-items: center; font-weight: 800; }
    .nav { margin-left: auto; display: flex; gap: 4px; align-items: center; flex-wrap: wrap; }
    .nav a, .nav button.link { color: #fff; text-decoration: none; padding: 6px 8px; border-radius: 6px; font-size: .95rem; }
    .nav a.active { background: rgba(255,255,255,.18); }
    .nav button.link:hover { color: #fff; background: rgba(255,255,255,.12); }
    .foot { text-align: center; padding: 20px 16px 28px; }
  `,
})
export class PortalShell implements OnInit {
  protected readonly info = inject(PortalInfo);
  protected readonly session = inject(SessionStore);
  private readonly api = inject(Api);
  private readonly logoutMutation = inject(LogoutGQL);
  private readonly router = inject(Router);

  ngOnInit(): void {
    void this.info.load();
  }

  async logout(): Promise<void> {
    try {
      await this.api.mutate(this.logoutMutation);
    } catch {
      /* the token is dropped here either way */
    }
    this.session.clear();
    void this.router.navigate(['/login']);
  }
}
