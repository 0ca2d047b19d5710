import { ChangeDetectorRef, Component, OnInit, computed, inject, signal } from '@angular/core';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { PortalInfo } from '../../core/portal-info';
import {
  AnswerSuitabilityGQL,
  SuitabilityQuestionnaireGQL,
  TicketGQL,
  type QuestionnaireFieldsFragment,
  type SuitabilityFieldsFragment,
} from '../../graphql/generated';
import { TicketContext } from '../ticket-context';
import { SuitabilityResultCard } from './suitability-result';

type Question = QuestionnaireFieldsFragment['questions'][number];

/**
 * 适当性评估: the broker's questionnaire by section, every question answered (single or multiple
 * choice as the broker defined it), scored on the server; then the result: score, C-level and
 * what it means, and how the broker's products match it.
 */
@Component({
  selector: 'kh-suitability-step',
  imports: [SuitabilityResultCard],
  template: `
    @if (result(); as r) {
      <kh-suitability-result [result]="r" />
      <div class="card actions-card">
        <p class="small muted">如评估结果与您的实际情况不符，可在下一页点“上一步”重新评估。</p>
        <div class="actions"><button type="button" (click)="next()" [disabled]="busy()">下一步</button></div>
      </div>
    } @else if (q(); as q) {
      <form class="card" (submit)="$event.preventDefault(); submit()" novalidate>
        <h2>{{ q.title }}</h2>
        <p class="muted small">本问卷用于评估您的风险承受能力（第{{ q.version }}版，共{{ q.questions.length }}题）。请根据您的真实情况作答，评估结果将决定您可以参与的产品或服务。</p>
        @for (section of sections(); track section.title) {
          <h3>{{ section.title }}</h3>
          @for (question of section.questions; track question.code) {
            <fieldset [id]="question.code" tabindex="-1" class="question" [class.missing]="missing().includes(question.code)">
              <legend>{{ number(question) }}. {{ question.text }}@if (question.multiple) { <span class="muted small">（可多选）</span> }</legend>
              <div class="options">
                @for (o of question.options; track o.code) {
                  <label class="choice">
                    <input [type]="question.multiple ? 'checkbox' : 'radio'" [name]="question.code" [value]="o.code" [checked]="chosen(question.code, o.code)" (change)="choose(question, o.code)" />
                    {{ o.code }}. {{ o.text }}
                  </label>
                }
              </div>
              @if (missing().includes(question.code)) { <div class="field-error">请回答本题</div> }
            </fieldset>
          }
        }
        <p class="small" aria-live="polite">已回答 {{ answeredCount() }} / {{ q.questions.length }} 题</p>
        @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
        <div class="actions"><button type="submit" [disabled]="busy()">提交评估</button></div>
      </form>
    } @else {
      <p class="muted">{{ error() ?? '问卷加载中…' }}</p>
    }
  `,
  styles: `
    .question { border-top: 1px solid var(--line); padding: 10px 0 6px; }
    .question.missing legend { color: var(--error, #b00020); }
    .options { display: flex; flex-direction: column; gap: 2px; }
    .options .choice { align-items: flex-start; line-height: 1.5; }
    h3 { margin: 18px 0 4px; color: var(--accent-dark); }
  `,
})
export class SuitabilityStep implements OnInit {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly info = inject(PortalInfo);
  private readonly questionnaire = inject(SuitabilityQuestionnaireGQL);
  private readonly answer = inject(AnswerSuitabilityGQL);
  private readonly ticketQuery = inject(TicketGQL);
  private readonly cdr = inject(ChangeDetectorRef);
  protected readonly q = signal<QuestionnaireFieldsFragment | null>(null);
  protected readonly answers = signal<Record<string, string[]>>({});
  protected readonly missing = signal<string[]>([]);
  protected readonly result = signal<SuitabilityFieldsFragment | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly sections = computed(() => {
    const out: { title: string; questions: Question[] }[] = [];
    for (const question of this.q()?.questions ?? []) {
      const title = question.section ?? '';
      const last = out[out.length - 1];
      if (last && last.title === title) last.questions.push(question);
      else out.push({ title, questions: [question] });
    }
    return out;
  });
  protected readonly answeredCount = computed(() => Object.values(this.answers()).filter((a) => a.length).length);

  async ngOnInit(): Promise<void> {
    await this.loadQuestionnaire();
  }

  private async loadQuestionnaire(): Promise<void> {
    const broker = await this.info.load();
    if (!broker) return;
    try {
      this.q.set((await this.api.query(this.questionnaire, { brokerCode: broker.code })).suitabilityQuestionnaire);
    } catch (e) {
      this.error.set((e as ApiError).message);
    }
    this.cdr.markForCheck();
  }

  number(question: Question): number {
    return (this.q()?.questions.indexOf(question) ?? 0) + 1;
  }

  chosen(question: string, option: string): boolean {
    return this.answers()[question]?.includes(option) ?? false;
  }

  choose(question: Question, option: string): void {
    this.answers.update((a) => {
      const now = a[question.code] ?? [];
      const next = question.multiple
        ? now.includes(option)
          ? now.filter((o) => o !== option)
          : [...now, option]
        : [option];
      return { ...a, [question.code]: next };
    });
    this.missing.update((m) => m.filter((c) => c !== question.code));
  }

  async submit(): Promise<void> {
    const q = this.q();
    if (!q) return;
    this.error.set(null);
    const missing = q.questions.filter((x) => !this.answers()[x.code]?.length).map((x) => x.code);
    this.missing.set(missing);
    if (missing.length) {
      this.error.set(`还有${missing.length}道题尚未作答`);
      setTimeout(() => document.getElementById(missing[0]!)?.focus());
      return;
    }
    this.busy.set(true);
    // the result is shown here before the page moves on to 交易所选择
    this.ctx.hold('SUITABILITY');
    try {
      const answers = q.questions.map((x) => ({ question: x.code, options: this.answers()[x.code]! }));
      const { answerSuitability } = await this.api.mutate(this.answer, {
        ticketId: this.ctx.id(),
        questionnaireId: q.id,
        answers,
      });
      this.result.set(answerSuitability);
      window.scrollTo({ top: 0 });
    } catch (e) {
      const err = e as ApiError;
      this.ctx.release();
      this.error.set(err.message);
      if (err.code === 'QUESTIONNAIRE_OUTDATED') {
        // the broker published a new version: answer that one (the answers are kept where the codes match)
        await this.loadQuestionnaire();
      }
    } finally {
      this.busy.set(false);
    }
  }

  async next(): Promise<void> {
    this.busy.set(true);
    try {
      const { ticket } = await this.api.query(this.ticketQuery, { id: this.ctx.id() });
      if (ticket) this.ctx.update(ticket);
      this.ctx.release();
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
