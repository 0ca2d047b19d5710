import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { BrokerService } from '../brokers';
import type { LockService, OtpService } from './otp.service';
import { hashPassword, passwordProblem } from './passwords';
import { Session } from './session.entity';
import { StaffUser, type StaffRole } from './staff-user.entity';
import { STAFF_ROLES, type Viewer } from './viewer';

type Admin = Viewer & { staffId: string };

const badInput = (message: string, field: string) =>
  new KaihuError(ErrorCode.BAD_USER_INPUT, message, { fields: [{ field, message }] });

/**
 * A broker admin's management of the broker's staff: list, create, disable, reset passwords.
 * Disabling a staff member or resetting their password revokes their sessions at once; the
 * caller closes the WebSockets of the returned session ids. Passwords are only ever hashed.
 */
export class StaffService {
  constructor(
    private readonly clock: Clock,
    private readonly deps: { brokers: BrokerService; otp: OtpService; locks: LockService },
  ) {}

  list(em: EntityManager, admin: Admin): Promise<StaffUser[]> {
    return em.find(StaffUser, { brokerId: admin.brokerId }, { orderBy: { username: 'asc' } });
  }

  async create(
    em: EntityManager,
    admin: Admin,
    input: {
      username: string;
      displayName: string;
      password: string;
      roles: string[];
      branchId?: string | null;
      licenseNo?: string | null;
    },
  ): Promise<StaffUser> {
    const username = (input.username ?? '').trim();
    if (!/^[A-Za-z0-9_.-]{3,32}$/.test(username))
      throw badInput('用户名须为3到32位字母、数字、下划线、点或连字符', 'username');
    const displayName = (input.displayName ?? '').trim();
    if (!displayName) throw badInput('请填写姓名', 'displayName');
    if (displayName.length > 32) throw badInput('姓名不能超过32字', 'displayName');
    const roles = [...new Set(input.roles ?? [])];
    if (!roles.length) throw badInput('请至少选择一个角色', 'roles');
    const unknown = roles.filter((r) => !(STAFF_ROLES as readonly string[]).includes(r));
    if (unknown.length)
      throw badInput(`未知角色：${unknown.join('、')}（可选 AGENT、REVIEWER、BROKER_ADMIN）`, 'roles');
    const licenseNo = (input.licenseNo ?? '').trim() || null;
    if (roles.includes('AGENT') && !licenseNo) throw badInput('坐席须填写期货从业资格号', 'licenseNo');
    if (licenseNo && licenseNo.length > 32) throw badInput('期货从业资格号不能超过32位', 'licenseNo');
    let branchId: string | null = null;
    if (input.branchId) {
      const found = /^[0-9a-f-]{36}$/i.test(input.branchId)
        ? await this.deps.brokers.branchById(em, input.branchId)
        : null;
      if (!found || found.brokerId !== admin.brokerId) throw badInput('营业部不存在', 'branchId');
      branchId = found.branch.id;
    }
    const problem = passwordProblem(input.password, username);
    if (problem) throw badInput(problem, 'password');
    if (await em.count(StaffUser, { username })) throw badInput(`用户名“${username}”已被使用`, 'username');
    const staff = em.create(StaffUser, {
      username,
      displayName,
      roles: roles as StaffRole[],
      brokerId: admin.brokerId,
      branchId,
      licenseNo,
      passwordHash: await hashPassword(input.password),
      createdAt: this.clock.now(),
    });
    await em.flush();
    return staff;
  }

  /**
   * Disables (or re-enables) a staff member of the admin's broker. Disabling revokes every open
   * session of theirs at once; an admin cannot disable themselves. Returns the revoked sessions.
   */
  async setDisabled(
    em: EntityManager,
    admin: Admin,
    id: string,
    disabled: boolean,
  ): Promise<{ staff: StaffUser; revokedSessions: string[] }> {
    const staff = await this.ofBroker(em, admin, id);
    if (disabled && staff.id === admin.staffId) throw new KaihuError(ErrorCode.FORBIDDEN, '不能停用本人的账号');
    staff.disabled = disabled;
    await em.flush();
    const revokedSessions = disabled ? await this.revokeSessions(em, staff.id) : [];
    return { staff, revokedSessions };
  }

  /** Sets a new password, ends their login lock and revokes their sessions (they log in again). */
  async resetPassword(
    em: EntityManager,
    admin: Admin,
    id: string,
    password: string,
  ): Promise<{ staff: StaffUser; revokedSessions: string[] }> {
    const staff = await this.ofBroker(em, admin, id);
    const problem = passwordProblem(password, staff.username);
    if (problem) throw badInput(problem, 'password');
    staff.passwordHash = await hashPassword(password);
    await em.flush();
    await this.deps.locks.reset(em, this.deps.otp.subject('STAFF', staff.username.toLowerCase()));
    return { staff, revokedSessions: await this.revokeSessions(em, staff.id) };
  }

  private async ofBroker(em: EntityManager, admin: Admin, id: string): Promise<StaffUser> {
    const staff = /^[0-9a-f-]{36}$/i.test(id) ? await em.findOne(StaffUser, { id }) : null;
    if (!staff) throw new KaihuError(ErrorCode.NOT_FOUND, '工作人员不存在');
    if (staff.brokerId !== admin.brokerId) throw new KaihuError(ErrorCode.FORBIDDEN, '只能管理本公司的工作人员');
    return staff;
  }

  private async revokeSessions(em: EntityManager, staffId: string): Promise<string[]> {
    const open = await em.find(Session, { staffId, revokedAt: null }, { fields: ['id'] });
    if (!open.length) return [];
    const ids = open.map((s) => s.id);
    await em.nativeUpdate(Session, { id: { $in: ids }, revokedAt: null }, { revokedAt: this.clock.now() });
    return ids;
  }
}
