import http from 'node:http';
import { type Keypair, Memo, Operation, type Transaction, TransactionBuilder } from '@stellar/stellar-sdk';
import { Webhook } from 'standardwebhooks';
import { runChecks } from '../../bench/chaos/checks';
import { waitUntilSettled } from '../../bench/chaos/checks/settle';
import type { CheckContext, CheckResult, LifecycleResult, WebhookDelivery } from '../../bench/chaos/types';
import { loadConfig } from '../../src/config';
import { credit } from '../../src/ledger';
import { trustlessWorkFromConfig } from '../../src/providers/trustless-work/client';
import { orderWorkflowId } from '../../workflows/ids';
import { treasuryKeypair } from '../../src/treasury/treasury';
import { createStellarNetwork } from '../../src/stellar/network';
import { submitOnce } from '../../src/stellar/submitter';
import { sweepKey } from '../../src/withdrawals/payout-sweep';
import { walletSecretBox } from '../../src/wallets/wallet-keys';
import { walletKeypair } from '../../src/wallets/wallets';
import { findWallet } from '../../src/wallets/wallets-repository';
import { startAirtmStack, type AirtmStack } from '../helpers/airtm-stack';
import { unique } from '../helpers/app';
import { orderDriver } from '../helpers/escrow-orders';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import { eventually } from '../helpers/stellar-stack';
import { DEV_WITNESS_PRIVATE_KEY, startPaymentPlatformSandbox, type PaymentPlatformSandbox } from '../../sandboxes/payment-platform';

/**
 * The chaos run's checks (bench/chaos/checks) on a small stack of their own (own database, own task queue, own
 * sandboxes): a deposit, a withdrawal to Stellar, an order to release, an Airtm top-up and an on-ramp order pass every
 * check; then each check is made to fail by a breach injected where the real system would show it.
 */
let own: OwnDatabase;
let s: AirtmStack;
let key: string;
let secret: string;
const received: WebhookDelivery[] = [];
let receiver: http.Server;
let receiverUrl: string;
const lifecycles: LifecycleResult[] = [];
let buyer: { id: string; address: string };
let orderId: string;
let withdrawal: { id: string; destination: string };
let topupId: string;
let topper: { id: string; email: string; address: string };
let payoutId: string;
let paymentPlatform: PaymentPlatformSandbox;

beforeAll(async () => {
  own = await ownDatabase('chaos_checks');
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      received.push({ headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  // A float of 15 USDC: the top-up of 10 leaves 5, short of a second one (TREASURY_LOW_FLOAT 1: not low).
  paymentPlatform = await startPaymentPlatformSandbox({ port: 0, witnessPrivateKey: DEV_WITNESS_PRIVATE_KEY });
  s = await startAirtmStack(
    {
      DATABASE_URL: own.url,
      WEBHOOK_RETRY_SCHEDULE_MS: '200,500',
      TREASURY_LOW_FLOAT: '1',
      ONRAMP_WITNESSES: paymentPlatform.witnessAddress,
    },
    '15',
  );
  key = await s.api.keyWith('read', 'write');
  const hook = await s.api.call('POST', '/api/v1/webhooks', {
    key,
    body: { url: `${receiverUrl}/hook`, events: ['*'] },
    headers: { 'idempotency-key': unique('hook') },
  });
  expect(hook.status).toBe(201);
  secret = hook.body.data.secret;

  const drive = orderDriver(s, key);
  const started = Date.now();
  buyer = await drive.party('100');
  const seller = await drive.party();
  lifecycles.push({ kind: 'deposit', id: buyer.id, expected: 'credited', actual: 'credited', ok: true, ms: Date.now() - started });

  const outside = await s.outsideAccount();
  const w = await s.api.call('POST', '/api/v1/withdrawals', {
    key,
    body: {
      user_id: buyer.id,
      amount: '10',
      currency: 'USD',
      destination: { type: 'stellar', address: outside.publicKey(), memo: 'chaos-1' },
    },
    headers: { 'idempotency-key': unique('wd') },
  });
  expect(w.status).toBe(201);
  withdrawal = { id: w.body.data.id, destination: outside.publicKey() };
  await eventually(
    async () => (await s.api.call('GET', `/api/v1/withdrawals/${withdrawal.id}`, { key })).body.data.status === 'WITHDRAWAL_COMPLETED',
    30_000,
    'withdrawal completed',
  );
  lifecycles.push({
    kind: 'withdrawal.stellar',
    id: withdrawal.id,
    expected: 'WITHDRAWAL_COMPLETED',
    actual: 'WITHDRAWAL_COMPLETED',
    ok: true,
    ms: 0,
  });

  orderId = await drive.funded(buyer.id, seller.id, '20');
  expect((await drive.post(`/orders/${orderId}/deliver`, { evidence: 'https://example.com/work.zip' })).status).toBe(200);
  expect((await drive.post(`/orders/${orderId}/resolution/release`)).status).toBe(200);
  lifecycles.push({ kind: 'order.released', id: orderId, expected: 'RELEASED', actual: 'RELEASED', ok: true, ms: 0 });

  topper = await s.airtmUser(key);
  const t = await s.api.call('POST', '/api/v1/topups', {
    key,
    body: { user_id: topper.id, amount: '10', currency: 'USD' },
    headers: { 'idempotency-key': unique('tu') },
  });
  expect(t.status).toBe(201);
  topupId = t.body.data.id;
  await s.pay(t.body.data.confirmation_url, topper.email);
  await eventually(
    async () => (await s.api.call('GET', `/api/v1/topups/${topupId}`, { key })).body.data.delivery_tx_hash,
    30_000,
    'top-up delivered',
  );
  // The topper takes 4 of the 10 out through Airtm: the wallet returns those 4 USDC to the treasury (float 5 → 9).
  const po = await s.api.call('POST', '/api/v1/withdrawals', {
    key,
    body: { user_id: topper.id, amount: '4', currency: 'USD', commit: true, destination: { type: 'airtm', email: topper.email } },
    headers: { 'idempotency-key': unique('po') },
  });
  expect(po.status).toBe(201);
  payoutId = po.body.data.id;
  await eventually(
    async () => (await s.api.call('GET', `/api/v1/withdrawals/${payoutId}`, { key })).body.data.airtm_payout.treasury_tx_hash,
    30_000,
    'Airtm payout swept to the treasury',
  );
  lifecycles.push(await fulfilledOnrampOrder());
  lifecycles.push({ kind: 'topup.confirmed', id: topupId, expected: 'TOPUP_SUCCEEDED', actual: 'TOPUP_SUCCEEDED', ok: true, ms: 0 });
}, 180_000);

afterAll(async () => {
  await s?.stop();
  await paymentPlatform?.stop();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  await own?.drop();
});

function context(over: Partial<CheckContext> = {}): CheckContext {
  return {
    endpoints: {
      apiUrl: s.api.url,
      keys: { write: key, support: key },
      stellar: {
        horizonUrl: s.sandbox.url,
        friendbotUrl: s.sandbox.friendbotUrl,
        usdcFaucetUrl: s.sandbox.usdcFaucetUrl,
        networkPassphrase: s.sandbox.networkPassphrase,
        usdcIssuer: s.usdc.issuer,
      },
      airtm: { apiUrl: s.airtm.apiUrl, basic: '' },
      paymentPlatformUrl: '',
      webhookReceiverUrl: receiverUrl,
      databaseUrl: own.url,
      temporal: { address: s.api.config.TEMPORAL_ADDRESS, namespace: s.api.config.TEMPORAL_NAMESPACE },
    },
    results: lifecycles,
    webhookDeliveries: [...received],
    processEnv: { ...process.env, ...s.overrides },
    webhookSecrets: [secret],
    log: () => undefined,
    ...over,
  };
}

const named = (results: CheckResult[], name: string) => {
  const r = results.find((c) => c.name === name);
  if (!r) throw new Error(`no check named ${name} in ${results.map((c) => c.name).join(', ')}`);
  return r;
};

test('a deposit, a withdrawal, a released order, a top-up, an Airtm payout and an on-ramp order pass every check, with their figures', async () => {
  // The webhooks settle a moment after the last answer.
  expect(await waitUntilSettled(context(), 30_000, 200)).toEqual([]);
  const results = await runChecks(context());
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results.map((r) => r.name)).toEqual([
    'lifecycles',
    'ledger',
    'reconciliation.custody',
    'reconciliation.escrows',
    'reconciliation.airtm',
    'reconciliation.treasury',
    'payments',
    'webhooks',
    'workflows',
  ]);
  expect(named(results, 'lifecycles').figures).toEqual({
    lifecycles: 5,
    not_ok: 0,
    deposit: '1/1',
    'withdrawal.stellar': '1/1',
    'order.released': '1/1',
    'topup.confirmed': '1/1',
    'onramp.fulfilled': '1/1',
  });
  expect(named(results, 'ledger').figures).toMatchObject({ entries: expect.any(Number) });
  const custody = named(results, 'reconciliation.custody').figures;
  expect(custody).toMatchObject({ wallets: 4, drift: '0' });
  expect(custody.ledger).toBe(custody.on_chain);
  expect(named(results, 'reconciliation.escrows').figures).toMatchObject({ escrows: 0, drift: '0', escrow_buckets_drift: '0' });
  // The float: 15, less the top-up's 10, plus the payout's 4 its wallet returned.
  expect(named(results, 'reconciliation.treasury').figures).toEqual({
    float: '90000000',
    owed_on_chain: '0',
    owed_top_ups: 0,
    owed_by_wallets: '0',
    unswept_payouts: 0,
    status: 'ok',
  });
  // Airtm holds the sandbox's opening 100 000 and the top-up's 10, less the payout's 4; 6 came in through Airtm net, the
  // treasury delivered 10 into a wallet and got 4 back: nothing is owed off chain, and the surplus is the two opening
  // balances (Airtm's 100 000, the float's 15) exactly.
  expect(named(results, 'reconciliation.airtm').figures).toMatchObject({
    airtm_available: '1000060000000',
    airtm_pending: '0',
    net_in_through_airtm: '60000000',
    delivered_to_wallets: '100000000',
    returned_from_wallets: '40000000',
    surplus: '1000150000000',
  });
  expect(named(results, 'payments').figures).toMatchObject({
    withdrawals_paid: 1,
    escrow_fundings: 1,
    topup_deliveries: 1,
    payout_sweeps: 1,
    onramp_claims: 1,
    duplicates: 0,
    unattributed: 0,
  });
  const hooks = named(results, 'webhooks').figures;
  expect(hooks).toMatchObject({ redeliveries: 0, delivered_twice: 0, lost: 0, bad_signatures: 0 });
  expect(hooks.events).toBe(hooks.events_expected);
  expect(hooks.deliveries).toBeGreaterThan(5);
  expect(named(results, 'workflows').figures).toMatchObject({
    should_have_ended: 0,
    'open.depositWatcher': 1,
    'open.webhookDelivery': 1,
    'unfinished.orders': 0,
    'unfinished.withdrawals': 0,
    'unfinished.wallets': 0,
    'unfinished.topups': 0,
    'unfinished.onramp_orders': 0,
    'unfinished.onramp_merchants': 0,
    'closed.Failed': 0,
    'closed.TimedOut': 0,
  });
}, 60_000);

test('a check that cannot look fails, saying why, and the others still run', async () => {
  const results = await runChecks(
    context({ endpoints: { ...context().endpoints, stellar: { ...context().endpoints.stellar, horizonUrl: 'http://127.0.0.1:1' } } }),
  );
  expect(named(results, 'payments')).toEqual({
    name: 'payments',
    ok: false,
    figures: {},
    breaches: [expect.stringMatching(/^could not check: fetch failed/)],
  });
  // Custody reads the same Horizon (straight, as the checks are given it, not through the processes' settings).
  expect(named(results, 'reconciliation').breaches).toEqual([expect.stringMatching(/^could not check: Horizon could not be asked/)]);
  expect(named(results, 'ledger').ok).toBe(true);
  expect(named(results, 'workflows').ok).toBe(true);
});

test('lifecycles: one that stopped short fails the check, naming it', async () => {
  const stuck: LifecycleResult = {
    kind: 'order.refunded',
    id: 'ord_x',
    expected: 'REFUNDED',
    actual: 'ESCROW_FUNDING',
    ok: false,
    ms: 1,
    error: '504',
  };
  const r = named(await runChecks(context({ results: [...lifecycles, stuck] })), 'lifecycles');
  expect(r.ok).toBe(false);
  expect(r.breaches).toEqual(['order.refunded ord_x: expected REFUNDED, reached ESCROW_FUNDING (504)']);
  expect(r.figures).toMatchObject({ not_ok: 1, 'order.refunded': '0/1' });
});

test('webhooks: a redelivery is counted; the same event as another delivery, a lost event or a forged signature fails', async () => {
  const first = received[0];
  const again = { ...first, receivedAt: Date.now() };
  const ok = named(await runChecks(context({ webhookDeliveries: [...received, again] })), 'webhooks');
  expect(ok).toMatchObject({ ok: true, figures: expect.objectContaining({ redeliveries: 1, delivered_twice: 0 }) });

  // The same event, correctly signed, under a webhook-id of its own.
  const otherId = 'msg_other';
  const at = new Date(Number(first.headers['webhook-timestamp']) * 1000);
  const twice = {
    ...first,
    headers: { ...first.headers, 'webhook-id': otherId, 'webhook-signature': new Webhook(secret).sign(otherId, at, first.body) },
  };
  const event = JSON.parse(first.body).id as string;
  const dup = named(await runChecks(context({ webhookDeliveries: [...received, twice] })), 'webhooks');
  expect(dup.ok).toBe(false);
  expect(dup.breaches).toEqual([`${event} was delivered as 2 different deliveries (webhook-id ${event}, ${otherId})`]);

  // Alone under another webhook-id: not twice, but not the id receivers dedupe on.
  const renamed = named(await runChecks(context({ webhookDeliveries: [twice, ...received.slice(1)] })), 'webhooks');
  expect(renamed.breaches).toEqual([`${event} came under webhook-id ${otherId}, not its event id (receivers dedupe on it)`]);

  const lost = named(await runChecks(context({ webhookDeliveries: received.slice(1) })), 'webhooks');
  expect(lost.ok).toBe(false);
  expect(lost.figures.lost).toBe(1);
  expect(lost.breaches[0]).toMatch(new RegExp(`^1 event\\(s\\) for endpoint whk_\\S+ never reached the receiver: ${event}$`));

  const forged = { ...first, body: first.body.replace('"type":"', '"type":"x') };
  const bad = named(await runChecks(context({ webhookDeliveries: [forged, ...received.slice(1)] })), 'webhooks');
  expect(bad.breaches).toContain(`delivery #0 of ${event} (webhook-id ${event}) is not signed by the endpoint's secret`);

  // Without the secret from the runner, the endpoint's own (opened with the worker's keyring) checks the signatures.
  const opened = named(
    await runChecks(context({ webhookSecrets: undefined, webhookDeliveries: [forged, ...received.slice(1)] })),
    'webhooks',
  );
  expect(opened.figures).toMatchObject({ bad_signatures: 1, signatures_checked: received.length });
});

test('workflows: a workflow left running and an order left in flight fail the check', async () => {
  const client = await s.api.deps.temporal.client();
  const stray = `withdrawal-${unique('wd_stray')}`;
  // An input the workflow cannot use: its task fails and is retried, so it stays open, as a stuck one would.
  const handle = await client.workflow.start('withdrawal', { taskQueue: s.overrides.TEMPORAL_TASK_QUEUE, workflowId: stray, args: [] });
  await own.database.pool.query(`UPDATE orders SET status = 'IN_PROGRESS' WHERE id = $1`, [orderId]);
  try {
    const r = await eventually(
      async () => {
        const w = named(await runChecks(context()), 'workflows');
        return w.breaches.length === 2 && w;
      },
      15_000,
      'the stray workflow listed',
    );
    expect(r.ok).toBe(false);
    expect(r.breaches).toEqual([`workflow ${stray} (withdrawal) is still running`, `orders ${orderId} is left IN_PROGRESS`]);
    expect(r.figures).toMatchObject({ should_have_ended: 1, 'open.withdrawal': 1, 'unfinished.orders': 1 });
    // What the runner's wait answers when the system does not come to rest.
    expect(await waitUntilSettled(context(), 0)).toEqual(r.breaches);
  } finally {
    await handle.terminate('test over');
    await own.database.pool.query(`UPDATE orders SET status = 'RELEASED' WHERE id = $1`, [orderId]);
  }
});

test('reconciliation.escrows: a released order the read model shows funded drifts by its amount', async () => {
  await own.database.pool.query(`UPDATE orders SET escrow_status = 'FUNDED' WHERE id = $1`, [orderId]);
  try {
    const r = named(await runChecks(context()), 'reconciliation.escrows');
    expect(r.ok).toBe(false);
    expect(r.figures).toMatchObject({
      escrows: 1,
      ledger: '200000000',
      on_chain: '0',
      drift: '-200000000',
      escrow_buckets_drift: '-200000000',
    });
    expect(r.breaches).toContain('escrows drift by -20 in total');
  } finally {
    await own.database.pool.query(`UPDATE orders SET escrow_status = 'RELEASED' WHERE id = $1`, [orderId]);
  }
});

test('reconciliation.treasury: a credited top-up the treasury has not paid and cannot cover is short', async () => {
  await own.database.pool.query(`UPDATE topups SET delivered_at = NULL WHERE id = $1`, [topupId]);
  try {
    const r = named(await runChecks(context()), 'reconciliation.treasury');
    expect(r.ok).toBe(false);
    expect(r.figures).toEqual({
      float: '90000000',
      owed_on_chain: '100000000',
      owed_top_ups: 1,
      owed_by_wallets: '0',
      unswept_payouts: 0,
      status: 'short',
    });
    expect(r.breaches).toEqual(['treasury_short: the float 9 USDC is below the 10 that credited top-ups still owe']);
  } finally {
    await own.database.pool.query(`UPDATE topups SET delivered_at = now() WHERE id = $1`, [topupId]);
  }
});

test('ledger: a posting written outside the ledger fails the check with what ledger:verify finds', async () => {
  const { rows } = await own.database.pool.query(
    `SELECT p.entry_id::text, p.account_id::text, p.user_id FROM ledger_postings p WHERE p.user_id = $1 ORDER BY p.id LIMIT 1`,
    [buyer.id],
  );
  await own.database.pool.query(
    `INSERT INTO ledger_postings (entry_id, account_id, user_id, currency, amount, balance_after) VALUES ($1, $2, $3, 'USD', 5, 0)`,
    [rows[0].entry_id, rows[0].account_id, rows[0].user_id],
  );
  const r = named(await runChecks(context()), 'ledger');
  expect(r.ok).toBe(false);
  expect(r.figures).toMatchObject({ entry_unbalanced: 1, ledger_unbalanced: 1, balance_mismatch: 1 });
  expect(r.breaches.some((b) => b.startsWith(`[entry_unbalanced] entry ${rows[0].entry_id} `))).toBe(true);
});

test('payments and custody: a second payment of a withdrawal from its wallet, and a treasury payment for no top-up', async () => {
  const config = loadConfig({ ...process.env, ...s.overrides });
  const wallet = walletKeypair(walletSecretBox(config), (await findWallet(own.database.db, buyer.id))!);
  await payFrom(wallet, withdrawal.destination, '10', 'chaos-1');
  const treasury = treasuryKeypair(s.platform);
  const seller = (await own.database.pool.query(`SELECT public_key FROM wallets WHERE user_id <> $1 LIMIT 1`, [buyer.id])).rows[0]
    .public_key;
  await payFrom(treasury, seller, '3');

  const results = await runChecks(context());
  const payments = named(results, 'payments');
  expect(payments.ok).toBe(false);
  // Treasury payments seen: the top-up's delivery and the stray one.
  expect(payments.figures).toMatchObject({ withdrawals_paid: 2, topup_deliveries: 2, unattributed: 2, duplicates: 2 });
  expect(payments.breaches).toEqual(
    expect.arrayContaining([
      `withdrawal ${withdrawal.id}: 1 completed, paid 2 time(s) on chain`,
      `the treasury paid 3.0000000 to ${seller} 1 time(s) for no delivered top-up`,
    ]),
  );
  // The wallet paid out 10 the ledger never saw leave (−10); the seller's wallet got 3 the ledger never saw come (+3).
  const custody = named(results, 'reconciliation.custody');
  expect(custody.ok).toBe(false);
  expect(custody.figures.drift).toBe('-70000000');
  expect(custody.breaches).toEqual(
    expect.arrayContaining([expect.stringMatching(new RegExp(`^wallet of ${buyer.id} \\(${buyer.address}\\): .* drift -10$`))]),
  );
}, 60_000);

test('reconciliation.airtm: a top-up credited on the ledger that Airtm never received leaves Airtm below the ledger', async () => {
  await credit(own.database.pool, {
    key: unique('forged-topup'),
    kind: 'top_up',
    userId: topper.id,
    currency: 'USD',
    amount: 200_000n * 10_000_000n,
  });
  const r = named(await runChecks(context()), 'reconciliation.airtm');
  expect(r.ok).toBe(false);
  // Airtm 100 006 + the float 6 (9 less the stray 3 of the test before) − (200 006 in through Airtm − 10 delivered + 4 returned).
  expect(r.figures).toMatchObject({ net_in_through_airtm: '2000060000000', treasury_float: '60000000', surplus: '-999880000000' });
  expect(r.breaches).toEqual([
    'airtm_below_ledger: Airtm’s balance and the treasury together hold less than the ledger says came in through Airtm and is not in users’ wallets',
  ]);
});

test("payments and reconciliation.escrows: an escrow funded a second time from the buyer's wallet", async () => {
  const drive = orderDriver(s, key);
  const seller = (await own.database.pool.query(`SELECT user_id FROM wallets WHERE user_id <> $1 LIMIT 1`, [buyer.id])).rows[0].user_id;
  const id = await drive.funded(buyer.id, seller, '5');
  try {
    const contractId = (await own.database.pool.query(`SELECT contract_id FROM orders WHERE id = $1`, [id])).rows[0].contract_id as string;
    const config = loadConfig({ ...process.env, ...s.overrides });
    const wallet = walletKeypair(walletSecretBox(config), (await findWallet(own.database.db, buyer.id))!);
    // What the product's step does, done again outside it: Trustless Work's unsigned call, signed by the buyer.
    const unsigned = await trustlessWorkFromConfig(config)!.fundEscrow({ contractId, signer: buyer.address, amount: 5 });
    const inner = TransactionBuilder.fromXDR(unsigned.unsignedXdr, s.sandbox.networkPassphrase) as Transaction;
    inner.sign(wallet);
    const bumped = TransactionBuilder.buildFeeBumpTransaction(s.platform, '100000', inner, s.sandbox.networkPassphrase);
    bumped.sign(s.platform);
    await s.horizon.submitTransaction(bumped);

    const results = await runChecks(context());
    const payments = named(results, 'payments');
    expect(payments.breaches).toContain(`order ${id}: its escrow ${contractId} was funded more than once (2)`);
    expect(payments.figures).toMatchObject({ escrow_fundings: 3 });
    const escrows = named(results, 'reconciliation.escrows');
    expect(escrows.ok).toBe(false);
    expect(escrows.figures).toMatchObject({ escrows: 1, ledger: '50000000', on_chain: '100000000', drift: '50000000' });
  } finally {
    await (await s.api.deps.temporal.client()).workflow.getHandle(orderWorkflowId(id)).terminate('test over');
  }
}, 60_000);

test('payments and reconciliation: an Airtm payout swept to the treasury a second time, and one left unswept', async () => {
  const config = loadConfig({ ...process.env, ...s.overrides });
  const wallet = walletKeypair(walletSecretBox(config), (await findWallet(own.database.db, topper.id))!);
  const treasury = treasuryKeypair(s.platform).publicKey();
  // What a retry that lost its record would do: the same payment under the next attempt's key, through the submitter.
  const network = createStellarNetwork(config);
  const again = await submitOnce(own.database.pool, network, {
    key: sweepKey(payoutId, 1),
    sourceAccount: wallet.publicKey(),
    build: (source) => {
      const tx = new TransactionBuilder(source, { fee: '100', networkPassphrase: s.sandbox.networkPassphrase })
        .addOperation(Operation.payment({ destination: treasury, asset: s.usdc, amount: '4' }))
        .setTimeout(60)
        .build();
      tx.sign(wallet);
      const bumped = TransactionBuilder.buildFeeBumpTransaction(s.platform, '1000', tx, s.sandbox.networkPassphrase);
      bumped.sign(s.platform);
      return bumped;
    },
  });
  expect(again.status).toBe('SUCCEEDED');
  const { rows } = await own.database.pool.query(`SELECT treasury_tx_hash FROM withdrawals WHERE id = $1`, [payoutId]);
  await own.database.pool.query(`UPDATE withdrawals SET treasury_tx_hash = NULL WHERE id = $1`, [payoutId]);
  try {
    const results = await runChecks(context());
    const payments = named(results, 'payments');
    expect(payments.ok).toBe(false);
    // Attributed (the submitter stored it), but twice for one purpose, and a payment to the treasury for no swept payout.
    expect(payments.figures).toMatchObject({ payout_sweeps: 2 });
    expect(payments.breaches).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^withdrawal:${payoutId}:treasury was done 2 times on chain: `)),
        `the wallet ${wallet.publicKey()} paid 4.0000000 to the treasury 2 time(s) for no swept Airtm payout`,
      ]),
    );
    expect(payments.breaches.filter((b) => b.includes(again.hash))).toEqual([
      expect.stringMatching(new RegExp(`^withdrawal:${payoutId}:treasury was done 2 times on chain: `)),
    ]);
    const treasuryCheck = named(results, 'reconciliation.treasury');
    expect(treasuryCheck.figures).toMatchObject({ owed_by_wallets: '40000000', unswept_payouts: 1 });
    expect(treasuryCheck.breaches).toContain(
      "sweeps_pending: 1 completed Airtm payout(s) of 4 USDC still in their users' wallets, not yet returned to the treasury " +
        '(see each withdrawal’s airtm_payout.last_error)',
    );
  } finally {
    await own.database.pool.query(`UPDATE withdrawals SET treasury_tx_hash = $2 WHERE id = $1`, [payoutId, rows[0].treasury_tx_hash]);
  }
  // With its record back, the first sweep is the payout's and the second is one too many.
  const payments = named(await runChecks(context()), 'payments');
  expect(payments.breaches).toEqual(expect.arrayContaining([`Airtm payout ${payoutId}: 1 swept, paid 2 time(s) to the treasury`]));
}, 60_000);

/** An on-ramp order (document 003) from a merchant of 100 USDC: signalled, paid, fulfilled with the witness's proof. */
async function fulfilledOnrampOrder(): Promise<LifecycleResult> {
  const support = await s.api.keyWith('read', 'write', 'support');
  const call = async (method: string, path: string, body?: unknown, as = key) =>
    (await s.api.call(method, `/api/v1${path}`, { key: as, body })).body;
  const registered = await call('POST', '/onramp/merchants', { name: 'Merchant', handles: { venmo: '@merchant-venmo' } }, support);
  const merchant = await eventually(
    async () => {
      const m = (await call('GET', `/onramp/merchants/${registered.responseObject.id}`)).responseObject;
      return m.status === 'ACTIVE' && m;
    },
    20_000,
    'merchant activation',
  );
  await s.faucet(merchant.address, '100');
  const buyer = await s.activeUser(key);
  const created = await call('POST', '/onramp/orders', {
    merchantId: merchant.id,
    buyerId: buyer.id,
    amountUsdc: '50',
    paymentPlatform: 'venmo',
    fiatCurrency: 'USD',
    conversionRate: '1.02',
    recipient: '@merchant-venmo',
  });
  const id = created.responseObject.id as string;
  const o = await eventually(
    async () => {
      const got = (await call('GET', `/onramp/orders/${id}`)).responseObject;
      return got.status === 'SIGNAL_MINED' && got;
    },
    20_000,
    'signal mined',
  );
  await call('POST', `/onramp/orders/${id}/payment-sent`);
  const declared = paymentPlatform.declarePayment({
    platform: 'venmo',
    currency: 'USD',
    senderHandle: '@buyer',
    amount: '51.00',
    recipient: '@merchant-venmo',
    intentHash: o.intentHash,
  });
  const fulfilled = await call('POST', '/onramp/orders/fulfill', { intentHash: o.intentHash, proof: paymentPlatform.proofOf(declared.id) });
  const status = fulfilled.responseObject?.order?.status ?? JSON.stringify(fulfilled);
  return { kind: 'onramp.fulfilled', id, expected: 'FULFILLED', actual: status, ok: status === 'FULFILLED', ms: 0 };
}

/** A USDC payment signed by `from` (its fee paid by the platform), outside the product's submitter. */
async function payFrom(from: Keypair, to: string, amount: string, memo?: string): Promise<void> {
  const account = await s.horizon.loadAccount(from.publicKey());
  const builder = new TransactionBuilder(account, { fee: '100', networkPassphrase: s.sandbox.networkPassphrase });
  builder.addOperation(Operation.payment({ destination: to, asset: s.usdc, amount }));
  if (memo) builder.addMemo(Memo.text(memo));
  const inner = builder.setTimeout(60).build();
  inner.sign(from);
  const bumped = TransactionBuilder.buildFeeBumpTransaction(s.platform, '200', inner, s.sandbox.networkPassphrase);
  bumped.sign(s.platform);
  await s.horizon.submitTransaction(bumped);
}
