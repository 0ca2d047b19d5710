import { Component, OnInit, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { Api } from '../core/api';
import { ApiError } from '../core/errors';
import { MeGQL, type MeQuery } from '../graphql/generated';
import {
  BAD_CREDIT_SOURCE_NAMES as BAD_CREDIT,
  EXPECTED_RETURN_NAMES as EXPECTED_RETURN,
  INVESTMENT_HORIZON_NAMES as INVESTMENT_HORIZON,
  PEP_RELATION_NAMES as PEP_RELATION,
  INVESTMENT_PRODUCT_NAMES as PRODUCTS,
  TAX_RESIDENCY_NAMES as TAX_RESIDENCY,
  yesNo,
} from '@kaihu/domain';

type Me = NonNullable<MeQuery['me']>;

/** 我的基本资料: 身份信息, 联系电话, 其他信息, each with its 修改 button. */
@Component({
  selector: 'kh-profile-page',
  imports: [RouterLink],
  template: `
    <main class="page">
      <h1>我的基本资料</h1>
      @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
      @if (me(); as m) {
        <p class="muted small">{{ m.broker.name }} · {{ m.branch.name }} · {{ m.accountType === 'FUTURES_BROKERAGE' ? '期货经纪账户' : '资管账户' }}</p>
        <section class="card" aria-labelledby="s-id">
          <div class="row"><h2 id="s-id">身份信息</h2><span class="spacer"></span>
            <button type="button" class="secondary" (click)="modify('UPDATE_ID_VALIDITY')" aria-label="修改身份信息（仅可修改身份证有效期）">修改</button></div>
          <p class="muted small">此处仅可修改身份证有效期。</p>
          <dl class="kv">
            <dt>姓名</dt><dd>{{ m.profile.name }}</dd>
            <dt>身份证号</dt><dd>{{ m.profile.idNumber }}</dd>
            <dt>身份证地址</dt><dd>{{ m.profile.idAddress }}</dd>
            <dt>身份证有效期</dt><dd data-testid="id-validity">{{ m.profile.idValidFrom }} 至 {{ m.profile.idLongTerm ? '长期' : m.profile.idValidTo }}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="s-phone">
          <div class="row"><h2 id="s-phone">联系电话</h2><span class="spacer"></span>
            <button type="button" class="secondary" (click)="modify('UPDATE_CONTACT_PHONE')" aria-label="修改联系电话">修改</button></div>
          <dl class="kv">
            <dt>联系电话</dt><dd>{{ m.profile.phone || '未填写' }}</dd>
            <dt>联系手机</dt><dd data-testid="mobile">{{ m.profile.mobile }}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="s-other">
          <div class="row"><h2 id="s-other">其他信息</h2><span class="spacer"></span>
            <button type="button" class="secondary" (click)="modify('UPDATE_OTHER_INFO')" aria-label="修改其他信息">修改</button></div>
          <p class="muted small">修改联系地址、邮编、学历等信息。密码重置业务请从<a routerLink="/start/RESET_PASSWORD">密码重置</a>进入。</p>
          <dl class="kv">
            <dt>联系地址省</dt><dd>{{ m.profile.province }}</dd>
            <dt>联系地址市</dt><dd>{{ m.profile.city }}</dd>
            <dt>联系地址</dt><dd data-testid="address">{{ m.profile.address }}</dd>
            <dt>邮政编码</dt><dd>{{ m.profile.postalCode }}</dd>
            <dt>电子邮箱</dt><dd>{{ m.profile.email || '未填写' }}</dd>
            <dt>学历</dt><dd>{{ m.profile.education }}</dd>
            <dt>职业</dt><dd>{{ m.profile.occupation }}</dd>
            <dt>税收居民身份</dt><dd>{{ tax[m.profile.taxResidency] }}</dd>
            <dt>政要人物关系</dt><dd>{{ pep[m.profile.pepRelation] }}</dd>
            <dt>投资期限</dt><dd>{{ m.profile.investmentHorizon ? horizon[m.profile.investmentHorizon] : '未填写' }}</dd>
            <dt>期望收益</dt><dd>{{ m.profile.expectedReturn ? ret[m.profile.expectedReturn] : '未填写' }}</dd>
            <dt>存在实际控制关系</dt><dd>{{ yesNo(m.profile.hasActualController) }}</dd>
            <dt>实际受益人为本人</dt><dd>{{ yesNo(m.profile.beneficialOwnerIsSelf) }}</dd>
            <dt>投资品种</dt><dd>{{ listOf(m.profile.products, products) }}</dd>
            <dt>不良诚信记录</dt><dd>{{ m.profile.badCreditRecords.length ? listOf(m.profile.badCreditRecords, badCredit) : '无' }}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="s-cert">
          <h2 id="s-cert">数字证书</h2>
          @if (m.certificate; as c) {
            <p>证书序列号 {{ c.serialNumber }} · {{ c.status === 'VALID' ? '有效' : c.status === 'REVOKED' ? '已作废' : '已过期' }} · 有效期至 {{ c.notAfter.slice(0, 10) }}</p>
          } @else {
            <p class="muted">尚未申请数字证书。办理业务签署协议时，将通过视频见证申请并安装数字证书。</p>
          }
        </section>
      } @else if (!error()) {
        <p class="muted">加载中…</p>
      }
    </main>
  `,
})
export class ProfilePage implements OnInit {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly meQuery = inject(MeGQL);
  protected readonly me = signal<Me | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly tax = TAX_RESIDENCY;
  protected readonly pep = PEP_RELATION;
  protected readonly horizon = INVESTMENT_HORIZON;
  protected readonly ret = EXPECTED_RETURN;
  protected readonly products = PRODUCTS;
  protected readonly badCredit = BAD_CREDIT;
  protected readonly yesNo = yesNo;

  async ngOnInit(): Promise<void> {
    try {
      this.me.set((await this.api.query(this.meQuery)).me);
    } catch (e) {
      this.error.set((e as ApiError).message);
    }
  }

  listOf<K extends string>(keys: readonly K[], names: Record<K, string>): string {
    return keys.length ? keys.map((k) => names[k]).join('、') : '未填写';
  }

  modify(business: string): void {
    void this.router.navigate(['/start', business]);
  }
}
