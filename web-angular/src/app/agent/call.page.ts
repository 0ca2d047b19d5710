import { Component, DestroyRef, OnInit, computed, effect, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { Subscription } from 'rxjs';
import { Api } from '../core/api';
import { ApiError } from '../core/errors';
import {
  AgentAbandonWitnessGQL,
  AgentCaptureSnapshotGQL,
  AgentCompleteWitnessGQL,
  AgentWitnessSessionGQL,
  AgentWitnessSessionUpdatesGQL,
  type AgentSessionFieldsFragment,
  type TicketStepKind,
} from '../graphql/generated';
import { profileRows } from './profile-rows';
import { WitnessCall, provideWitnessCall } from '../core/witness-call';
import { STEP_NAMES, WITNESS_CHECKLIST as CHECKLIST, WITNESS_END_REASON_NAMES as END_REASONS } from '@kaihu/domain';
import { detailSections } from './detail-sections';
import { formatDuration } from './labels';
import { Photos } from './photos';
import { StaffContext } from './staff';

/**
 * 视频见证 (the agent's side of the call): the customer's video large, the agent's own small; the
 * ticket's data and photos beside it; the checklist, snapshots (WITNESS_SNAPSHOT), 通过 or 打回.
 * Holding `witnessSession` is the agent's presence: closing the tab or losing the network puts
 * the customer back at the head of the queue after the server's grace period.
 */
@Component({
  selector: 'kh-call-page',
  imports: [FormsModule, RouterLink, Photos],
  providers: [provideWitnessCall('CUSTOMER')],
  host: { '(document:keydown)': 'onKey($event)' },
  template: `
    @if (session(); as s) {
      <header class="bar">
        <h1>视频见证 · {{ s.ticket.proposedProfile?.name }}</h1>
        <span class="muted">{{ s.ticket.businessName }} · 受理单号 {{ s.ticket.acceptanceNo }}</span>
        <span class="spacer"></span>
        @if (!s.endedAt) { <span class="elapsed mono" aria-label="通话时长">通话 {{ elapsed() }}</span> }
        <span class="state" [attr.data-state]="call.state()" role="status" data-testid="call-state">{{ stateText() }}</span>
      </header>
      @if (s.endedAt) {
        <div class="banner" [class.success]="s.outcome === 'PASSED'" [class.warn]="s.outcome !== 'PASSED'" role="status" data-testid="call-ended">
          <strong>{{ s.outcome === 'PASSED' ? '见证通过' : s.outcome === 'RETURNED' ? '已打回' : '见证已结束' }}</strong>
          · {{ endText() }}
          <a routerLink="/agent/witness" class="button secondary back">返回队列（N 接通下一位）</a>
        </div>
      }
      @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
      @if (call.error()) { <div class="banner error" role="alert">{{ call.error() }} <button type="button" class="secondary" (click)="reconnect()">重新连接</button></div> }
      <div class="layout">
        <section class="stage" aria-label="视频">
          <div class="remote">
            <video #remote autoplay playsinline [srcObject]="call.remote()" (loadedmetadata)="play(remote)" data-testid="customer-video" aria-label="客户视频"></video>
            @if (!call.remote()) { <div class="placeholder">{{ s.endedAt ? '通话已结束' : '等待客户视频…' }}</div> }
            @if (call.remoteVideoPaused()) { <div class="placeholder">客户已关闭摄像头</div> }
            @if (call.remoteReconnecting()) { <div class="away" role="status">对方正在重新连接…</div> }
            <div class="self">
              <video autoplay playsinline [muted]="true" [srcObject]="call.local()" data-testid="agent-video" aria-label="本人视频"></video>
              <div class="id-tag">坐席 {{ s.agentName }} · 从业资格号 {{ s.agentLicenseNo }}</div>
            </div>
          </div>
          @if (!s.endedAt) {
            <div class="controls">
              <button type="button" class="secondary" (click)="call.setCamera(call.cameraOff())" [attr.aria-pressed]="call.cameraOff()">{{ call.cameraOff() ? '打开摄像头' : '关闭摄像头' }}</button>
              <button type="button" class="secondary" (click)="call.setMicrophone(call.micOff())" [attr.aria-pressed]="call.micOff()">{{ call.micOff() ? '打开麦克风' : '静音' }}</button>
              <button type="button" (click)="snapshot()" [disabled]="busy() || !call.remote()" aria-keyshortcuts="S">截图 <kbd>S</kbd></button>
              <span class="spacer"></span>
              <button type="button" class="secondary" (click)="abandon('CUSTOMER_ABSENT')" [disabled]="busy()">客户未应答</button>
              <button type="button" class="secondary" (click)="abandon('AGENT_ABANDONED')" [disabled]="busy()">中止（客户回到队首）</button>
            </div>
          }
          <h2 class="sub">见证截图</h2>
          <kh-photos [photos]="snapshots()" />
        </section>
        <aside class="side">
          <section class="card tight" aria-labelledby="t-data">
            <h2 id="t-data">客户资料</h2>
            <dl class="kv">
              @for (r of rows(); track r.label) { <dt>{{ r.label }}</dt><dd>{{ r.value }}</dd> }
            </dl>
          </section>
          @if (application().length) {
            <section class="card tight" aria-labelledby="t-app">
              <h2 id="t-app">申请内容</h2>
              @for (sec of application(); track sec.step) {
                <h3 class="sec">{{ stepName(sec.step) }}</h3>
                <dl class="kv" [attr.data-step]="sec.step">
                  @for (d of sec.rows; track $index) { <dt>{{ d.label }}</dt><dd>{{ d.value }}</dd> }
                </dl>
              }
            </section>
          }
          <section class="card tight" aria-labelledby="t-photos">
            <h2 id="t-photos">证件照片</h2>
            <kh-photos [photos]="idPhotos()" />
          </section>
          @if (!s.endedAt) {
            <section class="card tight" aria-labelledby="t-check">
              <h2 id="t-check">核对项</h2>
              <fieldset class="checks">
                <legend class="sr-only">见证核对项</legend>
                @for (c of checklist; track c.code) {
                  <label class="choice"><input type="checkbox" [checked]="checked().has(c.code)" (change)="toggle(c.code)" [attr.aria-keyshortcuts]="c.key" /> {{ c.label }} <kbd class="k">{{ c.key }}</kbd></label>
                }
              </fieldset>
              <button type="button" class="block pass" (click)="pass()" [disabled]="busy() || !allChecked()">通过</button>
              @if (!allChecked()) { <p class="muted small">全部核对项确认后才能通过。</p> }
            </section>
            <section class="card tight" aria-labelledby="t-return">
              <h2 id="t-return">打回</h2>
              <div class="field">
                <label for="return-step">需要重新办理的步骤</label>
                <select id="return-step" [(ngModel)]="returnStep">
                  <option value="">请选择</option>
                  @for (st of returnSteps(); track st.kind) { <option [value]="st.kind">{{ st.title }}</option> }
                </select>
              </div>
              <div class="field">
                <label for="return-reason">打回原因（客户可见）</label>
                <textarea id="return-reason" rows="2" [(ngModel)]="returnReason"></textarea>
              </div>
              <button type="button" class="secondary block" (click)="sendBack()" [disabled]="busy()">打回</button>
            </section>
          }
        </aside>
      </div>
    } @else if (error()) {
      <div class="banner error" role="alert">{{ error() }} <a routerLink="/agent/witness">返回队列</a></div>
    } @else {
      <p class="muted">加载中…</p>
    }
  `,
  styles: `
    .sec { font-size: .9rem; margin: 10px 0 4px; color: var(--accent-dark); }
    .bar { display: flex; align-items: baseline; gap: 14px; margin-bottom: 10px; }
    .bar h1 { margin: 0; font-size: 1.3rem; }
    .mono { font-variant-numeric: tabular-nums; }
    .state { font-size: .85rem; padding: 2px 10px; border-radius: 12px; background: #eee; }
    .state[data-state=connected] { background: #e8f5ec; color: var(--ok); }
    .state[data-state=failed] { background: #fdecee; color: #8a0016; }
    .layout { display: grid; grid-template-columns: minmax(0, 1fr) 400px; gap: 16px; align-items: start; }
    .remote { position: relative; background: #111; border-radius: 10px; overflow: hidden; aspect-ratio: 4 / 3; max-height: calc(100vh - 200px); width: 100%; }
    .remote > video { width: 100%; height: 100%; object-fit: contain; display: block; }
    .placeholder { position: absolute; inset: 0; display: grid; place-items: center; color: #ddd; background: #111; }
    .away { position: absolute; top: 10px; left: 10px; background: #fff4e0; color: #6b3f00; padding: 4px 10px; border-radius: 6px; }
    .self { position: absolute; right: 12px; bottom: 12px; width: 22%; min-width: 160px; background: #000; border: 2px solid #fff; border-radius: 6px; overflow: hidden; }
    .self video { width: 100%; display: block; transform: scaleX(-1); }
    .id-tag { font-size: .75rem; color: #fff; background: rgba(0,0,0,.7); padding: 2px 6px; }
    .controls { display: flex; gap: 8px; margin: 10px 0; flex-wrap: wrap; }
    .controls button { min-height: 38px; padding: 6px 14px; }
    kbd { font: inherit; font-size: .75rem; border: 1px solid currentColor; border-radius: 4px; padding: 0 5px; opacity: .8; }
    .k { margin-left: auto; }
    .sub { font-size: 1rem; margin: 12px 0 6px; }
    .tight { padding: 14px 16px; margin-bottom: 12px; }
    .tight h2 { font-size: 1rem; }
    .kv { grid-template-columns: 7em 1fr; gap: 4px 10px; font-size: .9rem; }
    .checks .choice { font-size: .95rem; }
    .pass { margin-top: 6px; }
    .field { margin-bottom: 8px; }
    textarea { font: inherit; width: 100%; padding: 8px 10px; border: 1px solid #bdbdbd; border-radius: 8px; }
    .back { margin-left: 12px; min-height: 34px; padding: 4px 12px; }
  `,
})
export class CallPage implements OnInit {
  readonly sessionId = input.required<string>();
  protected readonly call = inject(WitnessCall);
  private readonly staff = inject(StaffContext);
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly sessionQuery = inject(AgentWitnessSessionGQL);
  private readonly sessionUpdates = inject(AgentWitnessSessionUpdatesGQL);
  private readonly snapshotMutation = inject(AgentCaptureSnapshotGQL);
  private readonly completeMutation = inject(AgentCompleteWitnessGQL);
  private readonly abandonMutation = inject(AgentAbandonWitnessGQL);
  protected readonly checklist = CHECKLIST;
  protected readonly session = signal<AgentSessionFieldsFragment | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly checked = signal<ReadonlySet<string>>(new Set());
  protected readonly allChecked = computed(() => CHECKLIST.every((c) => this.checked().has(c.code)));
  private readonly now = signal(Date.now());
  returnStep: TicketStepKind | '' = '';
  returnReason = '';

  protected readonly elapsed = computed(() => {
    const s = this.session();
    return s ? formatDuration((this.staff.serverNow(this.now()) - new Date(s.startedAt).getTime()) / 1000) : '';
  });
  protected readonly rows = computed(() => profileRows(this.session()?.ticket.proposedProfile ?? null));
  /** what the applicant chose beyond the 客户资料 above (结算账户, 适当性, 交易所, 回访), by step */
  protected readonly application = computed(() => detailSections(this.session()?.ticket.details, ['IDENTITY']));
  protected stepName(kind: keyof typeof STEP_NAMES): string {
    return STEP_NAMES[kind] ?? kind;
  }
  protected readonly idPhotos = computed(() =>
    (this.session()?.ticket.documents ?? []).filter((d) => d.kind !== 'WITNESS_SNAPSHOT'),
  );
  protected readonly snapshots = computed(() =>
    (this.session()?.ticket.documents ?? []).filter((d) => d.kind === 'WITNESS_SNAPSHOT'),
  );
  protected readonly returnSteps = computed(() => {
    const steps = this.session()?.ticket.steps ?? [];
    const here = steps.findIndex((s) => s.kind === 'VIDEO_WITNESS');
    return steps.slice(0, Math.max(0, here));
  });
  protected readonly stateText = computed(() => {
    if (this.session()?.endedAt) return '已结束';
    return {
      idle: '未连接',
      connecting: '连接中…',
      connected: this.call.remoteReconnecting() ? '对方正在重新连接…' : '通话中',
      reconnecting: '重新连接中…',
      failed: '连接失败',
    }[this.call.state()];
  });
  protected readonly endText = computed(() => {
    const s = this.session();
    return s?.endReason ? END_REASONS[s.endReason] : '';
  });
  private live: Subscription | null = null;

  constructor() {
    const tick = setInterval(() => this.now.set(Date.now()), 1000);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(tick);
      this.live?.unsubscribe();
      this.call.release();
    });
    // the call ends: leave the media, turn the camera off
    effect(() => {
      if (this.session()?.endedAt) this.call.release();
    });
  }

  async ngOnInit(): Promise<void> {
    try {
      const { witnessSession } = await this.api.query(this.sessionQuery, { id: this.sessionId() });
      this.session.set(witnessSession);
      this.checked.set(new Set(witnessSession.checklist));
      if (witnessSession.endedAt) return;
      this.follow();
      await this.call.start(this.sessionId());
    } catch (e) {
      this.error.set((e as ApiError).message);
    }
  }

  /** witnessSession for as long as the page is open: the agent's presence. */
  private follow(): void {
    this.live?.unsubscribe();
    this.live = this.api
      .live(this.sessionUpdates, { id: this.sessionId() }, { retryMs: 2000, retryIf: () => !this.session()?.endedAt })
      .subscribe((d) => this.session.set(d.witnessSession));
  }

  protected play(v: HTMLVideoElement): void {
    // autoplay with sound may be refused without a gesture: then muted, the picture matters most
    v.play().catch(() => {
      v.muted = true;
      void v.play().catch(() => undefined);
    });
  }

  protected reconnect(): void {
    void this.call.start(this.sessionId());
  }

  protected toggle(code: string): void {
    const next = new Set(this.checked());
    if (next.has(code)) next.delete(code);
    else next.add(code);
    this.checked.set(next);
  }

  protected onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement | null;
    if (t && t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'checkbox') return;
    if (t && (t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
    const s = this.session();
    if (!s) return;
    if (s.endedAt) {
      if (e.key === 'n' || e.key === 'N') void this.router.navigateByUrl('/agent/witness');
      return;
    }
    const item = CHECKLIST.find((c) => c.key === e.key);
    if (item) {
      e.preventDefault();
      this.toggle(item.code);
    } else if (e.key === 's' || e.key === 'S') {
      e.preventDefault();
      void this.snapshot();
    }
  }

  async snapshot(): Promise<void> {
    // no picture to take until the customer's video is back (the server would say the same, later)
    if (this.call.remoteReconnecting())
      return this.error.set('截图失败：对方正在重新连接，暂时没有画面，请等画面恢复后再截图');
    await this.run(async () => {
      const { captureWitnessSnapshot: doc } = await this.api.mutate(this.snapshotMutation, {
        sessionId: this.sessionId(),
      });
      const s = this.session();
      if (s && !s.ticket.documents.some((d) => d.id === doc.id))
        this.session.set({ ...s, ticket: { ...s.ticket, documents: [...s.ticket.documents, doc] } });
    });
  }

  async pass(): Promise<void> {
    await this.run(async () => {
      const { completeWitness } = await this.api.mutate(this.completeMutation, {
        sessionId: this.sessionId(),
        input: { outcome: 'PASSED', checklist: [...this.checked()] },
      });
      this.session.set(completeWitness);
    });
  }

  async sendBack(): Promise<void> {
    if (!this.returnStep || !this.returnReason.trim()) {
      this.error.set('打回时请选择需要重新办理的步骤并填写原因');
      return;
    }
    await this.run(async () => {
      const { completeWitness } = await this.api.mutate(this.completeMutation, {
        sessionId: this.sessionId(),
        input: {
          outcome: 'RETURNED',
          checklist: [...this.checked()],
          returnToStep: this.returnStep || null,
          reason: this.returnReason.trim(),
        },
      });
      this.session.set(completeWitness);
    });
  }

  async abandon(reason: 'AGENT_ABANDONED' | 'CUSTOMER_ABSENT'): Promise<void> {
    await this.run(async () => {
      await this.api.mutate(this.abandonMutation, { sessionId: this.sessionId(), reason });
      const { witnessSession } = await this.api.query(this.sessionQuery, { id: this.sessionId() });
      this.session.set(witnessSession);
    });
  }

  private async run(f: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await f();
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
