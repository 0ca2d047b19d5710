import { Component, computed, input } from '@angular/core';
import type { TicketFieldsFragment } from '../graphql/generated';

/** Where the customer is: the business's steps, done ones ticked, the current one marked. */
@Component({
  selector: 'kh-stepper',
  template: `
    <nav class="stepper" aria-label="办理步骤">
      <ol>
        @for (s of steps(); track s.kind; let i = $index) {
          <li [class.done]="s.done" [class.current]="s.kind === ticket().currentStep && ticket().status !== 'SUBMITTED'" [attr.aria-current]="s.kind === ticket().currentStep ? 'step' : null">
            <span class="dot" aria-hidden="true">{{ s.done ? '✓' : i + 1 }}</span>
            <span class="t">{{ s.title }}</span>
          </li>
        }
      </ol>
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
    @media (min-width: 760px) { li { font-size: .88rem; } }
  `,
})
export class Stepper {
  readonly ticket = input.required<TicketFieldsFragment>();
  readonly steps = computed(() => this.ticket().steps);
  readonly currentIndex = computed(() =>
    Math.max(
      0,
      this.steps().findIndex((s) => s.kind === this.ticket().currentStep),
    ),
  );
}
