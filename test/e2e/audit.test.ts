import { Client, Connection } from '@temporalio/client';
import { orderWorkflowId, withdrawalWorkflowId } from '../../workflows/ids';
import { resolveSignal } from '../../workflows/messages/order';
import { unique } from '../helpers/app';
import { orderDriver } from '../helpers/escrow-orders';
import { recordHistory } from '../helpers/histories';
import { eventually, startStellarStack, type StellarStack } from '../helpers/stellar-stack';

/**
 * The audit log as the real stack writes it: each funding step, dispute step, withdrawal and support action appears
 * once per transition, under the API key that asked (and its request's X-Request-ID), or the operator's Temporal
 * identity for a signal, or the system for a payout, with the statuses before and after.
 */
let s: StellarStack;
let key: string;
let supportKey: string;
let keyId: string;
let supportKeyId: string;
let drive: ReturnType<typeof orderDriver>;
let temporal: Connection;
beforeAll(async () => {
  s = await startStellarStack();
  key = await s.api.keyWith('read', 'write');
  supportKey = await s.api.keyWith('read', 'support');
  const listed = (await s.api.call('GET', '/api/v1/auth/api-keys?limit=100')).body.data as Array<{ id: string; prefix: string }>;
  const idOf = (secret: string) => listed.find((k) => secret.startsWith(`ohk_live_${k.prefix}`))!.id;
  [keyId, supportKeyId] = [idOf(key), idOf(supportKey)];
  drive = orderDriver(s, key, supportKey);
  temporal = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
}, 60_000);
afterAll(async () => {
  await temporal?.close();
  await s?.stop();
});

type Entry = {
  action: string;
  actor_type: string;
  actor_id: string;
  request_id: string | null;
  status_before: string;
  status_after: string;
};
/** Every entry about a resource, oldest first, as [action, actor type, actor id, request id, before, after]. */
async function trail(resourceId: string) {
  const res = await drive.get(`/audit/logs?resource_id=${resourceId}&limit=100`, supportKey);
  expect(res.status).toBe(200);
  return (res.body.data as Entry[])
    .reverse()
    .map((e) => [e.action, e.actor_type, e.actor_id, e.request_id, e.status_before, e.status_after]);
}
/** A POST as `as`, answering its status and the X-Request-ID it ran under (sent by us, echoed by the API). */
async function step(path: string, body?: object, as = key) {
  const requestId = unique('req');
  const res = await s.api.call('POST', `/api/v1${path}`, {
    key: as,
    body,
    headers: { 'idempotency-key': unique('idem'), 'x-request-id': requestId, prefer: 'wait=60' },
  });
  expect(res.headers.get('x-request-id')).toBe(requestId);
  return { status: res.status, body: res.body, requestId };
}

test('funding, disputing, assigning and resolving through REST: each transition under its API key, request id and statuses', async () => {
  const buyer = await drive.party('20');
  const seller = await drive.party();
  const id = await drive.order(buyer.id, seller.id, '20');
  const reserve = await step(`/orders/${id}/reserve`);
  const escrow = await step(`/orders/${id}/escrow`, { amount: '20', currency: 'USD' });
  const fund = await step(`/orders/${id}/escrow/fund`);
  const dispute = await step(`/orders/${id}/resolution/dispute`, { opened_by: 'BUYER', reason: 'not as agreed' });
  expect([reserve.status, escrow.status, fund.status, dispute.status]).toEqual([200, 200, 200, 201]);
  const disputeId = dispute.body.data.id as string;
  const assign = await step(`/disputes/${disputeId}/assign`, { assignee: 'agent-ana' }, supportKey);
  const resolve = await step(`/disputes/${disputeId}/resolve`, { decision: 'FULL_RELEASE', note: 'delivered after all' }, supportKey);
  expect([assign.status, resolve.status]).toEqual([200, 200]);

  expect(await trail(id)).toEqual([
    ['order.reserve', 'api_key', keyId, reserve.requestId, 'ORDER_CREATED', 'FUNDS_RESERVED'],
    ['order.create_escrow', 'api_key', keyId, escrow.requestId, 'FUNDS_RESERVED', 'ESCROW_CREATING'],
    ['order.create_escrow', 'api_key', keyId, escrow.requestId, 'ESCROW_CREATING', 'ESCROW_CREATED'],
    ['order.fund', 'api_key', keyId, fund.requestId, 'ESCROW_CREATED', 'ESCROW_FUNDING'],
    ['order.fund', 'api_key', keyId, fund.requestId, 'ESCROW_FUNDING', 'IN_PROGRESS'],
    ['dispute.open', 'api_key', keyId, dispute.requestId, 'IN_PROGRESS', 'DISPUTED'],
    ['dispute.resolve', 'api_key', supportKeyId, resolve.requestId, 'DISPUTED', 'RESOLVING'],
    ['dispute.resolve', 'api_key', supportKeyId, resolve.requestId, 'RESOLVING', 'RELEASED'],
  ]);
  const full = (await drive.get(`/audit/logs?resource_id=${id}&action=order.fund`, supportKey)).body.data;
  expect(full[0].details).toMatchObject({ escrow_status_before: 'CREATED', escrow_status_after: 'FUNDED' });
  expect(await trail(disputeId)).toEqual([['dispute.assign', 'api_key', supportKeyId, assign.requestId, 'OPEN', 'OPEN']]);
  const assigned = (await drive.get(`/audit/logs?resource_id=${disputeId}`, supportKey)).body.data[0];
  expect(assigned.details).toEqual({ order_id: id, assignee: 'agent-ana', previous_assignee: null });

  // A support read is recorded too: who looked at custody, and what drift they were shown.
  const read = await s.api.call('GET', '/api/v1/reconciliation/custody', { key: supportKey, headers: { 'x-request-id': unique('req') } });
  expect(read.status).toBe(200);
  const [seen] = (await drive.get(`/audit/logs?request_id=${read.headers.get('x-request-id')}`, supportKey)).body.data;
  expect(seen).toMatchObject({
    action: 'reconciliation.custody',
    actor_type: 'api_key',
    actor_id: supportKeyId,
    resource_type: 'reconciliation',
    details: { users: read.body.data.users, drift: read.body.data.totals.drift, drifted: read.body.data.drifted.length },
  });
  // Updates that carry who asked, for the replay suite.
  await recordHistory('order-audited-dispute-released', orderWorkflowId(id));
}, 120_000);

test('a resolution signalled from the Temporal CLI is recorded under the operator’s identity, not what the signal claims', async () => {
  const buyer = await drive.party('12');
  const seller = await drive.party();
  const id = await drive.funded(buyer.id, seller.id, '12');
  const cancelTooLate = await step(`/orders/${id}/cancel`);
  expect(cancelTooLate.status).toBe(409);
  expect((await drive.dispute(id, 'SELLER')).status).toBe(201);
  const handle = new Client({ connection: temporal, identity: 'support-bob@ops-cli' }).workflow.getHandle(orderWorkflowId(id));
  await handle.signal(resolveSignal, { decision: 'FULL_REFUND', note: 'seller agreed', resolved_by: 'someone-else@marketplace' });
  await eventually(async () => (await drive.orderView(id)).status === 'REFUNDED', 30_000, 'the refund by signal');

  const entries = await trail(id);
  expect(entries.map((e) => e[0])).toEqual([
    'order.reserve',
    'order.create_escrow',
    'order.create_escrow',
    'order.fund',
    'order.fund',
    'dispute.open',
    'dispute.resolve',
    'dispute.resolve',
  ]);
  // The refused cancel changed nothing and left no entry.
  expect(entries.slice(-2)).toEqual([
    ['dispute.resolve', 'operator', 'temporal:support-bob@ops-cli', null, 'DISPUTED', 'RESOLVING'],
    ['dispute.resolve', 'operator', 'temporal:support-bob@ops-cli', null, 'RESOLVING', 'REFUNDED'],
  ]);
  const byOperator = await drive.get(`/audit/logs?actor_id=${encodeURIComponent('temporal:support-bob@ops-cli')}`, supportKey);
  expect(byOperator.body.data.map((e: { resource_id: string }) => e.resource_id)).toEqual([id, id]);
  await recordHistory('order-audited-resolved-by-signal', orderWorkflowId(id));
}, 120_000);

test('cancelling a reservation and a withdrawal (created by its key, paid out by the system) are recorded with their statuses', async () => {
  const buyer = await drive.party('10');
  const seller = await drive.party();
  const id = await drive.reserved(buyer.id, seller.id, '4');
  const cancel = await step(`/orders/${id}/cancel`);
  expect(cancel.status).toBe(200);
  expect((await trail(id)).slice(-1)).toEqual([['order.cancel', 'api_key', keyId, cancel.requestId, 'FUNDS_RESERVED', 'CANCELLED']]);

  const outside = await s.outsideAccount();
  const withdrawal = await step('/withdrawals', {
    user_id: buyer.id,
    amount: '3',
    currency: 'USD',
    destination: { type: 'stellar', address: outside.publicKey() },
  });
  expect(withdrawal.status).toBe(201);
  const wd = withdrawal.body.data.id as string;
  await eventually(
    async () => (await s.api.call('GET', `/api/v1/withdrawals/${wd}`, { key })).body.data.status === 'WITHDRAWAL_COMPLETED',
    30_000,
    'withdrawal completed',
  );
  expect(await trail(wd)).toEqual([
    ['withdrawal.create', 'api_key', keyId, withdrawal.requestId, null, 'WITHDRAWAL_COMMITTED'],
    ['withdrawal.submit', 'system', 'worker', null, 'WITHDRAWAL_COMMITTED', 'WITHDRAWAL_PENDING'],
    ['withdrawal.complete', 'system', 'worker', null, 'WITHDRAWAL_PENDING', 'WITHDRAWAL_COMPLETED'],
  ]);
  await recordHistory('withdrawal-audited-completed', withdrawalWorkflowId(wd));
  const [created] = (await drive.get(`/audit/logs?resource_id=${wd}&action=withdrawal.create`, supportKey)).body.data;
  expect(created.details).toEqual({ user_id: buyer.id, amount: '3', currency: 'USD', destination_address: outside.publicKey() });

  // The deposit that funded the buyer was credited by the system (the deposit watcher), once.
  const deposits = (await drive.get('/audit/logs?action=deposit.credit&resource_type=deposit&limit=100', supportKey)).body.data;
  const buyers = deposits.filter((e: { details: { user_id: string } }) => e.details.user_id === buyer.id);
  expect(buyers).toEqual([
    expect.objectContaining({
      actor_type: 'system',
      actor_id: 'worker',
      request_id: null,
      status_before: null,
      status_after: 'CREDITED',
      details: { user_id: buyer.id, amount: '10', currency: 'USD', transaction_hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    }),
  ]);
}, 120_000);
