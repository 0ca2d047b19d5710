import { Component, input } from '@angular/core';
import { EXCHANGE_NAMES, RISK_TOLERANCES, RISK_TOLERANCE_NAMES } from '@kaihu/domain';
import type { SuitabilityFieldsFragment } from '../../graphql/generated';

/** 适当性评估结果: score, C-level and what it means, the scale, and the match of each exchange's products. */
@Component({
  selector: 'kh-suitability-result',
  template: `
    <section class="card result" aria-labelledby="result-title" data-testid="suitability-result">
      <h2 id="result-title">适当性评估结果</h2>
      <div class="headline">
        <div><span class="muted small">评估得分</span><span><strong class="score">{{ result().score }}</strong> <span class="muted small">分</span></span></div>
        <div><span class="muted small">风险承受能力等级</span><strong class="level">{{ result().tolerance }}（{{ result().toleranceName }}）</strong></div>
      </div>
      @if (result().lowestCategory) {
        <div class="banner warn" role="note">根据您的回答，您属于<strong>最低风险承受能力类别</strong>的普通投资者，只能购买或接受低风险（R1）的产品或服务。</div>
      }
      <p>{{ result().meaning }}</p>
      <ol class="scale" aria-label="风险承受能力等级">
        @for (t of tolerances; track t) {
          <li [class.me]="t === result().tolerance"><strong>{{ t }}</strong><br />{{ names[t] }}</li>
        }
      </ol>
      <table class="matches">
        <caption class="small muted">本公司期货产品风险等级与您的匹配情况</caption>
        <thead><tr><th scope="col">交易所</th><th scope="col">产品风险等级</th><th scope="col">匹配情况</th></tr></thead>
        <tbody>
          @for (m of result().matches; track m.exchange) {
            <tr><td>{{ exchangeNames[m.exchange] }}</td><td>{{ m.risk }}</td><td [class.warn]="!m.matched">{{ m.matched ? '匹配' : '不匹配' }}</td></tr>
          }
        </tbody>
      </table>
      <p class="muted small">评估时间：{{ result().assessedAt.slice(0, 10) }}。评估结果的有效期以期货公司规定为准，您的情况发生变化时请重新评估。</p>
    </section>
  `,
  styles: `
    .headline { display: flex; gap: 28px; flex-wrap: wrap; margin: 4px 0 10px; }
    .headline div { display: flex; flex-direction: column; }
    .score { font-size: 2rem; color: var(--accent-dark); line-height: 1.2; }
    .level { font-size: 1.4rem; color: var(--accent-dark); line-height: 1.6; }
    .scale { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(5, 1fr); gap: 4px; margin: 8px 0 12px; }
    .scale li { text-align: center; padding: 6px 2px; border-radius: 6px; background: #f1f3f5; font-size: .85rem; }
    .scale li.me { background: var(--accent); color: #fff; font-weight: 700; }
    .matches { width: 100%; border-collapse: collapse; font-size: .92rem; }
    .matches th, .matches td { text-align: left; padding: 6px 4px; border-bottom: 1px solid var(--line); }
  `,
})
export class SuitabilityResultCard {
  readonly result = input.required<SuitabilityFieldsFragment>();
  protected readonly tolerances = RISK_TOLERANCES;
  protected readonly names = RISK_TOLERANCE_NAMES;
  protected readonly exchangeNames = EXCHANGE_NAMES;
}
