import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { QuestionnaireDefinition, QuestionnaireKind } from '@kaihu/plugin-api';
import { RISK_TOLERANCES, type RiskTolerance } from '@kaihu/domain';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import { Questionnaire } from './questionnaire.entity';

/** One answer as the API takes it: the question's code and the chosen options' codes. */
export interface Answer {
  question: string;
  options: string[];
}

/** The answers of a questionnaire, checked: every question once, only its options, one unless `multiple`. */
export type Answers = Map<string, string[]>;

const canonical = (d: QuestionnaireDefinition) => JSON.stringify(d);

/** Checks a pack's questionnaire; throws with a readable message (a pack error stops the start). */
export function validateDefinition(d: QuestionnaireDefinition): void {
  const where = `questionnaire ${d.code}`;
  if (!/^[A-Z][A-Z0-9_]{1,63}$/.test(d.code)) throw new Error(`${where}: code must be UPPER_SNAKE`);
  if (!d.questions.length) throw new Error(`${where}: no questions`);
  const codes = new Set<string>();
  for (const q of d.questions) {
    if (codes.has(q.code)) throw new Error(`${where}: question ${q.code} twice`);
    codes.add(q.code);
    const options = new Set(q.options.map((o) => o.code));
    if (q.options.length < 2 || options.size !== q.options.length)
      throw new Error(`${where}: question ${q.code} needs two or more options with distinct codes`);
    if (d.kind === 'RETURN_VISIT' && q.options.filter((o) => o.expected).length < 1)
      throw new Error(`${where}: question ${q.code} has no expected answer`);
    if (d.kind === 'KNOWLEDGE_TEST' && q.options.filter((o) => o.correct).length !== 1)
      throw new Error(`${where}: question ${q.code} needs exactly one correct answer`);
  }
  if (d.kind === 'SUITABILITY') {
    const bands = d.bands ?? [];
    if (bands.length !== RISK_TOLERANCES.length || bands[0]?.minScore !== 0)
      throw new Error(`${where}: bands must give C1 … C5, C1 from 0`);
    bands.forEach((b, i) => {
      if (b.tolerance !== RISK_TOLERANCES[i] || (i > 0 && b.minScore <= bands[i - 1]!.minScore))
        throw new Error(`${where}: bands must rise from C1 to C5`);
    });
  }
}

/** What each kind of questionnaire is called (the refusal when a broker has none). */
const KIND_TITLES: Record<QuestionnaireKind, string> = {
  SUITABILITY: '适当性评估问卷',
  RETURN_VISIT: '回访问卷',
  KNOWLEDGE_TEST: '知识测试',
};

/**
 * The brokers' questionnaires, versioned like agreements, and what answers to them mean:
 * the suitability score and tolerance, the return visit's unexpected answers, a knowledge test's score.
 */
export class QuestionnaireService {
  constructor(private readonly clock: Clock) {}

  /** Stores a new version of each pack questionnaire whose definition changed (or that is new). */
  async sync(em: EntityManager, brokerId: string, definitions: readonly QuestionnaireDefinition[]): Promise<number> {
    let added = 0;
    for (const d of definitions) {
      validateDefinition(d);
      const sha256 = createHash('sha256').update(canonical(d)).digest('hex');
      const latest = await em.findOne(Questionnaire, { brokerId, code: d.code }, { orderBy: { version: 'desc' } });
      if (latest?.sha256 === sha256) continue;
      em.create(Questionnaire, {
        brokerId,
        code: d.code,
        kind: d.kind,
        version: (latest?.version ?? 0) + 1,
        title: d.title,
        definition: d,
        sha256,
        createdAt: this.clock.now(),
      });
      added++;
    }
    await em.flush();
    return added;
  }

  /** The version in force of a broker's questionnaire (by code), or null. */
  current(em: EntityManager, brokerId: string, code: string): Promise<Questionnaire | null> {
    return em.findOne(Questionnaire, { brokerId, code }, { orderBy: { version: 'desc' } });
  }

  /** The version in force of the broker's first questionnaire of a kind, or null. */
  async currentOfKind(em: EntityManager, brokerId: string, kind: QuestionnaireKind): Promise<Questionnaire | null> {
    const all = await em.find(Questionnaire, { brokerId, kind }, { orderBy: { code: 'asc', version: 'desc' } });
    return all[0] ? await this.current(em, brokerId, all[0].code) : null;
  }

  /** The version in force of the broker's questionnaire of a kind; NOT_FOUND when the broker has none. */
  async required(em: EntityManager, brokerId: string, kind: QuestionnaireKind): Promise<Questionnaire> {
    const q = await this.currentOfKind(em, brokerId, kind);
    if (!q) throw new KaihuError(ErrorCode.NOT_FOUND, `期货公司尚未配置${KIND_TITLES[kind]}`);
    return q;
  }

  /** {@link check} of the answers to the broker's questionnaire of a kind. */
  async checkOfKind(
    em: EntityManager,
    brokerId: string,
    kind: QuestionnaireKind,
    input: { questionnaireId: string; answers: readonly Answer[] },
  ): Promise<{ questionnaire: Questionnaire; answers: Answers }> {
    const q = await this.required(em, brokerId, kind);
    return this.check(em, brokerId, q.code, input.questionnaireId, input.answers);
  }

  /**
   * Checks answers to the questionnaire `questionnaireId`: the current version of `code`
   * (QUESTIONNAIRE_OUTDATED otherwise, naming the current id), every question answered once, only
   * its options, one option unless it is `multiple` (ANSWERS_INVALID, naming the questions).
   */
  async check(
    em: EntityManager,
    brokerId: string,
    code: string,
    questionnaireId: string,
    answers: readonly Answer[],
  ): Promise<{ questionnaire: Questionnaire; answers: Answers }> {
    const current = await this.current(em, brokerId, code);
    if (!current) throw new KaihuError(ErrorCode.NOT_FOUND, '期货公司尚未配置该问卷');
    if (current.id !== questionnaireId) {
      const given = /^[0-9a-f-]{36}$/i.test(questionnaireId)
        ? await em.findOne(Questionnaire, { id: questionnaireId })
        : null;
      throw given && given.brokerId === brokerId && given.code === code
        ? new KaihuError(ErrorCode.QUESTIONNAIRE_OUTDATED, `问卷已更新为第${current.version}版，请按新问卷重新作答`, {
            currentQuestionnaireId: current.id,
            currentVersion: current.version,
          })
        : new KaihuError(ErrorCode.NOT_FOUND, '问卷不存在');
    }
    const d = current.definition;
    const byQuestion: Answers = new Map();
    const fields: { field: string; message: string }[] = [];
    for (const a of answers) {
      const q = d.questions.find((x) => x.code === a.question);
      if (!q) fields.push({ field: a.question, message: `没有题目“${a.question}”` });
      else if (byQuestion.has(q.code))
        fields.push({ field: q.code, message: `第${d.questions.indexOf(q) + 1}题作答了两次` });
      else byQuestion.set(q.code, [...new Set(a.options)]);
    }
    d.questions.forEach((q, i) => {
      const chosen = byQuestion.get(q.code);
      const label = `第${i + 1}题`;
      if (!chosen || !chosen.length) fields.push({ field: q.code, message: `${label}尚未作答` });
      else if (chosen.some((c) => !q.options.some((o) => o.code === c)))
        fields.push({ field: q.code, message: `${label}的选项不存在` });
      else if (!q.multiple && chosen.length > 1)
        fields.push({ field: q.code, message: `${label}为单选题，只能选择一项` });
    });
    if (fields.length) {
      const missing = fields.filter((f) => f.message.endsWith('尚未作答'));
      throw new KaihuError(
        ErrorCode.ANSWERS_INVALID,
        missing.length === fields.length
          ? `还有${missing.length}道题尚未作答：${missing.map((f) => f.message.replace('尚未作答', '')).join('、')}`
          : fields.map((f) => f.message).join('；'),
        { fields },
      );
    }
    return { questionnaire: current, answers: byQuestion };
  }

  /** The suitability score (for a multiple choice, its highest chosen option), its band, the lowest-category rules. */
  scoreSuitability(
    q: Questionnaire,
    answers: Answers,
  ): { score: number; tolerance: RiskTolerance; lowestCategory: boolean } {
    let score = 0;
    let lowestCategory = false;
    for (const question of q.definition.questions) {
      const chosen = question.options.filter((o) => answers.get(question.code)?.includes(o.code));
      score += Math.max(0, ...chosen.map((o) => o.score ?? 0));
      if (chosen.some((o) => o.lowestCategory)) lowestCategory = true;
    }
    const bands = q.definition.bands ?? [];
    const band = [...bands].reverse().find((b) => score >= b.minScore) ?? bands[0];
    // the lowest category is C1 whatever the score
    return { score, tolerance: lowestCategory ? 'C1' : (band?.tolerance ?? 'C1'), lowestCategory };
  }

  /** The return visit's answers the broker did not expect, in words, for the reviewer. */
  unexpectedAnswers(q: Questionnaire, answers: Answers): { question: string; answer: string }[] {
    return q.definition.questions.flatMap((question) => {
      const chosen = question.options.filter((o) => answers.get(question.code)?.includes(o.code));
      return chosen.some((o) => !o.expected)
        ? [{ question: question.text, answer: chosen.map((o) => o.text).join('、') }]
        : [];
    });
  }

  /** A knowledge test's score of 100. */
  scoreKnowledge(q: Questionnaire, answers: Answers): number {
    const questions = q.definition.questions;
    return Math.round(
      questions.reduce((sum, question) => {
        const correct = question.options.find((o) => o.correct)?.code;
        const chosen = answers.get(question.code) ?? [];
        return sum + (chosen.length === 1 && chosen[0] === correct ? (question.points ?? 100 / questions.length) : 0);
      }, 0),
    );
  }
}
