import { spawn } from 'node:child_process';
import net from 'node:net';
import { ROOT } from '../../devstack/paths';
import { createDatabase, type Database } from '../../src/db/client';
import { EVENT_TYPES } from '../../src/events/catalog';
import { formatEventId } from '../../src/events/event-id';
import { type DomainEvent, insertEvent, latestEventId, listEventsAfter } from '../../src/events/events-repository';
import { startTestApi, type TestApi, unique } from '../helpers/app';
import { isolatedDatabaseUrl } from '../helpers/db';
import { openStream, type TestStream } from '../helpers/event-source';

/** Streams start at "now" and see every event of the database, so this suite has a database of its own. */
let url: string;
let db: Database;
let api: TestApi;
const streams: TestStream[] = [];
beforeAll(async () => {
  url = await isolatedDatabaseUrl('event_streams');
  db = createDatabase(url, 5);
  api = await startTestApi({ DATABASE_URL: url, EVENTS_HEARTBEAT_MS: '200', EVENTS_STREAM_RETRY_MS: '50' });
});
afterEach(() => streams.splice(0).forEach((s) => s.close()));
afterAll(async () => {
  await api?.close();
  await db?.close();
});

function stream(on: TestApi, key: string, opts: { query?: string; lastEventId?: string } = {}): TestStream {
  const s = openStream(on.url, key, opts);
  streams.push(s);
  return s;
}

async function createUser(on: TestApi = api): Promise<string> {
  const res = await on.call('POST', '/api/v1/users', { body: { external_user_id: unique('evt'), type: 'BUYER' }, key: await writer(on) });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

const writers = new Map<TestApi, string>();
async function writer(on: TestApi): Promise<string> {
  if (!writers.has(on)) writers.set(on, await on.keyWith('write', 'read'));
  return writers.get(on)!;
}

/** Waits until the stream is open and the server has it (a heartbeat reached the client through its feed). */
async function opened(s: TestStream): Promise<void> {
  await s.waitFor((x) => x.opened === 1, 'open');
}

test('a user created through the API arrives as user.created, then wallet.created, each with the resource as the API renders it', async () => {
  const key = await api.keyWith('read');
  const s = stream(api, key);
  await opened(s);
  const id = await createUser();
  await s.waitFor((x) => x.events.length >= 2, 'two events');
  expect(s.events.map((e) => [e.type, e.resource])).toEqual([
    ['user.created', { type: 'user', id }],
    ['wallet.created', { type: 'wallet', id }],
  ]);
  const user = await api.call('GET', `/api/v1/users/${id}`, { key });
  expect(s.events[0].data).toEqual(user.body.data);
  const wallet = await api.call('GET', `/api/v1/users/${id}/wallet/deposit`, { key });
  expect(s.events[1].data).toMatchObject({ user_id: id, address: wallet.body.data.address, status: 'PENDING' });
  expect(s.events[0].id < s.events[1].id).toBe(true);
});

test('filters: ?types= with a family wildcard and an exact type, ?resource_id=', async () => {
  const start = await latestEventId(db.pool);
  const wallets = stream(api, await api.keyWith('read'), { query: 'types=wallet.*' });
  const exact = stream(api, await api.keyWith('read'), { query: 'types=user.created,deposit.credited' });
  await Promise.all([opened(wallets), opened(exact)]);
  const first = await createUser();
  const only = stream(api, await api.keyWith('read'), { query: `resource_id=${first}&since=${formatEventId(start)}` });
  const second = await createUser();
  await wallets.waitFor((x) => x.events.length >= 2);
  await exact.waitFor((x) => x.events.length >= 2);
  await only.waitFor((x) => x.events.length >= 2);
  const metrics = await (await fetch(`${api.metricsUrl}/metrics`)).text();
  expect(metrics).toMatch(/^event_streams_open 3$/m);
  expect(Number(/^event_feed_reads_total (\d+)$/m.exec(metrics)![1])).toBeGreaterThan(0);
  expect(wallets.events.map((e) => [e.type, e.resource.id])).toEqual([
    ['wallet.created', first],
    ['wallet.created', second],
  ]);
  expect(exact.events.map((e) => [e.type, e.resource.id])).toEqual([
    ['user.created', first],
    ['user.created', second],
  ]);
  expect(only.events.map((e) => [e.type, e.resource.id])).toEqual([
    ['user.created', first],
    ['wallet.created', first],
  ]);
});

test('bad filters and cursors answer 400 VALIDATION_ERROR in the error envelope; the write scope alone is 403', async () => {
  const key = await api.keyWith('read');
  for (const q of ['types=order.nope', 'types=nope.*', 'since=evt_12', 'unknown=1']) {
    const res = await api.call('GET', `/api/v1/events?${q}`, { key });
    expect([q, res.status, res.body.error.code]).toEqual([q, 400, 'VALIDATION_ERROR']);
  }
  const header = await api.call('GET', '/api/v1/events', { key, headers: { 'last-event-id': 'evt_x' } });
  expect(header.status).toBe(400);
  expect(header.body.error.details.fields[0].field).toBe('headers.last-event-id');
  expect((await api.call('GET', '/api/v1/events', { key: await api.keyWith('write') })).body.error.code).toBe('INSUFFICIENT_SCOPE');
});

test('the OpenAPI document has the stream and the whole event catalog', async () => {
  const doc = (await api.call('GET', '/api/v1/openapi.json', { key: null })).body;
  const route = doc.paths['/api/v1/events'].get;
  expect(route.responses['200'].content['text/event-stream'].schema).toEqual({ $ref: '#/components/schemas/Event' });
  expect(doc.components.schemas.Event.properties.type.enum).toEqual(EVENT_TYPES);
  for (const type of EVENT_TYPES) expect(route.description).toContain(`| \`${type}\` |`);
});

test('an idle stream starts with its retry delay and sends a heartbeat comment every EVENTS_HEARTBEAT_MS', async () => {
  const res = await fetch(`${api.url}/api/v1/events`, { headers: { authorization: `Bearer ${await api.keyWith('read')}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = res.body!.getReader();
  let text = '';
  while ((text.match(/^: heartbeat$/gm) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  expect(text.startsWith('retry: 50\n: events after evt_')).toBe(true);
  expect(text).not.toMatch(/^(id|data):/m); // nothing happened meanwhile in this database: no event
});

test('resuming with Last-Event-ID misses nothing and repeats nothing', async () => {
  const key = await api.keyWith('read');
  const start = await latestEventId(db.pool);
  const first = stream(api, key, { lastEventId: formatEventId(start) });
  await opened(first);
  await createUser();
  await createUser();
  await first.waitFor((x) => x.events.length >= 4);
  first.close();
  const seen = first.events.slice(0, 3); // as if the client lost the connection after the third event
  await createUser(); // while it is away
  const resumed = stream(api, key, { lastEventId: seen[2].id });
  await resumed.waitFor((x) => x.opened === 1 && x.failures.length === 0 && x.events.length >= 3, 'resumed events');
  await createUser();
  const all = await listEventsAfter(db.pool, { afterId: start, limit: 100 });
  expect(all).toHaveLength(8);
  await resumed.waitFor((x) => x.events.length >= 5);
  expect([...seen, ...resumed.events]).toEqual(all);
});

test('one stream per API key: a second answers 429 RATE_LIMITED, here and on another API process; freed when the first ends', async () => {
  const key = await api.keyWith('read');
  const other = await startTestApi({ DATABASE_URL: url });
  try {
    const s = stream(api, key);
    await opened(s);
    const again = await fetch(`${api.url}/api/v1/events`, { headers: { authorization: `Bearer ${key}` } });
    expect(again.status).toBe(429);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    const elsewhere = await other.call('GET', '/api/v1/events', { key });
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(elsewhere.body.error.details).toEqual({ limit: 'one_stream_per_api_key' });
    s.close();
    // Once the first stream is gone, the key may stream again (on any process).
    const next = stream(other, key);
    await next.waitFor((x) => x.opened === 1 || x.failures.length > 5);
    expect(next.opened).toBe(1);
  } finally {
    await other.close();
  }
});

test('a stream resumes on another API process after the one it was connected to is killed (SIGKILL) mid-stream', async () => {
  const doomed = await startApiProcess();
  const survivor = await startTestApi({ DATABASE_URL: url, EVENTS_STREAM_RETRY_MS: '50' });
  try {
    const key = await api.keyWith('read');
    const start = await latestEventId(db.pool);
    const s = openStream(doomed.url, key, { lastEventId: formatEventId(start) });
    streams.push(s);
    await opened(s);
    const writes = (async () => {
      for (let i = 0; i < 6; i++) await createUser(survivor);
    })();
    await s.waitFor((x) => x.events.length >= 3);
    await doomed.kill(); // mid-stream: its sockets and its database connections die with it (and so its key lock)
    s.close();
    await writes;
    const lastSeen = s.events[s.events.length - 1].id;
    const resumed = stream(survivor, key, { lastEventId: lastSeen });
    const all = await listEventsAfter(db.pool, { afterId: start, limit: 100 });
    expect(all).toHaveLength(12);
    await resumed.waitFor((x) => s.events.length + x.events.length >= 12, 'the rest');
    expect(resumed.failures).toEqual([]); // the key was free at once: no 429
    expect([...s.events, ...resumed.events]).toEqual(all);
  } finally {
    await survivor.close();
    await doomed.kill();
  }
});

/** The API as its own process (bin/api.ts, as production runs it) on this suite's database, to be killed with SIGKILL. */
async function startApiProcess(): Promise<{ url: string; kill(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/api.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      EVENTS_STREAM_RETRY_MS: '50',
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the API process did not listen within 30 s')), 30_000);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = /"port":(\d+).*"msg":"api listening"/.exec(out);
      if (listening) {
        clearTimeout(timer);
        resolve(Number(listening[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`the API process exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    kill: () =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
  };
}

test('a client that stops reading is cut off with STREAM_FELL_BEHIND and its last id; the others get everything', async () => {
  const slowApi = await startTestApi({ DATABASE_URL: url, EVENTS_STREAM_STALL_MS: '1000' });
  try {
    const resource = unique('ord');
    const query = `resource_id=${resource}`;
    const fast = stream(slowApi, await slowApi.keyWith('read'), { query });
    const slow = await pausedStream(slowApi, await slowApi.keyWith('read'), query);
    await opened(fast);
    const big = 'x'.repeat(32 * 1024);
    const count = 600; // ~20 MB: beyond what the sockets on both sides buffer
    await db.db.transaction(async (tx) => {
      for (let i = 0; i < count; i++) {
        const e: DomainEvent = {
          dedupeKey: unique('big'),
          type: 'order.status_changed',
          resourceId: resource,
          userIds: [],
          data: { i, big },
        };
        await insertEvent(tx, e);
      }
    });
    await fast.waitFor((x) => x.events.length === count, 'all events on the fast stream');
    expect(fast.events.map((e) => e.data.i)).toEqual([...Array(count).keys()]);
    expect(fast.errors).toEqual([]);

    // The server let go of the slow stream (its key is free again); it reads now, within the grace the server gives it.
    await waitUntil(() => slowApi.deps.events.holders.size === 1);
    const { ids, errors } = await slow.readAll();
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(count);
    expect(errors).toHaveLength(1);
    expect(errors[0].error.code).toBe('STREAM_FELL_BEHIND');
    expect(errors[0].error.details.last_event_id as string).toBe(ids[ids.length - 1]);
    expect(ids).toEqual(fast.events.slice(0, ids.length).map((e) => e.id));
  } finally {
    await slowApi.close();
  }
});

/**
 * A raw SSE request whose client reads nothing from its socket until readAll(), so the socket buffers on both sides
 * fill up (HTTP/1.0: the body comes unchunked and ends when the connection closes).
 */
async function pausedStream(on: TestApi, key: string, query: string) {
  const { port } = new URL(on.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let text = '';
  socket.setEncoding('utf8');
  const closed = new Promise((r) => socket.once('close', r));
  const headers = new Promise<void>((resolve) => {
    const onData = (chunk: string) => {
      text += chunk;
      if (!text.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.pause(); // from here on, nothing is read from the socket
      resolve();
    };
    socket.on('data', onData);
  });
  socket.write(`GET /api/v1/events?${query} HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n\r\n`);
  await headers;
  expect(text.slice(0, 12)).toMatch(/^HTTP\/1\.[01] 200$/);
  return {
    readAll: () =>
      new Promise<{ ids: string[]; errors: Array<{ error: { code: string; details: Record<string, unknown> } }> }>((resolve) => {
        socket.on('data', (chunk: string) => (text += chunk));
        void closed.then(() => {
          const ids = [...text.matchAll(/^id: (evt_\d+)$/gm)].map((m) => m[1]);
          const errors = [...text.matchAll(/^event: error\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]));
          resolve({ ids, errors });
        });
        socket.resume();
      }),
  };
}

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('condition not reached');
}
