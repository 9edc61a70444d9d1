import { decimal, drawAmount, drawShare, minor, payouts, percentBps } from '../../bench/chaos/lifecycles/money';

/** The lifecycles' own arithmetic, against figures worked out by hand and seen on chain in the e2e suites. */
test('decimal strings and minor units both ways, as the API writes them', () => {
  expect([minor('12.5'), minor('0.0000001'), minor('40')]).toEqual([125_000_000n, 1n, 400_000_000n]);
  expect([decimal(125_000_000n), decimal(1n), decimal(400_000_000n), decimal(0n)]).toEqual(['12.5', '0.0000001', '40', '0']);
  expect(() => minor('1.00000001')).toThrow('not an amount');
  expect(() => minor('-1')).toThrow('not an amount');
  expect(percentBps('2.5')).toBe(250n);
});

test('escrow payouts: a 24/16 split of 40 at 2.5% is 23.328 and 15.552 with fees 1 and 0.12; a release of 10 is 9.72', () => {
  const [seller, buyer] = payouts([minor('24'), minor('16')], 250n);
  expect([seller, buyer].map((p) => [decimal(p!.net), decimal(p!.platform), decimal(p!.protocol)])).toEqual([
    ['23.328', '0.6', '0.072'],
    ['15.552', '0.4', '0.048'],
  ]);
  expect(payouts([minor('10'), 0n], 250n)).toEqual([
    { net: minor('9.72'), platform: minor('0.25'), protocol: minor('0.03') },
    { net: 0n, platform: 0n, protocol: 0n },
  ]);
  // Fees on the total, rounded down, then shared pro rata and rounded down again: 0.0000003 at 0.3% is no fee at all.
  expect(payouts([2n, 1n], 0n)).toEqual([
    { net: 2n, platform: 0n, protocol: 0n },
    { net: 1n, platform: 0n, protocol: 0n },
  ]);
});

test('drawn amounts stay within their bounds with the decimals asked, and a share is strictly inside its total', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  for (let i = 0; i < 500; i++) {
    const cents = drawAmount(random, '1', '100', 2);
    expect(cents).toMatch(/^\d+(\.\d{1,2})?$/);
    expect(minor(cents) >= minor('1') && minor(cents) <= minor('100')).toBe(true);
    const total = minor(drawAmount(random, '0.0000002', '50'));
    const share = drawShare(random, total);
    expect(share > 0n && share < total).toBe(true);
  }
});
