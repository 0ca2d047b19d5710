import { Injectable, inject, signal } from '@angular/core';
import { Api } from '../../core/api';
import { AdminBrokerGQL, type AdminBrokerFieldsFragment } from '../../graphql/generated';
import { StaffContext } from '../staff';

/** The admin's own broker (branches, service windows, holidays), shared by the 管理 pages. */
@Injectable({ providedIn: 'root' })
export class AdminBroker {
  private readonly api = inject(Api);
  private readonly staff = inject(StaffContext);
  private readonly brokerQuery = inject(AdminBrokerGQL);
  readonly broker = signal<AdminBrokerFieldsFragment | null>(null);

  async load(): Promise<AdminBrokerFieldsFragment | null> {
    await this.staff.load();
    const code = this.staff.me()?.broker.code;
    if (!code) return null;
    const { broker } = await this.api.query(this.brokerQuery, { code });
    this.broker.set(broker);
    return broker;
  }
}
