import { ErrorCode, KaihuError } from '../../common/errors';

export type ViewerKind = 'CUSTOMER' | 'STAFF' | 'PARTNER' | 'PROSPECT';
export const STAFF_ROLES = ['AGENT', 'REVIEWER', 'BROKER_ADMIN'] as const;

/** Who is calling, resolved from the Authorization header (or graphql-ws connectionParams). */
export interface Viewer {
  kind: ViewerKind;
  /** customer id, staff id or API key id */
  id: string;
  brokerId: string;
  roles: string[];
  sessionId: string | null;
  customerId: string | null;
  staffId: string | null;
  /** PROSPECT: the person opening an account (not a customer yet) */
  prospectId?: string | null;
  /**
   * Whose tickets the viewer runs: the customer's id, or the prospect's (a prospect's ticket is
   * theirs under this id, and so is the customer that approval opens). Null for staff and partners.
   */
  applicantId?: string | null;
  /** the partner key behind this call or behind the session's login */
  apiKeyId: string | null;
  /** PARTNER: the key's scopes (`*` = all) */
  scopes?: string[];
}

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new KaihuError(ErrorCode.UNAUTHENTICATED);
  return viewer;
}

export function requireCustomer(viewer: Viewer | null): Viewer & { customerId: string; applicantId: string } {
  const v = requireViewer(viewer);
  if (v.kind !== 'CUSTOMER' || !v.customerId) throw new KaihuError(ErrorCode.FORBIDDEN, '仅限客户本人办理');
  return v as Viewer & { customerId: string; applicantId: string };
}

/** A customer or a prospect: someone who runs their own tickets. */
export type Applicant = Viewer & { applicantId: string };

export function requireApplicant(viewer: Viewer | null): Applicant {
  const v = requireViewer(viewer);
  if ((v.kind !== 'CUSTOMER' && v.kind !== 'PROSPECT') || !v.applicantId)
    throw new KaihuError(ErrorCode.FORBIDDEN, '仅限客户或开户申请人本人办理');
  return v as Applicant;
}

/** A prospect (开户申请人), logged in with their mobile number. */
export function requireProspect(viewer: Viewer | null): Applicant & { prospectId: string } {
  const v = requireViewer(viewer);
  if (v.kind !== 'PROSPECT' || !v.prospectId)
    throw new KaihuError(ErrorCode.FORBIDDEN, '仅限开户申请人办理，请使用手机号登录');
  return v as Applicant & { prospectId: string };
}

export function requireStaff(viewer: Viewer | null, ...roles: string[]): Viewer & { staffId: string } {
  const v = requireViewer(viewer);
  if (v.kind !== 'STAFF' || !v.staffId) throw new KaihuError(ErrorCode.FORBIDDEN, '仅限期货公司工作人员');
  if (roles.length && !roles.some((r) => v.roles.includes(r)))
    throw new KaihuError(ErrorCode.FORBIDDEN, '您的角色无权执行此操作');
  return v as Viewer & { staffId: string };
}
