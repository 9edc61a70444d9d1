import { Asset, Claimant, Keypair, Operation, xdr } from '@stellar/stellar-sdk';
import {
  assetBalance,
  buildTx,
  funded,
  getJson,
  startTestSandbox,
  submitExpectingFailure,
  tempDir,
  trustUsdc,
  usdcFaucet,
  type TestSandbox,
} from './helpers';

/**
 * Claimable balances against the sandbox, built with the real @stellar/stellar-sdk. The oracles are the SDK's own
 * (Transaction.getClaimableBalanceId for the id stellar-core derives, Claimant's predicate builders) and the codes of
 * stellar-core's CreateClaimableBalanceOpFrame.cpp / ClaimClaimableBalanceOpFrame.cpp as Horizon spells them.
 */

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox();
});

afterAll(async () => {
  await t?.stop();
});

const nowEpoch = () => Math.floor(Date.now() / 1000);
const before = (epoch: number) => Claimant.predicateBeforeAbsoluteTime(String(epoch));

async function usdcHolder(amount: string): Promise<Keypair> {
  const kp = await funded(t);
  await trustUsdc(t, kp);
  expect((await usdcFaucet(t, kp.publicKey(), amount)).status).toBe(200);
  return kp;
}

async function account(id: string, sandbox: TestSandbox = t): Promise<any> {
  return (await getJson(`${sandbox.sandbox.url}/accounts/${id}`)).body;
}

/** Creates a USDC balance of `amount` for the claimants; answers the id the SDK derives and the submission. */
async function createBalance(source: Keypair, amount: string, claimants: Claimant[]): Promise<{ id: string; result: any }> {
  const tx = await buildTx(t, source, [Operation.createClaimableBalance({ asset: t.usdc, amount, claimants })], [source]);
  const result = await t.server.submitTransaction(tx);
  return { id: tx.getClaimableBalanceId(0), result };
}

async function claim(claimant: Keypair, balanceId: string) {
  const tx = await buildTx(t, claimant, [Operation.claimClaimableBalance({ balanceId })], [claimant]);
  return tx;
}

describe('create_claimable_balance', () => {
  test('locks the amount under the id stellar-core derives (sha256 of the OP_ID preimage), sponsored by the creator per claimant', async () => {
    const merchant = await usdcHolder('100');
    const buyer = await funded(t);
    const expiry = nowEpoch() + 3600;
    const { id, result } = await createBalance(merchant, '25', [
      new Claimant(buyer.publicKey(), before(expiry)),
      new Claimant(merchant.publicKey(), Claimant.predicateNot(before(expiry))),
    ]);

    const opResult = xdr.TransactionResult.fromXDR(result.result_xdr, 'base64').result().results()[0]!;
    const created = opResult.tr().createClaimableBalanceResult();
    expect(created.switch().name).toBe('createClaimableBalanceSuccess');
    expect(created.balanceId().toXDR('hex')).toBe(id);

    expect(await assetBalance(t, merchant.publicKey(), t.usdc)).toBe('75.0000000');
    expect((await account(merchant.publicKey())).num_sponsoring).toBe(2);

    const cb = await getJson(`${t.sandbox.url}/claimable_balances/${id}`);
    expect(cb.status).toBe(200);
    expect(cb.body).toMatchObject({
      id,
      asset: `USDC:${t.usdc.getIssuer()}`,
      amount: '25.0000000',
      sponsor: merchant.publicKey(),
      flags: { clawback_enabled: false },
      claimants: [
        { destination: buyer.publicKey(), predicate: { abs_before_epoch: String(expiry) } },
        { destination: merchant.publicKey(), predicate: { not: { abs_before_epoch: String(expiry) } } },
      ],
    });
    expect(cb.body.claimants[0].predicate.abs_before).toBe(new Date(expiry * 1000).toISOString().replace('.000Z', 'Z'));
    expect(cb.body.paging_token).toBe(`${cb.body.last_modified_ledger}-${id}`);

    const sdkRecord = await t.server.claimableBalances().claimableBalance(id).call();
    expect(sdkRecord.amount).toBe('25.0000000');
    const byClaimant = await t.server.claimableBalances().claimant(buyer.publicKey()).call();
    expect(byClaimant.records.map((r) => r.id)).toEqual([id]);
    const bySponsor = await t.server.claimableBalances().sponsor(merchant.publicKey()).call();
    expect(bySponsor.records.map((r) => r.id)).toEqual([id]);

    const ops = await t.server.operations().forAccount(merchant.publicKey()).order('desc').limit(1).call();
    expect(ops.records[0]).toMatchObject({
      type: 'create_claimable_balance',
      type_i: 14,
      asset: `USDC:${t.usdc.getIssuer()}`,
      amount: '25.0000000',
      claimants: [
        { destination: buyer.publicKey(), predicate: { abs_before_epoch: String(expiry) } },
        { destination: merchant.publicKey(), predicate: { not: { abs_before_epoch: String(expiry) } } },
      ],
    });
    // The buyer is a participant: the operation is in its history too.
    const buyerOps = await t.server.operations().forAccount(buyer.publicKey()).order('desc').limit(1).call();
    expect(buyerOps.records[0]!.type).toBe('create_claimable_balance');
  });

  test('a relative predicate is stored as absolute: the close time of its ledger plus the seconds', async () => {
    const merchant = await usdcHolder('10');
    const buyer = await funded(t);
    const { id, result } = await createBalance(merchant, '1', [
      new Claimant(buyer.publicKey(), Claimant.predicateBeforeRelativeTime('600')),
    ]);
    const ledger = await t.server.ledgers().ledger(result.ledger).call();
    const closeTime = Math.floor(Date.parse((ledger as unknown as { closed_at: string }).closed_at) / 1000);
    const cb = await getJson(`${t.sandbox.url}/claimable_balances/${id}`);
    expect(cb.body.claimants[0].predicate).toEqual({
      abs_before: new Date((closeTime + 600) * 1000).toISOString().replace('.000Z', 'Z'),
      abs_before_epoch: String(closeTime + 600),
    });
  });

  test('refusals: op_malformed (duplicate claimant), op_underfunded, op_no_trust, op_low_reserve', async () => {
    const merchant = await usdcHolder('10');
    const buyer = await funded(t);
    const dup = await buildTx(
      t,
      merchant,
      [
        Operation.createClaimableBalance({
          asset: t.usdc,
          amount: '1',
          claimants: [new Claimant(buyer.publicKey()), new Claimant(buyer.publicKey())],
        }),
      ],
      [merchant],
    );
    expect((await submitExpectingFailure(t, dup)).data.extras!.result_codes!.operations).toEqual(['op_malformed']);

    const tooMuch = await buildTx(
      t,
      merchant,
      [Operation.createClaimableBalance({ asset: t.usdc, amount: '10.0000001', claimants: [new Claimant(buyer.publicKey())] })],
      [merchant],
    );
    expect((await submitExpectingFailure(t, tooMuch)).data.extras!.result_codes!.operations).toEqual(['op_underfunded']);

    const noLine = await buildTx(
      t,
      buyer,
      [Operation.createClaimableBalance({ asset: t.usdc, amount: '1', claimants: [new Claimant(merchant.publicKey())] })],
      [buyer],
    );
    expect((await submitExpectingFailure(t, noLine)).data.extras!.result_codes!.operations).toEqual(['op_no_trust']);

    // 1.5 XLM: after 0.1 XLM is locked, 0.4 XLM is above the 1 XLM minimum; two claimants need 1 XLM of reserve.
    const poor = Keypair.random();
    await t.server.submitTransaction(
      await buildTx(t, merchant, [Operation.createAccount({ destination: poor.publicKey(), startingBalance: '1.5' })], [merchant]),
    );
    const lowReserve = await buildTx(
      t,
      poor,
      [
        Operation.createClaimableBalance({
          asset: Asset.native(),
          amount: '0.1',
          claimants: [new Claimant(buyer.publicKey()), new Claimant(merchant.publicKey())],
        }),
      ],
      [poor],
    );
    expect((await submitExpectingFailure(t, lowReserve)).data.extras!.result_codes!.operations).toEqual(['op_low_reserve']);
  });
});

test('inside begin/end sponsoring the sponsor carries the reserve (the source needs no XLM above its own) and gets it back at the claim', async () => {
  const platform = await funded(t);
  const merchant = await usdcHolder('10');
  const buyer = await funded(t);
  await trustUsdc(t, buyer);
  const tx = await buildTx(
    t,
    merchant,
    [
      Operation.beginSponsoringFutureReserves({ sponsoredId: merchant.publicKey(), source: platform.publicKey() }),
      Operation.createClaimableBalance({
        asset: t.usdc,
        amount: '2',
        claimants: [new Claimant(buyer.publicKey()), new Claimant(merchant.publicKey())],
      }),
      Operation.endSponsoringFutureReserves({}),
    ],
    [merchant, platform],
  );
  await t.server.submitTransaction(tx);
  const id = tx.getClaimableBalanceId(1);
  expect((await getJson(`${t.sandbox.url}/claimable_balances/${id}`)).body.sponsor).toBe(platform.publicKey());
  expect((await account(platform.publicKey())).num_sponsoring).toBe(2);
  expect((await account(merchant.publicKey())).num_sponsoring).toBe(0);
  await t.server.submitTransaction(await claim(buyer, id));
  expect((await account(platform.publicKey())).num_sponsoring).toBe(0);
});

describe('claim_claimable_balance', () => {
  test('the claimant whose predicate holds at the close time takes it; the other is op_cannot_claim; reserves are released', async () => {
    const merchant = await usdcHolder('50');
    const buyer = await funded(t);
    await trustUsdc(t, buyer);
    const expiry = nowEpoch() + 3600;
    const { id } = await createBalance(merchant, '20', [
      new Claimant(buyer.publicKey(), before(expiry)),
      new Claimant(merchant.publicKey(), Claimant.predicateNot(before(expiry))),
    ]);

    const early = await submitExpectingFailure(t, await claim(merchant, id));
    expect(early.data.extras!.result_codes!.operations).toEqual(['op_cannot_claim']);

    await t.server.submitTransaction(await claim(buyer, id));
    expect(await assetBalance(t, buyer.publicKey(), t.usdc)).toBe('20.0000000');
    expect((await getJson(`${t.sandbox.url}/claimable_balances/${id}`)).status).toBe(404);
    expect((await account(merchant.publicKey())).num_sponsoring).toBe(0);

    const ops = await t.server.operations().forAccount(buyer.publicKey()).order('desc').limit(1).call();
    expect(ops.records[0]).toMatchObject({ type: 'claim_claimable_balance', type_i: 15, balance_id: id, claimant: buyer.publicKey() });

    const again = await submitExpectingFailure(t, await claim(buyer, id));
    expect(again.data.extras!.result_codes!.operations).toEqual(['op_does_not_exist']);
  });

  test('after the deadline the merchant reclaims (not before_absolute_time), the buyer cannot', async () => {
    const merchant = await usdcHolder('10');
    const buyer = await funded(t);
    await trustUsdc(t, buyer);
    const past = nowEpoch() - 5;
    const { id } = await createBalance(merchant, '4', [
      new Claimant(buyer.publicKey(), before(past)),
      new Claimant(merchant.publicKey(), Claimant.predicateNot(before(past))),
    ]);
    expect((await submitExpectingFailure(t, await claim(buyer, id))).data.extras!.result_codes!.operations).toEqual(['op_cannot_claim']);
    await t.server.submitTransaction(await claim(merchant, id));
    expect(await assetBalance(t, merchant.publicKey(), t.usdc)).toBe('10.0000000');
  });

  test('and / or / not / unconditional are evaluated as stellar-core does', async () => {
    const merchant = await usdcHolder('10');
    const a = await funded(t);
    const b = await funded(t);
    const c = await funded(t);
    for (const kp of [a, b, c]) await trustUsdc(t, kp);
    const past = nowEpoch() - 60;
    const future = nowEpoch() + 3600;
    const { id } = await createBalance(merchant, '3', [
      // or(before(past), not(before(future))): neither holds now.
      new Claimant(a.publicKey(), Claimant.predicateOr(before(past), Claimant.predicateNot(before(future)))),
      // and(not(before(past)), before(future)): both hold now.
      new Claimant(b.publicKey(), Claimant.predicateAnd(Claimant.predicateNot(before(past)), before(future))),
      new Claimant(c.publicKey(), Claimant.predicateUnconditional()),
    ]);
    expect((await submitExpectingFailure(t, await claim(a, id))).data.extras!.result_codes!.operations).toEqual(['op_cannot_claim']);
    await t.server.submitTransaction(await claim(b, id));
    expect(await assetBalance(t, b.publicKey(), t.usdc)).toBe('3.0000000');
  });

  test('a claimant without a trustline is op_no_trust; an unknown id op_does_not_exist; a non-claimant op_cannot_claim', async () => {
    const merchant = await usdcHolder('10');
    const buyer = await funded(t);
    const stranger = await funded(t);
    const { id } = await createBalance(merchant, '2', [new Claimant(buyer.publicKey())]);
    expect((await submitExpectingFailure(t, await claim(buyer, id))).data.extras!.result_codes!.operations).toEqual(['op_no_trust']);
    expect((await submitExpectingFailure(t, await claim(stranger, id))).data.extras!.result_codes!.operations).toEqual(['op_cannot_claim']);
    const unknown = `00000000${'ab'.repeat(32)}`;
    expect((await submitExpectingFailure(t, await claim(buyer, unknown))).data.extras!.result_codes!.operations).toEqual([
      'op_does_not_exist',
    ]);
  });
});

describe('persistence', () => {
  test('a claimable balance survives a restart with its claimants, predicates and sponsor, and can be claimed after it', async () => {
    const dir = tempDir();
    const first = await startTestSandbox({ dir });
    const merchant = await funded(first);
    await trustUsdc(first, merchant);
    await usdcFaucet(first, merchant.publicKey(), '10');
    const buyer = await funded(first);
    await trustUsdc(first, buyer);
    const expiry = nowEpoch() + 3600;
    const tx = await buildTx(
      first,
      merchant,
      [Operation.createClaimableBalance({ asset: first.usdc, amount: '6', claimants: [new Claimant(buyer.publicKey(), before(expiry))] })],
      [merchant],
    );
    await first.server.submitTransaction(tx);
    const id = tx.getClaimableBalanceId(0);
    const shown = (await getJson(`${first.sandbox.url}/claimable_balances/${id}`)).body;
    await first.stop();

    const second = await startTestSandbox({ dir });
    try {
      expect((await getJson(`${second.sandbox.url}/claimable_balances/${id}`)).body).toEqual({ ...shown, _links: expect.any(Object) });
      const claimTx = await buildTx(second, buyer, [Operation.claimClaimableBalance({ balanceId: id })], [buyer]);
      await second.server.submitTransaction(claimTx);
      expect(await assetBalance(second, buyer.publicKey(), second.usdc)).toBe('6.0000000');
      expect((await account(merchant.publicKey(), second)).num_sponsoring).toBe(0);
    } finally {
      await second.stop();
    }
  });
});
