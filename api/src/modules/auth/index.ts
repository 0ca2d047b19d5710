/** Authentication: captchas, SMS codes and locks, customer and staff sessions, partner API keys, viewers and roles. What other modules may use of it. */

export { ApiKeyService, requireScope } from './api-key.service';
export { AuthService, type Authentication, type TokenProblem } from './auth.service';
export { CodeDelivery, ViewerType } from './auth.types';
export { CaptchaService } from './captcha.service';
export { LockService, OtpService } from './otp.service';
export { StaffService } from './staff.service';
export {
  requireApplicant,
  requireCustomer,
  requireProspect,
  requireStaff,
  type Applicant,
  type Viewer,
} from './viewer';
export { closeCodeFor, SocketSessions } from './ws-auth';
