import { Component, OnInit, computed, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { Api } from '../core/api';
import { SessionStore } from '../core/session';
import { MyTicketsGQL, type BusinessType, type MyTicketsQuery } from '../graphql/generated';
import { STATUS_NAMES } from '@kaihu/domain';
import { PortalInfo, type PortalBroker } from '../core/portal-info';

type TicketRow = NonNullable<MyTicketsQuery['me']>['tickets']['edges'][number]['node'];

/** 选择需要办理的业务类型, and 我的业务 (待完成业务 to resume, 审核中) for a logged-in customer. */
@Component({
  selector: 'kh-menu-page',
  imports: [RouterLink],
  template: `
    <main class="page">
      <h1>选择需要办理的业务类型</h1>
      <ul class="menu" role="list">
        @for (b of menu(); track b.key) {
          <li>
            @if (b.available) {
              <button type="button" class="tile" (click)="open(b)" [attr.aria-describedby]="b.key + '-hint'">
                <span class="name">{{ b.name }}</span>
                <span class="hint" [id]="b.key + '-hint'">{{ b.hint }}</span>
              </button>
            } @else {
              <div class="tile off" [attr.aria-describedby]="b.key + '-hint'">
                <span class="name">{{ b.name }}</span>
                <span class="hint" [id]="b.key + '-hint'">暂未开通，敬请期待</span>
              </div>
            }
          </li>
        }
      </ul>

      @if (session.hasRole('PROSPECT')) {
        <section class="card" aria-labelledby="mine">
          <h2 id="mine">我的开户申请</h2>
          <p>您已使用手机号登录，可继续办理开立期货账户。</p>
          <a class="button" routerLink="/open">查看或继续办理</a>
        </section>
      } @else if (session.loggedIn()) {
        <section class="card" aria-labelledby="mine">
          <h2 id="mine">我的业务</h2>
          @if (pending().length) {
            <h3>待完成业务</h3>
            <ul class="tickets" data-testid="pending">
              @for (t of pending(); track t.id) {
                <li>
                  <div>
                    <strong>{{ t.businessName }}</strong> <span class="badge" [attr.data-status]="t.status">{{ statusName(t.status) }}</span>
                    <div class="muted small">受理单号 {{ t.acceptanceNo }} · 当前步骤：{{ stepTitle(t) }}</div>
                    @if (t.status === 'RETURNED' && t.reason) { <div class="small warn">打回原因：{{ t.reason }}</div> }
                  </div>
                  <a class="button" [routerLink]="['/ticket', t.id]">继续办理</a>
                </li>
              }
            </ul>
          } @else {
            <p class="muted">没有待完成的业务。</p>
          }
          @if (reviewing().length) {
            <h3>审核中</h3>
            <ul class="tickets">
              @for (t of reviewing(); track t.id) {
                <li>
                  <div><strong>{{ t.businessName }}</strong> <span class="badge" data-status="SUBMITTED">审核中</span>
                    <div class="muted small">受理单号 {{ t.acceptanceNo }}</div></div>
                  <a class="button secondary" [routerLink]="['/ticket', t.id]">查看</a>
                </li>
              }
            </ul>
          }
        </section>
      } @else {
        <p class="muted">办理业务前需要登录。若业务办理过程中断，可重新登录后在“我的业务”中选择“待完成业务”继续办理。</p>
      }
    </main>
  `,
  styles: `
    .menu { list-style: none; padding: 0; margin: 0 0 18px; display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
    .tile { width: 100%; min-height: 84px; display: flex; flex-direction: column; align-items: flex-start; justify-content: center; gap: 2px; text-align: left;
      background: #fff; color: var(--ink); border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 14px; }
    .tile:hover:not(.off) { background: var(--accent-soft); border-color: var(--accent); }
    .tile .name { font-weight: 700; font-size: 1rem; color: var(--accent-dark); }
    .tile .hint { font-size: .8rem; color: var(--ink-3); }
    .tile.off .name { color: var(--ink-3); }
    .tickets { list-style: none; padding: 0; margin: 0 0 10px; }
    .tickets li { display: flex; gap: 10px; align-items: center; justify-content: space-between; padding: 10px 0; border-bottom: 1px solid var(--line); }
    .badge { font-size: .75rem; padding: 2px 8px; border-radius: 10px; background: #eee; margin-left: 4px; }
    .badge[data-status=RETURNED] { background: #fff4e0; color: #6b3f00; }
    .badge[data-status=SUBMITTED] { background: #eef4fd; color: #123d73; }
    @media (min-width: 760px) { .menu { grid-template-columns: repeat(4, 1fr); } }
  `,
})
export class MenuPage implements OnInit {
  protected readonly session = inject(SessionStore);
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly myTickets = inject(MyTicketsGQL);
  private readonly portal = inject(PortalInfo);
  /**
   * The reference's menu: the businesses the broker lists (from the API, with whether each is offered
   * online), 我的基本资料 (its 修改 buttons start the three 修改 businesses), 协议下载, 密码重置.
   */
  protected readonly menu = computed<MenuItem[]>(() => menuOf(this.portal.broker()));
  private readonly tickets = signal<TicketRow[]>([]);
  protected readonly pending = computed(() =>
    this.tickets().filter((t) => t.status === 'IN_PROGRESS' || t.status === 'RETURNED'),
  );
  protected readonly reviewing = computed(() => this.tickets().filter((t) => t.status === 'SUBMITTED'));

  async ngOnInit(): Promise<void> {
    void this.portal.load();
    if (!this.session.hasRole('CUSTOMER')) return;
    try {
      const { me } = await this.api.query(this.myTickets, {
        status: ['IN_PROGRESS', 'RETURNED', 'SUBMITTED'],
        first: 20,
      });
      this.tickets.set(me?.tickets.edges.map((e) => e.node) ?? []);
    } catch {
      /* the menu works without the list */
    }
  }

  open(item: MenuItem): void {
    if (item.forProspects && !this.session.hasRole('CUSTOMER')) {
      // 开立期货账户: people who are not customers yet log in with their mobile (我要开户)
      void this.router.navigateByUrl(this.session.hasRole('PROSPECT') ? '/open' : '/login?mode=open&next=%2Fopen');
      return;
    }
    const target = item.link ?? `/start/${item.business}`;
    void this.router.navigateByUrl(
      (this.session.loggedIn() && !this.session.hasRole('PROSPECT')) || item.link === '/agreements'
        ? target
        : `/login?next=${encodeURIComponent(target)}`,
    );
  }

  statusName(s: TicketRow['status']): string {
    return STATUS_NAMES[s];
  }

  stepTitle(t: TicketRow): string {
    return t.steps.find((s) => s.kind === t.currentStep)?.title ?? '';
  }
}

interface MenuItem {
  key: string;
  name: string;
  hint: string;
  available: boolean;
  business?: BusinessType;
  link?: string;
  forProspects?: boolean;
}

function menuOf(broker: PortalBroker | null): MenuItem[] {
  const offers = (broker?.businesses ?? []).map((b) => ({
    key: b.type,
    name: b.name,
    hint: b.hint,
    available: b.offered,
    business: b.type,
    forProspects: b.forProspects,
  }));
  const maintenance = (b: MenuItem) => b.key.startsWith('UPDATE_') || b.key === 'RESET_PASSWORD';
  return [
    ...offers.filter((b) => !maintenance(b)),
    {
      key: 'PROFILE',
      name: '我的基本资料',
      hint: '查看与修改身份信息、联系电话、其他信息',
      available: true,
      link: '/profile',
    },
    { key: 'AGREEMENTS', name: '协议下载', hint: '查看和下载业务协议', available: true, link: '/agreements' },
    ...offers.filter((b) => b.key === 'RESET_PASSWORD'),
  ];
}
