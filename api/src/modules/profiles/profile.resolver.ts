import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { KaihuContext } from '../../graphql/context';
import { Branch } from '../brokers';
import { Broker } from '../brokers';
import { CustomerType } from './customer.types';
import { Profile } from './profile.types';
import { toCustomerType } from './customer.mapping';

@Resolver(() => CustomerType)
export class CustomerResolver {
  @Query(() => CustomerType, { nullable: true, description: '当前登录的客户（我的基本资料）' })
  async me(@Ctx() { em, services, viewer }: KaihuContext): Promise<CustomerType | null> {
    if (viewer?.kind !== 'CUSTOMER' || !viewer.customerId) return null;
    const c = await services.profiles.findCustomer(em, viewer.customerId);
    return c ? toCustomerType(c, 'MASKED') : null;
  }

  @Query(() => CustomerType, {
    nullable: true,
    description: '按 id 查看客户：本公司工作人员看到完整证件号与手机号，合作方看到脱敏信息；其他人为 null',
  })
  async customer(
    @Arg('id', () => ID) id: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<CustomerType | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const c = await services.profiles.findCustomer(em, id);
    if (!c) return null;
    const visibility = services.profiles.visibility(viewer, c);
    return visibility === 'NONE' ? null : toCustomerType(c, visibility);
  }

  @FieldResolver(() => Broker)
  async broker(@Root() c: CustomerType, @Ctx() { em, services }: KaihuContext): Promise<Broker> {
    const b = await services.brokers.findById(em, c.brokerId);
    if (!b) throw new KaihuError(ErrorCode.NOT_FOUND);
    return b;
  }

  @FieldResolver(() => Branch)
  async branch(@Root() c: CustomerType, @Ctx() { em, services }: KaihuContext): Promise<Branch> {
    const b = await services.brokers.findBranch(em, c.brokerId, { id: c.branchId });
    if (!b) throw new KaihuError(ErrorCode.NOT_FOUND);
    return b;
  }

  @FieldResolver(() => Profile)
  async profile(@Root() c: CustomerType, @Ctx() { em, services }: KaihuContext): Promise<Profile> {
    const customer = await services.profiles.findCustomer(em, c.id);
    if (!customer) throw new KaihuError(ErrorCode.NOT_FOUND);
    return services.profiles.toProfile(await services.profiles.counterProfile(em, customer), c.visibility);
  }
}
