import { Injectable, inject, signal } from '@angular/core';
import { Api } from './api';
import { PortalBrokerGQL, type PortalBrokerQuery } from '../graphql/generated';

export type PortalBroker = NonNullable<PortalBrokerQuery['broker']>;

/** Whose portal this is (the server's /portal-config.json) and that broker's public facts. */
@Injectable({ providedIn: 'root' })
export class PortalInfo {
  private readonly api = inject(Api);
  private readonly brokerQuery = inject(PortalBrokerGQL);
  readonly broker = signal<PortalBroker | null>(null);
  private loading: Promise<PortalBroker | null> | null = null;

  load(): Promise<PortalBroker | null> {
    return (this.loading ??= (async () => {
      try {
        const cfg = (await (await fetch('/portal-config.json')).json()) as { brokerCode: string | null };
        if (!cfg.brokerCode) return null;
        const { broker } = await this.api.query(this.brokerQuery, { code: cfg.brokerCode });
        this.broker.set(broker);
        return broker;
      } catch {
        this.loading = null;
        return null;
      }
    })());
  }
}
