import { loadConfig } from '../../src/config';
import { createDatabase, type Database } from '../../src/db/client';
import { formatEventId } from '../../src/events/event-id';
import { latestEventId } from '../../src/events/events-repository';
import { emitSyntheticEvent } from '../helpers/synthetic-events';
import { newId } from '../../src/ids';
import { walletSealer, walletSecretBox } from '../../src/wallets/wallet-keys';
import { deliverScheduled, type DeliveryDeps } from '../../src/webhooks/deliver';
import { newWebhookSecret } from '../../src/webhooks/signing';
import { secretBinding } from '../../src/webhooks/webhook-ids';
import { deleteEndpoint, findEndpoint, insertEndpoint, listDeliveries } from '../../src/webhooks/webhooks-repository';
import { unique } from '../helpers/app';
import { Receiver } from './harness';

/**
 * The delivery step run twice with the same input (what Temporal does when a worker dies after the POST, before the
 * result was recorded): it answers what the first run recorded and sends nothing again.
 */
let database: Database;
let deps: DeliveryDeps;
let receiver: Receiver;
const config = loadConfig({ ...process.env });
const schedule = [0, 1000, 2000];
const created: string[] = [];

beforeAll(async () => {
  database = createDatabase(config.DATABASE_URL, 4);
  deps = { db: database.db, box: walletSecretBox(config), timeoutMs: 2000, allowInsecure: true };
  receiver = await new Receiver().start();
});

afterAll(async () => {
  for (const id of created) await deleteEndpoint(database.db, id, 'test'); // no worker of a later suite resumes them
  await receiver.stop();
  await database.close();
});

async function endpointWithEvent(): Promise<{ endpointId: string; eventId: string }> {
  const endpointId = newId('whk');
  created.push(endpointId);
  const secret = newWebhookSecret();
  receiver.secrets.push(secret);
  await insertEndpoint(database.db, {
    id: endpointId,
    owner: 'test',
    url: receiver.url,
    eventTypes: ['*'],
    description: null,
    secretSealed: walletSealer(config).seal(secret, secretBinding(endpointId)),
    cursor: await latestEventId(database.db),
  });
  const type = `t${Date.now().toString(36)}.created`;
  await emitSyntheticEvent(database.db, { dedupeKey: unique(type), type, resourceType: 'test', resourceId: 'r', data: {} });
  return { endpointId, eventId: formatEventId(await latestEventId(database.db)) };
}

test('after a 2xx the cursor is past the event and running the attempt again sends nothing', async () => {
  receiver.answer = () => ({ status: 200 });
  const { endpointId, eventId } = await endpointWithEvent();
  const before = receiver.received.length;
  const input = { endpointId, eventId, attempt: 1, schedule };
  expect(await deliverScheduled(deps, input)).toEqual({ outcome: 'delivered' });
  expect(await deliverScheduled(deps, input)).toEqual({ outcome: 'delivered' });
  expect(await deliverScheduled(deps, { ...input, attempt: 2 })).toEqual({ outcome: 'delivered' });
  expect(receiver.received.length - before).toBe(1);
  expect(receiver.received.at(-1)!.verified?.id).toBe(eventId);
  expect(formatEventId((await findEndpoint(database.db, endpointId))!.cursor)).toBe(eventId);
  expect(await listDeliveries(database.db, endpointId, { limit: 10 })).toHaveLength(1);
});

test('a failed attempt run again answers the recorded retry without a second POST', async () => {
  receiver.answer = () => ({ status: 503 });
  const { endpointId, eventId } = await endpointWithEvent();
  const before = receiver.received.length;
  const input = { endpointId, eventId, attempt: 1, schedule };
  const first = await deliverScheduled(deps, input);
  const again = await deliverScheduled(deps, input);
  expect(first).toMatchObject({ outcome: 'retry' });
  expect(again).toMatchObject({ outcome: 'retry' });
  expect((again as { delayMs: number }).delayMs).toBeLessThanOrEqual(1000);
  expect(receiver.received.length - before).toBe(1);
  const [row] = await listDeliveries(database.db, endpointId, { limit: 10 });
  expect([row.attempt, row.statusCode]).toEqual([1, 503]);
  expect((await findEndpoint(database.db, endpointId))!.cursor < BigInt(eventId.slice(4))).toBe(true);
});
