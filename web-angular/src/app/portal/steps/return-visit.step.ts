import { ChangeDetectorRef, Component, OnInit, inject, signal } from '@angular/core';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { PortalInfo } from '../../core/portal-info';
import {
  AnswerReturnVisitGQL,
  ReturnVisitQuestionnaireGQL,
  type QuestionnaireFieldsFragment,
} from '../../graphql/generated';
import { TicketContext } from '../ticket-context';

/**
 * 回访问卷: the broker's return-visit questions (is this your own account, did anyone promise
 * returns or offer to trade for you, …). Every question needs an answer; none of them blocks.
 */
@Component({
  selector: 'kh-return-visit-step',
  template: `
    @if (q(); as q) {
      <form class="card" (submit)="$event.preventDefault(); submit()" novalidate>
        <h2>{{ q.title }}</h2>
        <p class="muted small">为保护您的合法权益，请您本人如实回答以下问题。</p>
        @for (question of q.questions; track question.code; let i = $index) {
          <fieldset [id]="question.code" tabindex="-1" class="question">
            <legend>{{ i + 1 }}. {{ question.text }}</legend>
            <div class="choices">
              @for (o of question.options; track o.code) {
                <label class="choice"><input type="radio" [name]="question.code" [value]="o.code" [checked]="answers()[question.code] === o.code" (change)="choose(question.code, o.code)" /> {{ o.text }}</label>
              }
            </div>
            @if (missing().includes(question.code)) { <div class="field-error">请回答本题</div> }
          </fieldset>
        }
        @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
        <div class="actions"><button type="submit" [disabled]="busy()">提交回访问卷</button></div>
      </form>
    } @else {
      <p class="muted">{{ error() ?? '问卷加载中…' }}</p>
    }
  `,
  styles: `.question { border-top: 1px solid var(--line); padding: 10px 0 6px; }`,
})
export class ReturnVisitStep implements OnInit {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly info = inject(PortalInfo);
  private readonly questionnaire = inject(ReturnVisitQuestionnaireGQL);
  private readonly answer = inject(AnswerReturnVisitGQL);
  private readonly cdr = inject(ChangeDetectorRef);
  protected readonly q = signal<QuestionnaireFieldsFragment | null>(null);
  protected readonly answers = signal<Record<string, string>>({});
  protected readonly missing = signal<string[]>([]);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  async ngOnInit(): Promise<void> {
    const broker = await this.info.load();
    if (!broker) return;
    try {
      this.q.set((await this.api.query(this.questionnaire, { brokerCode: broker.code })).returnVisitQuestionnaire);
    } catch (e) {
      this.error.set((e as ApiError).message);
    }
    this.cdr.markForCheck();
  }

  choose(question: string, option: string): void {
    this.answers.update((a) => ({ ...a, [question]: option }));
    this.missing.update((m) => m.filter((c) => c !== question));
  }

  async submit(): Promise<void> {
    const q = this.q();
    if (!q) return;
    this.error.set(null);
    const missing = q.questions.filter((x) => !this.answers()[x.code]).map((x) => x.code);
    this.missing.set(missing);
    if (missing.length) {
      this.error.set(`还有${missing.length}道题尚未回答`);
      setTimeout(() => document.getElementById(missing[0]!)?.focus());
      return;
    }
    this.busy.set(true);
    try {
      const answers = q.questions.map((x) => ({ question: x.code, options: [this.answers()[x.code]!] }));
      const { answerReturnVisit } = await this.api.mutate(this.answer, {
        ticketId: this.ctx.id(),
        questionnaireId: q.id,
        answers,
      });
      this.ctx.update(answerReturnVisit);
    } catch (e) {
      const err = e as ApiError;
      this.error.set(err.message);
      if (err.code === 'QUESTIONNAIRE_OUTDATED') await this.ngOnInit();
    } finally {
      this.busy.set(false);
    }
  }
}
