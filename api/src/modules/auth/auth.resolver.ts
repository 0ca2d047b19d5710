import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { SocketSessions } from './ws-auth';
import type { KaihuContext } from '../../graphql/context';
import { toCustomerType } from '../profiles';
import {
  CodeDelivery,
  LoginInput,
  ProspectLoginInput,
  RequestLoginCodeInput,
  RequestProspectCodeInput,
  SessionType,
  ViewerType,
} from './auth.types';
import type { IssuedSession } from './auth.service';
import { toStaffMemberType } from './staff.resolver';
import type { Viewer } from './viewer';
import { maskPhone } from '../../common/mask';

@Resolver()
export class AuthResolver {
  @Query(() => ViewerType, { nullable: true, description: '当前调用者；未登录时为 null' })
  viewer(@Ctx() ctx: KaihuContext): Promise<ViewerType | null> {
    return ctx.viewer ? toViewerType(ctx, ctx.viewer) : Promise.resolve(null);
  }

  @Mutation(() => CodeDelivery, { description: '获取短信验证码（验证码将发送至您在我司预留的手机号码上）' })
  requestLoginCode(
    @Arg('input', () => RequestLoginCodeInput) input: RequestLoginCodeInput,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<CodeDelivery> {
    return services.auth.requestLoginCode(em, input, viewer);
  }

  @Mutation(() => SessionType, { description: '客户登录' })
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: KaihuContext): Promise<SessionType> {
    return toSessionType(ctx, await ctx.services.auth.login(ctx.em, input, ctx.viewer));
  }

  @Mutation(() => CodeDelivery, { description: 'a person who is not yet a customer: SMS code to a mainland mobile' })
  requestProspectCode(
    @Arg('input', () => RequestProspectCodeInput) input: RequestProspectCodeInput,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<CodeDelivery> {
    return services.auth.requestProspectCode(em, input, viewer);
  }

  @Mutation(() => SessionType, { description: 'logs a prospect in (role PROSPECT); records the 隐私政策 consent' })
  async prospectLogin(
    @Arg('input', () => ProspectLoginInput) input: ProspectLoginInput,
    @Ctx() ctx: KaihuContext,
  ): Promise<SessionType> {
    return toSessionType(ctx, await ctx.services.auth.prospectLogin(ctx.em, input, ctx.viewer));
  }

  @Mutation(() => Boolean, { description: '退出登录：令牌立即失效' })
  async logout(@Ctx() { em, services, viewer }: KaihuContext): Promise<boolean> {
    const done = await services.auth.logout(em, viewer);
    if (done && viewer?.sessionId) SocketSessions.announceEnded(services.bus, [viewer.sessionId]);
    return done;
  }

  @Mutation(() => SessionType, { description: 'staff (agents, reviewers, broker admins)' })
  async staffLogin(
    @Arg('username', () => String) username: string,
    @Arg('password', () => String) password: string,
    @Ctx() ctx: KaihuContext,
  ): Promise<SessionType> {
    return toSessionType(ctx, await ctx.services.auth.staffLogin(ctx.em, username, password));
  }
}

async function toViewerType(ctx: KaihuContext, viewer: Viewer): Promise<ViewerType> {
  let customer = null;
  if (viewer.kind === 'CUSTOMER' && viewer.customerId) {
    const c = await ctx.services.profiles.findCustomer(ctx.em, viewer.customerId);
    customer = c ? toCustomerType(c, 'MASKED') : null;
  }
  let staff = null;
  if (viewer.kind === 'STAFF' && viewer.staffId) {
    const s = await ctx.services.auth.findStaff(ctx.em, viewer.staffId);
    staff = s ? toStaffMemberType(s) : null;
  }
  const mobile =
    viewer.kind === 'PROSPECT' && viewer.prospectId
      ? await ctx.services.auth.prospectMobile(ctx.em, viewer.prospectId)
      : null;
  return { id: viewer.id, roles: viewer.roles, customer, staff, maskedMobile: mobile ? maskPhone(mobile) : null };
}

async function toSessionType(ctx: KaihuContext, s: IssuedSession): Promise<SessionType> {
  return { token: s.token, expiresAt: s.expiresAt, viewer: await toViewerType(ctx, s.viewer) };
}
