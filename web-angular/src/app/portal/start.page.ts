import { Component, OnInit, inject, input, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { Api } from '../core/api';
import { ApiError } from '../core/errors';
import { StartTicketGQL, type BusinessType } from '../graphql/generated';
import { BUSINESS_LIST as BUSINESSES } from '@kaihu/domain';

/** Starts (or resumes: the server returns the open ticket of the same business) and opens the ticket. */
@Component({
  selector: 'kh-start-page',
  imports: [RouterLink],
  template: `
    <main class="page narrow">
      @if (error(); as e) {
        <div class="card">
          <h1>{{ name() }}</h1>
          <div class="banner error" role="alert">{{ e.message }}</div>
          <div class="actions">
            @if (e.code === 'ID_EXPIRED') { <a class="button" routerLink="/start/UPDATE_ID_VALIDITY">办理修改身份证有效期</a> }
            <a class="button secondary" routerLink="/">返回</a>
          </div>
        </div>
      } @else {
        <p class="muted" role="status">正在进入{{ name() }}…</p>
      }
    </main>
  `,
})
export class StartPage implements OnInit {
  readonly business = input.required<string>();
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly start = inject(StartTicketGQL);
  protected readonly error = signal<ApiError | null>(null);
  protected readonly name = () => BUSINESSES.find((b) => b.type === this.business())?.name ?? '业务办理';

  async ngOnInit(): Promise<void> {
    try {
      const { startTicket } = await this.api.mutate(this.start, { business: this.business() as BusinessType });
      void this.router.navigate(['/ticket', startTicket.id], { replaceUrl: true });
    } catch (e) {
      this.error.set(e as ApiError);
    }
  }
}
