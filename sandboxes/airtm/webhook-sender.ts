import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Delivers the sandbox's events the way Airtm does, through Svix (#/tags[name=Webhooks]/description): a POST of the
 * raw JSON `{type, data}` (#/webhooks/<event>/post/requestBody) with `svix-id`, `svix-timestamp` and `svix-signature`
 * (signed with `standardwebhooks`' `Webhook.sign`, the library svix's own Webhook wraps: HMAC-SHA256 of
 * `${svix-id}.${svix-timestamp}.${body}`, `v1,` + base64), acknowledged by any 2xx within 15
 * seconds, otherwise retried on the schedule of "Retries" (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
 * Every attempt of one message carries the same `svix-id`, with a fresh timestamp and signature.
 *
 * On command it drops, duplicates, delays or holds (then releases, in any order) messages: the failures a receiver
 * must survive.
 */

/** "Retries", "The schedule": the wait before each attempt, the first one immediate. */
export const SVIX_SCHEDULE_MS = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
/** "any message that fails to send a response within 15 seconds a failed message". */
const ATTEMPT_TIMEOUT_MS = 15_000;

export interface Delivery {
  svixId: string;
  type: string;
  /** The operation's id (`data.id`). */
  dataId: string;
  body: string;
  /** HTTP status of each attempt, or 0 when it could not be delivered (refused, timed out). */
  attempts: number[];
  delivered: boolean;
  dropped: boolean;
}

interface Message {
  delivery: Delivery;
  copies: number;
  delayMs: number;
}

export class WebhookSender {
  readonly deliveries: Delivery[] = [];
  private readonly signer: Webhook | null;
  private dropCount = 0;
  private duplicateCount = 0;
  private duplicateCopies = 2;
  private delayCount = 0;
  private delayMs = 0;
  private holding = false;
  private held: Message[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly opts: { url?: string; secret?: string; scheduleMs?: number[] }) {
    this.signer = opts.secret ? new Webhook(opts.secret) : null;
  }

  setUrl(url: string | undefined): void {
    this.opts.url = url;
  }

  /** The next `n` messages are lost: never sent. */
  dropNext(n = 1): void {
    this.dropCount += n;
  }
  /** The next `n` messages are each delivered `copies` times (same svix-id: a redelivery). */
  duplicateNext(n = 1, copies = 2): void {
    this.duplicateCount += n;
    this.duplicateCopies = copies;
  }
  /** The next `n` messages wait `ms` before their first attempt. */
  delayNext(ms: number, n = 1): void {
    this.delayCount += n;
    this.delayMs = ms;
  }
  /** Keeps every message from now on until release(). */
  hold(): void {
    this.holding = true;
  }
  /**
   * Sends the held messages one after another (each first attempt once the previous one is answered), in the order
   * they were made or the reverse one (out of order), and stops holding. Retries follow the schedule as usual.
   */
  release(opts: { reverse?: boolean } = {}): number {
    this.holding = false;
    const held = opts.reverse ? this.held.reverse() : this.held;
    this.held = [];
    const attempts = held.flatMap((m) => Array.from({ length: m.copies }, () => m.delivery));
    this.inFlight += attempts.length;
    void (async () => {
      for (const d of attempts) await this.attempt(d, 0);
    })();
    return held.length;
  }
  /** Resolves when no message is waiting for an attempt or in one (held ones aside). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  send(type: string, data: Record<string, unknown>): void {
    if (this.stopped) return;
    const delivery: Delivery = {
      svixId: `msg_${crypto.randomBytes(14).toString('base64url')}`,
      type,
      dataId: String(data.id),
      body: JSON.stringify({ type, data }),
      attempts: [],
      delivered: false,
      dropped: false,
    };
    this.deliveries.push(delivery);
    if (!this.opts.url || !this.signer) return;
    if (this.dropCount > 0) {
      this.dropCount--;
      delivery.dropped = true;
      return;
    }
    const message: Message = { delivery, copies: 1, delayMs: 0 };
    if (this.duplicateCount > 0) {
      this.duplicateCount--;
      message.copies = this.duplicateCopies;
    }
    if (this.delayCount > 0) {
      this.delayCount--;
      message.delayMs = this.delayMs;
    }
    if (this.holding) this.held.push(message);
    else this.start(message);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.inFlight = 0;
    this.settle();
  }

  private start(m: Message): void {
    for (let i = 0; i < m.copies; i++) this.schedule(m.delivery, 0, i === 0 ? m.delayMs : m.delayMs + 10 * i);
  }

  private schedule(d: Delivery, attempt: number, extraMs = 0): void {
    const schedule = this.opts.scheduleMs ?? SVIX_SCHEDULE_MS;
    if (attempt >= schedule.length || this.stopped) return;
    this.inFlight++;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.attempt(d, attempt);
    }, schedule[attempt]! + extraMs);
    this.timers.add(t);
  }

  private async attempt(d: Delivery, attempt: number): Promise<void> {
    let status = 0;
    try {
      const timestamp = new Date();
      const res = await fetch(this.opts.url!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'svix-id': d.svixId,
          'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'svix-signature': this.signer!.sign(d.svixId, timestamp, d.body),
        },
        body: d.body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      /* refused or timed out: status stays 0 */
    }
    if (this.stopped) return;
    d.attempts.push(status);
    if (status >= 200 && status < 300) d.delivered = true;
    else this.schedule(d, attempt + 1);
    this.inFlight--;
    this.settle();
  }

  private settle(): void {
    if (this.inFlight > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
