import { Keypair, NotFoundError, StrKey, xdr } from '@stellar/stellar-sdk';
import { funded, getJson, startTestSandbox, type TestSandbox } from './helpers';

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox();
});

afterAll(async () => {
  await t?.stop();
});

describe('Horizon basics against the sandbox, with the real SDK', () => {
  test('root describes the network', async () => {
    const root = await t.server.root();
    expect(root.network_passphrase).toBe(t.sandbox.networkPassphrase);
    expect(root.history_latest_ledger).toBeGreaterThanOrEqual(2);
    expect(root.core_latest_ledger).toBe(root.history_latest_ledger);
    expect(typeof root.history_latest_ledger_closed_at).toBe('string');
    expect(root.current_protocol_version).toBeGreaterThanOrEqual(20);
  });

  test('friendbot creates an account with 10,000 XLM that loadAccount reads', async () => {
    const kp = Keypair.random();
    const res = await t.server.friendbot(kp.publicKey()).call();
    expect((res as unknown as { successful: boolean }).successful).toBe(true);

    const acc = await t.server.loadAccount(kp.publicKey());
    expect(acc.accountId()).toBe(kp.publicKey());
    expect(acc.balances).toEqual([
      { balance: '10000.0000000', buying_liabilities: '0.0000000', selling_liabilities: '0.0000000', asset_type: 'native' },
    ]);
    // New accounts start at (ledger << 32), the ledger that created them.
    const created = (res as unknown as { ledger_attr: number }).ledger_attr;
    expect(acc.sequence).toBe((BigInt(created) << 32n).toString());
    expect(acc.subentry_count).toBe(0);
    expect(acc.num_sponsoring).toBe(0);
    expect(acc.num_sponsored).toBe(0);
    expect(acc.sponsor).toBeUndefined();
    expect(acc.thresholds).toEqual({ low_threshold: 0, med_threshold: 0, high_threshold: 0 });
    expect(acc.flags).toEqual({ auth_required: false, auth_revocable: false, auth_immutable: false, auth_clawback_enabled: false });
    expect(acc.signers).toEqual([{ weight: 1, key: kp.publicKey(), type: 'ed25519_public_key' }]);
    expect(acc.last_modified_ledger).toBe(created);
    expect(acc.paging_token).toBe(kp.publicKey());
    expect(acc.data_attr).toEqual({});

    const raw = await getJson(`${t.sandbox.url}/accounts/${kp.publicKey()}`);
    expect(raw.headers.get('content-type')).toContain('application/hal+json');
    expect(raw.body._links.data).toEqual({ href: `${t.sandbox.url}/accounts/${kp.publicKey()}/data/{key}`, templated: true });
    expect(raw.body._links.payments.templated).toBe(true);
  });

  test('friendbot refuses an account that already exists, and a bad address, like the real one', async () => {
    const kp = await funded(t);
    const again = await getJson(`${t.sandbox.friendbotUrl}?addr=${kp.publicKey()}`);
    expect(again.status).toBe(400);
    expect(again.body.extras).toEqual({ invalid_field: 'addr', reason: 'account already funded to starting balance' });
    const bad = await getJson(`${t.sandbox.friendbotUrl}?addr=GNOPE`);
    expect(bad.status).toBe(400);
    expect(bad.body.extras.invalid_field).toBe('addr');
    // Nothing was paid twice.
    const acc = await t.server.loadAccount(kp.publicKey());
    expect(acc.balances[0]!.balance).toBe('10000.0000000');
  });

  test('an unknown account is a 404 problem, and loadAccount throws NotFoundError', async () => {
    const missing = Keypair.random().publicKey();
    await expect(t.server.loadAccount(missing)).rejects.toBeInstanceOf(NotFoundError);
    const raw = await getJson(`${t.sandbox.url}/accounts/${missing}`);
    expect(raw.status).toBe(404);
    expect(raw.headers.get('content-type')).toContain('application/problem+json');
    expect(raw.body).toMatchObject({ type: 'https://stellar.org/horizon-errors/not_found', title: 'Resource Missing', status: 404 });
    expect(typeof raw.body.detail).toBe('string');
    const invalid = await getJson(`${t.sandbox.url}/accounts/not-an-account`);
    expect(invalid.status).toBe(400);
    expect(invalid.body.extras.invalid_field).toBe('account_id');
  });

  test('fee stats as fetchBaseFee and feeStats read them', async () => {
    expect(await t.server.fetchBaseFee()).toBe(100);
    const stats = await t.server.feeStats();
    expect(stats.last_ledger_base_fee).toBe('100');
    expect(Number(stats.last_ledger)).toBeGreaterThan(0);
    for (const k of ['max', 'min', 'mode', 'p10', 'p50', 'p99'] as const) {
      expect(stats.fee_charged[k]).toMatch(/^\d+$/);
      expect(stats.max_fee[k]).toMatch(/^\d+$/);
    }
  });

  test('a transaction by hash, with valid result XDR and meta', async () => {
    const kp = Keypair.random();
    const res = (await t.server.friendbot(kp.publicKey()).call()) as unknown as { hash: string };
    const tx = await t.server.transactions().transaction(res.hash).call();
    expect(tx.hash).toBe(res.hash);
    expect(tx.id).toBe(res.hash);
    expect(tx.successful).toBe(true);
    expect(tx.ledger_attr).toBeGreaterThan(1);
    expect(tx.fee_charged).toBe('100');
    expect(tx.operation_count).toBe(1);
    expect(tx.memo_type).toBe('none');
    expect(BigInt(tx.paging_token) >> 32n).toBe(BigInt(tx.ledger_attr));
    const result = xdr.TransactionResult.fromXDR(tx.result_xdr, 'base64');
    expect(result.result().switch().name).toBe('txSuccess');
    expect(result.feeCharged().toString()).toBe('100');
    const meta = xdr.TransactionMeta.fromXDR(tx.result_meta_xdr, 'base64');
    const created = meta
      .v3()
      .operations()[0]!
      .changes()
      .find((c) => c.switch().name === 'ledgerEntryCreated')!;
    expect(StrKey.encodeEd25519PublicKey(created.created().data().account().accountId().ed25519())).toBe(kp.publicKey());
    expect(created.created().data().account().balance().toString()).toBe('100000000000');
    xdr.LedgerEntryChanges.fromXDR(tx.fee_meta_xdr, 'base64');

    const ledger = await tx.ledger();
    expect(ledger.sequence).toBe(tx.ledger_attr);
    expect(ledger.successful_transaction_count).toBeGreaterThanOrEqual(1);
    xdr.LedgerHeader.fromXDR(ledger.header_xdr, 'base64');

    const missing = await getJson(`${t.sandbox.url}/transactions/${'0'.repeat(64)}`);
    expect(missing.status).toBe(404);
  });

  test('latest ledger through /ledgers?order=desc&limit=1', async () => {
    const page = await t.server.ledgers().order('desc').limit(1).call();
    expect(page.records).toHaveLength(1);
    const root = await t.server.root();
    expect(page.records[0]!.sequence).toBeGreaterThanOrEqual(root.history_latest_ledger - 1);
  });

  test('ledgers close on the timer', async () => {
    const first = t.sandbox.latestLedger();
    await new Promise((r) => setTimeout(r, 350));
    expect(t.sandbox.latestLedger()).toBeGreaterThan(first);
  });
});
