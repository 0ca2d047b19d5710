/** The auth module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { ApiKey } from './api-key.entity';
import { ApiKeyResolver } from './api-key.resolver';
import { AuthResolver } from './auth.resolver';
import { Captcha } from './captcha.entity';
import { CaptchaResolver } from './captcha.resolver';
import { LoginLock } from './login-lock.entity';
import { OtpCode } from './otp-code.entity';
import { Prospect } from './prospect.entity';
import { Session } from './session.entity';
import { StaffUser } from './staff-user.entity';
import { StaffResolver } from './staff.resolver';

export const authModule: KaihuModule = {
  entities: [Prospect, ApiKey, Captcha, LoginLock, OtpCode, Session, StaffUser],
  resolvers: [ApiKeyResolver, AuthResolver, CaptchaResolver, StaffResolver],
};
