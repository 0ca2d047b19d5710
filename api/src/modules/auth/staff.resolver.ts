import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../common/errors';
import { SocketSessions } from './ws-auth';
import type { KaihuContext } from '../../graphql/context';
import { Branch } from '../brokers';
import { Broker } from '../brokers';
import { CreateStaffInput, StaffMemberType } from './auth.types';
import type { StaffUser } from './staff-user.entity';
import { requireStaff } from './viewer';

export function toStaffMemberType(s: StaffUser): StaffMemberType {
  return Object.assign(new StaffMemberType(), {
    id: s.id,
    username: s.username,
    displayName: s.displayName,
    roles: [...s.roles],
    licenseNo: s.licenseNo,
    disabled: s.disabled,
    brokerId: s.brokerId,
    branchId: s.branchId,
  });
}

/** Broker admins manage their broker's staff (BROKER_ADMIN of the same broker only). */
@Resolver(() => StaffMemberType)
export class StaffResolver {
  @Query(() => [StaffMemberType], { description: '期货公司管理员：本公司全部工作人员（含已停用），按用户名排序' })
  async staffMembers(@Ctx() { em, services, viewer }: KaihuContext): Promise<StaffMemberType[]> {
    return (await services.staff.list(em, requireStaff(viewer, 'BROKER_ADMIN'))).map(toStaffMemberType);
  }

  @Mutation(() => StaffMemberType, { description: '期货公司管理员：新增工作人员' })
  async createStaff(
    @Arg('input', () => CreateStaffInput) input: CreateStaffInput,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<StaffMemberType> {
    return toStaffMemberType(await services.staff.create(em, requireStaff(viewer, 'BROKER_ADMIN'), input));
  }

  @Mutation(() => StaffMemberType, {
    description: '期货公司管理员：停用（其会话立即失效）或启用工作人员；不能停用本人',
  })
  async setStaffDisabled(
    @Arg('id', () => ID) id: string,
    @Arg('disabled', () => Boolean) disabled: boolean,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<StaffMemberType> {
    const { staff, revokedSessions } = await services.staff.setDisabled(
      em,
      requireStaff(viewer, 'BROKER_ADMIN'),
      id,
      disabled,
    );
    SocketSessions.announceEnded(services.bus, revokedSessions);
    return toStaffMemberType(staff);
  }

  @Mutation(() => StaffMemberType, {
    description: '期货公司管理员：重置工作人员密码（其会话立即失效，需用新密码重新登录）',
  })
  async resetStaffPassword(
    @Arg('id', () => ID) id: string,
    @Arg('password', () => String) password: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<StaffMemberType> {
    const { staff, revokedSessions } = await services.staff.resetPassword(
      em,
      requireStaff(viewer, 'BROKER_ADMIN'),
      id,
      password,
    );
    SocketSessions.announceEnded(services.bus, revokedSessions);
    return toStaffMemberType(staff);
  }

  @FieldResolver(() => Broker)
  async broker(@Root() s: StaffMemberType, @Ctx() { em, services }: KaihuContext): Promise<Broker> {
    const b = await services.brokers.findById(em, s.brokerId);
    if (!b) throw new KaihuError(ErrorCode.NOT_FOUND);
    return b;
  }

  @FieldResolver(() => Branch, { nullable: true, description: '所属营业部；null = 本公司全部营业部' })
  branch(@Root() s: StaffMemberType, @Ctx() { em, services }: KaihuContext): Promise<Branch | null> {
    return s.branchId ? services.brokers.findBranch(em, s.brokerId, { id: s.branchId }) : Promise.resolve(null);
  }
}
