import type { Counter } from 'prom-client';
import { Authenticator } from '../src/auth/authenticate';
import { EventFeed } from '../src/events/event-feed';
import { EventNotifications } from '../src/events/event-notifications';
import type { Config } from '../src/config';
import type { Sealer } from '../src/crypto/secret-box';
import type { Database } from '../src/db/client';
import { ProcessSession } from '../src/db/process-session';
import type { Logger } from '../src/logger';
import { trustlessWorkFromConfig, type TrustlessWorkClient } from '../src/providers/trustless-work/client';
import { airtmFromConfig, type AirtmClient } from '../src/providers/airtm/client';
import { AirtmWebhookVerifier } from '../src/providers/airtm/webhooks';
import { SharedRateLimiter } from '../src/rate-limit';
import { createStellarNetwork, type StellarNetwork } from '../src/stellar/network';
import type { TemporalHandle } from '../src/temporal/connection';
import { walletSealer } from '../src/wallets/wallet-keys';
import { walletActivationCounter } from './middleware/metrics';

/** What route handlers may use; built once per API process. */
export interface ApiDeps {
  config: Config;
  database: Database;
  logger: Logger;
  temporal: TemporalHandle;
  /** Seals wallet secrets as users are created; cannot open them (the worker's keys never reach the API). */
  walletBox: Sealer;
  auth: Authenticator;
  rateLimiter: SharedRateLimiter;
  /** Horizon client, platform identity and USDC asset, built once. */
  stellar: StellarNetwork;
  /** Trustless Work (reconciliation reads escrow balances through it); null when not configured. */
  trustlessWork: TrustlessWorkClient | null;
  /** Airtm (account links, top-ups) and the verifier of its webhooks; null when Airtm is not configured. */
  airtm: { client: AirtmClient; webhooks: AirtmWebhookVerifier } | null;
  /** Counts wallet activations by outcome (registered on /metrics). */
  walletActivations: Counter<'outcome'>;
  /** The event streams of this process (GET /events): one feed of new events shared by all, and the API keys streaming. */
  events: EventStreams;
  /** This process's PostgreSQL session: idempotency claims name it, so a claim of a process that died is taken over at once. */
  session: ProcessSession;
  version: string;
}

export interface EventStreams {
  feed: EventFeed;
  /** API keys with a stream open in this process (the cross-process claim is an advisory lock on the feed's connection). */
  holders: Set<string>;
}

export function buildApiDeps(base: {
  config: Config;
  database: Database;
  logger: Logger;
  temporal: TemporalHandle;
  version: string;
}): ApiDeps {
  return {
    ...base,
    walletBox: walletSealer(base.config),
    auth: new Authenticator(base.database.pool, base.config.OFFERHUB_MASTER_KEY, {
      cacheTtlMs: base.config.AUTH_CACHE_TTL_MS,
      missTtlMs: base.config.AUTH_MISS_CACHE_TTL_MS,
    }),
    rateLimiter: new SharedRateLimiter(base.database.pool, base.config.RATE_LIMIT_FLUSH_MS),
    stellar: createStellarNetwork(base.config),
    trustlessWork: trustlessWorkFromConfig(base.config),
    airtm: airtmDeps(base.config),
    walletActivations: walletActivationCounter(),
    events: {
      feed: new EventFeed(base.database.pool, new EventNotifications({ url: base.config.DATABASE_URL, logger: base.logger }), base.logger),
      holders: new Set(),
    },
    session: new ProcessSession(base.config.DATABASE_URL, base.logger),
  };
}

/** The configuration's Airtm client and webhook verifier; loadConfig has checked that Airtm mode has its webhook secret. */
function airtmDeps(config: Config): ApiDeps['airtm'] {
  const client = airtmFromConfig(config);
  return client && config.AIRTM_WEBHOOK_SECRET ? { client, webhooks: new AirtmWebhookVerifier(config.AIRTM_WEBHOOK_SECRET) } : null;
}
