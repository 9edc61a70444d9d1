import { bpsToPercent, payoutFees, percentToBps } from '../../src/escrow/fees';
import { feesOf } from '../../sandboxes/trustless-work';

test('the ledger books the fees the contract takes: 0.3% and the platform’s, each rounded down to the stroop', () => {
  expect(payoutFees(400_000_000n, 250n)).toEqual({ net: 388_800_000n, platform: 10_000_000n, protocol: 1_200_000n });
  expect(payoutFees(1n, 250n)).toEqual({ net: 1n, platform: 0n, protocol: 0n });
  expect(payoutFees(0n, 250n)).toEqual({ net: 0n, platform: 0n, protocol: 0n });
  // Same numbers as the sandbox contract for a spread of payouts and fees.
  for (const payout of [1n, 333n, 10_000n, 123_456_789n, 99_999_999_999n]) {
    for (const bps of [0n, 1n, 250n, 999n, 9_970n]) {
      const ours = payoutFees(payout, bps);
      const contract = feesOf(payout, bps);
      expect([payout, bps, ours.net, ours.platform, ours.protocol]).toEqual([
        payout,
        bps,
        contract.net,
        contract.platform,
        contract.protocol,
      ]);
    }
  }
});

test('platform fee percentages convert to basis points and back', () => {
  expect(['0', '2.5', '2.55', '10', '99.7'].map(percentToBps)).toEqual([0n, 250n, 255n, 1000n, 9970n]);
  expect([0n, 250n, 255n, 1000n, 5n].map(bpsToPercent)).toEqual(['0', '2.5', '2.55', '10', '0.05']);
  expect(() => percentToBps('2.555')).toThrow();
  expect(() => percentToBps('100')).toThrow();
});
