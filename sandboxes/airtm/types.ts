import type { Delivery } from './webhook-sender';

/** How the sandbox Airtm is started, and the handle it answers (sandboxes/airtm/README.md). */
export interface AirtmSandboxOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  host?: string;
  /** HTTP Basic credentials every /v2 call must carry (#/components/securitySchemes/basicAuth). */
  apiKey: string;
  apiSecret: string;
  /** Where webhooks go (the orchestrator's POST /api/v1/webhooks/airtm); none are sent without it and a secret. */
  webhookUrl?: string;
  /** The endpoint's signing secret, `whsec_` + base64 (what AIRTM_WEBHOOK_SECRET holds on the receiving side). */
  webhookSecret?: string;
  /** Waits before each delivery attempt; default Svix's schedule (webhook-sender.ts). Tests shorten it. */
  webhookScheduleMs?: number[];
  /** JSON file the state is saved to after every change and loaded from on start (then `users` and `enterpriseBalance` are not applied). */
  dataFile?: string;
  /** Airtm users to start with: balances as USD decimal strings ("100.00"). */
  users?: Array<{ email: string; balance?: string; isVerified?: boolean; status?: 'active' | 'inactive' }>;
  /** The enterprise's available balance at start (USD, default "100000.00"). */
  enterpriseBalance?: string;
  /** "10 requests per second per API key" (#/info/description, "Rate Limits"): the default. */
  requestsPerSecond?: number;
  /** Airtm's fee on pay-ins and payouts, in basis points of the amount (default 0; the spec says "Contact the sales team"). */
  payinFeeBps?: number;
  payoutFeeBps?: number;
  /** The rate limiter's clock (milliseconds); Date.now by default. Tests stop it to count a second exactly. */
  clock?: () => number;
  /** Receives one line per request and delivery; silent by default. */
  log?: (line: string) => void;
}

/** A fault the next /v2 calls meet: an answer 500, a 429 with Retry-After, or no answer at all (a timeout). */
export type CallFault = { kind: 500 } | { kind: 429; retryAfterSeconds?: number } | { kind: 'timeout' };

export interface AirtmSandbox {
  /** The server's origin; the hosted payment pages live at `${url}/payin/{id}`. */
  url: string;
  /** The API base URL, `${url}/v2` (what AIRTM_API_URL holds; #/servers end in /v2). */
  apiUrl: string;
  checkoutUrl(payinId: string): string;
  /** Adds or updates an Airtm user (balance as a USD decimal string); a payout waiting PENDING for them is delivered. */
  putUser(email: string, opts?: { balance?: string; isVerified?: boolean; status?: 'active' | 'inactive' }): void;
  /** A user's balance ("12.50"), or null when no such user has signed up. */
  balanceOf(email: string): string | null;
  enterpriseBalance(): { available: string; pending: string };
  /** What the hosted page's Confirm does: CONFIRMED at once (default) or PROCESSING, settled by settlePayin. */
  setConfirmOutcome(outcome: 'CONFIRMED' | 'PROCESSING'): void;
  settlePayin(id: string, outcome: 'CONFIRMED' | 'FAILED', failureReason?: string): void;
  /** While held, committed payouts stay COMMITTED; releasing delivers them (COMPLETED or PENDING). */
  holdPayouts(held: boolean): void;
  /** A COMMITTED or PENDING payout fails (default reason code 415073), its money back to the enterprise. */
  failPayout(id: string, reasonCode?: string, reasonDescription?: string): void;
  /** The next `count` calls to /v2 meet `fault` (before authentication: the server itself is failing). */
  failNext(fault: CallFault, count?: number): void;
  webhooks: {
    deliveries(): readonly Delivery[];
    dropNext(n?: number): void;
    duplicateNext(n?: number, copies?: number): void;
    delayNext(ms: number, n?: number): void;
    hold(): void;
    release(opts?: { reverse?: boolean }): number;
    idle(): Promise<void>;
    setUrl(url: string | undefined): void;
  };
  stop(): Promise<void>;
}
