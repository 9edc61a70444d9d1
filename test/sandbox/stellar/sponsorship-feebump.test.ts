import { Asset, FeeBumpTransaction, Keypair, Operation, TransactionBuilder, xdr, type Transaction } from '@stellar/stellar-sdk';
import {
  assetBalance,
  buildTx,
  funded,
  getJson,
  nativeBalance,
  startTestSandbox,
  submitExpectingFailure,
  trustUsdc,
  usdcFaucet,
  type TestSandbox,
} from './helpers';

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox();
});

afterAll(async () => {
  await t?.stop();
});

/** The wallet pattern: the platform creates the user's account with sponsored reserves and a USDC trustline. */
async function sponsoredWallet(platform: Keypair): Promise<{ user: Keypair; tx: Transaction }> {
  const user = Keypair.random();
  const tx = await buildTx(
    t,
    platform,
    [
      Operation.beginSponsoringFutureReserves({ sponsoredId: user.publicKey() }),
      Operation.createAccount({ destination: user.publicKey(), startingBalance: '0' }),
      Operation.changeTrust({ asset: t.usdc, source: user.publicKey() }),
      Operation.endSponsoringFutureReserves({ source: user.publicKey() }),
    ],
    [platform, user],
  );
  await t.server.submitTransaction(tx);
  return { user, tx };
}

function feeBump(platform: Keypair, inner: Transaction, baseFee = '100'): FeeBumpTransaction {
  const fb = TransactionBuilder.buildFeeBumpTransaction(platform, baseFee, inner, t.sandbox.networkPassphrase);
  fb.sign(platform);
  return fb;
}

describe('sponsored reserves', () => {
  test('a sponsored account with a USDC trustline holds 0 XLM; the sponsor carries its reserves', async () => {
    const platform = await funded(t);
    const { user } = await sponsoredWallet(platform);

    const acc = await t.server.loadAccount(user.publicKey());
    expect(acc.balances).toEqual([
      expect.objectContaining({
        asset_code: 'USDC',
        asset_issuer: t.usdc.getIssuer(),
        balance: '0.0000000',
        sponsor: platform.publicKey(),
      }),
      { balance: '0.0000000', buying_liabilities: '0.0000000', selling_liabilities: '0.0000000', asset_type: 'native' },
    ]);
    expect(acc.sponsor).toBe(platform.publicKey());
    expect(acc.num_sponsored).toBe(3);
    expect(acc.num_sponsoring).toBe(0);
    expect(acc.subentry_count).toBe(1);

    const sponsor = await t.server.loadAccount(platform.publicKey());
    expect(sponsor.num_sponsoring).toBe(3);
    expect(sponsor.num_sponsored).toBe(0);
    // 4 operations at 100 stroops; the reserves stay in the sponsor's balance, locked.
    expect(await nativeBalance(t, platform.publicKey())).toBe('9999.9999600');

    // The operation records name the sponsor, as Horizon's do.
    const ops = await t.server.operations().forAccount(user.publicKey()).call();
    expect(ops.records.map((o) => o.type)).toEqual([
      'begin_sponsoring_future_reserves',
      'create_account',
      'change_trust',
      'end_sponsoring_future_reserves',
    ]);
    expect((ops.records[1] as unknown as { sponsor: string }).sponsor).toBe(platform.publicKey());
    expect((ops.records[3] as unknown as { begin_sponsor: string }).begin_sponsor).toBe(platform.publicKey());

    // Horizon's account filters find it: by sponsor, by asset, by signer.
    expect((await t.server.accounts().sponsor(platform.publicKey()).call()).records.map((r) => r.id)).toEqual([user.publicKey()]);
    expect((await t.server.accounts().forAsset(t.usdc).limit(200).call()).records.map((r) => r.id)).toContain(user.publicKey());
    expect((await t.server.accounts().forSigner(user.publicKey()).call()).records.map((r) => r.id)).toEqual([user.publicKey()]);
  });

  test('the USDC faucet pays into the sponsored trustline; without a trustline it fails with op_no_trust', async () => {
    const platform = await funded(t);
    const { user } = await sponsoredWallet(platform);
    const paid = await usdcFaucet(t, user.publicKey(), '100');
    expect(paid.status).toBe(200);
    expect(paid.body.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(paid.body.successful).toBe(true);
    expect(await assetBalance(t, user.publicKey(), t.usdc)).toBe('100.0000000');
    // Paid by the issuer (the operation's source) through a faucet minion (the transaction's source, as friendbot does).
    const ops = await t.server.operations().forTransaction(paid.body.hash).call();
    expect(ops.records.map((o) => [o.type, o.source_account])).toEqual([['payment', t.usdc.getIssuer()]]);

    const bare = await funded(t);
    const refused = await usdcFaucet(t, bare.publicKey(), '1');
    expect(refused.status).toBe(400);
    expect(refused.body.extras.result_codes).toEqual({ transaction: 'tx_failed', operations: ['op_no_trust'] });
    const missing = await usdcFaucet(t, Keypair.random().publicKey(), '1');
    expect(missing.body.extras.result_codes).toEqual({ transaction: 'tx_failed', operations: ['op_no_destination'] });
    const invalid = await usdcFaucet(t, user.publicKey(), '1.00000001');
    expect(invalid.status).toBe(400);
    expect(invalid.body.extras.invalid_field).toBe('amount');
  });

  test('an unmatched begin sponsoring fails with tx_bad_sponsorship and still consumes sequence and fee', async () => {
    const platform = await funded(t);
    const other = await funded(t);
    const before = await t.server.loadAccount(platform.publicKey());
    const tx = await buildTx(t, platform, [Operation.beginSponsoringFutureReserves({ sponsoredId: other.publicKey() })], [platform]);
    const failure = await submitExpectingFailure(t, tx);
    expect(failure.data.extras!.result_codes).toEqual({ transaction: 'tx_bad_sponsorship' });
    expect(xdr.TransactionResult.fromXDR(failure.data.extras!.result_xdr!, 'base64').result().switch().name).toBe('txBadSponsorship');
    const after = await t.server.loadAccount(platform.publicKey());
    expect(BigInt(after.sequence)).toBe(BigInt(before.sequence) + 1n);
    expect(after.num_sponsoring).toBe(0);
    expect(await nativeBalance(t, platform.publicKey())).toBe('9999.9999900');
  });

  test('begin twice: op_already_sponsored; end without begin: op_not_sponsored', async () => {
    const platform = await funded(t);
    const other = await funded(t);
    const twice = await buildTx(
      t,
      platform,
      [
        Operation.beginSponsoringFutureReserves({ sponsoredId: other.publicKey() }),
        Operation.beginSponsoringFutureReserves({ sponsoredId: other.publicKey() }),
        Operation.endSponsoringFutureReserves({ source: other.publicKey() }),
      ],
      [platform, other],
    );
    expect((await submitExpectingFailure(t, twice)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_success', 'op_already_sponsored', 'op_success'],
    });
    const endOnly = await buildTx(t, other, [Operation.endSponsoringFutureReserves({})], [other]);
    expect((await submitExpectingFailure(t, endOnly)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_not_sponsored'],
    });
  });

  test('a sponsor without the reserve: op_low_reserve', async () => {
    const funder = await funded(t);
    const poor = Keypair.random();
    await t.server.submitTransaction(
      await buildTx(t, funder, [Operation.createAccount({ destination: poor.publicKey(), startingBalance: '1.5' })], [funder]),
    );
    const user = Keypair.random();
    const tx = await buildTx(
      t,
      poor,
      [
        Operation.beginSponsoringFutureReserves({ sponsoredId: user.publicKey() }),
        Operation.createAccount({ destination: user.publicKey(), startingBalance: '0' }),
        Operation.endSponsoringFutureReserves({ source: user.publicKey() }),
      ],
      [poor, user],
    );
    expect((await submitExpectingFailure(t, tx)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      // The account was not created, so the closing operation has no source account.
      operations: ['op_success', 'op_low_reserve', 'op_no_source_account'],
    });
  });

  test('removing a sponsored trustline returns the reserve to the sponsor', async () => {
    const platform = await funded(t);
    const { user } = await sponsoredWallet(platform);
    const inner = await buildTx(t, user, [Operation.changeTrust({ asset: t.usdc, limit: '0' })], [user]);
    await t.server.submitTransaction(feeBump(platform, inner));
    const acc = await t.server.loadAccount(user.publicKey());
    expect(acc.balances).toHaveLength(1);
    expect(acc.num_sponsored).toBe(2);
    expect(acc.subentry_count).toBe(0);
    expect((await t.server.loadAccount(platform.publicKey())).num_sponsoring).toBe(2);
  });
});

describe('fee-bump transactions', () => {
  test("the platform pays the fee of a 0-XLM account's payment", async () => {
    const platform = await funded(t);
    const { user } = await sponsoredWallet(platform);
    const merchant = await funded(t);
    await trustUsdc(t, merchant);
    await usdcFaucet(t, user.publicKey(), '100');
    const platformBefore = await nativeBalance(t, platform.publicKey());

    const inner = await buildTx(t, user, [Operation.payment({ destination: merchant.publicKey(), asset: t.usdc, amount: '40' })], [user]);
    // Without the bump, the user cannot pay the fee.
    expect((await submitExpectingFailure(t, inner)).data.extras!.result_codes).toEqual({ transaction: 'tx_insufficient_balance' });

    const fb = feeBump(platform, inner);
    const res = await t.server.submitTransaction(fb);
    expect(res.successful).toBe(true);
    expect(res.hash).toBe(fb.hash().toString('hex'));
    const result = xdr.TransactionResult.fromXDR(res.result_xdr, 'base64');
    expect(result.result().switch().name).toBe('txFeeBumpInnerSuccess');
    expect(result.result().innerResultPair().transactionHash().toString('hex')).toBe(inner.hash().toString('hex'));
    expect(result.feeCharged().toString()).toBe('200');

    expect(await assetBalance(t, user.publicKey(), t.usdc)).toBe('60.0000000');
    expect(await assetBalance(t, merchant.publicKey(), t.usdc)).toBe('40.0000000');
    expect(await nativeBalance(t, user.publicKey())).toBe('0.0000000');
    expect(BigInt(platformBefore.replace('.', '')) - BigInt((await nativeBalance(t, platform.publicKey())).replace('.', ''))).toBe(200n);

    const byOuter = await getJson(`${t.sandbox.url}/transactions/${fb.hash().toString('hex')}`);
    expect(byOuter.body).toMatchObject({
      hash: fb.hash().toString('hex'),
      source_account: user.publicKey(),
      fee_account: platform.publicKey(),
      fee_charged: '200',
      max_fee: '200',
      fee_bump_transaction: { hash: fb.hash().toString('hex') },
      inner_transaction: { hash: inner.hash().toString('hex'), max_fee: '100' },
    });
    const byInner = await getJson(`${t.sandbox.url}/transactions/${inner.hash().toString('hex')}`);
    expect(byInner.body.hash).toBe(inner.hash().toString('hex'));
    expect(byInner.body.ledger).toBe(byOuter.body.ledger);

    // The inner envelope on its own is now a spent sequence number.
    expect((await submitExpectingFailure(t, inner)).data.extras!.result_codes).toEqual({ transaction: 'tx_bad_seq' });
  });

  test('an inner failure: tx_fee_bump_inner_failed with the inner codes; sequence and fee consumed', async () => {
    const platform = await funded(t);
    const { user } = await sponsoredWallet(platform);
    const merchant = await funded(t);
    await trustUsdc(t, merchant);
    const before = await t.server.loadAccount(user.publicKey());
    const inner = await buildTx(t, user, [Operation.payment({ destination: merchant.publicKey(), asset: t.usdc, amount: '1' })], [user]);
    const failure = await submitExpectingFailure(t, feeBump(platform, inner));
    expect(failure.data.extras!.result_codes).toEqual({
      transaction: 'tx_fee_bump_inner_failed',
      inner_transaction: 'tx_failed',
      operations: ['op_underfunded'],
    });
    expect(BigInt((await t.server.loadAccount(user.publicKey())).sequence)).toBe(BigInt(before.sequence) + 1n);

    // An inner transaction that is invalid (bad sequence) is refused as a whole, nothing charged.
    const platformBalance = await nativeBalance(t, platform.publicKey());
    const stale = await buildTx(t, user, [Operation.payment({ destination: merchant.publicKey(), asset: t.usdc, amount: '2' })], [user], {
      sequence: before.sequence,
    });
    expect((await submitExpectingFailure(t, feeBump(platform, stale))).data.extras!.result_codes).toEqual({
      transaction: 'tx_fee_bump_inner_failed',
      inner_transaction: 'tx_bad_seq',
    });
    expect(await nativeBalance(t, platform.publicKey())).toBe(platformBalance);
  });

  test('a fee-bump fee below (operations + 1) x 100: tx_insufficient_fee; unsigned by the fee source: tx_bad_auth', async () => {
    const platform = await funded(t);
    const user = await funded(t);
    const inner = await buildTx(
      t,
      user,
      [Operation.payment({ destination: platform.publicKey(), asset: Asset.native(), amount: '1' })],
      [user],
    );
    const env = TransactionBuilder.buildFeeBumpTransaction(platform, '100', inner, t.sandbox.networkPassphrase).toEnvelope();
    env.feeBump().tx().fee(xdr.Int64.fromString('150'));
    const low = new FeeBumpTransaction(env, t.sandbox.networkPassphrase);
    low.sign(platform);
    expect((await submitExpectingFailure(t, low)).data.extras!.result_codes).toEqual({ transaction: 'tx_insufficient_fee' });

    const unsigned = TransactionBuilder.buildFeeBumpTransaction(platform, '100', inner, t.sandbox.networkPassphrase);
    unsigned.sign(user);
    expect((await submitExpectingFailure(t, unsigned)).data.extras!.result_codes).toEqual({ transaction: 'tx_bad_auth' });
  });
});
