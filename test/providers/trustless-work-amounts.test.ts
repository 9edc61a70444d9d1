import { fromWireAmount, percentOf, toWireAmount } from '../../src/providers/trustless-work/amounts';

/** src/providers/trustless-work/amounts.ts: JSON numbers on the wire (SDK types.payload.ts), exact stroops inside. */
describe('amounts on the Trustless Work wire', () => {
  test('stroops become the JSON number of their decimal text, and read back exactly', () => {
    for (const [stroops, n] of [
      [1n, 0.0000001],
      [10_000_001n, 1.0000001],
      [1_000_000_000n, 100],
      [999_999_999_999_999n, 99_999_999.9999999],
    ] as const) {
      expect(toWireAmount(stroops)).toBe(n);
      expect(fromWireAmount(n)).toBe(stroops);
    }
    expect(JSON.stringify({ amount: toWireAmount(1n) })).toBe('{"amount":1e-7}');
  });

  test('decimal strings from a read model are read exactly; anything inexact, beyond 7 decimals or not a number is null', () => {
    expect(fromWireAmount('100')).toBe(1_000_000_000n);
    expect(fromWireAmount('0.6000001')).toBe(6_000_001n);
    expect(fromWireAmount('1.50000000')).toBe(15_000_000n);
    expect(fromWireAmount(1.12345678)).toBeNull();
    expect(fromWireAmount('1.12345678')).toBeNull();
    expect(fromWireAmount(1e-8)).toBeNull();
    expect(fromWireAmount(Number.NaN)).toBeNull();
    expect(fromWireAmount('1e3')).toBeNull();
    expect(fromWireAmount(null)).toBeNull();
  });

  test('an amount no double holds exactly is refused rather than rounded, as a final PROVIDER_ERROR: 12 345 678 901.2345671', () => {
    let refused: unknown;
    try {
      toWireAmount(123_456_789_012_345_671n);
    } catch (err) {
      refused = err;
    }
    expect(refused).toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'trustless_work', amount: '12345678901.2345671' } });
  });

  test('basis points become the percent number of platformFee: 250 → 2.5, 0 → 0, 5 → 0.05', () => {
    expect([percentOf(250n), percentOf(0n), percentOf(5n)]).toEqual([2.5, 0, 0.05]);
  });
});
