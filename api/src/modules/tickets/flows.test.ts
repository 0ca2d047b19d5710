import { BUSINESSES as FLOWS, BUSINESS_TYPES } from '@kaihu/domain';
import { currentStepOf, initialSteps, withCertificateSteps } from './flows';

describe('business flows as data', () => {
  it('end every business with AGREEMENTS then SUBMITTED', () => {
    for (const b of BUSINESS_TYPES) {
      const steps = FLOWS[b].steps;
      expect(steps[steps.length - 1]).toBe('SUBMITTED');
      expect(steps[steps.length - 2] === 'AGREEMENTS' || steps[steps.length - 2] === 'RETURN_VISIT').toBe(true);
      expect(new Set(steps).size).toBe(steps.length);
    }
  });

  it('follow the design table for the four seed businesses', () => {
    expect(FLOWS.UPDATE_ID_VALIDITY.steps).toEqual(['DOCUMENTS', 'ID_VALIDITY', 'AGREEMENTS', 'SUBMITTED']);
    expect(FLOWS.UPDATE_CONTACT_PHONE.steps).toEqual(['DOCUMENTS', 'CONTACT_PHONE', 'AGREEMENTS', 'SUBMITTED']);
    expect(FLOWS.UPDATE_OTHER_INFO.steps).toEqual(['DOCUMENTS', 'OTHER_INFO', 'AGREEMENTS', 'SUBMITTED']);
    expect(FLOWS.RESET_PASSWORD.steps).toEqual([
      'DOCUMENTS',
      'OTHER_INFO',
      'VIDEO_WITNESS',
      'CERTIFICATE',
      'AGREEMENTS',
      'SUBMITTED',
    ]);
    expect(FLOWS.RESET_PASSWORD.freshCertificate).toBe(true);
  });

  it('computes the current step and inserts the certificate steps before AGREEMENTS', () => {
    const steps = initialSteps(FLOWS.UPDATE_OTHER_INFO.steps);
    expect(currentStepOf(steps)).toBe('DOCUMENTS');
    steps[0]!.done = true;
    expect(currentStepOf(steps)).toBe('OTHER_INFO');
    expect(withCertificateSteps(steps).map((s) => s.kind)).toEqual([
      'DOCUMENTS',
      'OTHER_INFO',
      'VIDEO_WITNESS',
      'CERTIFICATE',
      'AGREEMENTS',
      'SUBMITTED',
    ]);
    const reset = initialSteps(FLOWS.RESET_PASSWORD.steps);
    expect(withCertificateSteps(reset)).toEqual(reset);
  });

  it('puts a fresh witness and certificate before AGREEMENTS for 重新申请, resetting done ones', () => {
    const kinds = (steps: { kind: string }[]) => steps.map((s) => s.kind);
    const reset = initialSteps(FLOWS.RESET_PASSWORD.steps).map((s) => ({
      ...s,
      done: s.kind !== 'AGREEMENTS' && s.kind !== 'SUBMITTED',
    }));
    const redone = withCertificateSteps(reset, { redo: true });
    expect(kinds(redone)).toEqual([
      'DOCUMENTS',
      'OTHER_INFO',
      'VIDEO_WITNESS',
      'CERTIFICATE',
      'AGREEMENTS',
      'SUBMITTED',
    ]);
    expect(redone.filter((s) => !s.done).map((s) => s.kind)).toEqual([
      'VIDEO_WITNESS',
      'CERTIFICATE',
      'AGREEMENTS',
      'SUBMITTED',
    ]);
    expect(currentStepOf(redone)).toBe('VIDEO_WITNESS');
    // a business that had no certificate steps gets them
    const other = initialSteps(FLOWS.UPDATE_OTHER_INFO.steps).map((s) => ({
      ...s,
      done: s.kind === 'DOCUMENTS' || s.kind === 'OTHER_INFO',
    }));
    const added = withCertificateSteps(other, { redo: true });
    expect(kinds(added)).toEqual([
      'DOCUMENTS',
      'OTHER_INFO',
      'VIDEO_WITNESS',
      'CERTIFICATE',
      'AGREEMENTS',
      'SUBMITTED',
    ]);
    expect(currentStepOf(added)).toBe('VIDEO_WITNESS');
    // the input is left as it was
    expect(reset.find((s) => s.kind === 'CERTIFICATE')!.done).toBe(true);
  });
});
