import { BUSINESSES, BUSINESS_TYPES, type BusinessType, type TicketStepKind } from '@kaihu/domain';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { BrokerDefinition, ServiceWindow, Weekday } from '@kaihu/plugin-api';
import { isCalendarDate } from '../../graphql/scalars';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import { Branch } from './branch.entity';
import { BrokerHoliday } from './broker-holiday.entity';
import { Broker } from './broker.entity';
import {
  describeSchedule,
  formatLocal,
  holidayCalendar,
  isOpen,
  localTime,
  minutesOf,
  nextOpening,
  validateWindows,
  type Schedule,
} from './service-hours';

const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const badInput = (message: string, field?: string) =>
  new KaihuError(ErrorCode.BAD_USER_INPUT, message, field ? { fields: [{ field, message }] } : {});

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

  findBranch(
    em: EntityManager,
    brokerId: string,
    by: { id?: string; name?: string; code?: string },
  ): Promise<Branch | null> {
    return em.findOne(Branch, { broker: brokerId, ...by });
  }

  /** How long the broker keeps witness recordings (years); applies to recordings made from now on. */
  async setRecordingRetention(em: EntityManager, brokerId: string, years: number): Promise<Broker> {
    if (!Number.isInteger(years) || years < 1 || years > 100)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '录像保存年限须为 1 到 100 年');
    const broker = await em.findOneOrFail(Broker, { id: brokerId });
    broker.recordingRetentionYears = years;
    await em.flush();
    return broker;
  }

  /**
   * The broker's weekly windows and its holiday calendar from the start of this year on; a year the
   * calendar has no entry for closes on its statutory holidays ({@link holidayCalendar}).
   */
  async schedule(em: EntityManager, broker: Broker): Promise<Schedule> {
    return {
      timeZone: broker.timeZone,
      windows: broker.serviceWindows,
      holidays: await this.calendar(em, broker.id, broker.timeZone),
    };
  }

  private async calendar(
    em: EntityManager,
    brokerId: string,
    timeZone: string,
  ): Promise<ReturnType<typeof holidayCalendar>> {
    const year = Number(localTime(this.clock.now(), timeZone).date.slice(0, 4));
    const rows = await em.find(
      BrokerHoliday,
      { broker: brokerId, date: { $gte: `${year}-01-01` } },
      { fields: ['date', 'removedAt'] },
    );
    const keepsCalendar = rows.length > 0 || (await em.count(BrokerHoliday, { broker: brokerId })) > 0;
    return holidayCalendar({
      dates: rows.filter((r) => !r.removedAt).map((r) => r.date),
      years: rows.map((r) => Number(r.date.slice(0, 4))),
      keepsCalendar,
    });
  }

  /**
   * This year and the next, for each: whether the broker's calendar lists its holidays, or the
   * statutory ones are assumed because it has no entry for it (the console asks the admin to add
   * the State Council's notice; the server warns at start).
   */
  async holidayYears(em: EntityManager, broker: Broker): Promise<{ year: number; derived: boolean }[]> {
    const year = Number(localTime(this.clock.now(), broker.timeZone).date.slice(0, 4));
    const calendar = await this.calendar(em, broker.id, broker.timeZone);
    return [year, year + 1].map((y) => ({ year: y, derived: calendar.isDerived(y) }));
  }

  /** The business menu of the broker, in the reference's order: what each is and whether it is offered online. */
  businesses(broker: Broker): {
    type: BusinessType;
    name: string;
    hint: string;
    offered: boolean;
    forProspects: boolean;
    steps: TicketStepKind[];
    stages: { title: string; steps: TicketStepKind[] }[];
  }[] {
    return BUSINESS_TYPES.map((type) => {
      const b = BUSINESSES[type];
      return {
        type,
        name: b.name,
        hint: b.hint,
        offered: this.offers(broker, type),
        forProspects: !!b.prospect,
        steps: [...b.steps],
        stages: b.stages?.map((s) => ({ title: s.title, steps: [...s.steps] })) ?? [],
      };
    });
  }

  /** Whether the broker offers the business online (Kaihu has it — `flow.available` — and the broker enabled it). */
  offers(
    broker: Broker,
    type: string,
    flow: { available: boolean } | undefined = BUSINESSES[type as BusinessType],
  ): boolean {
    return !!flow?.available && broker.enabledBusinesses.includes(type);
  }

  async inServiceHours(em: EntityManager, broker: Broker): Promise<boolean> {
    return isOpen(await this.schedule(em, broker), this.clock.now());
  }

  async serviceHoursText(em: EntityManager, broker: Broker): Promise<string> {
    return describeSchedule(
      { windows: broker.serviceWindows },
      (await em.count(BrokerHoliday, { broker: broker.id, removedAt: null })) > 0,
    );
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
    const hours = describeSchedule(
      schedule,
      (await em.count(BrokerHoliday, { broker: broker.id, removedAt: null })) > 0,
    );
    const message = next
      ? `当前不在网上开户服务时间内（服务时间：${hours}），请于 ${formatLocal(next, broker.timeZone)} 后再办理`
      : `当前不在网上开户服务时间内（服务时间：${hours}）`;
    throw new KaihuError(ErrorCode.OUTSIDE_SERVICE_HOURS, message, { nextOpening: next?.toISOString() ?? null });
  }

  // --- broker admin ------------------------------------------------------------------------------

  /** A new branch (营业部) of the broker; its code is unique within the broker, its name too. */
  async createBranch(em: EntityManager, brokerId: string, input: { name: string; code: string }): Promise<Branch> {
    const name = branchName(input.name);
    const code = (input.code ?? '').trim();
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(code)) throw badInput('营业部代码须为1到32位字母、数字、下划线或连字符', 'code');
    if (await em.count(Branch, { broker: brokerId, code })) throw badInput(`营业部代码“${code}”已存在`, 'code');
    if (await em.count(Branch, { broker: brokerId, name })) throw badInput(`营业部“${name}”已存在`, 'name');
    const branch = em.create(Branch, { broker: brokerId, code, name, editedAt: this.clock.now() });
    await em.flush();
    return branch;
  }

  /** Renames a branch of the broker (another broker's branch: FORBIDDEN). */
  async updateBranch(em: EntityManager, brokerId: string, id: string, input: { name: string }): Promise<Branch> {
    const branch = /^[0-9a-f-]{36}$/i.test(id) ? await em.findOne(Branch, { id }) : null;
    if (!branch) throw new KaihuError(ErrorCode.NOT_FOUND, '营业部不存在');
    if (branch.broker.id !== brokerId) throw new KaihuError(ErrorCode.FORBIDDEN, '只能管理本公司的营业部');
    const name = branchName(input.name);
    if (name !== branch.name && (await em.count(Branch, { broker: brokerId, name, id: { $ne: id } })))
      throw badInput(`营业部“${name}”已存在`, 'name');
    branch.name = name;
    branch.editedAt = this.clock.now();
    await em.flush();
    return branch;
  }

  /**
   * Replaces the broker's weekly service windows. Each window: weekday 1–7 (周一…周日), HH:MM
   * times, opens before it closes, no overlap with another window of the same day. From now on
   * the BrokerPack's windows no longer replace them at start.
   */
  async setServiceHours(
    em: EntityManager,
    brokerId: string,
    windows: { weekday: number; start: string; end: string }[],
  ): Promise<Broker> {
    if (windows.length > 7 * 8) throw badInput('服务时段过多：每天最多8个时段', 'windows');
    const parsed: ServiceWindow[] = [];
    for (const w of windows) {
      if (!Number.isInteger(w.weekday) || w.weekday < 1 || w.weekday > 7)
        throw badInput('星期须为1（周一）到7（周日）', 'windows');
      const day = WEEKDAY_NAMES[w.weekday];
      for (const t of [w.start, w.end]) {
        try {
          minutesOf(t);
        } catch {
          throw badInput(`${day}的时间“${t}”格式不正确，请填写 HH:MM，例如 08:40`, 'windows');
        }
      }
      if (minutesOf(w.start) >= minutesOf(w.end))
        throw badInput(`${day} ${w.start}-${w.end}：开始时间须早于结束时间`, 'windows');
      parsed.push({ weekday: w.weekday as Weekday, opens: w.start, closes: w.end });
    }
    for (let d = 1; d <= 7; d++) {
      const day = parsed.filter((w) => w.weekday === d).sort((a, b) => minutesOf(a.opens) - minutesOf(b.opens));
      if (day.length > 8) throw badInput(`${WEEKDAY_NAMES[d]}最多设置8个时段`, 'windows');
      for (let i = 1; i < day.length; i++) {
        if (minutesOf(day[i]!.opens) < minutesOf(day[i - 1]!.closes)) {
          throw badInput(
            `${WEEKDAY_NAMES[d]}的时段 ${day[i - 1]!.opens}-${day[i - 1]!.closes} 与 ${day[i]!.opens}-${day[i]!.closes} 重叠`,
            'windows',
          );
        }
      }
    }
    try {
      validateWindows(parsed);
    } catch (e) {
      throw badInput(`服务时段不正确：${(e as Error).message}`, 'windows');
    }
    const broker = await em.findOneOrFail(Broker, { id: brokerId });
    broker.serviceWindows = parsed.sort((a, b) => a.weekday - b.weekday || minutesOf(a.opens) - minutesOf(b.opens));
    broker.serviceHoursEditedAt = this.clock.now();
    await em.flush();
    return broker;
  }

  /** The broker's holidays (service closed all day), in date order. */
  async holidays(em: EntityManager, brokerId: string): Promise<BrokerHoliday[]> {
    return em.find(BrokerHoliday, { broker: brokerId, removedAt: null }, { orderBy: { date: 'asc' } });
  }

  /** Adds (or renames) a holiday; one the admin removed before comes back. */
  async addHoliday(em: EntityManager, brokerId: string, date: string, name: string | null): Promise<Broker> {
    if (!isCalendarDate(date)) throw badInput('日期格式不正确，请填写 YYYY-MM-DD', 'date');
    const label = (name ?? '').trim() || '休市';
    if (label.length > 50) throw badInput('节假日名称不能超过50字', 'name');
    const found = await em.findOne(BrokerHoliday, { broker: brokerId, date });
    if (found) em.assign(found, { name: label, source: 'ADMIN', removedAt: null });
    else em.create(BrokerHoliday, { broker: brokerId, date, name: label, source: 'ADMIN' });
    await em.flush();
    return em.findOneOrFail(Broker, { id: brokerId });
  }

  /**
   * Removes a holiday: the row is kept, marked removed by the admin, so that the BrokerPack does
   * not bring it back at the next start. NOT_FOUND when the date is not a holiday.
   */
  async removeHoliday(em: EntityManager, brokerId: string, date: string): Promise<Broker> {
    if (!isCalendarDate(date)) throw badInput('日期格式不正确，请填写 YYYY-MM-DD', 'date');
    const found = await em.findOne(BrokerHoliday, { broker: brokerId, date, removedAt: null });
    if (!found) throw new KaihuError(ErrorCode.NOT_FOUND, `${date} 不是节假日`);
    em.assign(found, { source: 'ADMIN', removedAt: this.clock.now() });
    await em.flush();
    return em.findOneOrFail(Broker, { id: brokerId });
  }

  /**
   * Makes the brokers table follow the BrokerPack, run at every start, without undoing what a
   * broker admin changed: brokers are inserted or updated by code, except their service windows
   * once an admin set them; branches are inserted by code and renamed unless an admin created or
   * renamed them (branches missing from the pack are kept: customers and agents may still point
   * at them); the pack's holidays are added, renamed, or dropped when the pack drops them, but
   * holidays an admin added or removed are left as the admin left them.
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
          enabledBusinesses: def.enabledBusinesses,
          ...(broker.serviceHoursEditedAt ? {} : { serviceWindows: def.serviceWindows }),
        });
      }
      const existing = new Map(
        broker.branches.isInitialized() ? broker.branches.getItems().map((b) => [b.code, b]) : [],
      );
      for (const b of def.branches) {
        const branch = existing.get(b.code);
        if (branch) {
          if (!branch.editedAt) branch.name = b.name;
        } else em.create(Branch, { broker, code: b.code, name: b.name });
      }
      await em.flush();
      const stored = new Map((await em.find(BrokerHoliday, { broker: broker.id })).map((h) => [h.date, h]));
      const inPack = new Set(def.holidays.map((h) => h.date));
      for (const h of def.holidays) {
        const row = stored.get(h.date);
        if (!row) em.create(BrokerHoliday, { broker, date: h.date, name: h.name });
        else if (row.source === 'PACK') row.name = h.name;
      }
      for (const row of stored.values()) if (row.source === 'PACK' && !inPack.has(row.date)) em.remove(row);
      await em.flush();
    }
  }
}

function branchName(raw: string): string {
  const name = (raw ?? '').trim();
  if (!name) throw badInput('请填写营业部名称', 'name');
  if (name.length > 50) throw badInput('营业部名称不能超过50字', 'name');
  return name;
}
