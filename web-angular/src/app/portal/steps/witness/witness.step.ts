import { Component, DestroyRef, ElementRef, computed, effect, inject, signal, viewChild } from '@angular/core';
import { Subscription, timer } from 'rxjs';
import { Api } from '../../../core/api';
import { ApiError } from '../../../core/errors';
import { PortalInfo } from '../../../core/portal-info';
import {
  JoinWitnessQueueGQL,
  LeaveWitnessQueueGQL,
  QueuePositionGQL,
  WitnessQueueEntryGQL,
  WitnessSessionUpdatedGQL,
  type QueueEntryFieldsFragment,
  type WitnessEndReason,
  type WitnessSessionFieldsFragment,
} from '../../../graphql/generated';
import { TicketContext } from '../../ticket-context';
import { DeviceCheck, mediaErrorMessage, openCameraAndMicrophone } from './device-check';
import { WitnessCall, provideWitnessCall } from '../../../core/witness-call';

type Phase = 'loading' | 'prepare' | 'queue' | 'call' | 'ended';
type Notice = { kind: 'info' | 'warn' | 'error' | 'success'; text: string };

const ACTIVE = ['WAITING', 'CALLED', 'IN_SESSION'];
/** the call broke off on the agent's or the service's side: the customer is back at the head of the queue */
const BACK_TO_HEAD: Partial<Record<WitnessEndReason, string>> = {
  AGENT_ABANDONED: '坐席暂时无法继续本次见证',
  AGENT_DISCONNECTED: '坐席网络中断',
  MEDIA_FAILED: '视频服务异常，通话中断',
  TIMEOUT: '本次见证超时',
};
/** the customer is out of the queue and may queue again */
const REMOVED: Partial<Record<WitnessEndReason, string>> = {
  CUSTOMER_ABSENT: '坐席呼叫时未能与您接通，您已被移出排队',
  CUSTOMER_DISCONNECTED: '您的网络中断时间过长，您已被移出排队',
  CUSTOMER_LEFT: '您已离开本次视频见证',
};

/**
 * 视频见证 (视频验证): what to prepare, the device check (camera, microphone, speaker), the live
 * branch queue (queuePosition, which also keeps the place while the network drops), and the call
 * with the agent (mediasoup-client, see WitnessCall). The agent's outcome comes with the session:
 * passed → the ticket moves on to 安装数字证书; 打回 → back to the step to fix, with the reason.
 */
@Component({
  selector: 'kh-witness-step',
  imports: [DeviceCheck],
  providers: [provideWitnessCall('AGENT')],
  template: `
    @if (notice(); as n) {
      <div class="banner" [class]="n.kind" [attr.role]="n.kind === 'error' ? 'alert' : 'status'" data-testid="witness-notice">{{ n.text }}</div>
    }
    @if (offline()) {
      <div class="banner warn" role="alert" data-testid="offline-banner">网络连接已断开，正在尝试重新连接……网络恢复后将自动继续，短时间内断线您的排队位置会为您保留。</div>
    }
    @switch (phase()) {
      @case ('loading') {
        <p class="muted">加载中…</p>
      }
      @case ('prepare') {
        <section class="card" aria-labelledby="w-title">
          <h2 id="w-title">视频验证</h2>
          <p>视频验证是您手持本人身份证，与期货公司的认证人员进行视频实名认证。认证人员会与您核对所填写的基本信息，采集您的视频和照片，并询问您是否了解相关的开户知识。</p>
          <ul class="tips">
            <li><span class="icon" aria-hidden="true">光</span><span><strong>光线充足</strong><br /><span class="muted">请在光线充足、安静的环境中进行，保证面部清晰可见。</span></span></li>
            <li><span class="icon" aria-hidden="true">时</span><span><strong>工作日</strong><br /><span class="muted">请在工作日的服务时间内办理@if (info.broker()?.serviceHoursText; as h) {（{{ h }}）}。</span></span></li>
            <li><span class="icon" aria-hidden="true">证</span><span><strong>相关证件</strong><br /><span class="muted">请准备好本人二代身份证原件，视频中需向认证人员出示。</span></span></li>
          </ul>
        </section>
        <kh-device-check (ready)="devicesReady($event)" />
        <section class="card">
          <button type="button" class="block" (click)="join()" [disabled]="!stream() || busy()" aria-describedby="start-hint">开始视频通话</button>
          <p id="start-hint" class="small" [class.muted]="!!stream()">
            @if (!stream()) { 请先完成上方的设备检测。 }
            您将和客服人员进行视频通话,客服人员将对您进行身份确认。
          </p>
          <p class="muted small">有时因网络原因,视频见证可能长时间(超过五分钟)显示仅您 1人在排队,可尝试切换网络 4G 重新接入。</p>
        </section>
      }
      @case ('queue') {
        <section class="card queue" aria-labelledby="q-title" data-testid="witness-queue">
          <h2 id="q-title">视频排队</h2>
          @if (entry(); as e) {
            <div role="status" aria-live="polite" aria-atomic="true">
              @if (e.state === 'WAITING') {
                <p class="position" data-testid="queue-position">当前排队共 {{ e.waiting }} 人，您排在第 {{ e.position }} 位</p>
                <p class="wait">预计等待约 {{ waitMinutes() }} 分钟@if (e.position === 1) {，您是下一位，坐席空闲后将立即接通您}</p>
              } @else {
                <p class="position">坐席已接通，正在进入视频通话…</p>
              }
            </div>
            @if (e.keptUntil) {
              <p class="warn small">网络曾中断，您的排队位置保留至 {{ time(e.keptUntil) }}，请保持网络畅通。</p>
            }
          } @else {
            <p class="muted" role="status">正在获取排队信息…</p>
          }
          <p class="muted small">排队人数为本营业部当前所有排队客户的人数（包括您本人）。请保持本页面打开，坐席接通后将自动开始视频通话，届时请手持本人身份证原件。</p>
          <p class="muted small">有时因网络原因,视频见证可能长时间(超过五分钟)显示仅您 1人在排队,可尝试切换网络 4G 重新接入。</p>
          <div class="actions">
            <button type="button" class="secondary" (click)="cancel()" [disabled]="busy() || entry()?.state !== 'WAITING'">取消排队</button>
          </div>
        </section>
      }
      @case ('call') {
        <section class="card call" aria-labelledby="c-title" data-testid="witness-call" [attr.data-call-state]="call.state()">
          <h2 id="c-title">视频见证中</h2>
          <div class="stage">
            <video #remote class="remote" autoplay playsinline aria-label="见证坐席的视频" data-testid="agent-video"></video>
            @if (!call.remote() || call.remoteVideoPaused() || call.remoteReconnecting()) {
              <p class="overlay">{{ call.remoteReconnecting() ? '对方正在重新连接，请稍候…' : call.remoteVideoPaused() ? '坐席已关闭摄像头' : '正在连接坐席视频…' }}</p>
            }
            <video #self class="self" autoplay playsinline muted aria-label="您自己的视频" data-testid="own-video"></video>
          </div>
          @if (needsTap()) {
            <button type="button" class="block" (click)="unmute()">点击开启坐席声音</button>
          }
          @if (session(); as s) {
            <dl class="agent">
              <div><dt>见证坐席</dt><dd data-testid="agent-name">{{ s.agentName ?? '—' }}</dd></div>
              <div><dt>从业资格号</dt><dd data-testid="agent-license">{{ s.agentLicenseNo ?? '—' }}</dd></div>
            </dl>
          }
          <p class="small" role="status" aria-live="polite" data-testid="call-state">{{ callStatus() }}</p>
          @if (call.error() || mediaError(); as err) {
            <div class="banner error" role="alert">{{ err }}</div>
          }
          <div class="actions">
            <button type="button" class="secondary" [attr.aria-pressed]="call.cameraOff()" (click)="toggleCamera()">{{ call.cameraOff() ? '开启摄像头' : '关闭摄像头' }}</button>
            <button type="button" class="secondary" [attr.aria-pressed]="call.micOff()" (click)="toggleMic()">{{ call.micOff() ? '开启麦克风' : '关闭麦克风' }}</button>
            @if (call.state() === 'failed' || mediaError()) {
              <button type="button" (click)="reconnect()">重新连接</button>
            }
          </div>
          <p class="muted small">请手持本人身份证原件，正对摄像头，按坐席的提示核对信息、回答问题。</p>
        </section>
      }
      @case ('ended') {
        <section class="card" aria-labelledby="e-title" data-testid="witness-ended">
          @if (session()?.outcome === 'RETURNED') {
            <h2 id="e-title">视频见证未通过</h2>
            <div class="banner warn" role="alert" data-testid="witness-returned">
              打回原因：{{ session()?.ticket?.reason }}<br />
              请重新办理“{{ stepTitle(session()?.ticket?.returnedToStep) }}”，修改后再次进行视频见证。
            </div>
          } @else {
            <h2 id="e-title">视频见证已通过</h2>
            <p role="status">即将进入下一步“安装数字证书”…</p>
          }
        </section>
      }
    }
  `,
  styles: `
    .tips { list-style: none; padding: 0; margin: 12px 0 0; display: grid; gap: 10px; }
    .tips li { display: flex; gap: 10px; align-items: flex-start; }
    .icon { flex: none; width: 34px; height: 34px; border-radius: 50%; background: var(--accent-soft); color: var(--accent); display: grid; place-items: center; font-weight: 700; }
    .position { font-size: 1.2rem; font-weight: 700; margin: 4px 0; }
    .wait { margin: 0 0 10px; }
    .queue .actions { max-width: 360px; }
    .stage { position: relative; background: #111; border-radius: 10px; overflow: hidden; aspect-ratio: 3 / 4; max-height: 70vh; margin: 0 auto; }
    .remote { width: 100%; height: 100%; object-fit: cover; display: block; }
    .self { position: absolute; right: 10px; bottom: 10px; width: 30%; aspect-ratio: 3 / 4; object-fit: cover; border: 2px solid #fff; border-radius: 8px; background: #333; transform: scaleX(-1); }
    .overlay { position: absolute; inset: 0; margin: 0; display: grid; place-items: center; color: #fff; padding: 16px; text-align: center; }
    .agent { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 12px 0 4px; }
    .agent div { display: flex; gap: 8px; }
    .agent dt { color: var(--ink-3); }
    .agent dd { margin: 0; font-weight: 600; }
    @media (min-width: 760px) {
      .tips { grid-template-columns: repeat(3, 1fr); }
      .stage { aspect-ratio: 4 / 3; max-width: 720px; }
      .self { width: 24%; aspect-ratio: 4 / 3; }
    }
  `,
})
export class WitnessStep {
  protected readonly ctx = inject(TicketContext);
  protected readonly info = inject(PortalInfo);
  protected readonly call = inject(WitnessCall);
  private readonly api = inject(Api);
  private readonly entryQuery = inject(WitnessQueueEntryGQL);
  private readonly joinMutation = inject(JoinWitnessQueueGQL);
  private readonly leaveMutation = inject(LeaveWitnessQueueGQL);
  private readonly positions = inject(QueuePositionGQL);
  private readonly sessions = inject(WitnessSessionUpdatedGQL);

  protected readonly phase = signal<Phase>('loading');
  protected readonly stream = signal<MediaStream | null>(null);
  protected readonly entry = signal<QueueEntryFieldsFragment | null>(null);
  protected readonly session = signal<WitnessSessionFieldsFragment | null>(null);
  protected readonly notice = signal<Notice | null>(null);
  /** set by the browser's offline event (navigator.onLine alone is not trusted: it can be false on a working LAN) */
  protected readonly offline = signal(false);
  protected readonly busy = signal(false);
  protected readonly needsTap = signal(false);
  protected readonly mediaError = signal<string | null>(null);
  protected readonly waitMinutes = computed(() =>
    Math.max(1, Math.ceil((this.entry()?.estimatedWaitSeconds ?? 0) / 60)),
  );
  protected readonly callStatus = computed(() => {
    if (this.offline()) return '网络已断开，恢复后将自动重新连接…';
    switch (this.call.state()) {
      case 'connected':
        return this.call.remoteReconnecting() ? '对方正在重新连接…' : '视频通话中';
      case 'reconnecting':
        return '网络不稳定，正在重新连接…';
      case 'failed':
        return '视频连接失败';
      default:
        return '正在接通视频…';
    }
  });
  private readonly remoteVideo = viewChild<ElementRef<HTMLVideoElement>>('remote');
  private readonly selfVideo = viewChild<ElementRef<HTMLVideoElement>>('self');
  private queueSub: Subscription | null = null;
  private sessionSub: Subscription | null = null;
  private retry: Subscription | null = null;
  private sessionRetry: Subscription | null = null;
  private destroyed = false;
  private callId: string | null = null;

  constructor() {
    // the agent's tracks and the customer's own camera into their <video> elements
    effect(() => {
      const v = this.remoteVideo()?.nativeElement;
      const s = this.call.remote();
      if (!v || v.srcObject === s) return;
      v.srcObject = s;
      if (s) this.playRemote();
    });
    effect(() => {
      const v = this.selfVideo()?.nativeElement;
      const s = this.stream();
      if (v && v.srcObject !== s) v.srcObject = s;
    });
    const online = () => this.back();
    const offline = () => this.offline.set(true);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    inject(DestroyRef).onDestroy(() => {
      this.destroyed = true;
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      this.queueSub?.unsubscribe();
      this.sessionSub?.unsubscribe();
      this.retry?.unsubscribe();
      this.sessionRetry?.unsubscribe();
      this.call.stop();
      this.stream()
        ?.getTracks()
        .forEach((t) => t.stop());
    });
    void this.info.load();
    void this.resume();
  }

  /** After a reload or a return to the page: already queued or called? Then carry on there. */
  private async resume(): Promise<void> {
    try {
      const { ticket } = await this.api.query(this.entryQuery, { id: this.ctx.id() });
      const e = ticket?.queueEntry;
      if (e && ACTIVE.includes(e.state)) {
        this.entry.set(e);
        this.phase.set('queue');
        this.followQueue();
        return;
      }
    } catch {
      // not known: start from the device check
    }
    this.phase.set('prepare');
  }

  protected devicesReady(s: MediaStream): void {
    this.stream.set(s);
  }

  protected async join(): Promise<void> {
    this.busy.set(true);
    this.notice.set(null);
    try {
      const { joinWitnessQueue } = await this.api.mutate(this.joinMutation, { ticketId: this.ctx.id() });
      this.entry.set(joinWitnessQueue);
      this.phase.set('queue');
      this.followQueue();
    } catch (e) {
      this.notice.set({ kind: 'error', text: (e as ApiError).message });
    } finally {
      this.busy.set(false);
    }
  }

  protected async cancel(): Promise<void> {
    this.busy.set(true);
    try {
      await this.api.mutate(this.leaveMutation, { ticketId: this.ctx.id() });
      this.stopFollowing();
      this.entry.set(null);
      this.phase.set('prepare');
      this.notice.set({ kind: 'info', text: '您已取消排队。需要时可再次点击“开始视频通话”重新排队。' });
    } catch (e) {
      this.notice.set({ kind: 'error', text: (e as ApiError).message });
    } finally {
      this.busy.set(false);
    }
  }

  /**
   * queuePosition for as long as the customer is queued or in the call: it is the customer's
   * presence (the place is kept through a short drop). A new subscription opens before the old
   * one closes, so the server never sees the customer gone.
   */
  private followQueue(): void {
    if (this.destroyed) return;
    this.retry?.unsubscribe();
    const old = this.queueSub;
    this.queueSub = this.api.subscribe(this.positions, { ticketId: this.ctx.id() }).subscribe({
      next: ({ queuePosition }) => {
        this.offline.set(false); // news from the server: the network is back
        this.onEntry(queuePosition);
      },
      error: (e: ApiError) => {
        if (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN')
          return this.outOfQueue('排队信息已失效，请重新点击“开始视频通话”排队。');
        this.retry = timer(3000).subscribe(() => this.followQueue());
      },
    });
    old?.unsubscribe();
  }

  private onEntry(e: QueueEntryFieldsFragment): void {
    this.entry.set(e);
    if ((e.state === 'CALLED' || e.state === 'IN_SESSION') && e.witnessSessionId) {
      void this.startCall(e.witnessSessionId);
    } else if (e.state === 'LEFT' && this.phase() === 'queue') {
      this.outOfQueue('您已离开排队（网络中断时间过长或坐席呼叫未应答），请重新点击“开始视频通话”排队。');
    }
    // DONE: the session's outcome (witnessSession) and ticketUpdated take it from here
  }

  private outOfQueue(text: string): void {
    this.stopFollowing();
    this.entry.set(null);
    this.phase.set('prepare');
    this.notice.set({ kind: 'warn', text });
  }

  private stopFollowing(): void {
    this.retry?.unsubscribe();
    this.queueSub?.unsubscribe();
    this.queueSub = null;
  }

  private async startCall(sessionId: string): Promise<void> {
    // CALLED and then IN_SESSION both name the session: one call
    if (this.callId === sessionId) return;
    this.callId = sessionId;
    this.phase.set('call');
    this.notice.set(null);
    this.followSession(sessionId);
    await this.joinCall(sessionId);
  }

  private async joinCall(sessionId: string): Promise<void> {
    this.mediaError.set(null);
    let s = this.stream();
    if (!s || s.getTracks().some((t) => t.readyState === 'ended')) {
      try {
        s = await openCameraAndMicrophone();
        this.stream.set(s);
      } catch (e) {
        this.mediaError.set(
          (e as { name?: string }).name === 'Unsupported' ? (e as Error).message : mediaErrorMessage(e),
        );
        return;
      }
    }
    await this.call.start(sessionId, s);
  }

  /** The session: the agent's name and licence, then its end and outcome. */
  private followSession(id: string): void {
    const old = this.sessionSub;
    this.sessionSub = this.api.subscribe(this.sessions, { id }).subscribe({
      next: ({ witnessSession: s }) => {
        this.session.set(s);
        if (s.endedAt) this.ended(s);
      },
      error: () => {
        this.sessionRetry?.unsubscribe();
        this.sessionRetry = timer(3000).subscribe(() => {
          if (this.phase() === 'call' && this.callId === id) this.followSession(id);
        });
      },
    });
    old?.unsubscribe();
  }

  private ended(s: WitnessSessionFieldsFragment): void {
    this.call.stop();
    this.callId = null;
    this.sessionSub?.unsubscribe();
    this.sessionSub = null;
    const reason = s.endReason;
    if (s.outcome === 'PASSED' || s.outcome === 'RETURNED') {
      this.stopFollowing();
      this.phase.set('ended');
      // the page moves on: to 安装数字证书, or back to the step the agent named (with the reason)
      this.ctx.update(s.ticket);
    } else if (reason && BACK_TO_HEAD[reason]) {
      this.phase.set('queue');
      this.notice.set({ kind: 'warn', text: `${BACK_TO_HEAD[reason]}，您已回到队首，请稍候，坐席将尽快重新接通您。` });
    } else {
      this.stopFollowing();
      this.entry.set(null);
      this.phase.set('prepare');
      this.notice.set({
        kind: 'warn',
        text: `${(reason && REMOVED[reason]) ?? '本次视频见证已结束'}。如需继续办理，请重新点击“开始视频通话”。`,
      });
    }
  }

  /** Back online: a sign of life to the queue (the same place), the subscriptions anew. */
  private async back(): Promise<void> {
    this.offline.set(false);
    if (this.phase() !== 'queue' && this.phase() !== 'call') return;
    try {
      const { joinWitnessQueue } = await this.api.mutate(this.joinMutation, { ticketId: this.ctx.id() });
      this.entry.set(joinWitnessQueue);
    } catch {
      // the subscription below says where we are
    }
    this.followQueue();
    if (this.phase() === 'call' && this.callId) this.followSession(this.callId);
  }

  protected reconnect(): void {
    const id = this.session()?.id ?? this.entry()?.witnessSessionId;
    if (id) void this.joinCall(id);
  }

  protected playRemote(): void {
    const v = this.remoteVideo()?.nativeElement;
    if (!v) return;
    v.play().then(
      () => this.needsTap.set(false),
      // autoplay with sound refused (no tap on this page yet): show the picture, ask for a tap;
      // an AbortError only means a newer stream replaced this one (its own play() follows)
      (e: { name?: string }) => {
        if (e?.name !== 'NotAllowedError') return;
        this.needsTap.set(true);
        v.muted = true;
        void v.play().catch(() => undefined);
        v.addEventListener('click', () => this.unmute(), { once: true });
      },
    );
  }

  protected unmute(): void {
    const v = this.remoteVideo()?.nativeElement;
    if (!v) return;
    v.muted = false;
    void v.play().then(
      () => this.needsTap.set(false),
      () => undefined,
    );
  }

  protected toggleCamera(): void {
    const off = !this.call.cameraOff();
    this.stream()
      ?.getVideoTracks()
      .forEach((t) => (t.enabled = !off));
    void this.call.setCamera(!off).catch((e: ApiError) => this.notice.set({ kind: 'error', text: e.message }));
  }

  protected toggleMic(): void {
    const off = !this.call.micOff();
    this.stream()
      ?.getAudioTracks()
      .forEach((t) => (t.enabled = !off));
    void this.call.setMicrophone(!off).catch((e: ApiError) => this.notice.set({ kind: 'error', text: e.message }));
  }

  protected stepTitle(kind: string | null | undefined): string {
    return this.ctx.ticket()?.steps.find((s) => s.kind === kind)?.title ?? kind ?? '';
  }

  protected time(iso: string): string {
    return new Date(iso).toLocaleTimeString('zh-CN', {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    });
  }
}
