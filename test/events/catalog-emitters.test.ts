import { Keypair } from '@stellar/stellar-sdk';
import { SYSTEM } from '../../src/audit/actor';
import {
  findDispute,
  assignDispute,
  insertDispute,
  markResolved,
  markResolving,
  reopenDispute,
} from '../../src/disputes/disputes-repository';
import { renderDispute } from '../../src/disputes/render';
import type { Database } from '../../src/db/client';
import { postAnnounced } from '../../src/events/balance-events';
import { EVENT_TYPES, resourceOf } from '../../src/events/catalog';
import type { EventView } from '../../src/events/event-view';
import { latestEventId, listEventsAfter } from '../../src/events/events-repository';
import { newId } from '../../src/ids';
import { credit, getBalances } from '../../src/ledger';
import { parseAmount } from '../../src/money';
import { findOrder, insertOrder, projectOrder } from '../../src/orders/orders-repository';
import { type EscrowStatus, initialOrderState, type OrderState } from '../../src/orders/order-state';
import { renderEscrow, renderOrder } from '../../src/orders/render';
import { renderUser } from '../../src/users/render';
import { createUser, findUser } from '../../src/users/users-repository';
import { findWallet, insertWallet, markWalletActive, markWalletFailed, renderWallet } from '../../src/wallets/wallets-repository';
import { renderWithdrawal } from '../../src/withdrawals/render';
import { createWithdrawal, findWithdrawal, setWithdrawalStatus } from '../../src/withdrawals/withdrawals-repository';
import { renderTopup } from '../../src/topups/render';
import { createTopup, creditTopup, findTopup, setTopupStatus } from '../../src/topups/topups-repository';
import { settleAirtmWithdrawal } from '../../src/withdrawals/payouts-repository';
import { unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';

/**
 * Each area's state changes emit their catalog event, in the change's transaction, with the resource as the API
 * renders it afterwards. The chain-bound emitters are covered where they run for real: deposit.credited and
 * deposits.network_reset in test/e2e/deposit-withdraw.test.ts, order.command_rejected in test/e2e/orders-disputes.test.ts.
 */
const ELSEWHERE = [
  'deposit.credited',
  'deposits.network_reset',
  'order.command_rejected',
  // test/e2e/onramp-fulfil.test.ts: an order's whole lifecycle, one event per status.
  'onramp.created',
  'onramp.status_changed',
];

let db: Database;
const emitted = new Set<string>();
beforeAll(() => {
  db = testDatabase(4);
});
afterAll(async () => {
  await db?.close();
});

/** Runs `change` and answers the events it emitted (about `resourceIds`: other suites write events meanwhile). */
async function eventsOf(resourceIds: string[], change: () => Promise<unknown>): Promise<EventView[]> {
  const before = await latestEventId(db.pool);
  await change();
  const events = (await listEventsAfter(db.pool, { afterId: before, limit: 1000 })).filter((e) => resourceIds.includes(e.resource.id));
  for (const e of events) {
    expect(e.resource.type).toBe(resourceOf(e.type as never));
    emitted.add(e.type);
  }
  return events;
}

const newUser = () => createUser(db.db, { externalUserId: unique('cat'), type: 'BOTH' });

test('user.created carries the user', async () => {
  const ids: string[] = [];
  const before = await latestEventId(db.pool);
  ids.push((await newUser()).id);
  const events = await eventsOf(ids, async () => undefined);
  expect(events).toEqual([]); // already written: eventsOf looks after its own change only
  const [created] = await listEventsAfter(db.pool, { afterId: before, types: ['user.created'], resourceId: ids[0], limit: 10 });
  emitted.add(created.type);
  expect(created.data).toEqual(renderUser((await findUser(db.db, ids[0]))!));
});

test('wallet.created, wallet.failed (once per failure), wallet.activated (once)', async () => {
  const user = await newUser();
  const w = { userId: user.id, publicKey: Keypair.random().publicKey(), secretSealed: 'sealed' };
  const created = await eventsOf([user.id], () => insertWallet(db.db, w));
  expect(created.map((e) => [e.type, e.data.status])).toEqual([['wallet.created', 'PENDING']]);
  const failed = await eventsOf([user.id], async () => {
    await markWalletFailed(db.db, user.id);
    await markWalletFailed(db.db, user.id); // already FAILED: no change, no event
  });
  expect(failed.map((e) => [e.type, e.data.status])).toEqual([['wallet.failed', 'FAILED']]);
  const active = await eventsOf([user.id], async () => {
    await markWalletActive(db.db, user.id);
    await markWalletActive(db.db, user.id);
  });
  expect(active.map((e) => e.type)).toEqual(['wallet.activated']);
  expect(active[0].data).toEqual(renderWallet((await findWallet(db.db, user.id))!));
});

test('balance.updated with the balances as GET /users/{id}/balance shows them; a replayed entry announces nothing', async () => {
  const user = await newUser();
  const move = () =>
    postAnnounced(db.pool, (tx) =>
      credit(tx, { kind: 'deposit', key: `cat:${user.id}`, userId: user.id, currency: 'USD', amount: parseAmount('12.5') }),
    );
  const events = await eventsOf([user.id], async () => {
    await move();
    await move();
  });
  expect(events.map((e) => e.type)).toEqual(['balance.updated']);
  expect(events[0].data).toEqual({ user_id: user.id, balances: await getBalances(db.pool, user.id) });
  expect(events[0].data.balances).toContainEqual({ currency: 'USD', available: '12.5', held: '0' });
});

test('withdrawal.committed, .pending, .completed and .failed carry the withdrawal; the hold is a balance.updated', async () => {
  const user = await newUser();
  await postAnnounced(db.pool, (tx) =>
    credit(tx, { kind: 'deposit', key: `cat-w:${user.id}`, userId: user.id, currency: 'USD', amount: parseAmount('50') }),
  );
  const address = 'GBCG42WTVWPO4Q6NYF6TXGIWNFB3NTVGMNIDNYHYMK3ZTHFNN7ZXMIXS';
  const ok = newId('wdr');
  const failedId = newId('wdr');
  const events = await eventsOf([ok, failedId, user.id], async () => {
    await createWithdrawal(db.pool, db.db, { id: ok, userId: user.id, amount: parseAmount('10'), currency: 'USD', address, memo: null });
    await setWithdrawalStatus(db.db, ok, 'WITHDRAWAL_PENDING');
    await setWithdrawalStatus(db.db, ok, 'WITHDRAWAL_COMPLETED', { txHash: 'a'.repeat(64) });
    await createWithdrawal(db.pool, db.db, {
      id: failedId,
      userId: user.id,
      amount: parseAmount('5'),
      currency: 'USD',
      address,
      memo: null,
    });
    await setWithdrawalStatus(db.db, failedId, 'WITHDRAWAL_FAILED', { failureCode: 'op_no_destination' });
  });
  expect(events.map((e) => [e.type, e.resource.id])).toEqual([
    ['withdrawal.committed', ok],
    ['balance.updated', user.id],
    ['withdrawal.pending', ok],
    ['withdrawal.completed', ok],
    ['withdrawal.committed', failedId],
    ['balance.updated', user.id],
    ['withdrawal.failed', failedId],
  ]);
  expect(events[3].data).toEqual(renderWithdrawal((await findWithdrawal(db.db, ok))!));
  expect(events[6].data).toMatchObject({ status: 'WITHDRAWAL_FAILED', failure_code: 'op_no_destination' });
});

test('topup.* carry the top-up; its credit is a balance.updated, in the same transaction; a final top-up emits nothing more', async () => {
  const user = await newUser();
  const [ok, failed, cancelled, expired] = [newId('topup'), newId('topup'), newId('topup'), newId('topup')];
  const expiresAt = new Date(Date.now() + 3600_000);
  const open = (id: string) => createTopup(db.db, { id, userId: user.id, amount: parseAmount('20'), currency: 'USD', expiresAt });
  const events = await eventsOf([ok, failed, cancelled, expired, user.id], async () => {
    await open(ok);
    await setTopupStatus(db.db, ok, 'TOPUP_AWAITING_USER_CONFIRMATION', { payinId: `pi-${ok}`, confirmationUrl: 'http://airtm/payin/1' });
    await setTopupStatus(db.db, ok, 'TOPUP_PROCESSING');
    await creditTopup(db.pool, ok, { payerEmail: 'payer@example.com' });
    await creditTopup(db.pool, ok);
    await setTopupStatus(db.db, ok, 'TOPUP_FAILED');
    await open(failed);
    await setTopupStatus(db.db, failed, 'TOPUP_FAILED', { failureReason: 'declined' });
    await open(cancelled);
    await setTopupStatus(db.db, cancelled, 'TOPUP_CANCELED');
    await open(expired);
    await setTopupStatus(db.db, expired, 'TOPUP_EXPIRED');
  });
  expect(events.map((e) => [e.type, e.resource.id])).toEqual([
    ['topup.created', ok],
    ['topup.awaiting_user_confirmation', ok],
    ['topup.processing', ok],
    ['topup.succeeded', ok],
    ['balance.updated', user.id],
    ['topup.created', failed],
    ['topup.failed', failed],
    ['topup.created', cancelled],
    ['topup.canceled', cancelled],
    ['topup.created', expired],
    ['topup.expired', expired],
  ]);
  expect(events[3].data).toEqual(renderTopup((await findTopup(db.db, ok))!));
  expect(events[3].data).toMatchObject({
    status: 'TOPUP_SUCCEEDED',
    payer_email: 'payer@example.com',
    confirmation_url: 'http://airtm/payin/1',
  });
  expect(events[4].data.balances).toContainEqual({ currency: 'USD', available: '20', held: '0' });
  expect(events[6].data).toMatchObject({ failure_reason: 'declined' });
});

test('an Airtm payout: withdrawal.awaiting_commit, .awaiting_recipient and .canceled; the settlement announces the balance', async () => {
  const user = await newUser();
  await postAnnounced(db.pool, (tx) =>
    credit(tx, { kind: 'top_up', key: `cat-po:${user.id}`, userId: user.id, currency: 'USD', amount: parseAmount('20') }),
  );
  const id = newId('wd');
  const events = await eventsOf([id, user.id], async () => {
    await createWithdrawal(db.pool, db.db, {
      id,
      userId: user.id,
      amount: parseAmount('8'),
      currency: 'USD',
      address: 'someone@example.com',
      memo: null,
      destinationType: 'airtm',
      status: 'WITHDRAWAL_AWAITING_COMMIT',
    });
    await setWithdrawalStatus(db.db, id, 'WITHDRAWAL_AWAITING_RECIPIENT', { providerPayoutId: id, providerStatus: 'PENDING' });
    await settleAirtmWithdrawal(db.pool, id, 'WITHDRAWAL_CANCELED', { providerStatus: 'CANCELED' });
    await settleAirtmWithdrawal(db.pool, id, 'WITHDRAWAL_COMPLETED', { providerStatus: 'COMPLETED' }); // settled: nothing
  });
  expect(events.map((e) => [e.type, e.resource.id])).toEqual([
    ['withdrawal.awaiting_commit', id],
    ['balance.updated', user.id],
    ['withdrawal.awaiting_recipient', id],
    ['balance.updated', user.id],
    ['withdrawal.canceled', id],
  ]);
  expect(events[0].data).toMatchObject({ destination: { type: 'airtm', email: 'someone@example.com' }, airtm_payout: { id: null } });
  expect(events[3].data.balances).toContainEqual({ currency: 'USD', available: '20', held: '0' });
  expect(events[4].data).toEqual(renderWithdrawal((await findWithdrawal(db.db, id))!));
  expect(events[4].data).toMatchObject({ status: 'WITHDRAWAL_CANCELED', airtm_payout: { id, status: 'CANCELED' } });
});

test('order.created, order.status_changed and every escrow.* carry the order and the escrow as the API renders them', async () => {
  const buyer = await newUser();
  const seller = await newUser();
  const id = newId('ord');
  const at = () => new Date().toISOString();
  let version = 1;
  let state: OrderState = initialOrderState;
  const step = (next: Partial<OrderState>, previousEscrow?: EscrowStatus | null) => {
    state = { ...state, ...next };
    return projectOrder(db.db, { orderId: id, version: ++version, state, at: at(), previousEscrow });
  };
  const events = await eventsOf([id], async () => {
    await insertOrder(
      db.db,
      { id, buyerId: buyer.id, sellerId: seller.id, amount: parseAmount('20'), currency: 'USD', title: 'cat' },
      new Date(),
    );
    await step({ status: 'FUNDS_RESERVED' });
    await step({ status: 'ESCROW_CREATED', escrow: 'CREATED', contractId: 'C'.padEnd(56, 'A') }, null);
    await step({ status: 'IN_PROGRESS', escrow: 'FUNDED' }, 'CREATED');
    await step({ status: 'DISPUTED', escrow: 'DISPUTED' }, 'FUNDED');
    await step({ status: 'CLOSED', escrow: 'SPLIT' }, 'DISPUTED');
  });
  expect(events.map((e) => [e.type, (e.data as { status: string }).status])).toEqual([
    ['order.created', 'ORDER_CREATED'],
    ['order.status_changed', 'FUNDS_RESERVED'],
    ['order.status_changed', 'ESCROW_CREATED'],
    ['escrow.created', 'CREATED'],
    ['order.status_changed', 'IN_PROGRESS'],
    ['escrow.funded', 'FUNDED'],
    ['order.status_changed', 'DISPUTED'],
    ['escrow.disputed', 'DISPUTED'],
    ['order.status_changed', 'CLOSED'],
    ['escrow.split', 'SPLIT'],
  ]);
  const row = (await findOrder(db.db, id))!;
  expect(events[8].data).toEqual(renderOrder(row));
  expect(events[9].data).toEqual({ ...renderEscrow(row), previous_status: 'DISPUTED' });
  // The other two endings, on orders of their own.
  for (const ending of ['RELEASED', 'REFUNDED'] as const) {
    const other = newId('ord');
    const more = await eventsOf([other], async () => {
      await insertOrder(
        db.db,
        { id: other, buyerId: buyer.id, sellerId: seller.id, amount: 1n, currency: 'USD', title: 'cat' },
        new Date(),
      );
      const s = { ...initialOrderState, status: ending, escrow: ending };
      await projectOrder(db.db, { orderId: other, version: 2, state: s, at: at(), previousEscrow: 'FUNDED' });
      await projectOrder(db.db, { orderId: other, version: 2, state: s, at: at(), previousEscrow: 'FUNDED' }); // replayed: nothing
    });
    expect(more.map((e) => e.type)).toEqual(['order.created', 'order.status_changed', `escrow.${ending.toLowerCase()}`]);
  }
});

test('dispute.opened, .assigned, .resolving, .reopened and .resolved carry the dispute as the API renders it', async () => {
  const buyer = await newUser();
  const seller = await newUser();
  const orderId = newId('ord');
  await insertOrder(
    db.db,
    { id: orderId, buyerId: buyer.id, sellerId: seller.id, amount: parseAmount('30'), currency: 'USD', title: 'd' },
    new Date(),
  );
  const id = newId('dsp');
  const decision = {
    decision: 'SPLIT' as const,
    releaseAmount: parseAmount('10'),
    refundAmount: parseAmount('20'),
    note: 'n',
    resolvedBy: 'agent',
  };
  const events = await eventsOf([id], async () => {
    await insertDispute(db.db, { id, orderId, openedBy: 'BUYER', reason: 'late', evidence: null });
    await insertDispute(db.db, { id, orderId, openedBy: 'BUYER', reason: 'late', evidence: null });
    await assignDispute(db.db, id, 'agent-ana', SYSTEM);
    await assignDispute(db.db, id, 'agent-ana', SYSTEM); // the same assignee: no change
    await markResolving(db.db, id, decision);
    await reopenDispute(db.db, id);
    await markResolving(db.db, id, decision);
    await markResolved(db.db, id);
    await markResolved(db.db, id);
  });
  expect(events.map((e) => [e.type, (e.data as { status: string }).status])).toEqual([
    ['dispute.opened', 'OPEN'],
    ['dispute.assigned', 'OPEN'],
    ['dispute.resolving', 'RESOLVING'],
    ['dispute.reopened', 'OPEN'],
    ['dispute.resolving', 'RESOLVING'],
    ['dispute.resolved', 'RESOLVED'],
  ]);
  expect(events[5].data).toEqual(renderDispute((await findDispute(db.db, id))!, await findOrder(db.db, orderId)));
  expect(events[5].data).toMatchObject({ amount: '30', resolution: { decision: 'SPLIT', release_amount: '10', refund_amount: '20' } });
});

test('every catalog type is emitted by a test of its area (here, or where ELSEWHERE says)', () => {
  expect(EVENT_TYPES.filter((t) => !emitted.has(t) && !ELSEWHERE.includes(t))).toEqual([]);
});
