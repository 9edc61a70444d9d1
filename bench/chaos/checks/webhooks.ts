import { Webhook } from 'standardwebhooks';
import type { Config } from '../../../src/config';
import type { Database } from '../../../src/db/client';
import { parseEventId } from '../../../src/events/event-id';
import { listEventsAfter } from '../../../src/events/events-repository';
import { walletSecretBox } from '../../../src/wallets/wallet-keys';
import { typesFilter } from '../../../src/webhooks/pending-events';
import { secretBinding } from '../../../src/webhooks/webhook-ids';
import type { CheckResult, WebhookDelivery } from '../types';
import { endpointsOn, type ReceiverEndpoint } from './checks-repository';
import { checkResult } from './result';

const PAGE = 1000;
/** Deliveries with a bad signature listed one by one; the rest are counted. */
const LISTED = 20;

/**
 * No event reached the receiver twice as two deliveries, none was lost, each was signed by its endpoint. Our webhooks
 * are Standard Webhooks whose `webhook-id` is the event's id, the same on every attempt (src/webhooks/signing.ts): a
 * request repeating one (same event, same webhook-id) is at-least-once redelivery, counted but allowed (the sender
 * cannot know an answer it never recorded reached the receiver); the same event under another webhook-id is a breach.
 * Signatures are checked with `secrets` (what the runner was told when it registered the receiver) or else with the
 * endpoints' own, opened with the worker's keyring. Every event each endpoint on the receiver subscribes to, from its
 * first, must have arrived, and its cursor must be past the last one (the deliveries settled).
 */
export async function checkWebhooks(
  deliveries: readonly WebhookDelivery[],
  deps: { config: Config; database: Database; receiverUrl: string; secrets?: string[] },
): Promise<CheckResult> {
  const breaches: string[] = [];
  const endpoints = await endpointsOn(deps.database.pool, deps.receiverUrl);
  const secrets = deps.secrets ?? endpointSecrets(deps.config, endpoints, breaches);
  const idsOf = new Map<string, Set<string>>(); // event id → webhook-ids it came under
  let redeliveries = 0;
  let unsigned = 0;
  for (const [i, d] of deliveries.entries()) {
    const event = eventOf(d.body);
    const webhookId = d.headers['webhook-id'] ?? '';
    if (!event) {
      breaches.push(`delivery #${i} (webhook-id ${webhookId || 'none'}) carries no event: ${d.body.slice(0, 80)}`);
      continue;
    }
    const ids = idsOf.get(event) ?? new Set<string>();
    if (ids.has(webhookId)) redeliveries++;
    ids.add(webhookId);
    idsOf.set(event, ids);
    if (secrets.length > 0 && !signedByOneOf(secrets, d) && ++unsigned <= LISTED)
      breaches.push(`delivery #${i} of ${event} (webhook-id ${webhookId}) is not signed by the endpoint's secret`);
  }
  if (unsigned > LISTED) breaches.push(`… and ${unsigned - LISTED} more deliveries not signed by the endpoint's secret`);
  let twice = 0;
  for (const [event, ids] of idsOf) {
    if (ids.size > 1) {
      twice++;
      breaches.push(`${event} was delivered as ${ids.size} different deliveries (webhook-id ${[...ids].join(', ')})`);
    } else if (!ids.has(event)) breaches.push(`${event} came under webhook-id ${[...ids][0]}, not its event id (receivers dedupe on it)`);
  }
  let expected = 0;
  let lost = 0;
  for (const e of endpoints) {
    if (e.status !== 'active') breaches.push(`endpoint ${e.id} is ${e.status}: ${e.disabled_reason ?? 'no reason recorded'}`);
    if (e.first_event === null) continue;
    const events = await subscribedFrom(deps.database, e);
    expected += events.length;
    const missing = events.filter((id) => !idsOf.has(id));
    lost += missing.length;
    if (missing.length > 0)
      breaches.push(`${missing.length} event(s) for endpoint ${e.id} never reached the receiver: ${missing.slice(0, 10).join(', ')}`);
    const last = events.at(-1);
    if (last && BigInt(e.cursor) < parseEventId(last)!)
      breaches.push(`endpoint ${e.id} has not delivered up to ${last} (cursor ${e.cursor})`);
  }
  if (endpoints.length === 0 && deliveries.length > 0) breaches.push(`no webhook endpoint is registered on ${deps.receiverUrl}`);
  return checkResult(
    'webhooks',
    {
      deliveries: deliveries.length,
      events: idsOf.size,
      redeliveries,
      delivered_twice: twice,
      events_expected: expected,
      lost,
      signatures_checked: secrets.length > 0 ? deliveries.length : 'no secret',
      bad_signatures: unsigned,
    },
    breaches,
  );
}

/** The event id a delivery's body names (`evt_…`), or null. */
function eventOf(body: string): string | null {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === 'string' && parseEventId(id) !== null ? id : null;
  } catch {
    return null;
  }
}

/**
 * The reference library's signature of this delivery with one of the secrets is among those it carries (computed, not
 * `verify`d: verification refuses timestamps older than five minutes, and the checks run after a long chaos run).
 */
function signedByOneOf(secrets: string[], d: WebhookDelivery): boolean {
  const id = d.headers['webhook-id'];
  const ts = Number(d.headers['webhook-timestamp']);
  const carried = (d.headers['webhook-signature'] ?? '').split(' ');
  if (!id || !Number.isInteger(ts)) return false;
  return secrets.some((s) => carried.includes(new Webhook(s).sign(id, new Date(ts * 1000), d.body)));
}

function endpointSecrets(config: Config, endpoints: ReceiverEndpoint[], breaches: string[]): string[] {
  if (endpoints.length === 0) return [];
  if (!config.WALLET_ENCRYPTION_KEYS) return []; // figures say no signature was checked
  const box = walletSecretBox(config);
  const secrets: string[] = [];
  for (const e of endpoints)
    for (const sealed of [e.secret_sealed, e.previous_secret_sealed]) {
      if (!sealed) continue;
      try {
        secrets.push(box.open(sealed, secretBinding(e.id)));
      } catch (err) {
        breaches.push(`the secret of endpoint ${e.id} does not open: ${(err as Error).message}`);
      }
    }
  return secrets;
}

/** The ids of the events the endpoint subscribes to, from its first one to the newest. */
async function subscribedFrom(database: Database, e: ReceiverEndpoint): Promise<string[]> {
  const ids: string[] = [];
  let after = BigInt(e.first_event!) - 1n;
  for (;;) {
    const page = await listEventsAfter(database.db, { afterId: after, types: typesFilter(e.event_types), limit: PAGE });
    ids.push(...page.map((v) => v.id));
    if (page.length < PAGE) return ids;
    after = parseEventId(page[page.length - 1].id)!;
  }
}
