import { StrKey } from '@stellar/stellar-sdk';
import { z } from 'zod';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);

/** Every setting the processes read, parsed once at start-up. Documented in the README's configuration table. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(4000, 0, 65535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  DATABASE_POOL_SIZE: int(20, 1, 500),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'must be host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('offerhub'),
  OFFERHUB_MASTER_KEY: z.string().min(32, 'must be at least 32 characters'),
  RATE_LIMIT_PER_MINUTE: int(100, 1),
  /** Requests a minute from one client address, counted before authentication (every process together). */
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: int(1000, 1),
  /** How long a verified API key is remembered in-process; other processes honour a revocation within this time. */
  AUTH_CACHE_TTL_MS: int(5000, 0, 60_000),
  /** How long a token that matched no key is remembered as unknown, so repeating it does not reach PostgreSQL. */
  AUTH_MISS_CACHE_TTL_MS: int(5000, 0, 60_000),
  /**
   * Express's `trust proxy`: which hops may set X-Forwarded-For / X-Forwarded-Proto (the client address for rate limits,
   * TLS for Strict-Transport-Security). `false` (default: the socket's peer is the client), `true`, a hop count, or
   * comma-separated addresses, subnets and the names loopback, linklocal, uniquelocal.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, 'true, false, a hop count or comma-separated addresses/subnets')
    .default('false')
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),
  /** Prometheus metrics are served on their own listener, never on the public API port. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: int(9464, 0, 65535),
  /** How often each API process adds its request counts to the shared rate-limit counters. */
  RATE_LIMIT_FLUSH_MS: int(100, 10, 5000),
  BODY_LIMIT_BYTES: int(100 * 1024, 1024),
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
  STELLAR_NETWORK: z.enum(['sandbox', 'testnet', 'public']).default('sandbox'),
  /** Defaults to the network's (NETWORK_PRESETS). */
  HORIZON_URL: z.string().url().optional(),
  /** Defaults to the named network's passphrase (the sandbox uses the standalone network's). */
  STELLAR_NETWORK_PASSPHRASE: z.string().min(1).optional(),
  /** The platform account: sponsors user reserves, pays every fee (fee-bump), resolves disputes. The worker only. */
  PLATFORM_SECRET: z
    .string()
    .refine((s) => StrKey.isValidEd25519SecretSeed(s), 'must be a Stellar secret seed (S…)')
    .optional(),
  /** The platform account's id: all the API needs (set it instead of PLATFORM_SECRET there). */
  PLATFORM_PUBLIC_KEY: z
    .string()
    .refine((s) => StrKey.isValidEd25519PublicKey(s), 'must be a Stellar account id (G…)')
    .optional(),
  /** Circle's issuer on testnet and public (NETWORK_PRESETS); required on the sandbox, whose issuer is its own. */
  USDC_ISSUER: z
    .string()
    .refine((s) => StrKey.isValidEd25519PublicKey(s), 'must be a Stellar account id (G…)')
    .optional(),
  /**
   * `kid:base64key[,kid:base64key…]`, 32-byte keys that open wallet secrets; rotation adds a key and moves the active
   * id, then `npm run wallets:reseal`. The worker only.
   */
  WALLET_ENCRYPTION_KEYS: z.string().min(1).optional(),
  /** The key id new wallet secrets are sealed with; defaults to the first key. */
  WALLET_ENCRYPTION_KEY_ID: z.string().min(1).optional(),
  /** `kid:base64(X25519 public key)` of the active wallet key (`npm run wallets:sealing-key`): the API seals with it and cannot open. */
  WALLET_SEALING_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=$/, 'must be kid:base64 of a 32-byte public key')
    .optional(),
  /** `kid:base64key[,…]`, 32-byte AES keys that seal stored idempotent responses holding a secret (API-key creation). The API only. */
  IDEMPOTENCY_SEALING_KEYS: z.string().min(1).optional(),
  /** The key id new responses are sealed with; defaults to the first key. */
  IDEMPOTENCY_SEALING_KEY_ID: z.string().min(1).optional(),
  STELLAR_SUBMIT_TIMEOUT_MS: int(30_000, 1000),
  /**
   * The most the platform bids per operation, in stroops (the fee policy never goes above it; a network asking more
   * is a transient fault until it calms down or this is raised). 10 000 stroops = 0.001 XLM, 100× the minimum.
   */
  STELLAR_MAX_FEE_STROOPS: int(10_000, 100),
  /** Trustless Work's REST API; defaults to the network's (NETWORK_PRESETS; the sandbox's on :8001 under npm start). */
  TRUSTLESS_WORK_URL: z.string().url().optional(),
  TRUSTLESS_WORK_API_KEY: z.string().min(1).optional(),
  TRUSTLESS_WORK_TIMEOUT_MS: int(30_000, 1000),
  /**
   * Trustless Work's request limit per API key (docs api-rest/introduction: 50 requests per 60 seconds). The worker
   * dispatches escrow steps no faster than this allows at the most requests one step makes, for the whole cluster.
   */
  TRUSTLESS_WORK_REQUESTS_PER_MINUTE: int(50, 1),
  /**
   * Trustless Work's factory contract (C…) on this network: every escrow deployment must call it, and nothing is
   * signed otherwise (docs/trustless-work.md, "the factory deployment"). No default: the id is pinned per network
   * by whoever configures it (the sandbox stack supplies its sandbox's); without it deployments are refused.
   */
  TRUSTLESS_WORK_FACTORY_ID: z
    .string()
    .refine((s) => StrKey.isValidContract(s), 'must be a contract id (C…)')
    .optional(),
  /**
   * Airtm's Enterprise API V2 (docs/airtm.md), with its `/v2`: `https://api.enterprise.airtm.com/v2` (production) or
   * `https://api.stg.enterprise.airtm.com/v2` (Airtm's sandbox), the two servers of its OpenAPI document. Airtm is off
   * without the URL, the key and the secret.
   */
  AIRTM_API_URL: z.string().url().optional(),
  AIRTM_API_KEY: z.string().min(1).optional(),
  AIRTM_API_SECRET: z.string().min(1).optional(),
  /** The signing secret (`whsec_…`) of the webhook endpoint Airtm's Svix delivers to. */
  AIRTM_WEBHOOK_SECRET: z.string().min(1).optional(),
  AIRTM_TIMEOUT_MS: int(30_000, 1000),
  /**
   * Where Airtm sends the user's browser after the hosted page (`confirmationUri` / `cancelUri`, with `?code=`): your
   * marketplace's page. Never proof of payment; defaults to this API's own `GET /api/v1/airtm/return`.
   */
  AIRTM_RETURN_URL: z.string().url().default('http://localhost:4000/api/v1/airtm/return'),
  /** How long a top-up waits for Airtm's webhook before it asks Airtm itself; each later ask waits twice as long. */
  TOPUP_POLL_INITIAL_MS: int(60_000, 10),
  /** The longest wait between two asks about a top-up's pay-in. */
  TOPUP_POLL_MAX_MS: int(3600_000, 10),
  /**
   * The treasury's USDC float (src/treasury) below which reconciliation reports it low, before it runs short of what
   * credited top-ups still owe on chain (which would hold up their delivery, and so the escrows they fund). USD.
   */
  TREASURY_LOW_FLOAT: z
    .string()
    .regex(/^\d{1,12}(\.\d{1,7})?$/, 'a USD amount such as "1000"')
    .default('1000'),
  /**
   * The treasury's account id (G…), for the API's top-up reconciliation: the API holds no platform secret to derive it
   * from (src/treasury). npm start sets it; the worker derives it from PLATFORM_SECRET.
   */
  TREASURY_PUBLIC_KEY: z
    .string()
    .refine((s) => StrKey.isValidEd25519PublicKey(s), 'must be a Stellar account id (G…)')
    .optional(),
  /** When an unpaid top-up expires: Airtm expires pay-ins after 15 days (FAQ "Expiration Rules"). */
  TOPUP_EXPIRY_MS: int(15 * 24 * 3600_000, 1000),
  /**
   * Airtm's request limit per API key ("10 requests per second", docs/airtm.md "Rate limit"): the worker dispatches
   * Airtm activities no faster than this for the whole cluster (their own task queue, rate-limited by Temporal).
   */
  AIRTM_REQUESTS_PER_SECOND: int(10, 1),
  /** How soon a payout workflow first asks Airtm for its payout's status; each later ask waits twice as long, up to the max. */
  AIRTM_PAYOUT_POLL_INITIAL_MS: int(5000, 10),
  AIRTM_PAYOUT_POLL_MAX_MS: int(3600_000, 10),
  /** A payout never committed within this time is cancelled at Airtm and its hold returned (default 7 days). */
  AIRTM_UNCOMMITTED_PAYOUT_TTL_MS: int(7 * 24 * 3600_000, 1000),
  /**
   * Which rails move money in and out: `crypto` (Stellar deposits and withdrawals), `airtm` (Airtm top-ups and
   * payouts), or both (`crypto,airtm`, the default). Each mode refuses the other's routes with 409
   * PROVIDER_NOT_ENABLED and starts only the workers it needs; `airtm` needs AIRTM_API_URL, AIRTM_API_KEY,
   * AIRTM_API_SECRET and AIRTM_WEBHOOK_SECRET.
   */
  PAYMENT_PROVIDER: z
    .string()
    .regex(/^\s*(crypto|airtm)\s*(,\s*(crypto|airtm)\s*)?$/, 'crypto, airtm, or crypto,airtm')
    .default('crypto,airtm')
    .transform((v) => [...new Set(v.split(',').map((p) => p.trim() as PaymentProvider))].sort()),
  /** The platform's fee on every escrow payout, in percent with at most two decimals ("2.5"); fixed per order at creation. */
  PLATFORM_FEE_PERCENT: z
    .string()
    .regex(/^\d{1,2}(\.\d{1,2})?$/, 'a percentage below 100 with at most two decimals')
    .default('0'),
  /** How long the API waits on a workflow update before answering 504 PROVIDER_TIMEOUT. */
  WORKFLOW_UPDATE_TIMEOUT_MS: int(15_000, 100),
  /**
   * How long the deposit watcher waits, once caught up, before asking Horizon again; defaults to the network's ledger
   * close time (NETWORK_PRESETS): nothing new can be there sooner, and every ask counts against Horizon's per-IP limit.
   */
  DEPOSIT_POLL_INTERVAL_MS: z.coerce.number().int().min(50).optional(),
  /** A reservation not funded into an escrow within this time is released and its order cancelled. */
  ORDER_RESERVATION_TTL_MS: int(24 * 3600_000, 1000),
  /** An order never reserved within this time ends CANCELLED (its workflow does not wait forever). */
  ORDER_CREATED_TTL_MS: int(24 * 3600_000, 1000),
  /**
   * How long an escrow step (create, fund, deliver, release, refund, dispute, resolve) is retried through transient
   * faults before the order shows the failure (`last_error`) and goes back where it was, its money still owned.
   */
  ESCROW_STEP_TIMEOUT_MS: int(3600_000, 1000),
  /** How long a wallet's activation is retried before the wallet is FAILED for an operator to look at. */
  WALLET_ACTIVATION_TIMEOUT_MS: int(3600_000, 1000),
  /**
   * How long an on-ramp order stays open for the buyer's fiat payment and its proof (from its creation): the buyer's
   * claim predicate ends at the expiry and the merchant's begins; then the merchant reclaims its USDC (EXPIRED).
   */
  ONRAMP_ORDER_TTL_MS: int(30 * 60_000, 1000),
  /** How long a fulfilment's claim is retried through transient faults before the order is FAILED with FULFILL_TIMEOUT. */
  ONRAMP_FULFILL_TIMEOUT_MS: int(10 * 60_000, 1000),
  /** Reclaim witness addresses whose signatures count on a payment proof (comma-separated 0x addresses). */
  ONRAMP_WITNESSES: z
    .string()
    .regex(/^$|^0x[0-9a-fA-F]{40}(,0x[0-9a-fA-F]{40})*$/, 'comma-separated 0x addresses (40 hex digits each)')
    .default(''),
  /** How many distinct configured witnesses must have signed a proof. */
  ONRAMP_WITNESS_THRESHOLD: int(1, 1),
  /** How long after the signal the fiat payment may be made. */
  ONRAMP_PAYMENT_BUFFER_SECONDS: int(24 * 3600, 1),
  /** A proof older than this (its claim's timestamp) is PROOF_EXPIRED. */
  ONRAMP_MAX_PROOF_AGE_SECONDS: int(3600, 1),
  /**
   * Where the worker serves Temporal's SDK metrics for Prometheus (`host:port`, path /metrics): workflow task latency,
   * activity failures, schedule-to-start, … Loopback by default; empty turns it off.
   */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^$|^[^:\s]+:\d+$/, 'must be host:port, or empty to turn it off')
    .default('127.0.0.1:9465'),
  /**
   * Channel accounts wallet activations go through (derived from the platform's key, sponsored, created on first use):
   * stellar-core admits one transaction per source account and ledger, and one transaction activates up to 18 wallets,
   * so this many × 18 wallets can activate per ledger close.
   */
  WALLET_ACTIVATION_CHANNELS: int(8, 1, 64),
  /** Activities one worker runs at once (Temporal's default is 100); activations waiting for their batch hold one each. */
  WORKER_MAX_CONCURRENT_ACTIVITIES: int(500, 1),
  /** Wallet activations (paid in the platform's XLM) each API key may start per UTC day; then 429 RATE_LIMITED. */
  WALLET_ACTIVATIONS_PER_KEY_PER_DAY: int(1000, 0),
  /** Wallet activations all keys together may start per UTC day. */
  WALLET_ACTIVATIONS_PER_DAY: int(10_000, 0),
  /**
   * Workflows the worker keeps in memory between their tasks. One past it is evicted and replayed from its history
   * when it next has work (slower, not wrong): this bounds the worker's memory however many orders wait. About 0.35 MB
   * each (bench:scale); a step on an evicted order cost 1.08 times a cached one's there.
   */
  WORKER_MAX_CACHED_WORKFLOWS: int(250, 0),
  /** Events older than this many days are deleted (the API process prunes every minute); a stream or webhook resuming further back starts at the oldest kept. */
  EVENTS_RETENTION_DAYS: int(30, 1),
  /** How often an idle event stream (GET /api/v1/events) sends a comment line, so proxies and clients know it is alive. */
  EVENTS_HEARTBEAT_MS: int(15_000, 10),
  /** Events waiting for a slow event-stream client beyond which it is cut off as fallen behind (STREAM_FELL_BEHIND). */
  EVENTS_STREAM_MAX_PENDING: int(10_000, 1),
  /** How long an event-stream client may take nothing while events wait for it before it is cut off. */
  EVENTS_STREAM_STALL_MS: int(30_000, 10),
  /** The reconnection delay event streams announce to their clients (the SSE `retry:` field). */
  EVENTS_STREAM_RETRY_MS: int(2000, 0),
  /**
   * Webhook URLs may be http and may point at loopback, private, link-local and unique-local addresses (checked after
   * DNS resolution). Off in production; the local stack (`npm start`) and the tests turn it on.
   */
  WEBHOOKS_ALLOW_INSECURE_URLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Delays before each delivery attempt of an event, in ms, comma-separated: the Standard Webhooks schedule by default
   * (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). An event that fails every attempt disables its endpoint.
   */
  WEBHOOK_RETRY_SCHEDULE_MS: z
    .string()
    .regex(/^\d{1,9}(,\d{1,9}){0,19}$/, 'comma-separated delays in ms (1 to 20 of them)')
    .default('0,5000,300000,1800000,7200000,18000000,36000000,36000000')
    .transform((v) => v.split(',').map(Number)),
  /** How long one delivery waits for the receiver's answer. */
  WEBHOOK_TIMEOUT_MS: int(10_000, 100, 60_000),
  /** How long the secret before a rotation still signs deliveries (alongside the new one). */
  WEBHOOK_SECRET_OVERLAP_MS: int(24 * 3600_000, 0),
  /** A prebuilt workflow bundle for the worker (the Docker image ships one); unset, the worker bundles at start-up. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
});

type PresetSetting = 'HORIZON_URL' | 'USDC_ISSUER' | 'TRUSTLESS_WORK_URL' | 'DEPOSIT_POLL_INTERVAL_MS';
type Parsed = z.infer<typeof configSchema>;
/** The parsed settings, with the network's preset filled in: a Config always names its Horizon, issuer and Trustless Work. */
export type Config = Omit<Parsed, PresetSetting> & Required<Pick<Parsed, PresetSetting>>;

/**
 * What naming a network alone gives; an explicit variable always wins. Sources: Horizon's URLs
 * (developers.stellar.org, "Networks"), Circle's USDC issuers and Trustless Work's API URLs
 * (docs.trustlesswork.com: "Trustlines" lists both issuers, "API REST / Introduction" and "Go to mainnet" both URLs);
 * the deposit poll interval is a ledger close: about 5 seconds on testnet and public (developers.stellar.org), 1 s on the sandbox.
 * The sandbox's USDC issuer is made by the sandbox itself, so it has none here (npm start sets it). `friendbot` is not a
 * setting of the processes: it is what `npm start` and the testnet tests fund a new platform account with.
 */
export const NETWORK_PRESETS = {
  sandbox: {
    HORIZON_URL: 'http://127.0.0.1:8000',
    USDC_ISSUER: undefined,
    TRUSTLESS_WORK_URL: 'http://127.0.0.1:8001',
    DEPOSIT_POLL_INTERVAL_MS: 1000,
    friendbot: undefined,
  },
  testnet: {
    HORIZON_URL: 'https://horizon-testnet.stellar.org',
    USDC_ISSUER: 'GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5',
    TRUSTLESS_WORK_URL: 'https://dev.api.trustlesswork.com',
    DEPOSIT_POLL_INTERVAL_MS: 5000,
    friendbot: 'https://friendbot.stellar.org',
  },
  public: {
    HORIZON_URL: 'https://horizon.stellar.org',
    USDC_ISSUER: 'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN',
    TRUSTLESS_WORK_URL: 'https://api.trustlesswork.com',
    DEPOSIT_POLL_INTERVAL_MS: 5000,
    friendbot: undefined,
  },
} as const satisfies Record<Parsed['STELLAR_NETWORK'], Record<PresetSetting | 'friendbot', string | number | undefined>>;

/** The rails PAYMENT_PROVIDER may enable. */
export const PAYMENT_PROVIDERS = ['airtm', 'crypto'] as const;
export type PaymentProvider = (typeof PAYMENT_PROVIDERS)[number];

/** True when PAYMENT_PROVIDER enables `provider`. */
export function providerEnabled(config: Pick<Config, 'PAYMENT_PROVIDER'>, provider: PaymentProvider): boolean {
  return config.PAYMENT_PROVIDER.includes(provider);
}

/** What each rail needs, in every process (the API verifies Airtm's webhooks; the worker calls Airtm). */
const PROVIDER_NEEDS = {
  crypto: [],
  airtm: [['AIRTM_API_URL'], ['AIRTM_API_KEY'], ['AIRTM_API_SECRET'], ['AIRTM_WEBHOOK_SECRET']],
} as const satisfies Record<PaymentProvider, ReadonlyArray<ReadonlyArray<keyof Config>>>;

/** What each process must have beyond the schema: the API seals and never signs; the worker opens and signs. */
const PROCESS_NEEDS = {
  api: [['PLATFORM_SECRET', 'PLATFORM_PUBLIC_KEY'], ['WALLET_ENCRYPTION_KEYS', 'WALLET_SEALING_KEY'], ['IDEMPOTENCY_SEALING_KEYS']],
  worker: [['PLATFORM_SECRET'], ['WALLET_ENCRYPTION_KEYS']],
} as const satisfies Record<string, ReadonlyArray<ReadonlyArray<keyof Config>>>;

/** Throws a ConfigError unless `config` holds, for each need of `process`, one of the settings that meet it. */
export function requireFor(process: keyof typeof PROCESS_NEEDS, config: Config): void {
  const needs = [...PROCESS_NEEDS[process], ...config.PAYMENT_PROVIDER.flatMap((p) => PROVIDER_NEEDS[p])];
  const missing = needs.filter((anyOf) => anyOf.every((name) => config[name] === undefined));
  if (missing.length > 0) {
    const mode = `PAYMENT_PROVIDER=${config.PAYMENT_PROVIDER.join(',')}`;
    throw new ConfigError(
      `Invalid configuration for the ${process} (${mode}):\n${missing.map((m) => `  ${m.join(' or ')}: is required but not set`).join('\n')}`,
    );
  }
}

/** The variables of `env` that the configuration reads, and only those. */
export function settingsIn(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.keys(configSchema.shape).flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]!]])));
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; a wrong or missing value throws a ConfigError naming each offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  const lines = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        const name = i.path.join('.');
        return `  ${name}: ${env[name] === undefined ? 'is required but not set' : i.message}`;
      });
  const network = configSchema.shape.STELLAR_NETWORK.safeParse(env.STELLAR_NETWORK);
  if (network.success && env.USDC_ISSUER === undefined && NETWORK_PRESETS[network.data].USDC_ISSUER === undefined) {
    lines.push(`  USDC_ISSUER: is required but not set (STELLAR_NETWORK=${network.data} has no preset issuer)`);
  }
  if (!parsed.success || lines.length > 0) throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  const preset = NETWORK_PRESETS[parsed.data.STELLAR_NETWORK];
  return {
    ...parsed.data,
    HORIZON_URL: parsed.data.HORIZON_URL ?? preset.HORIZON_URL,
    USDC_ISSUER: (parsed.data.USDC_ISSUER ?? preset.USDC_ISSUER)!, // checked above
    TRUSTLESS_WORK_URL: parsed.data.TRUSTLESS_WORK_URL ?? preset.TRUSTLESS_WORK_URL,
    DEPOSIT_POLL_INTERVAL_MS: parsed.data.DEPOSIT_POLL_INTERVAL_MS ?? preset.DEPOSIT_POLL_INTERVAL_MS,
  };
}
