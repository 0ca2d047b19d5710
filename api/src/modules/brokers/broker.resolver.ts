import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { KaihuContext } from '../../graphql/context';
import { requireStaff } from '../auth/viewer';
import { Branch } from './branch.entity';
import { Broker } from './broker.entity';

@Resolver(() => Broker)
export class BrokerResolver {
  @Query(() => Broker, { nullable: true, description: '按代码查询期货公司；代码不存在时为 null' })
  broker(@Arg('code', () => String) code: string, @Ctx() { em, services }: KaihuContext): Promise<Broker | null> {
    return services.brokers.findByCode(em, code);
  }

  @Mutation(() => Broker, { description: '期货公司管理员：设置见证录像保存年限（1–100 年；新录像按此计算保存期限）' })
  setRecordingRetention(@Arg('years', () => Int) years: number, @Ctx() { em, services, viewer }: KaihuContext): Promise<Broker> {
    const admin = requireStaff(viewer, 'BROKER_ADMIN');
    return services.brokers.setRecordingRetention(em, admin.brokerId, years);
  }

  @FieldResolver(() => Boolean, { description: 'true when businesses can be started now' })
  inServiceHours(@Root() broker: Broker, @Ctx() { em, services }: KaihuContext): Promise<boolean> {
    return services.brokers.inServiceHours(em, broker);
  }

  @FieldResolver(() => String, { description: 'human text, e.g. 周一至周五 08:40-17:45' })
  serviceHoursText(@Root() broker: Broker, @Ctx() { em, services }: KaihuContext): Promise<string> {
    return services.brokers.serviceHoursText(em, broker);
  }

  @FieldResolver(() => [Branch])
  branches(@Root() broker: Broker, @Ctx() { em, services }: KaihuContext): Promise<Branch[]> {
    return services.brokers.branches(em, broker.id);
  }
}
