import { z } from 'zod';
import { EVENT_CATALOG, EVENT_TYPES, isEventPattern } from '../../src/events/catalog';
import { formatEventId, parseEventId } from '../../src/events/event-id';
import { parseTypePatterns } from '../../src/events/event-filter';
import { AppError } from '../../src/errors';
import type { ApiDeps } from '../context';
import { EventStream } from '../http/event-stream';
import { defineRoute } from '../http/route';

const RESOURCES = [...new Set(Object.values(EVENT_CATALOG).map((c) => c.resource))] as [string, ...string[]];

const catalogTable = ['| type | resource | when |', '| --- | --- | --- |']
  .concat(Object.entries(EVENT_CATALOG).map(([type, c]) => `| \`${type}\` | ${c.resource} | ${c.description} |`))
  .join('\n');

/** An event as every consumer gets it (the SSE `data:` line; webhook bodies). The catalog is its `type`. */
export const eventSchema = z
  .object({
    id: z.string().meta({ example: formatEventId(42n), description: 'Ordered: resume after the last one seen' }),
    type: z.enum(EVENT_TYPES as [string, ...string[]]).meta({ description: `The event catalog:\n\n${catalogTable}` }),
    created_at: z.string(),
    resource: z.object({ type: z.enum(RESOURCES), id: z.string() }),
    data: z.record(z.string(), z.unknown()).meta({ description: 'The resource as the API renders it when the event happened' }),
  })
  .meta({ id: 'Event' });

const typesParam = z
  .string()
  .max(2000)
  .transform((s) => s.split(',').map((t) => t.trim()))
  .refine((list) => list.every(isEventPattern), 'each must be an event type of the catalog or `<family>.*` (e.g. order.*)');

const cursorParam = z.string().refine((s) => parseEventId(s) !== null, 'must be an event id (evt_ and 16 digits)');

function cursorOf(req: { headers: Record<string, string | string[] | undefined> }, since: string | undefined): bigint | null {
  const header = req.headers['last-event-id'];
  if (typeof header === 'string' && header !== '') {
    const id = parseEventId(header);
    if (id === null) {
      throw new AppError('VALIDATION_ERROR', 'Invalid Last-Event-ID', {
        fields: [{ field: 'headers.last-event-id', code: 'invalid_format', message: 'must be an event id (evt_ and 16 digits)' }],
      });
    }
    return id;
  }
  return since === undefined ? null : parseEventId(since);
}

/** Claims the key's one stream, here and (through an advisory lock on the feed's connection) in every API process. */
async function claimStream(deps: ApiDeps, holder: string): Promise<void> {
  const { holders, feed } = deps.events;
  const busy = () =>
    new AppError('RATE_LIMITED', 'This API key already has an event stream open; one stream per key', { limit: 'one_stream_per_api_key' });
  if (holders.has(holder)) throw busy();
  holders.add(holder);
  let locked = false;
  try {
    locked = await feed.notifications.tryLock(holder);
  } finally {
    if (!locked) holders.delete(holder);
  }
  if (!locked)
    throw feed.notifications.connected ? busy() : new AppError('SERVICE_UNAVAILABLE', 'Event notifications are reconnecting; retry');
}

export const eventRoutes = [
  defineRoute({
    method: 'get',
    path: '/events',
    tag: 'Events',
    summary: 'Stream events (Server-Sent Events)',
    description:
      'A `text/event-stream` of the events of the catalog (schema `Event`), in id order: each message has `id:` (the event id), ' +
      '`event:` (its type) and `data:` (the event as JSON). Starts after `Last-Event-ID` (header, what EventSource sends when it ' +
      'reconnects; wins over `since`) or `?since=`, out of the stored events (kept `EVENTS_RETENTION_DAYS`); with neither, at the ' +
      'newest event: only what happens from now on. A comment line every `EVENTS_HEARTBEAT_MS` (15 s). One stream per API key ' +
      '(every API process together): a second gets 429. A client that does not read fast enough is sent a last ' +
      '`event: error` message (`STREAM_FELL_BEHIND`, `details.last_event_id`) and disconnected; resume after that id.\n\n' +
      catalogTable,
    access: 'read',
    query: z.strictObject({
      types: typesParam.optional().meta({ description: 'Comma-separated types or families: `order.*,deposit.credited`' }),
      resource_type: z.enum(RESOURCES).optional(),
      resource_id: z.string().min(1).max(200).optional(),
      since: cursorParam.optional().meta({ description: 'Start after this event id' }),
    }),
    responses: {
      200: { description: 'The event stream', schema: eventSchema, contentType: 'text/event-stream' },
      400: { description: 'VALIDATION_ERROR: an unknown type, a malformed since or Last-Event-ID' },
      429: { description: 'RATE_LIMITED: this API key already has a stream open' },
      503: { description: 'SERVICE_UNAVAILABLE: the process cannot listen for events right now' },
    },
    async handle({ query, principal, deps, req }) {
      const cursor = cursorOf(req, query.since);
      const { feed, holders } = deps.events;
      await feed.start().catch(() => {
        throw new AppError('SERVICE_UNAVAILABLE', 'Event notifications are not available; retry');
      });
      const holder = principal!.id;
      await claimStream(deps, holder);
      const filter = {
        types: query.types ? parseTypePatterns(query.types) : undefined,
        resourceType: query.resource_type,
        resourceId: query.resource_id,
      };
      const c = deps.config;
      return {
        status: 200,
        body: null,
        stream: async (res) => {
          const stream = new EventStream(res, feed, deps.database.pool, filter, query.types, cursor ?? feed.position, {
            heartbeatMs: c.EVENTS_HEARTBEAT_MS,
            maxPending: c.EVENTS_STREAM_MAX_PENDING,
            stallMs: c.EVENTS_STREAM_STALL_MS,
            retryMs: c.EVENTS_STREAM_RETRY_MS,
          });
          stream.onEnd(() => {
            holders.delete(holder);
            void feed.notifications.unlock(holder);
          });
          await stream.start();
        },
      };
    },
  }),
];
