import { Asset, Keypair, Operation, TransactionBuilder, xdr } from '@stellar/stellar-sdk';
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

const pay = (destination: string, amount: string, asset: Asset = Asset.native()) => Operation.payment({ destination, asset, amount });

describe('POST /transactions: stellar-core validation and application', () => {
  test('a payment moves XLM, charges 100 stroops and bumps the sequence', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const before = await t.server.loadAccount(a.publicKey());
    const tx = await buildTx(t, a, [pay(b.publicKey(), '25.5')], [a]);
    const res = await t.server.submitTransaction(tx);
    expect(res.successful).toBe(true);
    expect(res.hash).toBe(tx.hash().toString('hex'));
    expect(res.ledger).toBeGreaterThan(0);
    expect(xdr.TransactionResult.fromXDR(res.result_xdr, 'base64').result().switch().name).toBe('txSuccess');

    expect(await nativeBalance(t, a.publicKey())).toBe('9974.4999900');
    expect(await nativeBalance(t, b.publicKey())).toBe('10025.5000000');
    const after = await t.server.loadAccount(a.publicKey());
    expect(BigInt(after.sequence)).toBe(BigInt(before.sequence) + 1n);
    expect(after.sequence_ledger).toBe(res.ledger);
  });

  test('a USDC payment between accounts with trustlines', async () => {
    const a = await funded(t);
    const b = await funded(t);
    await trustUsdc(t, a);
    await trustUsdc(t, b);
    expect((await usdcFaucet(t, a.publicKey(), '100')).status).toBe(200);
    await t.server.submitTransaction(await buildTx(t, a, [pay(b.publicKey(), '40', t.usdc)], [a]));
    expect(await assetBalance(t, a.publicKey(), t.usdc)).toBe('60.0000000');
    expect(await assetBalance(t, b.publicKey(), t.usdc)).toBe('40.0000000');
    const acc = await t.server.loadAccount(b.publicKey());
    expect(acc.subentry_count).toBe(1);
    const line = acc.balances.find((x) => x.asset_type === 'credit_alphanum4')!;
    expect(line).toMatchObject({
      asset_code: 'USDC',
      asset_issuer: t.usdc.getIssuer(),
      limit: '922337203685.4775807',
      buying_liabilities: '0.0000000',
      selling_liabilities: '0.0000000',
      is_authorized: true,
      is_authorized_to_maintain_liabilities: true,
    });
    expect(acc.balances[acc.balances.length - 1]!.asset_type).toBe('native');
  });

  test('bad sequence: tx_bad_seq, nothing charged', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const acc = await t.server.loadAccount(a.publicKey());
    const tx = await buildTx(t, a, [pay(b.publicKey(), '1')], [a], { sequence: (BigInt(acc.sequence) + 5n).toString() });
    const failure = await submitExpectingFailure(t, tx);
    expect(failure.status).toBe(400);
    expect(failure.data.type).toBe('https://stellar.org/horizon-errors/transaction_failed');
    expect(failure.data.title).toBe('Transaction Failed');
    expect(failure.data.extras!.result_codes).toEqual({ transaction: 'tx_bad_seq' });
    expect(failure.data.extras!.envelope_xdr).toBe(tx.toXDR());
    const result = xdr.TransactionResult.fromXDR(failure.data.extras!.result_xdr!, 'base64');
    expect(result.result().switch().name).toBe('txBadSeq');
    expect(await nativeBalance(t, a.publicKey())).toBe('10000.0000000');
    expect((await t.server.loadAccount(a.publicKey())).sequence).toBe(acc.sequence);
  });

  test('bad signature: tx_bad_auth (signed by another key, or for another network)', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const stranger = Keypair.random();
    const wrongKey = await buildTx(t, a, [pay(b.publicKey(), '1')], [stranger]);
    expect((await submitExpectingFailure(t, wrongKey)).data.extras!.result_codes).toEqual({ transaction: 'tx_bad_auth' });

    const unsigned = await buildTx(t, a, [pay(b.publicKey(), '1')], []);
    expect((await submitExpectingFailure(t, unsigned)).data.extras!.result_codes).toEqual({ transaction: 'tx_bad_auth' });

    const acc = await t.server.loadAccount(a.publicKey());
    const otherNetwork = new TransactionBuilder(acc, { fee: '100', networkPassphrase: 'Test SDF Network ; September 2015' })
      .addOperation(pay(b.publicKey(), '1'))
      .setTimeout(60)
      .build();
    otherNetwork.sign(a);
    expect((await submitExpectingFailure(t, otherNetwork)).data.extras!.result_codes).toEqual({ transaction: 'tx_bad_auth' });
    expect(await nativeBalance(t, a.publicKey())).toBe('10000.0000000');
  });

  test('an extra, unneeded signature: tx_bad_auth_extra', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const tx = await buildTx(t, a, [pay(b.publicKey(), '1')], [a, Keypair.random()]);
    expect((await submitExpectingFailure(t, tx)).data.extras!.result_codes).toEqual({ transaction: 'tx_bad_auth_extra' });
  });

  test('insufficient fee: tx_insufficient_fee (100 stroops per operation)', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const low = await buildTx(t, a, [pay(b.publicKey(), '1')], [a], { fee: '99' });
    expect((await submitExpectingFailure(t, low)).data.extras!.result_codes).toEqual({ transaction: 'tx_insufficient_fee' });
    // TransactionBuilder's fee is per operation: 60 x 2 operations = 120 < 200.
    const twoOps = await buildTx(t, a, [pay(b.publicKey(), '1'), pay(b.publicKey(), '1')], [a], { fee: '60' });
    expect(twoOps.fee).toBe('120');
    expect((await submitExpectingFailure(t, twoOps)).data.extras!.result_codes).toEqual({ transaction: 'tx_insufficient_fee' });
    expect(await nativeBalance(t, a.publicKey())).toBe('10000.0000000');
  });

  test('no source account: tx_no_source_account', async () => {
    const ghost = Keypair.random();
    const b = await funded(t);
    const tx = await buildTx(t, ghost.publicKey(), [pay(b.publicKey(), '1')], [ghost], { sequence: '1' });
    expect((await submitExpectingFailure(t, tx)).data.extras!.result_codes).toEqual({ transaction: 'tx_no_source_account' });
  });

  test('expired time bounds: tx_too_late', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const acc = await t.server.loadAccount(a.publicKey());
    const now = Math.floor(Date.now() / 1000);
    const tx = new TransactionBuilder(acc, {
      fee: '100',
      networkPassphrase: t.sandbox.networkPassphrase,
      timebounds: { minTime: 0, maxTime: now - 10 },
    })
      .addOperation(pay(b.publicKey(), '1'))
      .build();
    tx.sign(a);
    expect((await submitExpectingFailure(t, tx)).data.extras!.result_codes).toEqual({ transaction: 'tx_too_late' });
    const early = new TransactionBuilder(await t.server.loadAccount(a.publicKey()), {
      fee: '100',
      networkPassphrase: t.sandbox.networkPassphrase,
      timebounds: { minTime: now + 3600, maxTime: 0 },
    })
      .addOperation(pay(b.publicKey(), '1'))
      .build();
    early.sign(a);
    expect((await submitExpectingFailure(t, early)).data.extras!.result_codes).toEqual({ transaction: 'tx_too_early' });
  });

  test('underfunded: op_underfunded, and the failed transaction still consumes its sequence number and fee', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const before = await t.server.loadAccount(a.publicKey());
    // 10,000 XLM minus the 1 XLM minimum balance is spendable: 9,999.5 is more than that.
    const tx = await buildTx(t, a, [pay(b.publicKey(), '9999.5')], [a]);
    const failure = await submitExpectingFailure(t, tx);
    expect(failure.data.extras!.result_codes).toEqual({ transaction: 'tx_failed', operations: ['op_underfunded'] });
    expect(failure.data.extras!.hash).toBe(tx.hash().toString('hex'));
    const result = xdr.TransactionResult.fromXDR(failure.data.extras!.result_xdr!, 'base64');
    expect(result.result().switch().name).toBe('txFailed');
    expect(result.result().results()[0]!.tr().paymentResult().switch().name).toBe('paymentUnderfunded');

    const after = await t.server.loadAccount(a.publicKey());
    expect(BigInt(after.sequence)).toBe(BigInt(before.sequence) + 1n);
    expect(await nativeBalance(t, a.publicKey())).toBe('9999.9999900');
    expect(await nativeBalance(t, b.publicKey())).toBe('10000.0000000');

    const stored = await t.server.transactions().transaction(tx.hash().toString('hex')).call();
    expect(stored.successful).toBe(false);
    expect(stored.fee_charged).toBe('100');

    // The next transaction must use the following sequence number: the old one is gone.
    const ok = await buildTx(t, a, [pay(b.publicKey(), '1')], [a]);
    expect(ok.sequence).toBe((BigInt(before.sequence) + 2n).toString());
    expect((await t.server.submitTransaction(ok)).successful).toBe(true);
  });

  test('operations apply atomically: one failing operation undoes the others', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const ghost = Keypair.random().publicKey();
    const tx = await buildTx(t, a, [pay(b.publicKey(), '10'), pay(ghost, '10')], [a]);
    const failure = await submitExpectingFailure(t, tx);
    expect(failure.data.extras!.result_codes).toEqual({ transaction: 'tx_failed', operations: ['op_success', 'op_no_destination'] });
    expect(await nativeBalance(t, b.publicKey())).toBe('10000.0000000');
    expect(await nativeBalance(t, a.publicKey())).toBe('9999.9999800');
  });

  test('no trustline: op_no_trust; source without trustline: op_src_no_trust', async () => {
    const a = await funded(t);
    const b = await funded(t);
    await trustUsdc(t, a);
    await usdcFaucet(t, a.publicKey(), '10');
    const noTrust = await buildTx(t, a, [pay(b.publicKey(), '1', t.usdc)], [a]);
    expect((await submitExpectingFailure(t, noTrust)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_no_trust'],
    });

    await trustUsdc(t, b);
    const c = await funded(t);
    const srcNoTrust = await buildTx(t, c, [pay(b.publicKey(), '1', t.usdc)], [c]);
    expect((await submitExpectingFailure(t, srcNoTrust)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_src_no_trust'],
    });
    const over = await buildTx(t, a, [pay(b.publicKey(), '10.0000001', t.usdc)], [a]);
    expect((await submitExpectingFailure(t, over)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_underfunded'],
    });
  });

  test('no destination: op_no_destination', async () => {
    const a = await funded(t);
    const tx = await buildTx(t, a, [pay(Keypair.random().publicKey(), '5')], [a]);
    expect((await submitExpectingFailure(t, tx)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_no_destination'],
    });
  });

  test('a trustline limit: op_line_full; change_trust below the balance: op_invalid_limit', async () => {
    const a = await funded(t);
    await trustUsdc(t, a, '5');
    const faucet = await usdcFaucet(t, a.publicKey(), '6');
    expect(faucet.status).toBe(400);
    expect(faucet.body.extras.result_codes).toEqual({ transaction: 'tx_failed', operations: ['op_line_full'] });
    expect((await usdcFaucet(t, a.publicKey(), '5')).status).toBe(200);
    const lower = await buildTx(t, a, [Operation.changeTrust({ asset: t.usdc, limit: '4' })], [a]);
    expect((await submitExpectingFailure(t, lower)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_invalid_limit'],
    });
    const remove = await buildTx(t, a, [Operation.changeTrust({ asset: t.usdc, limit: '0' })], [a]);
    expect((await submitExpectingFailure(t, remove)).data.extras!.result_codes!.operations).toEqual(['op_invalid_limit']);
  });

  test('create account: op_already_exists, op_low_reserve', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const exists = await buildTx(t, a, [Operation.createAccount({ destination: b.publicKey(), startingBalance: '5' })], [a]);
    expect((await submitExpectingFailure(t, exists)).data.extras!.result_codes!.operations).toEqual(['op_already_exists']);
    const low = await buildTx(
      t,
      a,
      [Operation.createAccount({ destination: Keypair.random().publicKey(), startingBalance: '0.9999999' })],
      [a],
    );
    expect((await submitExpectingFailure(t, low)).data.extras!.result_codes!.operations).toEqual(['op_low_reserve']);
    const fresh = Keypair.random();
    await t.server.submitTransaction(
      await buildTx(t, a, [Operation.createAccount({ destination: fresh.publicKey(), startingBalance: '1' })], [a]),
    );
    expect(await nativeBalance(t, fresh.publicKey())).toBe('1.0000000');
    // Exactly at the minimum balance, a trustline's extra reserve is not there: op_low_reserve.
    const trust = await buildTx(t, fresh, [Operation.changeTrust({ asset: t.usdc })], [fresh]);
    // (it cannot pay the fee either: only 1 XLM, all of it reserve)
    expect((await submitExpectingFailure(t, trust)).data.extras!.result_codes).toEqual({ transaction: 'tx_insufficient_balance' });
  });

  test('paying USDC back to its issuer burns it: no trustline needed on the issuer side', async () => {
    const a = await funded(t);
    await trustUsdc(t, a);
    await usdcFaucet(t, a.publicKey(), '10');
    await t.server.submitTransaction(await buildTx(t, a, [pay(t.usdc.getIssuer(), '4', t.usdc)], [a]));
    expect(await assetBalance(t, a.publicKey(), t.usdc)).toBe('6.0000000');
    const issuer = await t.server.loadAccount(t.usdc.getIssuer());
    expect(issuer.balances.every((b) => b.asset_type === 'native')).toBe(true);
  });

  test('a trustline without the reserve for it: op_low_reserve', async () => {
    const a = await funded(t);
    const poor = Keypair.random();
    await t.server.submitTransaction(
      await buildTx(t, a, [Operation.createAccount({ destination: poor.publicKey(), startingBalance: '1.5' })], [a]),
    );
    // After the 100-stroop fee, 0.49999 XLM is available: less than the 0.5 XLM a trustline reserves.
    const trust = await buildTx(t, poor, [Operation.changeTrust({ asset: t.usdc })], [poor]);
    expect((await submitExpectingFailure(t, trust)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_low_reserve'],
    });
    expect(await nativeBalance(t, poor.publicKey())).toBe('1.4999900');
  });

  test('an issuer requiring authorization: op_not_authorized until it authorizes the trustline', async () => {
    const issuer = await funded(t);
    const holder = await funded(t);
    const { AuthRequiredFlag, AuthRevocableFlag } = await import('@stellar/stellar-sdk');
    await t.server.submitTransaction(
      await buildTx(
        t,
        issuer,
        [Operation.setOptions({ setFlags: AuthRequiredFlag }), Operation.setOptions({ setFlags: AuthRevocableFlag })],
        [issuer],
      ),
    );
    expect((await t.server.loadAccount(issuer.publicKey())).flags).toMatchObject({ auth_required: true, auth_revocable: true });
    const eur = new Asset('EURT', issuer.publicKey());
    await t.server.submitTransaction(await buildTx(t, holder, [Operation.changeTrust({ asset: eur })], [holder]));
    const line = (await t.server.loadAccount(holder.publicKey())).balances.find((b) => b.asset_type !== 'native') as {
      is_authorized: boolean;
    };
    expect(line.is_authorized).toBe(false);

    const blocked = await buildTx(t, issuer, [pay(holder.publicKey(), '5', eur)], [issuer]);
    expect((await submitExpectingFailure(t, blocked)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_not_authorized'],
    });

    await t.server.submitTransaction(
      await buildTx(
        t,
        issuer,
        [Operation.setTrustLineFlags({ trustor: holder.publicKey(), asset: eur, flags: { authorized: true } })],
        [issuer],
      ),
    );
    await t.server.submitTransaction(await buildTx(t, issuer, [pay(holder.publicKey(), '5', eur)], [issuer]));
    expect(await assetBalance(t, holder.publicKey(), eur)).toBe('5.0000000');

    // Revoked again, the holder can no longer send it: op_src_not_authorized.
    await t.server.submitTransaction(
      await buildTx(
        t,
        issuer,
        [Operation.setTrustLineFlags({ trustor: holder.publicKey(), asset: eur, flags: { authorized: false } })],
        [issuer],
      ),
    );
    const stuck = await buildTx(t, holder, [pay(issuer.publicKey(), '1', eur)], [holder]);
    expect((await submitExpectingFailure(t, stuck)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_src_not_authorized'],
    });
  });

  test('resubmitting the same envelope returns the stored result and applies nothing twice', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const tx = await buildTx(t, a, [pay(b.publicKey(), '7')], [a]);
    const first = await t.server.submitTransaction(tx);
    const second = await t.server.submitTransaction(tx);
    expect(second.hash).toBe(first.hash);
    expect(second.ledger).toBe(first.ledger);
    expect(second.result_xdr).toBe(first.result_xdr);
    expect(await nativeBalance(t, b.publicKey())).toBe('10007.0000000');

    // Concurrent duplicates of a new envelope: one application, the same answer for all.
    const tx2 = await buildTx(t, a, [pay(b.publicKey(), '3')], [a]);
    const results = await Promise.all([1, 2, 3].map(() => t.server.submitTransaction(tx2)));
    expect(new Set(results.map((r) => r.ledger)).size).toBe(1);
    expect(await nativeBalance(t, b.publicKey())).toBe('10010.0000000');

    // A failed transaction resubmitted: the stored failure again, no second fee.
    const bad = await buildTx(t, a, [pay(Keypair.random().publicKey(), '1')], [a]);
    const f1 = await submitExpectingFailure(t, bad);
    const balance = await nativeBalance(t, a.publicKey());
    const f2 = await submitExpectingFailure(t, bad);
    expect(f2.data.extras!.result_codes).toEqual(f1.data.extras!.result_codes);
    expect(f2.data.extras!.result_xdr).toBe(f1.data.extras!.result_xdr);
    expect(await nativeBalance(t, a.publicKey())).toBe(balance);
  });

  test('multisig: thresholds and signer weights decide, per operation source too', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const cosigner = Keypair.random();
    await t.server.submitTransaction(
      await buildTx(
        t,
        a,
        [
          Operation.setOptions({
            signer: { ed25519PublicKey: cosigner.publicKey(), weight: 1 },
            lowThreshold: 1,
            medThreshold: 2,
            highThreshold: 2,
          }),
        ],
        [a],
      ),
    );
    const acc = await t.server.loadAccount(a.publicKey());
    expect(acc.thresholds).toEqual({ low_threshold: 1, med_threshold: 2, high_threshold: 2 });
    expect(acc.signers).toEqual(
      expect.arrayContaining([
        { weight: 1, key: cosigner.publicKey(), type: 'ed25519_public_key' },
        { weight: 1, key: a.publicKey(), type: 'ed25519_public_key' },
      ]),
    );
    expect(acc.subentry_count).toBe(1);

    // A payment needs the medium threshold (2): one signature is not enough for the operation.
    const single = await buildTx(t, a, [pay(b.publicKey(), '1')], [a]);
    expect((await submitExpectingFailure(t, single)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_bad_auth'],
    });
    const both = await buildTx(t, a, [pay(b.publicKey(), '1')], [a, cosigner]);
    expect((await t.server.submitTransaction(both)).successful).toBe(true);

    // An operation whose source is another account needs that account's signature.
    const c = await funded(t);
    const foreign = await buildTx(
      t,
      c,
      [Operation.payment({ source: b.publicKey(), destination: c.publicKey(), asset: Asset.native(), amount: '1' })],
      [c],
    );
    expect((await submitExpectingFailure(t, foreign)).data.extras!.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_bad_auth'],
    });
    const signed = await buildTx(
      t,
      c,
      [Operation.payment({ source: b.publicKey(), destination: c.publicKey(), asset: Asset.native(), amount: '1' })],
      [c, b],
    );
    expect((await t.server.submitTransaction(signed)).successful).toBe(true);
  });

  test('asynchronous submission: PENDING, then DUPLICATE; a refused one is ERROR with its result XDR', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const tx = await buildTx(t, a, [pay(b.publicKey(), '2')], [a]);
    const pending = await t.server.submitAsyncTransaction(tx);
    expect(pending).toEqual({ tx_status: 'PENDING', hash: tx.hash().toString('hex') });
    const dup = await t.server.submitAsyncTransaction(tx).catch((err) => err.response);
    expect(dup.status).toBe(409);
    expect(dup.data.tx_status).toBe('DUPLICATE');
    let found;
    for (let i = 0; i < 50 && !found; i += 1) {
      found = await t.server
        .transactions()
        .transaction(pending.hash)
        .call()
        .catch(() => undefined);
      if (!found) await new Promise((r) => setTimeout(r, 50));
    }
    expect(found!.successful).toBe(true);
    expect(await nativeBalance(t, b.publicKey())).toBe('10002.0000000');

    const stale = await buildTx(t, a, [pay(b.publicKey(), '2')], [a], { sequence: '1' });
    const refused = await t.server.submitAsyncTransaction(stale).catch((err) => err.response);
    expect(refused.status).toBe(400);
    expect(refused.data.tx_status).toBe('ERROR');
    expect(xdr.TransactionResult.fromXDR(refused.data.error_result_xdr, 'base64').result().switch().name).toBe('txBadSeq');
  });

  test('a malformed envelope is transaction_malformed; no tx is bad_request', async () => {
    const res = await fetch(`${t.sandbox.url}/transactions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'tx=AAAAnotxdr',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({
      type: 'https://stellar.org/horizon-errors/transaction_malformed',
      title: 'Transaction Malformed',
      status: 400,
    });
    expect(body.extras.envelope_xdr).toBe('AAAAnotxdr');
    const none = await fetch(`${t.sandbox.url}/transactions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(none.status).toBe(400);
    expect(((await none.json()) as any).extras.invalid_field).toBe('tx');
  });

  test('memo and preconditions appear on the transaction resource', async () => {
    const a = await funded(t);
    const b = await funded(t);
    const acc = await t.server.loadAccount(a.publicKey());
    const { Memo } = await import('@stellar/stellar-sdk');
    const tx = new TransactionBuilder(acc, { fee: '100', networkPassphrase: t.sandbox.networkPassphrase, memo: Memo.text('order 42') })
      .addOperation(pay(b.publicKey(), '1'))
      .setTimeout(120)
      .build();
    tx.sign(a);
    await t.server.submitTransaction(tx);
    const got = await getJson(`${t.sandbox.url}/transactions/${tx.hash().toString('hex')}`);
    expect(got.body.memo_type).toBe('text');
    expect(got.body.memo).toBe('order 42');
    expect(got.body.memo_bytes).toBe(Buffer.from('order 42').toString('base64'));
    expect(got.body.preconditions.timebounds.max_time).toBe(tx.timeBounds!.maxTime);
    expect(got.body.valid_before).toBe(new Date(Number(tx.timeBounds!.maxTime) * 1000).toISOString().replace('.000Z', 'Z'));
    expect(got.body.signatures).toEqual([tx.signatures[0]!.signature().toString('base64')]);
    expect(got.body.source_account_sequence).toBe(tx.sequence);
  });
});
