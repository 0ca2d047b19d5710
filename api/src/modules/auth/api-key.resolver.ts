import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { KaihuContext } from '../../graphql/context';
import type { ApiKey } from './api-key.entity';

@ObjectType('PartnerApiKey', { description: '合作方 API 密钥（密钥本身只在创建时返回一次）' })
export class PartnerApiKeyType {
  @Field(() => ID) id!: string;
  @Field({ description: '名称' }) name!: string;
  @Field({ description: '密钥前 12 个字符，用于区分' }) prefix!: string;
  @Field(() => [String], { description: '权限：* 或 LOGIN、EVENTS、WEBHOOKS' }) scopes!: string[];
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true, description: '最近使用时间（精确到分钟）' }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: '撤销时间；撤销后立即失效' }) revokedAt!: Date | null;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyType {
  @Field({ description: '完整密钥，仅此一次返回；Kaihu 只保存其 SHA-256' }) key!: string;
  @Field(() => PartnerApiKeyType) apiKey!: PartnerApiKeyType;
}

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field({ description: '名称（1–60 个字符），如合作方 App 的名字' }) name!: string;
  @Field(() => [String], { nullable: true, description: '权限，默认 ["*"]（全部）' }) scopes?: string[] | null;
}

const toType = (k: ApiKey): PartnerApiKeyType => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
});

@Resolver()
export class ApiKeyResolver {
  @Query(() => [PartnerApiKeyType], { description: '期货公司管理员：本公司的合作方 API 密钥' })
  async apiKeys(@Ctx() { em, services, viewer }: KaihuContext): Promise<PartnerApiKeyType[]> {
    return (await services.apiKeys.list(em, viewer)).map(toType);
  }

  @Mutation(() => CreatedApiKeyType, { description: '期货公司管理员：创建合作方 API 密钥（完整密钥只返回这一次）' })
  async createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<CreatedApiKeyType> {
    const { key, apiKey } = await services.apiKeys.create(em, viewer, input);
    return { key, apiKey: toType(apiKey) };
  }

  @Mutation(() => PartnerApiKeyType, { description: '期货公司管理员：撤销 API 密钥，立即失效' })
  async revokeApiKey(
    @Arg('id', () => ID) id: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<PartnerApiKeyType> {
    return toType(await services.apiKeys.revoke(em, viewer, id));
  }
}
