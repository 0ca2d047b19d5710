import { Component, OnInit, computed, inject } from '@angular/core';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { Api } from '../core/api';
import { SessionStore } from '../core/session';
import { AgentLogoutGQL } from '../graphql/generated';
import { StaffContext } from './staff';

/** The console's frame: the left nav by role, the page on the right. */
@Component({
  selector: 'kh-console-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  template: `
    <div class="console">
      <nav class="side" aria-label="工作台导航">
        <div class="brand">开户云<span>工作台</span>@if (staff.brokerName()) { <div class="broker">{{ staff.brokerName() }}</div> }</div>
        @if (staff.has('AGENT')) {
          <div class="group" role="group" aria-labelledby="nav-agent">
            <div class="group-title" id="nav-agent">坐席</div>
            <a routerLink="/agent/witness" routerLinkActive="active">视频见证队列</a>
          </div>
        }
        @if (staff.has('REVIEWER')) {
          <div class="group" role="group" aria-labelledby="nav-review">
            <div class="group-title" id="nav-review">复核</div>
            <a routerLink="/agent/review" routerLinkActive="active">待复核业务</a>
          </div>
        }
        @if (staff.has('BROKER_ADMIN')) {
          <div class="group" role="group" aria-labelledby="nav-admin">
            <div class="group-title" id="nav-admin">管理</div>
            <a routerLink="/agent/admin/branches" routerLinkActive="active">营业部</a>
            <a routerLink="/agent/admin/hours" routerLinkActive="active">服务时间</a>
            <a routerLink="/agent/admin/agreements" routerLinkActive="active">协议</a>
            <a routerLink="/agent/admin/staff" routerLinkActive="active">人员</a>
          </div>
        }
        <div class="who">
          @if (staff.me(); as me) { <div class="me" data-testid="staff-name">{{ me.displayName }}</div> }
          <div class="muted small" data-testid="staff-roles">{{ roleNames() }}@if (staff.fixedBranch(); as b) { · {{ b.name }} }</div>
          <button type="button" class="secondary small-btn" (click)="logout()">退出登录</button>
        </div>
      </nav>
      <div class="content"><router-outlet /></div>
    </div>
  `,
  styles: `
    .console { display: grid; grid-template-columns: 200px 1fr; min-height: 100vh; background: linear-gradient(to right, #26282c 200px, transparent 200px); }
    .side { background: #26282c; color: #e8e8e8; display: flex; flex-direction: column; padding: 14px 0; position: sticky; top: 0; height: 100vh; }
    .brand { font-weight: 700; font-size: 1.1rem; padding: 0 18px 16px; color: #fff; }
    .broker { font-size: .8rem; font-weight: 400; color: #c8c8c8; margin-top: 2px; }
    .me { color: #fff; font-weight: 600; }
    .brand span { font-weight: 400; font-size: .85rem; margin-left: 6px; color: #c8c8c8; }
    .group { margin-bottom: 14px; }
    .group-title { font-size: .78rem; color: #b8b8b8; padding: 4px 18px; letter-spacing: .1em; }
    .side a { display: block; color: #f0f0f0; text-decoration: none; padding: 8px 18px 8px 26px; border-left: 3px solid transparent; }
    .side a:hover { background: #34373c; }
    .side a.active { background: #3b3e44; border-left-color: #ff8a80; color: #fff; font-weight: 600; }
    .who { margin-top: auto; padding: 0 18px; }
    .who .muted { color: #c8c8c8; margin-bottom: 6px; }
    .small-btn { min-height: 32px; padding: 4px 10px; font-size: .85rem; background: transparent; color: #fff; border-color: #8a8a8a; }
    .small-btn:hover:not(:disabled) { background: #3b3e44; }
    .content { min-width: 0; padding: 18px 24px; }
  `,
})
export class ConsoleShell implements OnInit {
  protected readonly staff = inject(StaffContext);
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  private readonly api = inject(Api);
  private readonly logoutMutation = inject(AgentLogoutGQL);
  protected readonly roleNames = computed(() =>
    this.staff
      .roles()
      .map((r) => ({ AGENT: '视频见证坐席', REVIEWER: '复核人员', BROKER_ADMIN: '期货公司管理员' })[r] ?? r)
      .join('、'),
  );

  ngOnInit(): void {
    void this.staff.load();
  }

  async logout(): Promise<void> {
    await this.api.mutate(this.logoutMutation).catch(() => undefined);
    this.session.clear();
    this.staff.clear();
    void this.router.navigateByUrl('/agent/login');
  }
}
