import { Asset, type FeeBumpTransaction, Keypair, Operation, type Transaction, TransactionBuilder, xdr } from '@stellar/stellar-sdk';
import { FAUCET_MINIONS } from '../../../sandboxes/stellar/faucets';
import { buildTx, funded, getJson, startTestSandbox, submitExpectingFailure, type TestSandbox } from './helpers';

/**
 * One pending transaction per source account, pinned to stellar-core's src/herder/TransactionQueue.cpp
 * (`TransactionQueue::canAdd`: a single `mTransaction` per account state, keyed by `getSourceID()`, which for a fee bump
 * is the inner transaction's source) and to Horizon's answers for it in stellar/go: POST /transactions_async answers
 * TRY_AGAIN_LATER with 503 (services/horizon/internal/actions/submit_transaction_async.go); POST /transactions takes it
 * as submitted (internal/txsub/submitter.go) and waits for the transaction until it times out (504 `timeout`).
 * Ledgers close every second here, and each check submits right after a close, inside one ledger.
 */
let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox({ ledgerIntervalMs: 1000 });
});

afterAll(async () => {
  await t?.stop();
});

const pay = (destination: string, amount = '1') => Operation.payment({ destination, asset: Asset.native(), amount });

/** Resolves just after the sandbox closed a ledger: what follows is submitted into the ledger being built. */
async function justAfterClose(): Promise<number> {
  const seen = t.sandbox.latestLedger();
  while (t.sandbox.latestLedger() === seen) await new Promise((r) => setTimeout(r, 5));
  return t.sandbox.latestLedger();
}

async function submitAsync(tx: Transaction | FeeBumpTransaction): Promise<{ status: number; body: any }> {
  const res = await fetch(`${t.sandbox.url}/transactions_async`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ tx: tx.toXDR() }).toString(),
  });
  return { status: res.status, body: await res.json() };
}

async function ledgerOf(hash: string): Promise<number | null> {
  for (let i = 0; i < 100; i++) {
    const found = await getJson(`${t.sandbox.url}/transactions/${hash}`);
    if (found.status === 200) return found.body.ledger as number;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

const feeBump = (inner: Transaction, feeSource: Keypair, fee: string) => {
  const bump = TransactionBuilder.buildFeeBumpTransaction(feeSource, fee, inner, t.sandbox.networkPassphrase);
  bump.sign(feeSource);
  return bump;
};

/** Two payments of one account, at its next two sequence numbers. */
async function twoPaymentsInARow() {
  const a = await funded(t);
  const b = await funded(t);
  const seq = BigInt((await t.server.loadAccount(a.publicKey())).sequence);
  const first = await buildTx(t, a, [pay(b.publicKey())], [a], { sequence: seq.toString() });
  const second = await buildTx(t, a, [pay(b.publicKey())], [a], { sequence: (seq + 1n).toString() });
  return { a, seq, first, second };
}

describe('stellar-core admits one transaction per source account into a ledger', () => {
  test('a second transaction of the same source is refused TRY_AGAIN_LATER (503) and applies once resubmitted after the close', async () => {
    const { a, seq, first, second } = await twoPaymentsInARow();

    await justAfterClose();
    const [one, two] = [await submitAsync(first), await submitAsync(second)];
    expect(one).toEqual({ status: 201, body: { tx_status: 'PENDING', hash: first.hash().toString('hex') } });
    expect(two).toEqual({ status: 503, body: { tx_status: 'TRY_AGAIN_LATER', hash: second.hash().toString('hex') } });

    const firstLedger = await ledgerOf(first.hash().toString('hex'));
    expect(firstLedger).not.toBeNull();
    // Refused, not queued: the second never lands by itself, and its sequence number is still free.
    expect((await getJson(`${t.sandbox.url}/transactions/${second.hash().toString('hex')}`)).status).toBe(404);
    const landed = await t.server.submitTransaction(second);
    expect(landed.ledger).toBeGreaterThan(firstLedger!);
    expect(BigInt((await t.server.loadAccount(a.publicKey())).sequence)).toBe(seq + 2n);
  });

  test('POST /transactions answers the refused one with Horizon’s 504 timeout; the same envelope applies when sent again', async () => {
    const { first, second } = await twoPaymentsInARow();

    await justAfterClose();
    expect((await submitAsync(first)).status).toBe(201);
    const refused = await submitExpectingFailure(t, second);
    const applied = await t.server.submitTransaction(first); // its result, once in its ledger
    expect(applied.successful).toBe(true);
    expect(refused.status).toBe(504);
    expect(refused.data).toMatchObject({ type: 'https://stellar.org/horizon-errors/timeout', title: 'Timeout', status: 504 });
    const again = await t.server.submitTransaction(second);
    expect(again.successful).toBe(true);
    expect(again.ledger).toBeGreaterThan(applied.ledger);
  });

  test('one account may pay the fees of many pending fee bumps: the fee source does not count, each inner source does', async () => {
    const payer = await funded(t);
    const [u1, u2, u3] = [await funded(t), await funded(t), await funded(t)];
    const bumps = await Promise.all(
      [u1, u2, u3].map(async (u) => feeBump(await buildTx(t, u!, [pay(payer.publicKey())], [u!]), payer, '200')),
    );
    await justAfterClose();
    const answers = [];
    for (const bump of bumps) answers.push(await submitAsync(bump));
    expect(answers.map((a) => [a.status, a.body.tx_status])).toEqual([
      [201, 'PENDING'],
      [201, 'PENDING'],
      [201, 'PENDING'],
    ]);
    const ledgers = await Promise.all(bumps.map((b) => ledgerOf(b.hash().toString('hex'))));
    expect(new Set(ledgers).size).toBe(1);
    expect(ledgers[0]).not.toBeNull();
  });

  test('a fee bump counts as its inner source’s: another sequence number of that source is TRY_AGAIN_LATER', async () => {
    const payer = await funded(t);
    const u = await funded(t);
    const seq = BigInt((await t.server.loadAccount(u.publicKey())).sequence);
    const first = await buildTx(t, u, [pay(payer.publicKey())], [u], { sequence: seq.toString() });
    const next = feeBump(await buildTx(t, u, [pay(payer.publicKey())], [u], { sequence: (seq + 1n).toString() }), payer, '200');
    await justAfterClose();
    expect((await submitAsync(first)).status).toBe(201);
    expect(await submitAsync(next)).toEqual({ status: 503, body: { tx_status: 'TRY_AGAIN_LATER', hash: next.hash().toString('hex') } });
  });

  test('replace-by-fee: a fee bump of the pending sequence number needs 10× the pending inclusion fee per operation', async () => {
    const payer = await funded(t);
    const u = await funded(t);
    const inner = await buildTx(t, u, [pay(payer.publicKey())], [u]);
    // The SDK's fee bump fee is per operation, the bump counting as one: 2 operations here, 400 stroops in all.
    const pending = feeBump(inner, payer, '200');
    const tooLow = feeBump(inner, payer, '1999');
    const enough = feeBump(inner, payer, '2000');
    await justAfterClose();
    expect((await submitAsync(pending)).status).toBe(201);
    // The inner transaction of the pending fee bump is that fee bump (TransactionQueue's isDuplicateTx).
    expect(await submitAsync(inner)).toEqual({ status: 409, body: { tx_status: 'DUPLICATE', hash: inner.hash().toString('hex') } });

    const low = await submitAsync(tooLow);
    expect(low.status).toBe(400);
    expect(low.body.tx_status).toBe('ERROR');
    const result = xdr.TransactionResult.fromXDR(low.body.error_result_xdr, 'base64');
    expect(result.result().switch().name).toBe('txInsufficientFee');
    expect(result.feeCharged().toString()).toBe('4000'); // the least full fee that replaces it: 10 × 400

    expect((await submitAsync(enough)).status).toBe(201);
    expect(await ledgerOf(enough.hash().toString('hex'))).not.toBeNull();
    expect((await getJson(`${t.sandbox.url}/transactions/${pending.hash().toString('hex')}`)).status).toBe(404);
  });

  test('friendbot submits through its minions (stellar/go friendbot minion.go): concurrent requests share ledgers, one per minion', async () => {
    const accounts = Array.from({ length: FAUCET_MINIONS + 2 }, () => Keypair.random());
    const answers = await Promise.all(accounts.map((k) => getJson(`${t.sandbox.url}/friendbot?addr=${k.publicKey()}`)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const perLedger = new Map<number, string[]>();
    for (const a of answers) perLedger.set(a.body.ledger, [...(perLedger.get(a.body.ledger) ?? []), a.body.source_account]);
    // One transaction per source account and ledger: a ledger holds at most one per minion, and more than one request.
    expect(Math.max(...[...perLedger.values()].map((sources) => sources.length))).toBeGreaterThan(1);
    for (const sources of perLedger.values()) {
      expect(sources.length).toBeLessThanOrEqual(FAUCET_MINIONS);
      expect(new Set(sources).size).toBe(sources.length);
    }
    // The account is created by friendbot's own (the root) account: the minion only gives the transaction its sequence.
    const ops = await getJson(`${t.sandbox.url}/accounts/${accounts[0]!.publicKey()}/operations`);
    expect(ops.body._embedded.records[0]).toMatchObject({
      type: 'create_account',
      funder: Keypair.master(t.sandbox.networkPassphrase).publicKey(),
    });
  });
});
