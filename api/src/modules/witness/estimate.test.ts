import { estimateSeconds } from './queue';

describe('the estimated wait', () => {
  it('is the witnesses ahead, including the customer, shared among the agents online', () => {
    expect(estimateSeconds(1, 1, 180)).toBe(180);
    expect(estimateSeconds(3, 1, 180)).toBe(540);
    // two agents take two customers per witness length
    expect(estimateSeconds(3, 2, 180)).toBe(360);
    expect(estimateSeconds(4, 2, 150.4)).toBe(301);
    // nobody online still gives an estimate (as if one agent), and no wait once called
    expect(estimateSeconds(2, 0, 200)).toBe(400);
    expect(estimateSeconds(0, 3, 200)).toBe(0);
  });
});
