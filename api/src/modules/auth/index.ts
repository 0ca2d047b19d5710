/** Authentication: captchas, SMS codes and locks, customer and staff sessions, partner API keys, viewers and roles. What other modules may use of it. */
import type { KaihuModule } from '../../common/module';
import { ApiKey } from './api-key.entity';
import { ApiKeyResolver } from './api-key.resolver';
import { AuthResolver } from './auth.resolver';
import { Captcha } from './captcha.entity';
import { CaptchaResolver } from './captcha.resolver';
import { LoginLock } from './login-lock.entity';
import { OtpCode } from './otp-code.entity';
import { Session } from './session.entity';
import { StaffUser } from './staff-user.entity';
import { StaffResolver } from './staff.resolver';

export { ApiKeyService, requireScope } from './api-key.service';
export { AuthService, type Authentication, type TokenProblem } from './auth.service';
export { CodeDelivery } from './auth.types';
export { CaptchaService } from './captcha.service';
export { LockService, OtpService } from './otp.service';
export { StaffService } from './staff.service';
export { requireCustomer, requireStaff, type Viewer } from './viewer';
export { closeCodeFor, SocketSessions } from './ws-auth';

/** For the composition root: the module's tables and GraphQL resolvers. */
export const authModule: KaihuModule = {
  entities: [ApiKey, Captcha, LoginLock, OtpCode, Session, StaffUser],
  resolvers: [ApiKeyResolver, AuthResolver, CaptchaResolver, StaffResolver],
};
