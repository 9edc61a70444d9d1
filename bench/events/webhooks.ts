/**
 * Webhook bench: deliveries a second to a local receiver through the real delivery path (one Temporal workflow per
 * endpoint, an activity per delivery that signs, POSTs and records the attempt with the cursor in one transaction)
 * against a bare baseline in the same run: the same events, signed the same way and POSTed by the same client code
 * (src/webhooks/post-delivery.ts, keep-alive), one at a time per endpoint, with no Temporal and no bookkeeping.
 * The ratio says what the durable, ordered, exactly-once-after-2xx bookkeeping costs. `npm run bench:webhooks`;
 * see bench/README.md.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Keypair } from '@stellar/stellar-sdk';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort } from '../../devstack/net';
import { DATA_DIR } from '../../devstack/paths';
import { ensureTemporalCli } from '../../devstack/temporal-cli';
import { startTemporalDevServer } from '../../devstack/temporal-server';
import { loadConfig } from '../../src/config';
import { createDatabase, type Database } from '../../src/db/client';
import { runMigrations } from '../../src/db/migrate';
import { latestEventId, listEventsAfter } from '../../src/events/events-repository';
import { emitSyntheticEvent } from '../../test/helpers/synthetic-events';
import { parseEventId } from '../../src/events/event-id';
import { newId } from '../../src/ids';
import { walletSealer } from '../../src/wallets/wallet-keys';
import { startWebhookDelivery } from '../../src/webhooks/delivery-workflow';
import { postDelivery } from '../../src/webhooks/post-delivery';
import { newWebhookSecret, signDelivery } from '../../src/webhooks/signing';
import { secretBinding } from '../../src/webhooks/webhook-ids';
import { insertEndpoint, recordDelivery } from '../../src/webhooks/webhooks-repository';
import { startWorker } from '../../worker/worker';
import { prepareBenchDatabase } from '../shared/database';
import { envNumber } from '../shared/env';

const ENDPOINTS = envNumber('BENCH_ENDPOINTS', 4);
const EVENTS = envNumber('BENCH_EVENTS', 500);
const TIMEOUT_SECONDS = envNumber('BENCH_TIMEOUT_SECONDS', 300);
/** Rounds whose phase order alternates (webhooks, recorded, bare; then bare, recorded, webhooks); results pooled. */
const ROUNDS = envNumber('BENCH_ROUNDS', 2);
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Counts what each endpoint's path received and checks the order: event ids strictly ascending, each once. */
class Receiver {
  private server!: http.Server;
  private readonly last = new Map<string, string>();
  received = 0;
  outOfOrder = 0;
  private target = 0;
  private done: () => void = () => undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = req.headers['webhook-id'] as string;
        const previous = this.last.get(req.url!);
        if (previous !== undefined && previous >= id) this.outOfOrder++;
        this.last.set(req.url!, id);
        res.writeHead(200).end();
        if (++this.received === this.target) this.done();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Resets the counts and resolves once `n` more deliveries arrived. */
  expect(n: number): Promise<void> {
    this.received = 0;
    this.outOfOrder = 0;
    this.last.clear();
    this.target = n;
    return new Promise((resolve) => (this.done = resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

async function emitEvents(database: Database, family: string): Promise<void> {
  for (let n = 0; n < EVENTS; n++)
    await emitSyntheticEvent(database.db, {
      dedupeKey: `${family}:${n}`,
      type: `${family}.created`,
      resourceType: 'bench',
      resourceId: `res_${n}`,
      data: { n, note: 'x'.repeat(200) },
    });
}

async function timed(what: string, run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    run(),
    new Promise(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${TIMEOUT_SECONDS} s`)), TIMEOUT_SECONDS * 1000)),
    ),
  ]).finally(() => clearTimeout(timer));
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const cleanup: Array<() => Promise<void>> = [];
  const runDir = path.join(DATA_DIR, 'bench', `webhooks-${Date.now().toString(36)}`);
  fs.mkdirSync(runDir, { recursive: true });
  cleanup.push(async () => fs.rmSync(runDir, { recursive: true, force: true }));
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    const { url } = await prepareBenchDatabase({ name: `bench_webhooks_${crypto.randomBytes(3).toString('hex')}`, runDir, cleanup, log });
    await runMigrations(url);
    const temporal = await startTemporalDevServer({
      bin: ensureTemporalCli(log),
      port: await freePort(),
      dbFile: path.join(runDir, 'temporal.db'),
    });
    cleanup.push(() => temporal.stop());
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'bench-webhooks',
      OFFERHUB_MASTER_KEY: crypto.randomBytes(32).toString('hex'),
      PLATFORM_SECRET: Keypair.random().secret(),
      USDC_ISSUER: Keypair.random().publicKey(),
      WALLET_ENCRYPTION_KEYS: `b1:${crypto.randomBytes(32).toString('base64')}`,
      WEBHOOKS_ALLOW_INSECURE_URLS: 'true',
      WORKER_METRICS_ADDRESS: '',
    });
    const database = createDatabase(url, 10);
    cleanup.push(() => database.close());
    const receiver = new Receiver();
    await receiver.start();
    cleanup.push(() => receiver.stop());
    log(`starting the worker (bundles the workflows; ${ENDPOINTS} endpoints × ${EVENTS} events)`);
    const worker = await startWorker({ config, depositWatcher: false });
    cleanup.push(() => worker.stop());

    const sealer = walletSealer(config);
    const connection = await Connection.connect({ address: temporal.address });
    cleanup.push(() => connection.close());
    const temporalClient = new Client({ connection });
    const total = ENDPOINTS * EVENTS;
    const seconds = { webhooks: 0, recorded: 0, bare: 0, emit: 0 };
    let outOfOrder = 0;

    for (let round = 0; round < ROUNDS; round++) {
      // Each round: new endpoints registered as the API does, their events committed, then the three phases, in an
      // order that alternates between rounds so that a drift of the machine hits them alike.
      const family = `bench${crypto.randomBytes(3).toString('hex')}`;
      const cursor = await latestEventId(database.db);
      const register = async (i: number) => {
        const id = newId('whk');
        await insertEndpoint(database.db, {
          id,
          owner: 'bench',
          url: `http://127.0.0.1:${receiver.port}/hook/${i}`,
          eventTypes: [`${family}.*`],
          description: null,
          secretSealed: sealer.seal(newWebhookSecret(), secretBinding(id)),
          cursor,
        });
        return id;
      };
      const endpointIds: string[] = [];
      const baselineIds: string[] = []; // rows of their own for `recorded`, whose cursors it moves as the real path does
      for (let i = 0; i < ENDPOINTS; i++) {
        endpointIds.push(await register(i));
        baselineIds.push(await register(i));
      }
      seconds.emit += await timed('emit', () => emitEvents(database, family));
      const events = await listEventsAfter(database.db, { afterId: cursor, types: [`${family}.*`], limit: EVENTS });

      const webhooks = () =>
        timed('webhooks', async () => {
          const arrived = receiver.expect(total);
          for (const id of endpointIds) await startWebhookDelivery(temporalClient, config, config.TEMPORAL_TASK_QUEUE, id);
          await arrived;
          outOfOrder += receiver.outOfOrder;
        });
      // Baselines: the same events, signed and POSTed by the same client code, one at a time per endpoint; `bare`
      // records nothing, `recorded` also records each attempt and moves the cursor in one transaction (recordDelivery)
      // as the real path does, so webhooks/recorded is the cost of Temporal (and the reads), recorded/bare that of a
      // commit per delivery.
      const secret = newWebhookSecret();
      const baseline = (name: string, record: boolean) => () =>
        timed(name, async () => {
          const arrived = receiver.expect(total);
          await Promise.all(
            baselineIds.map(async (endpointId, i) => {
              for (const event of events) {
                const body = JSON.stringify(event);
                const headers = { ...signDelivery([secret], event.id, new Date(), body) };
                const url = `http://127.0.0.1:${receiver.port}/hook/${i}`;
                const sent = await postDelivery({ url, headers, body, timeoutMs: 10_000, allowInsecure: true });
                if (sent.statusCode !== 200) throw new Error(`${name}: ${sent.statusCode} ${sent.error}`);
                if (record) {
                  const eventId = parseEventId(event.id)!;
                  const row = {
                    id: newId('whd'),
                    endpointId,
                    eventId,
                    attempt: 1,
                    statusCode: 200,
                    latencyMs: sent.latencyMs,
                    error: null,
                  };
                  await recordDelivery(database.db, row, { kind: 'advance', eventId });
                }
              }
            }),
          );
          await arrived;
        });
      const phases = { webhooks, recorded: baseline('recorded', true), bare: baseline('bare', false) };
      const order: Array<keyof typeof phases> = round % 2 === 0 ? ['webhooks', 'recorded', 'bare'] : ['bare', 'recorded', 'webhooks'];
      for (const name of order) {
        const took = await phases[name]();
        seconds[name] += took;
        log(`round ${round + 1} ${name}: ${total} deliveries in ${took.toFixed(2)} s`);
      }
    }

    const webhookRate = (ROUNDS * total) / seconds.webhooks;
    const bareRate = (ROUNDS * total) / seconds.bare;
    const recordedRate = (ROUNDS * total) / seconds.recorded;
    const webhookOrder = outOfOrder;
    const emitSeconds = seconds.emit / ROUNDS;
    const result = {
      endpoints: ENDPOINTS,
      events: EVENTS,
      rounds: ROUNDS,
      webhooks_per_s: Math.round(webhookRate),
      recorded_per_s: Math.round(recordedRate),
      bare_per_s: Math.round(bareRate),
      ratio_webhooks_recorded: Number((webhookRate / recordedRate).toFixed(3)),
      ratio_webhooks_bare: Number((webhookRate / bareRate).toFixed(3)),
      commits_per_s: Math.round(EVENTS / emitSeconds),
      out_of_order: webhookOrder,
    };
    log('');
    log(`deliveries/s   webhooks ${result.webhooks_per_s}   recorded ${result.recorded_per_s}   bare ${result.bare_per_s}`);
    log(`ratio webhooks/recorded ${result.ratio_webhooks_recorded.toFixed(3)}   webhooks/bare ${result.ratio_webhooks_bare.toFixed(3)}`);
    log(`order: ${webhookOrder === 0 ? 'every endpoint received its events in id order, each once' : `${webhookOrder} out of order`}`);
    log(JSON.stringify(result));
    if (webhookOrder !== 0) process.exitCode = 1;
  } finally {
    for (const fn of cleanup.reverse())
      await fn().catch((err: unknown) => log(`cleanup: ${err instanceof Error ? err.message : String(err)}`));
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
