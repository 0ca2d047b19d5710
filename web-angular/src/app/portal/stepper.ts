import { Component, computed, input } from '@angular/core';
import { BUSINESSES } from '@kaihu/domain';
import type { TicketFieldsFragment, TicketStepKind } from '../graphql/generated';

/** Where the customer is: the business's steps, done ones ticked, the current one marked. */
@Component({
  selector: 'kh-stepper',
  template: `
    <nav class="stepper" [class.many]="steps().length > 6" aria-label="办理步骤">
      <ol>
        @for (s of steps(); track s.kind; let i = $index) {
          <li [class.done]="s.done && s.kind !== at()" [class.current]="s.kind === at() && ticket().status !== 'SUBMITTED'" [attr.aria-current]="s.kind === at() ? 'step' : null">
            <span class="dot" aria-hidden="true">{{ s.done && s.kind !== at() ? '✓' : i + 1 }}</span>
            <span class="t">{{ s.title }}</span>
          </li>
        }
      </ol>
      <p class="caption" aria-hidden="true">第 {{ currentIndex() + 1 }} 步，共 {{ steps().length }} 步：<strong>{{ steps()[currentIndex()]?.title }}</strong>@if (steps()[currentIndex() + 1]; as n) { <span class="muted"> · 下一步：{{ n.title }}</span> }</p>
      <p class="sr-only">第 {{ currentIndex() + 1 }} 步，共 {{ steps().length }} 步</p>
    </nav>
  `,
  styles: `
    .stepper ol { list-style: none; display: flex; margin: 0 0 16px; padding: 0; gap: 2px; }
    li { flex: 1 1 0; min-width: 0; display: flex; flex-direction: column; align-items: center; text-align: center; font-size: .78rem; color: #6b6b6b; position: relative; }
    li:not(:first-child)::before { content: ''; position: absolute; top: 13px; right: 50%; width: 100%; height: 2px; background: #ddd; z-index: 0; }
    li.done:not(:first-child)::before, li.current:not(:first-child)::before { background: var(--accent); }
    .dot { width: 28px; height: 28px; border-radius: 50%; display: grid; place-items: center; background: #fff; border: 2px solid #ccc; font-weight: 700; z-index: 1; }
    li.done .dot { background: var(--accent); border-color: var(--accent); color: #fff; }
    li.current .dot { border-color: var(--accent); color: var(--accent); }
    li.current .t { color: var(--ink); font-weight: 700; }
    .t { margin-top: 4px; line-height: 1.25; }
    .caption { display: none; margin: -8px 0 14px; font-size: .88rem; }
    /* a long bar on a phone: numbers only, the current step's name below */
    @media (max-width: 759px) { .many li .t { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); } .many .caption { display: block; } }
    @media (min-width: 760px) { li { font-size: .88rem; } }
  `,
})
export class Stepper {
  readonly ticket = input.required<TicketFieldsFragment>();
  /** the step the page shows, when it is not the server's current one (a result shown before moving on) */
  readonly current = input<TicketStepKind | null>(null);
  protected readonly at = computed(() => this.current() ?? this.ticket().currentStep);
  /**
   * One entry per stage of the business's step bar (开立期货账户: 1 身份信息填写 … 8 申请提交, 上传照片
   * within the first, 安装数字证书 within 视频见证), or one per step. `kind` is the stage's current step
   * while it runs, else its first.
   */
  readonly steps = computed(() => {
    const t = this.ticket();
    const stages = BUSINESSES[t.business].stages;
    if (!stages) return t.steps;
    return stages
      .map((stage) => {
        const own = t.steps.filter((s) => stage.steps.includes(s.kind));
        const current = own.find((s) => s.kind === this.at());
        return {
          kind: (current ?? own[0])?.kind,
          title: stage.title,
          done: own.length > 0 && own.every((s) => s.done),
        };
      })
      .filter((s): s is TicketFieldsFragment['steps'][number] => !!s.kind);
  });
  readonly currentIndex = computed(() =>
    Math.max(
      0,
      this.steps().findIndex((s) => s.kind === this.at()),
    ),
  );
}
