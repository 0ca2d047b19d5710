import type { EntityManager } from '@mikro-orm/postgresql';
import type { BrokerDefinition } from '@kaihu/plugin-api';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import { Branch } from './branch.entity';
import { BrokerHoliday } from './broker-holiday.entity';
import { Broker } from './broker.entity';
import { describeSchedule, formatLocal, isOpen, nextOpening, validateWindows, type Schedule } from './service-hours';

/** Brokers, branches and service hours. Other modules use this service, never the entities. */
export class BrokerService {
  constructor(private readonly clock: Clock) {}

  findByCode(em: EntityManager, code: string): Promise<Broker | null> {
    return em.findOne(Broker, { code });
  }

  list(em: EntityManager): Promise<Broker[]> {
    return em.find(Broker, {}, { orderBy: { code: 'asc' } });
  }

  findById(em: EntityManager, id: string): Promise<Broker | null> {
    return em.findOne(Broker, { id });
  }

  branches(em: EntityManager, brokerId: string): Promise<Branch[]> {
    return em.find(Branch, { broker: brokerId }, { orderBy: { code: 'asc' } });
  }

  /** A branch by id, whatever its broker, with its broker's id. */
  async branchById(em: EntityManager, id: string): Promise<{ branch: Branch; brokerId: string } | null> {
    const branch = await em.findOne(Branch, { id });
    return branch ? { branch, brokerId: branch.broker.id } : null;
  }

  findBranch(em: EntityManager, brokerId: string, by: { id?: string; name?: string; code?: string }): Promise<Branch | null> {
    return em.findOne(Branch, { broker: brokerId, ...by });
  }

  /** How long the broker keeps witness recordings (years); applies to recordings made from now on. */
  async setRecordingRetention(em: EntityManager, brokerId: string, years: number): Promise<Broker> {
    if (!Number.isInteger(years) || years < 1 || years > 100) throw new KaihuError(ErrorCode.BAD_USER_INPUT, '录像保存年限须为 1 到 100 年');
    const broker = await em.findOneOrFail(Broker, { id: brokerId });
    broker.recordingRetentionYears = years;
    await em.flush();
    return broker;
  }

  /** The broker's weekly windows and its holidays from yesterday on. */
  async schedule(em: EntityManager, broker: Broker): Promise<Schedule> {
    const today = new Date(this.clock.now().getTime() - 24 * 3600_000).toISOString().slice(0, 10);
    const holidays = await em.find(BrokerHoliday, { broker: broker.id, date: { $gte: today } }, { fields: ['date'] });
    return { timeZone: broker.timeZone, windows: broker.serviceWindows, holidays: new Set(holidays.map((h) => h.date)) };
  }


  async inServiceHours(em: EntityManager, broker: Broker): Promise<boolean> {
    return isOpen(await this.schedule(em, broker), this.clock.now());
  }

  async serviceHoursText(em: EntityManager, broker: Broker): Promise<string> {
    return describeSchedule({ windows: broker.serviceWindows }, (await em.count(BrokerHoliday, { broker: broker.id })) > 0);
  }

  /**
   * Refuses with OUTSIDE_SERVICE_HOURS, naming the hours and the next opening, unless the broker
   * is open now. Starting a business, submitting and queueing call this.
   */
  async assertInServiceHours(em: EntityManager, brokerId: string): Promise<void> {
    const broker = await em.findOneOrFail(Broker, { id: brokerId });
    const schedule = await this.schedule(em, broker);
    const now = this.clock.now();
    if (isOpen(schedule, now)) return;
    const next = nextOpening(schedule, now);
    const hours = describeSchedule(schedule, (await em.count(BrokerHoliday, { broker: broker.id })) > 0);
    const message = next
      ? `当前不在网上开户服务时间内（服务时间：${hours}），请于 ${formatLocal(next, broker.timeZone)} 后再办理`
      : `当前不在网上开户服务时间内（服务时间：${hours}）`;
    throw new KaihuError(ErrorCode.OUTSIDE_SERVICE_HOURS, message, { nextOpening: next?.toISOString() ?? null });
  }

  /**
   * Makes the brokers table match the BrokerPack: inserts or updates brokers by code, branches by
   * code (branches missing from the pack are kept: customers and agents may still point at them),
   * and replaces the holiday list. Run at every start.
   */
  async syncFromPack(em: EntityManager, definitions: BrokerDefinition[]): Promise<void> {
    for (const def of definitions) {
      validateWindows(def.serviceWindows);
      const found = await em.findOne(Broker, { code: def.code }, { populate: ['branches'] });
      let broker: Broker;
      if (!found) {
        broker = em.create(Broker, {
          code: def.code,
          name: def.name,
          servicePhone: def.servicePhone,
          timeZone: def.timeZone,
          serviceWindows: def.serviceWindows,
          enabledBusinesses: def.enabledBusinesses,
        });
      } else {
        broker = found;
        em.assign(broker, {
          name: def.name,
          servicePhone: def.servicePhone,
          timeZone: def.timeZone,
          serviceWindows: def.serviceWindows,
          enabledBusinesses: def.enabledBusinesses,
        });
      }
      const existing = new Map(broker.branches.isInitialized() ? broker.branches.getItems().map((b) => [b.code, b]) : []);
      for (const b of def.branches) {
        const branch = existing.get(b.code);
        if (branch) branch.name = b.name;
        else em.create(Branch, { broker, code: b.code, name: b.name });
      }
      await em.flush();
      await em.nativeDelete(BrokerHoliday, { broker: broker.id });
      for (const h of def.holidays) em.create(BrokerHoliday, { broker, date: h.date, name: h.name });
      await em.flush();
    }
  }
}
