import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccountType, CounterCustomer, CounterProfile, CounterSystem } from '@kaihu/plugin-api';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import { maskIdNumber, maskPhone } from '../../common/mask';
import type { Viewer } from '../auth';
import type { BrokerService } from '../brokers';
import { Customer } from './customer.entity';
import type { Profile } from './profile.types';

/** How much of a customer a viewer may see. */
export type Visibility = 'WHOLE' | 'MASKED' | 'NONE';

/**
 * Customers and their profiles. The profile is read from the broker's counter system (the system
 * of record); Kaihu keeps only the link (broker, branch, account type, ID number).
 */
export class ProfileService {
  constructor(
    private readonly clock: Clock,
    private readonly counter: CounterSystem,
    private readonly brokers: BrokerService,
  ) {}

  /** Creates or refreshes Kaihu's record of a counter customer at login. */
  async upsertFromCounter(
    em: EntityManager,
    brokerId: string,
    accountType: AccountType,
    found: CounterCustomer,
  ): Promise<Customer> {
    const branch = await this.brokers.findBranch(em, brokerId, { name: found.branchName });
    if (!branch)
      throw new KaihuError(
        ErrorCode.CUSTOMER_NOT_FOUND,
        `柜台校验客户不存在：营业部“${found.branchName}”未在开户云中配置`,
      );
    const idNumber = found.profile.idNumber.toUpperCase();
    let customer = await em.findOne(Customer, { brokerId, idNumber, accountType });
    const now = this.clock.now();
    if (!customer) {
      customer = em.create(Customer, {
        brokerId,
        branchId: branch.id,
        accountType,
        idNumber,
        customerNo: found.customerNo,
        name: found.profile.name,
        createdAt: now,
      });
    }
    em.assign(customer, {
      branchId: branch.id,
      customerNo: found.customerNo,
      name: found.profile.name,
      lastLoginAt: now,
    });
    await em.flush();
    return customer;
  }

  /**
   * The customer an approved account opening created at the counter, under the applicant's id (a
   * prospect keeps their id, so their certificate, documents and tickets are the customer's).
   * Added to `em` (flushed with the approval); the same again changes nothing.
   */
  async registerOpened(
    em: EntityManager,
    c: {
      id: string;
      brokerId: string;
      branchId: string;
      accountType: AccountType;
      idNumber: string;
      customerNo: string;
      name: string;
    },
  ): Promise<Customer> {
    const found = await em.findOne(Customer, { id: c.id });
    if (found) return found;
    return em.create(Customer, { ...c, idNumber: c.idNumber.toUpperCase(), createdAt: this.clock.now() });
  }

  findCustomer(em: EntityManager, id: string): Promise<Customer | null> {
    return em.findOne(Customer, { id });
  }

  async findCustomers(em: EntityManager, ids: string[]): Promise<Customer[]> {
    return ids.length ? em.find(Customer, { id: { $in: ids } }) : [];
  }

  /**
   * The customer themself and partners of their broker see ID number and mobile masked; staff of
   * the same broker see them whole; nobody else sees the customer at all.
   */
  visibility(viewer: Viewer | null, customer: Customer): Visibility {
    if (!viewer || viewer.brokerId !== customer.brokerId) return 'NONE';
    if (viewer.kind === 'STAFF') return 'WHOLE';
    if (viewer.kind === 'CUSTOMER') return viewer.customerId === customer.id ? 'MASKED' : 'NONE';
    if (viewer.kind === 'PARTNER') return 'MASKED';
    return 'NONE';
  }

  /** The customer's profile as it will be with `changes` applied (a ticket's proposed profile). */
  async withChanges(em: EntityManager, customerId: string, changes: Partial<CounterProfile>): Promise<CounterProfile> {
    const customer = await this.findCustomer(em, customerId);
    if (!customer) throw new KaihuError(ErrorCode.NOT_FOUND);
    return { ...(await this.counterProfile(em, customer)), ...changes };
  }

  /** The counter's current profile of the customer. */
  async counterProfile(em: EntityManager, customer: Customer): Promise<CounterProfile> {
    const broker = await this.brokers.findById(em, customer.brokerId);
    const found = broker && (await this.counter.findCustomer(broker.code, customer.idNumber, customer.accountType));
    if (!found) throw new KaihuError(ErrorCode.CUSTOMER_NOT_FOUND);
    return found.profile;
  }

  /** The profile as `visibility` allows it to be shown. */
  toProfile(p: CounterProfile, visibility: Exclude<Visibility, 'NONE'>): Profile {
    const masked = visibility === 'MASKED';
    return {
      ...p,
      idNumber: masked ? maskIdNumber(p.idNumber) : p.idNumber,
      mobile: masked ? maskPhone(p.mobile) : p.mobile,
      idLongTerm: p.idValidTo === null,
      products: [...p.products],
      badCreditRecords: [...p.badCreditRecords],
    };
  }
}
