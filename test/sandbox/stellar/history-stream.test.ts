import http from 'node:http';
import { Asset, type Keypair, Operation, type Horizon } from '@stellar/stellar-sdk';
import { buildTx, funded, getJson, startTestSandbox, submitExpectingFailure, type TestSandbox } from './helpers';

let t: TestSandbox;
let payer: Keypair;
let payee: Keypair;
const hashes: string[] = [];

beforeAll(async () => {
  t = await startTestSandbox();
  payer = await funded(t);
  payee = await funded(t);
  for (const amount of ['1', '2', '3', '4', '5']) {
    const tx = await buildTx(t, payer, [Operation.payment({ destination: payee.publicKey(), asset: Asset.native(), amount })], [payer]);
    hashes.push((await t.server.submitTransaction(tx)).hash);
  }
  // A failed payment: listed only with include_failed=true.
  const failed = await buildTx(
    t,
    payer,
    [Operation.payment({ destination: payee.publicKey(), asset: Asset.native(), amount: '99999' })],
    [payer],
  );
  await submitExpectingFailure(t, failed);
});

afterAll(async () => {
  await t?.stop();
});

type Payment = Horizon.ServerApi.PaymentOperationRecord | Horizon.ServerApi.CreateAccountOperationRecord;

describe('payments history', () => {
  test('account payments in order, paged with limit and next/prev, as the SDK pages them', async () => {
    const first = await t.server.payments().forAccount(payee.publicKey()).order('asc').limit(2).call();
    const records = first.records as Payment[];
    expect(records.map((r) => r.type)).toEqual(['create_account', 'payment']);
    const create = records[0] as Horizon.ServerApi.CreateAccountOperationRecord;
    expect(create).toMatchObject({
      type_i: 0,
      account: payee.publicKey(),
      starting_balance: '10000.0000000',
      transaction_successful: true,
    });
    const pay = records[1] as Horizon.ServerApi.PaymentOperationRecord;
    expect(pay).toMatchObject({
      type: 'payment',
      type_i: 1,
      from: payer.publicKey(),
      to: payee.publicKey(),
      amount: '1.0000000',
      asset_type: 'native',
      source_account: payer.publicKey(),
      transaction_hash: hashes[0],
      transaction_successful: true,
    });
    expect(pay.id).toBe(pay.paging_token);
    expect(BigInt(pay.id) & 0xfffn).toBe(1n);
    expect(typeof pay.created_at).toBe('string');

    const second = await first.next();
    expect((second.records as Horizon.ServerApi.PaymentOperationRecord[]).map((r) => r.amount)).toEqual(['2.0000000', '3.0000000']);
    const third = await second.next();
    expect((third.records as Horizon.ServerApi.PaymentOperationRecord[]).map((r) => r.amount)).toEqual(['4.0000000', '5.0000000']);
    const end = await third.next();
    expect(end.records).toHaveLength(0);
    const back = await third.prev();
    expect((back.records as Horizon.ServerApi.PaymentOperationRecord[]).map((r) => r.amount)).toEqual(['3.0000000', '2.0000000']);
  });

  test('cursor is exclusive; desc order; include_failed', async () => {
    const all = (await t.server.payments().forAccount(payee.publicKey()).limit(200).call()).records as Payment[];
    expect(all).toHaveLength(6);
    const after = (await t.server.payments().forAccount(payee.publicKey()).cursor(all[2]!.paging_token).call()).records;
    expect(after.map((r) => r.paging_token)).toEqual(all.slice(3).map((r) => r.paging_token));
    const desc = (await t.server.payments().forAccount(payee.publicKey()).order('desc').limit(3).call())
      .records as Horizon.ServerApi.PaymentOperationRecord[];
    expect(desc.map((r) => r.amount)).toEqual(['5.0000000', '4.0000000', '3.0000000']);

    const withFailed = (await t.server.payments().forAccount(payee.publicKey()).includeFailed(true).limit(200).call()).records;
    expect(withFailed).toHaveLength(7);
    expect(withFailed[6]!.transaction_successful).toBe(false);
  });

  test("join=transactions embeds each payment's transaction", async () => {
    const page = await t.server.payments().forAccount(payee.publicKey()).join('transactions').limit(3).call();
    for (const r of page.records) {
      const rec = r as unknown as { transaction_attr: { hash: string; ledger: number; successful: boolean } };
      expect(rec.transaction_attr.hash).toBe(r.transaction_hash);
      expect(rec.transaction_attr.successful).toBe(true);
      const tx = await r.transaction();
      expect(tx.hash).toBe(r.transaction_hash);
    }
    const raw = await getJson(`${t.sandbox.url}/accounts/${payee.publicKey()}/payments?join=transactions&limit=1`);
    expect(raw.body._embedded.records[0].transaction.hash).toBe(raw.body._embedded.records[0].transaction_hash);
    expect(raw.body._links.next.href).toContain('join=transactions');
  });

  test('the whole-network /payments and /transactions/{hash}/payments', async () => {
    const all = await t.server.payments().limit(200).call();
    expect(all.records.length).toBeGreaterThanOrEqual(8);
    const ofTx = await t.server.payments().forTransaction(hashes[2]!).call();
    expect(ofTx.records).toHaveLength(1);
    expect((ofTx.records[0] as Horizon.ServerApi.PaymentOperationRecord).amount).toBe('3.0000000');
  });

  test('bad paging parameters are 400 bad_request, like Horizon', async () => {
    const base = `${t.sandbox.url}/accounts/${payee.publicKey()}/payments`;
    for (const [query, field] of [
      ['limit=201', 'limit'],
      ['limit=0', 'limit'],
      ['order=up', 'order'],
      ['cursor=abc', 'cursor'],
      ['join=ledgers', 'join'],
    ] as const) {
      const res = await getJson(`${base}?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.extras.invalid_field).toBe(field);
    }
  });
});

describe('streaming (SSE)', () => {
  test('the SDK\'s .stream() delivers a new payment, from cursor "now"', async () => {
    const received: Payment[] = [];
    let close: () => void = () => undefined;
    const arrived = new Promise<Payment>((resolve, reject) => {
      close = t.server
        .payments()
        .forAccount(payee.publicKey())
        .cursor('now')
        .stream({
          onmessage: (record) => {
            received.push(record as Payment);
            resolve(record as Payment);
          },
          onerror: (err) => reject(err),
        });
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const tx = await buildTx(
        t,
        payer,
        [Operation.payment({ destination: payee.publicKey(), asset: Asset.native(), amount: '6.5' })],
        [payer],
      );
      const res = await t.server.submitTransaction(tx);
      const record = (await arrived) as Horizon.ServerApi.PaymentOperationRecord;
      expect(record.transaction_hash).toBe(res.hash);
      expect(record.amount).toBe('6.5000000');
      expect(received).toHaveLength(1);
    } finally {
      close();
    }
  });

  test('an account can be streamed: sent on connect and again when it changes', async () => {
    const seen: string[] = [];
    let close: () => void = () => undefined;
    const changed = new Promise<void>((resolve, reject) => {
      close = t.server
        .accounts()
        .accountId(payee.publicKey())
        .stream({
          onmessage: (acc) => {
            seen.push((acc as unknown as { balances: Array<{ balance: string }> }).balances[0]!.balance);
            if (seen.length === 2) resolve();
          },
          onerror: reject,
        });
    });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const tx = await buildTx(
        t,
        payer,
        [Operation.payment({ destination: payee.publicKey(), asset: Asset.native(), amount: '1' })],
        [payer],
      );
      await t.server.submitTransaction(tx);
      await changed;
      expect(BigInt(seen[1]!.replace('.', '')) - BigInt(seen[0]!.replace('.', ''))).toBe(10_000_000n);
    } finally {
      close();
    }
  });

  test('a stream from the start replays history first, with paging tokens as event ids', async () => {
    const events = await new Promise<string>((resolve, reject) => {
      const req = http.get(
        `${t.sandbox.url}/accounts/${payee.publicKey()}/payments`,
        { headers: { Accept: 'text/event-stream' } },
        (res) => {
          expect(res.headers['content-type']).toContain('text/event-stream');
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if ((text.match(/^id: /gm) ?? []).length >= 6) {
              req.destroy();
              resolve(text);
            }
          });
        },
      );
      req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    });
    expect(events.startsWith('retry: 1000\nevent: open\ndata: "hello"\n\n')).toBe(true);
    const blocks = events.split('\n\n').filter((b) => b.startsWith('id: '));
    const first = blocks[0]!.split('\n');
    const data = JSON.parse(first[1]!.slice('data: '.length));
    expect(first[0]).toBe(`id: ${data.paging_token}`);
    expect(data.type).toBe('create_account');
  });

  test('Last-Event-ID resumes after the last event seen', async () => {
    const all = (await t.server.payments().forAccount(payee.publicKey()).limit(200).call()).records;
    const resumeAfter = all[all.length - 2]!.paging_token;
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.get(
        `${t.sandbox.url}/accounts/${payee.publicKey()}/payments`,
        { headers: { Accept: 'text/event-stream', 'Last-Event-ID': resumeAfter } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
            if (body.includes('\nid: ') || body.match(/^id: /m)) {
              req.destroy();
              resolve(body);
            }
          });
        },
      );
      req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    });
    expect(text).toContain(`id: ${all[all.length - 1]!.paging_token}\n`);
    expect(text).not.toContain(`id: ${resumeAfter}\n`);
  });
});
