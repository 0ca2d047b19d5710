import { Injectable, computed, signal } from '@angular/core';
import type { TicketFieldsFragment, TicketStepKind } from '../graphql/generated';

/**
 * The ticket a business page is running, shared by the page and its step views. Every mutation
 * of a step returns the ticket; the step hands it to `update` and the page moves on to whatever
 * step the server says is current (the server holds the state: back and refresh are safe).
 */
@Injectable()
export class TicketContext {
  readonly ticket = signal<TicketFieldsFragment | null>(null);
  readonly id = computed(() => this.ticket()?.id ?? '');
  readonly step = computed<TicketStepKind | null>(() => this.ticket()?.currentStep ?? null);
  /** a step view that shows its outcome before moving on (适当性评估's result) holds the page on it */
  private readonly held = signal<TicketStepKind | null>(null);
  /** the step whose view the page shows */
  readonly shown = computed<TicketStepKind | null>(() => this.held() ?? this.step());
  readonly holding = computed(() => this.held() !== null);

  hold(step: TicketStepKind): void {
    this.held.set(step);
  }

  release(): void {
    this.held.set(null);
  }
  /** the reviewer's or agent's reason, when the ticket was sent back to the current step */
  readonly returnedHere = computed(() => {
    const t = this.ticket();
    return t && t.status === 'RETURNED' && t.returnedToStep === t.currentStep ? t.reason : null;
  });

  update(t: TicketFieldsFragment): void {
    this.ticket.set(t);
  }
}
