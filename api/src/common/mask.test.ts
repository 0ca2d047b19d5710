import { maskIdNumber, maskPhone } from './mask';

describe('masking personal data', () => {
  it('masks ID numbers as customers see them', () => {
    expect(maskIdNumber('110105198506123411')).toBe('110105********3411');
    expect(maskIdNumber('42010619920211005X')).toBe('420106********005X');
    expect(maskIdNumber('12345')).toBe('*****');
  });

  it('masks mobiles and landlines', () => {
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskPhone('010-62345678')).toBe('010-******78');
    expect(maskPhone('123')).toBe('***');
  });
});
