import crypto from 'node:crypto';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { emitSyntheticEvent } from '../helpers/synthetic-events';
import { startWorker } from '../../worker/worker';
import { startTestApi, type TestApi, unique } from '../helpers/app';
import { quietTemporalRuntime } from '../helpers/stellar-stack';

/** What a receiver got: the raw request, and what the reference library made of it with the secrets it was told. */
export interface Received {
  headers: Record<string, string>;
  body: string;
  /** The event as `Webhook.verify` returned it; null when no known secret verified the signature. */
  verified: { id: string; type: string; data: Record<string, unknown> } | null;
  /** Which known secrets each verified the delivery on their own. */
  verifiedBy: string[];
  /** When it arrived (Date.now()). */
  at: number;
  /** What the receiver answered. */
  status: number;
}

export type Answer = { status: number; headers?: Record<string, string> };

/**
 * A local receiver on 127.0.0.1 that verifies every delivery with the Standard Webhooks reference library, using the
 * secrets the test gives it, and answers as `answer` says (200 by default).
 */
export class Receiver {
  readonly received: Received[] = [];
  readonly secrets: string[] = [];
  answer: (r: Received) => Answer = () => ({ status: 200 });
  /** How long each answer waits (a slow receiver). */
  delayMs = 0;
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const body = Buffer.concat(chunks).toString('utf8');
        const verifiedBy = this.secrets.filter((s) => verifies(s, body, headers));
        const verified = verifiedBy.length > 0 ? (JSON.parse(body) as Received['verified']) : null;
        const r: Received = { headers, body, verified, verifiedBy, at: Date.now(), status: 0 };
        const a = this.answer(r);
        r.status = a.status;
        this.received.push(r);
        setTimeout(() => res.writeHead(a.status, a.headers).end(), this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hook`;
    return this;
  }

  /** Deliveries answered 2xx, in arrival order. */
  accepted(): Received[] {
    return this.received.filter((r) => r.status >= 200 && r.status < 300);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function verifies(secret: string, body: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

/** The real API and a real worker on a task queue of their own, with webhook settings for tests. */
export async function startWebhookStack(settings: Record<string, string> = {}) {
  quietTemporalRuntime();
  const overrides = {
    TEMPORAL_TASK_QUEUE: unique('tq-webhooks'),
    WEBHOOKS_ALLOW_INSECURE_URLS: 'true',
    WEBHOOK_RETRY_SCHEDULE_MS: '0,100,200,300',
    WEBHOOK_TIMEOUT_MS: '2000',
    ...settings,
  };
  const api = await startTestApi(overrides);
  const worker = await startWorker({
    config: api.config,
    taskQueue: api.config.TEMPORAL_TASK_QUEUE,
    workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
    depositWatcher: false,
  });
  return {
    api,
    async stop() {
      await worker.stop();
      await api.close();
    },
  };
}

/** A type family of this test alone (`t<hex>`), so endpoints filtering on `<family>.*` see only this test's events. */
export function eventFamily(): string {
  return `t${crypto.randomBytes(6).toString('hex')}`;
}

/** Commits an event through the one writer, as a state change would. */
export async function emit(api: TestApi, type: string, n: number): Promise<void> {
  await emitSyntheticEvent(api.deps.database.db, {
    dedupeKey: unique(type),
    type,
    resourceType: 'test',
    resourceId: `res_${n}`,
    data: { n },
  });
}

/** Polls `check` until it holds (a condition on what arrived, not a duration); fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
