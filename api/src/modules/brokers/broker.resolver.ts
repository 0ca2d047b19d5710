import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { KaihuContext } from '../../graphql/context';
import { DateScalar } from '../../graphql/scalars';
import { requireStaff } from '../auth';
import { Branch } from './branch.entity';
import { Broker } from './broker.entity';
import {
  BusinessOfferType,
  CreateBranchInput,
  ServiceWindowInput,
  ServiceWindowType,
  UpdateBranchInput,
} from './broker.types';

@Resolver(() => Broker)
export class BrokerResolver {
  @Query(() => Broker, { nullable: true, description: '按代码查询期货公司；代码不存在时为 null' })
  broker(@Arg('code', () => String) code: string, @Ctx() { em, services }: KaihuContext): Promise<Broker | null> {
    return services.brokers.findByCode(em, code);
  }

  @Mutation(() => Broker, { description: '期货公司管理员：设置见证录像保存年限（1–100 年；新录像按此计算保存期限）' })
  setRecordingRetention(
    @Arg('years', () => Int) years: number,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<Broker> {
    const admin = requireStaff(viewer, 'BROKER_ADMIN');
    return services.brokers.setRecordingRetention(em, admin.brokerId, years);
  }

  @Mutation(() => Branch, { description: '期货公司管理员：新增营业部（代码、名称在本公司内唯一）' })
  createBranch(
    @Arg('input', () => CreateBranchInput) input: CreateBranchInput,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<Branch> {
    const admin = requireStaff(viewer, 'BROKER_ADMIN');
    return services.brokers.createBranch(em, admin.brokerId, input);
  }

  @Mutation(() => Branch, { description: '期货公司管理员：修改本公司营业部的名称' })
  updateBranch(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateBranchInput) input: UpdateBranchInput,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<Branch> {
    const admin = requireStaff(viewer, 'BROKER_ADMIN');
    return services.brokers.updateBranch(em, admin.brokerId, id, input);
  }

  @Mutation(() => Broker, { description: '期货公司管理员：设置每周服务时段（替换全部时段；空列表即暂停服务）' })
  setServiceHours(
    @Arg('windows', () => [ServiceWindowInput]) windows: ServiceWindowInput[],
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<Broker> {
    const admin = requireStaff(viewer, 'BROKER_ADMIN');
    return services.brokers.setServiceHours(em, admin.brokerId, windows);
  }

  @Mutation(() => Broker, { description: '期货公司管理员：新增节假日（当天不办理业务）；已有则修改名称' })
  addHoliday(
    @Arg('date', () => DateScalar) date: string,
    @Ctx() { em, services, viewer }: KaihuContext,
    @Arg('name', () => String, { nullable: true, description: '例如“国庆节”；默认“休市”' }) name?: string | null,
  ): Promise<Broker> {
    const admin = requireStaff(viewer, 'BROKER_ADMIN');
    return services.brokers.addHoliday(em, admin.brokerId, date, name ?? null);
  }

  @Mutation(() => Broker, { description: '期货公司管理员：删除节假日' })
  removeHoliday(
    @Arg('date', () => DateScalar) date: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<Broker> {
    const admin = requireStaff(viewer, 'BROKER_ADMIN');
    return services.brokers.removeHoliday(em, admin.brokerId, date);
  }

  @FieldResolver(() => Boolean, { description: 'true when businesses can be started now' })
  inServiceHours(@Root() broker: Broker, @Ctx() { em, services }: KaihuContext): Promise<boolean> {
    return services.brokers.inServiceHours(em, broker);
  }

  @FieldResolver(() => String, { description: 'human text, e.g. 周一至周五 08:40-17:45' })
  serviceHoursText(@Root() broker: Broker, @Ctx() { em, services }: KaihuContext): Promise<string> {
    return services.brokers.serviceHoursText(em, broker);
  }

  @FieldResolver(() => [ServiceWindowType], { description: '每周服务时段，按星期、开始时间排序' })
  serviceWindows(@Root() broker: Broker): ServiceWindowType[] {
    return [...broker.serviceWindows]
      .sort((a, b) => a.weekday - b.weekday || a.opens.localeCompare(b.opens))
      .map((w) => ({ weekday: w.weekday, start: w.opens, end: w.closes }));
  }

  @FieldResolver(() => [DateScalar], { description: '节假日（全天不办理业务），按日期排序' })
  async holidays(@Root() broker: Broker, @Ctx() { em, services }: KaihuContext): Promise<string[]> {
    return (await services.brokers.holidays(em, broker.id)).map((h) => h.date);
  }

  @FieldResolver(() => [Int], {
    description:
      '今明两年中节假日日历没有任何条目的年份：这些年份按法定节假日（元旦、春节、清明、劳动节、端午、中秋、国庆）休息，调休须由管理员按当年国务院通知补充',
  })
  async holidayYearsAssumed(@Root() broker: Broker, @Ctx() { em, services }: KaihuContext): Promise<number[]> {
    return (await services.brokers.holidayYears(em, broker)).filter((y) => y.derived).map((y) => y.year);
  }

  @FieldResolver(() => [BusinessOfferType], {
    description: '业务菜单：各业务的名称、说明、能否在网上办理，按参考系统的顺序',
  })
  businesses(@Root() broker: Broker, @Ctx() { services }: KaihuContext): BusinessOfferType[] {
    return services.brokers.businesses(broker);
  }

  @FieldResolver(() => [Branch])
  branches(@Root() broker: Broker, @Ctx() { em, services }: KaihuContext): Promise<Branch[]> {
    return services.brokers.branches(em, broker.id);
  }
}
