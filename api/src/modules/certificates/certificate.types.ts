import { Field, ObjectType, registerEnumType } from 'type-graphql';

export const CertificateStatus = { VALID: 'VALID', REVOKED: 'REVOKED', EXPIRED: 'EXPIRED' } as const;
registerEnumType(CertificateStatus, {
  name: 'CertificateStatus',
  valuesConfig: {
    VALID: { description: '有效' },
    REVOKED: { description: '已作废' },
    EXPIRED: { description: '已过期' },
  },
});

@ObjectType('Certificate', { description: '个人数字证书' })
export class CertificateType {
  @Field() serialNumber!: string;
  @Field() subject!: string;
  @Field() notBefore!: Date;
  @Field() notAfter!: Date;
  @Field(() => CertificateStatus) status!: keyof typeof CertificateStatus;
  @Field({ description: 'PEM, for the browser to put into its PKCS#12' }) pem!: string;
  @Field(() => [String], { description: 'issuing chain, PEM, leaf excluded' }) chainPem!: string[];
}
