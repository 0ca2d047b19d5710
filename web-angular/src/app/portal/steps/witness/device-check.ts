import { Component, DestroyRef, ElementRef, computed, effect, inject, output, signal, viewChild } from '@angular/core';

/** What getUserMedia's refusal means for the customer, in Chinese. */
export function mediaErrorMessage(e: unknown): string {
  const name = (e as { name?: string } | null)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError')
    return '您未允许本网站使用摄像头或麦克风。请点击浏览器地址栏左侧的锁形图标（或在手机“设置”中），允许使用摄像头和麦克风后，再点击“重新检测”。';
  if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError')
    return '未检测到摄像头或麦克风。请连接摄像头和麦克风（或使用带摄像头的手机）后，点击“重新检测”。';
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError')
    return '摄像头或麦克风正被其他程序占用或无法启动。请关闭其他使用摄像头的程序（如视频会议软件）后，点击“重新检测”。';
  return '无法打开摄像头或麦克风，请检查设备后点击“重新检测”。';
}

/** The camera and microphone for the call (the front camera on a phone). */
export async function openCameraAndMicrophone(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw Object.assign(
      new Error(
        '当前浏览器不支持视频通话。请使用最新版的 Chrome、Edge、Safari 或手机自带浏览器，并通过 https 地址访问。',
      ),
      { name: 'Unsupported' },
    );
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } },
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
  } catch (e) {
    // a camera that cannot do the preferred size: take what it has
    if ((e as { name?: string }).name === 'OverconstrainedError')
      return navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    throw e;
  }
}

/**
 * 设备检测 before queueing: the camera (a live preview), the microphone (a level meter that must
 * move) and the speaker (a test tone the customer confirms hearing). Emits the camera and
 * microphone stream once all three are fine; the parent then owns it.
 */
@Component({
  selector: 'kh-device-check',
  template: `
    <section class="card" aria-labelledby="dc-title" data-testid="device-check">
      <h2 id="dc-title">设备检测</h2>
      <p class="muted">视频见证需要使用摄像头、麦克风和扬声器（或耳机），请在排队前完成以下检测。</p>
      @if (error(); as e) {
        <div class="banner error" role="alert" data-testid="device-error">{{ e }}</div>
      }
      @if (!stream()) {
        <button type="button" class="block" (click)="open()" [disabled]="opening()">{{ error() ? '重新检测' : opening() ? '正在打开摄像头…' : '开启摄像头和麦克风' }}</button>
        <p class="muted small">浏览器询问时，请选择“允许”使用摄像头和麦克风。</p>
      } @else {
        <div class="checks">
          <div class="check">
            <h3><span class="mark" [class.ok]="cameraOk()" aria-hidden="true">{{ cameraOk() ? '✓' : '1' }}</span> 摄像头</h3>
            <video #preview class="preview" autoplay playsinline muted aria-label="摄像头预览" (loadedmetadata)="cameraOk.set(true)"></video>
            <p class="small" [class.ok]="cameraOk()">{{ cameraOk() ? '摄像头正常：请确认能看到自己的画面。' : '正在打开摄像头…' }}</p>
          </div>
          <div class="check">
            <h3><span class="mark" [class.ok]="micOk()" aria-hidden="true">{{ micOk() ? '✓' : '2' }}</span> 麦克风</h3>
            <label for="mic-level" class="small">麦克风音量</label>
            <meter id="mic-level" min="0" max="100" low="8" high="101" optimum="50" [value]="level()"></meter>
            <p class="small" [class.ok]="micOk()" aria-live="polite">{{ micOk() ? '麦克风正常：已检测到声音。' : '请对着麦克风说话，音量条跳动即为正常。' }}</p>
          </div>
          <div class="check">
            <h3><span class="mark" [class.ok]="speakerOk()" aria-hidden="true">{{ speakerOk() ? '✓' : '3' }}</span> 扬声器</h3>
            @if (speakerOk()) {
              <p class="small ok">扬声器正常。</p>
            } @else {
              <p class="small">请调高音量，点击“播放测试音”，听到“嘟嘟”声后点击“我听到了”。</p>
              <div class="row">
                <button type="button" class="secondary" (click)="playTone()">{{ played() ? '再播放一次' : '播放测试音' }}</button>
                <button type="button" (click)="heard()" [disabled]="!played()">我听到了</button>
                <button type="button" class="secondary" (click)="notHeard.set(true)" [disabled]="!played()">没有听到</button>
              </div>
              @if (notHeard()) {
                <p class="small warn" role="status">请检查手机是否静音、音量是否调高，或连接耳机后再播放一次。</p>
              }
            }
          </div>
        </div>
      }
    </section>
  `,
  styles: `
    .checks { display: grid; gap: 14px; }
    .check { border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
    .check h3 { display: flex; align-items: center; gap: 8px; margin-bottom: 8px; }
    .mark { width: 26px; height: 26px; border-radius: 50%; border: 2px solid #bbb; display: grid; place-items: center; font-size: .85rem; }
    .mark.ok { background: var(--ok); border-color: var(--ok); color: #fff; }
    .preview { width: 100%; max-width: 320px; aspect-ratio: 4 / 3; background: #222; border-radius: 8px; object-fit: cover; transform: scaleX(-1); display: block; }
    meter { width: 100%; height: 18px; }
    p.ok { color: var(--ok); }
    @media (min-width: 760px) { .checks { grid-template-columns: repeat(3, 1fr); } }
  `,
})
export class DeviceCheck {
  /** the camera and microphone, once camera, microphone and speaker are all fine */
  readonly ready = output<MediaStream>();

  protected readonly stream = signal<MediaStream | null>(null);
  protected readonly opening = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly cameraOk = signal(false);
  protected readonly micOk = signal(false);
  protected readonly speakerOk = signal(false);
  protected readonly played = signal(false);
  protected readonly notHeard = signal(false);
  protected readonly level = signal(0);
  protected readonly allOk = computed(() => this.cameraOk() && this.micOk() && this.speakerOk());
  private readonly preview = viewChild<ElementRef<HTMLVideoElement>>('preview');
  private audio: AudioContext | null = null;
  private meterTimer: ReturnType<typeof setInterval> | null = null;
  private handedOver = false;

  constructor() {
    effect(() => {
      const v = this.preview()?.nativeElement;
      const s = this.stream();
      if (v && s && v.srcObject !== s) v.srcObject = s;
    });
    effect(() => {
      const s = this.stream();
      if (s && this.allOk() && !this.handedOver) {
        this.handedOver = true;
        this.ready.emit(s);
      }
    });
    inject(DestroyRef).onDestroy(() => {
      if (this.meterTimer) clearInterval(this.meterTimer);
      void this.audio?.close().catch(() => undefined);
      if (!this.handedOver)
        this.stream()
          ?.getTracks()
          .forEach((t) => t.stop());
    });
  }

  async open(): Promise<void> {
    this.opening.set(true);
    this.error.set(null);
    try {
      const s = await openCameraAndMicrophone();
      if (!s.getVideoTracks().length || !s.getAudioTracks().length) {
        s.getTracks().forEach((t) => t.stop());
        throw Object.assign(new Error(), { name: 'NotFoundError' });
      }
      this.stream.set(s);
      this.meter(s);
      s.getTracks().forEach((t) =>
        t.addEventListener('ended', () => {
          this.error.set(
            t.kind === 'video'
              ? '摄像头已断开，请重新连接后点击“重新检测”。'
              : '麦克风已断开，请重新连接后点击“重新检测”。',
          );
          this.stream.set(null);
          this.cameraOk.set(false);
          this.micOk.set(false);
        }),
      );
    } catch (e) {
      this.error.set((e as { name?: string }).name === 'Unsupported' ? (e as Error).message : mediaErrorMessage(e));
    } finally {
      this.opening.set(false);
    }
  }

  /** The microphone's level (0–100) ten times a second; any sound above the floor passes the check. */
  private meter(s: MediaStream): void {
    this.audio ??= new AudioContext();
    void this.audio.resume();
    const analyser = this.audio.createAnalyser();
    analyser.fftSize = 1024;
    this.audio.createMediaStreamSource(s).connect(analyser);
    const data = new Uint8Array(analyser.fftSize);
    if (this.meterTimer) clearInterval(this.meterTimer);
    this.meterTimer = setInterval(() => {
      analyser.getByteTimeDomainData(data);
      let sum = 0;
      for (const v of data) sum += ((v - 128) / 128) ** 2;
      const level = Math.min(100, Math.round(Math.sqrt(sum / data.length) * 400));
      this.level.set(level);
      if (level >= 8) this.micOk.set(true);
    }, 100);
  }

  /** Three short beeps through the speaker (WebAudio). */
  playTone(): void {
    this.audio ??= new AudioContext();
    const ctx = this.audio;
    void ctx.resume();
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(ctx.destination);
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(gain);
    const t = ctx.currentTime + 0.05;
    for (let i = 0; i < 3; i++) {
      gain.gain.setValueAtTime(0.25, t + i * 0.4);
      gain.gain.setValueAtTime(0, t + i * 0.4 + 0.25);
    }
    osc.start(t);
    osc.stop(t + 1.2);
    this.played.set(true);
    this.notHeard.set(false);
  }

  heard(): void {
    this.speakerOk.set(true);
  }
}
