import { newSessionToken } from './auth.service';

describe('session tokens', () => {
  it('never start like a partner API key (kh_), which would be looked up as a key and refused', () => {
    // base64url of 0x92 0x1f 0xff… begins with "kh_": the first draw is refused, the second kept
    const draws = [Buffer.concat([Buffer.from([0x92, 0x1f, 0xff]), Buffer.alloc(29, 1)]), Buffer.alloc(32, 7)];
    expect(draws[0]!.toString('base64url').startsWith('kh_')).toBe(true);
    let i = 0;
    const token = newSessionToken(() => draws[i++]!);
    expect(i).toBe(2);
    expect(token).toBe(Buffer.alloc(32, 7).toString('base64url'));
    expect(newSessionToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
