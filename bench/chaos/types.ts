/**
 * The contract between the parts of `npm run chaos` (issue 16 §1): the stack (stack.ts) starts every process and
 * sandbox and can kill and restart them; the fault plan (faults.ts) decides, from the seed, what breaks when; the
 * lifecycles (lifecycles/) each drive one complete money path through the public API and the sandboxes' own
 * controls; the checks (checks/) look at the whole system afterwards. run.ts ties them together and prints the table.
 */

/** How a lifecycle reaches the stack. Every URL stays the same across restarts (same ports). */
export interface ChaosEndpoints {
  /** The API's base URL, without `/api/v1`. */
  apiUrl: string;
  /** Bearer tokens: `write` has read+write, `support` has read+write+support. */
  keys: { write: string; support: string };
  /** The Stellar sandbox straight (no fault proxy): the driver's own chain actions (faucet, outside accounts). */
  stellar: { horizonUrl: string; friendbotUrl: string; usdcFaucetUrl: string; networkPassphrase: string; usdcIssuer: string };
  /** The Airtm sandbox straight: `/_sandbox/*` controls (sandboxes/airtm/admin-routes.ts) with HTTP Basic `basic`. */
  airtm: { apiUrl: string; basic: string };
  /** The payment platform sandbox straight (declares payments, issues proofs; sandboxes/payment-platform/server.ts). */
  paymentPlatformUrl: string;
  /** The receiver our outbound webhooks are sent to (its record is read by the checks). */
  webhookReceiverUrl: string;
  databaseUrl: string;
  temporal: { address: string; namespace: string };
}

/** One kind of lifecycle: a name for the table and what ends it well. */
export type LifecycleKind =
  | 'deposit'
  | 'order.released'
  | 'order.refunded'
  | 'order.dispute.release'
  | 'order.dispute.refund'
  | 'order.dispute.split'
  | 'order.cancelled'
  | 'order.expired'
  | 'withdrawal.stellar'
  | 'withdrawal.airtm'
  | 'topup.confirmed'
  | 'topup.failed'
  | 'topup.abandoned'
  | 'onramp.fulfilled'
  | 'onramp.rejected'
  | 'onramp.expired';

export interface LifecycleResult {
  kind: LifecycleKind;
  /** The resource it followed (order, withdrawal, top-up, on-ramp order, deposit's user). */
  id: string;
  /** The terminal state it should reach, and the one it reached (or where it stopped). */
  expected: string;
  actual: string;
  ok: boolean;
  /** Why it is not ok: the first unexpected answer, with its status and body. */
  error?: string;
  ms: number;
  /** What it moved, for the checks: minor units (7 dp) as decimal strings, by what they mean. */
  amounts?: Record<string, string>;
}

/** A lifecycle: drives its path to the end through restarts and faults (retrying a request with the same key). */
export type Lifecycle = (ctx: LifecycleContext) => Promise<LifecycleResult>;

export interface LifecycleContext {
  endpoints: ChaosEndpoints;
  /** Seeded randomness for this lifecycle (amounts, pauses). */
  random: () => number;
  /** The longest it may take before it counts as stuck. */
  deadlineMs: number;
  log: (line: string) => void;
}

/** The faults the plan injects, by kind, for the table. */
export type FaultKind =
  | 'worker.sigkill'
  | 'api.kill'
  | 'temporal.restart'
  | 'postgres.restart'
  | 'sandbox.5xx'
  | 'sandbox.429'
  | 'sandbox.timeout'
  | 'airtm.webhook.duplicate'
  | 'airtm.webhook.reorder'
  | 'airtm.webhook.delay'
  | 'airtm.webhook.drop';

/** A check run after the lifecycles; `breaches` empty means it holds. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** Numbers for the table (drift in minor units, counts). */
  figures: Record<string, string | number>;
  breaches: string[];
}

/** What the checks are given once the lifecycles are over and the faults have stopped. */
export interface CheckContext {
  endpoints: ChaosEndpoints;
  results: LifecycleResult[];
  /** Every request the webhook receiver took, in arrival order (headers lower-cased, body as sent). */
  webhookDeliveries: WebhookDelivery[];
  /** The settings the worker and the API run with (for `ledger:verify`, `reconcile` and Horizon lookups). */
  processEnv: NodeJS.ProcessEnv;
  /**
   * The secret(s) `POST /webhooks` answered when the receiver was registered (it shows each once), to check every
   * delivery's signature. Without them the checks open the endpoints' secrets with the worker's WALLET_ENCRYPTION_KEYS.
   */
  webhookSecrets?: string[];
  log: (line: string) => void;
}

export interface WebhookDelivery {
  headers: Record<string, string>;
  body: string;
  receivedAt: number;
}
