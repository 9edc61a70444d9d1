import { bpsToPercent, distributionFees, payoutFees, percentToBps } from '../../src/escrow/fees';

// Every expected number below is worked by hand from the contract's formula (Trustless-Work/
// trustlesswork-smart-contract-stellar, modules/fee/calculator.rs and modules/fee/distribution.rs; docs/trustless-work.md):
// fees on the total = ⌊total × 30 / 10 000⌋ and ⌊total × bps / 10 000⌋; each recipient's share = ⌊amount × fee / total⌋.

test('a release books the fees the contract takes on the whole amount: 0.3% and the platform’s, each rounded down', () => {
  // 40 USDC at 2.5%: 400 000 000 × 30 / 10 000 = 1 200 000; × 250 / 10 000 = 10 000 000.
  expect(payoutFees(400_000_000n, 250n)).toEqual({ net: 388_800_000n, platform: 10_000_000n, protocol: 1_200_000n });
  // 333 stroops at 9.99%: ⌊9 990 / 10 000⌋ = 0 protocol, ⌊332 667 / 10 000⌋ = 33 platform.
  expect(payoutFees(333n, 999n)).toEqual({ net: 300n, platform: 33n, protocol: 0n });
  expect(payoutFees(1n, 250n)).toEqual({ net: 1n, platform: 0n, protocol: 0n });
  expect(payoutFees(0n, 250n)).toEqual({ net: 0n, platform: 0n, protocol: 0n });
});

test('an uneven dispute split of an odd total: each side bears its rounded-down share of the fees on the total', () => {
  // 1.0000001 USDC at 2.5%, 6 000 001 stroops to the seller and 4 000 000 back to the buyer.
  // Fees on the total: ⌊10 000 001 × 30 / 10 000⌋ = 30 000; ⌊10 000 001 × 250 / 10 000⌋ = 250 000.
  // Seller: ⌊6 000 001 × 30 000 / 10 000 001⌋ = 18 000; ⌊6 000 001 × 250 000 / 10 000 001⌋ = 150 000.
  // Buyer:  ⌊4 000 000 × 30 000 / 10 000 001⌋ = 11 999; ⌊4 000 000 × 250 000 / 10 000 001⌋ = 99 999.
  const [seller, buyer] = distributionFees([6_000_001n, 4_000_000n], 250n);
  expect(seller).toEqual({ net: 5_832_001n, platform: 150_000n, protocol: 18_000n });
  expect(buyer).toEqual({ net: 3_888_002n, platform: 99_999n, protocol: 11_999n });
  // Every stroop of the total goes somewhere: the nets and the shares add up to it exactly.
  const paid = [seller!, buyer!].reduce((s, p) => s + p.net + p.platform + p.protocol, 0n);
  expect(paid).toBe(10_000_001n);
  // Per-payout fees (the older rule) would have taken 12 000 and 100 000 from the buyer: not what the contract does.
  expect(payoutFees(4_000_000n, 250n)).toEqual({ net: 3_888_000n, platform: 100_000n, protocol: 12_000n });
});

test('a dispute that refunds everything bears the fees on the total, and a zero part bears nothing', () => {
  // 40 USDC refunded whole at 2.5%: same as a release of 40 to the buyer.
  expect(distributionFees([0n, 400_000_000n], 250n)).toEqual([
    { net: 0n, platform: 0n, protocol: 0n },
    { net: 388_800_000n, platform: 10_000_000n, protocol: 1_200_000n },
  ]);
  // 3 stroops split 1/2 at 99.7%: fees on the total ⌊90/10 000⌋ = 0 and ⌊29 910/10 000⌋ = 2;
  // shares ⌊1 × 2 / 3⌋ = 0 and ⌊2 × 2 / 3⌋ = 1.
  expect(distributionFees([1n, 2n], 9_970n)).toEqual([
    { net: 1n, platform: 0n, protocol: 0n },
    { net: 1n, platform: 1n, protocol: 0n },
  ]);
});

test('platform fee percentages convert to basis points and back', () => {
  expect(['0', '2.5', '2.55', '10', '99.7'].map(percentToBps)).toEqual([0n, 250n, 255n, 1000n, 9970n]);
  expect([0n, 250n, 255n, 1000n, 5n].map(bpsToPercent)).toEqual(['0', '2.5', '2.55', '10', '0.05']);
  expect(() => percentToBps('2.555')).toThrow();
  expect(() => percentToBps('100')).toThrow();
});
