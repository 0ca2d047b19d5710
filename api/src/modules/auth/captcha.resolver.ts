import { Ctx, Field, ID, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { KaihuContext } from '../../graphql/context';

@ObjectType('Captcha', { description: '图形验证码' })
export class CaptchaType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'data: URL of the image the person reads' })
  image!: string;

  @Field()
  expiresAt!: Date;
}

@Resolver()
export class CaptchaResolver {
  @Mutation(() => CaptchaType, { description: '获取图形验证码（5分钟内有效，仅可使用一次）' })
  createCaptcha(@Ctx() { em, services }: KaihuContext): Promise<CaptchaType> {
    return services.captchas.create(em);
  }
}
