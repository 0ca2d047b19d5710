/**
 * 安装数字证书: the browser makes the key pair and a PKCS#10 CSR; the broker's issuing CA signs it,
 * only after the ticket's witness passed. The certificate password never reaches the server.
 */
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../../common/errors';
import type { KaihuContext } from '../../../graphql/context';
import { requireApplicant } from '../../auth';
import { defineStep, type StepRun } from '../../tickets';
import { toCertificateType } from '../certificate.resolver';
import { CertificateType } from '../certificate.types';

export const certificateStep = defineStep({
  kind: 'CERTIFICATE',
  // asked before the step check: a certificate is never issued without a passed witness
  precondition: (ticket) => {
    if (!ticket.steps.some((s) => s.kind === 'VIDEO_WITNESS' && s.done) || !ticket.data.VIDEO_WITNESS)
      throw new KaihuError(ErrorCode.WITNESS_REQUIRED);
  },
  async collect({ em, ticket, input, services }: StepRun<{ csrPem: string }>): Promise<{ serialNumber: string }> {
    const name = await services.opening.applicantName(em, ticket);
    if (!name) throw new KaihuError(ErrorCode.NOT_FOUND, '申请人不存在');
    const cert = await services.certificates.issue(em, ticket, input.csrPem, name);
    return { serialNumber: cert.serialNumber };
  },
});

@Resolver()
export class CertificateStepResolver {
  @Mutation(() => CertificateType, {
    description: 'PKCS#10 CSR (PEM) generated in the browser; allowed after a passed witness',
  })
  async requestCertificate(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('csrPem', () => String) csrPem: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<CertificateType> {
    const { ticket, data } = await services.tickets.runOwnStep(
      em,
      requireApplicant(viewer),
      ticketId,
      certificateStep,
      {
        csrPem,
      },
    );
    const cert = await services.certificates.bySerial(em, ticket.customerId, data.serialNumber);
    return toCertificateType(em, cert, services.certificates);
  }
}
