import type { SecretBox } from '../src/crypto/secret-box';
import type { Database } from '../src/db/client';
import type { Logger } from '../src/logger';
import type { AirtmClient } from '../src/providers/airtm/client';
import type { ProofPolicy, VerifyProof } from '../src/onramp/proof-port';
import type { TrustlessWorkClient } from '../src/providers/trustless-work/client';
import type { StellarNetwork } from '../src/stellar/network';
import type { SignalSenders } from '../src/temporal/signal-senders';
import type { SubscribeToEvents } from '../src/webhooks/pending-events';

/** What activities may use: built once in the worker and injected, never constructed inside an activity. */
export interface ActivityDeps {
  database: Database;
  logger: Logger;
  stellar: StellarNetwork;
  secretBox: SecretBox;
  /** Name of the Horizon payments cursor this worker's deposit watcher advances. */
  depositCursorName: string;
  /** Null when no Trustless Work API key is configured (escrow steps then refuse with PROVIDER_ERROR). */
  trustlessWork: TrustlessWorkClient | null;
  /** Airtm (top-ups and payouts); null when PAYMENT_PROVIDER does not enable it: its activities then refuse with PROVIDER_ERROR. */
  airtm: AirtmClient | null;
  /** Channel accounts wallet activations use (WALLET_ACTIVATION_CHANNELS): up to 18 activations per channel and ledger. */
  walletActivationChannels: number;
  /** Who sent a workflow's signals, from Temporal's own record (support's `resolve` from the UI or CLI). */
  signalSenders: SignalSenders;
  /** On-ramp proofs: the verifier (src/onramp/proof) and the configured witnesses and limits. */
  onramp: { verifyProof: VerifyProof; policy: ProofPolicy };
  /** Outbound webhook delivery: WEBHOOK_TIMEOUT_MS, WEBHOOKS_ALLOW_INSECURE_URLS, and the worker's event notices (null: poll). */
  webhooks: { timeoutMs: number; allowInsecure: boolean; subscribe: SubscribeToEvents | null };
}
