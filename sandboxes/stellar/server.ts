import http from 'node:http';
import { listen } from '../shared/listen';
import { Keypair, Networks, Operation } from '@stellar/stellar-sdk';
import { Faucets } from './faucets';
import type { HostFunctionHandler } from './host-functions';
import { createHorizonHandler, type LogFn } from './horizon-routes';
import { keyOf } from './ledger-state';
import { SandboxNetwork } from './network';
import { HorizonRateLimiter, type RateLimitOptions } from './rate-limit';
import { Persister, loadSandboxFile, FILE_FORMAT, type SandboxFile } from './persistence';
import { StreamRegistry } from './stream';

export interface StellarSandboxOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** JSON file the state is saved to after every ledger that changed something, and loaded from on start. */
  dataFile?: string;
  /** Defaults to the standalone network's passphrase ("Standalone Network ; February 2017"). */
  networkPassphrase?: string;
  /** How often ledgers close; 1000 ms by default. */
  ledgerIntervalMs?: number;
  /** Secret seed (S...) of the USDC issuer; otherwise one is generated and kept in the data file. */
  usdcIssuerSecret?: string;
  /** Receives the sandbox's diagnostic lines; silent by default. */
  log?: LogFn;
  /** The ledgers' base fee in stroops per operation; 100 (the network minimum) by default. */
  baseFee?: number;
  /**
   * Horizon's per-IP request limit (see rate-limit.ts). Off by default, as on a Horizon of one's own started with
   * `--per-hour-rate-limit 0`; SDF's public servers allow 3600 an hour.
   */
  rateLimit?: RateLimitOptions;
}

export interface StellarSandbox {
  /** Horizon's base URL, e.g. http://127.0.0.1:8000 (give it to `new Horizon.Server(url, { allowHttp: true })`). */
  url: string;
  networkPassphrase: string;
  usdcAsset: { code: 'USDC'; issuer: string };
  friendbotUrl: string;
  /** POST {address, amount} here for USDC. */
  usdcFaucetUrl: string;
  /** Adds an invokeHostFunction handler (see host-functions.ts); returns a function that removes it. */
  registerHostFunctionHandler(handler: HostFunctionHandler): () => void;
  /** Closes the ledger being built now, instead of waiting for the timer. */
  closeLedger(): void;
  /** Latest closed ledger sequence. */
  latestLedger(): number;
  /**
   * Sets the base fee of the ledgers to come (a validator-voted LEDGER_UPGRADE_BASE_FEE on a real network): a
   * transaction bidding less per operation is refused `tx_insufficient_fee`, and `/fee_stats` reports it.
   */
  setBaseFee(stroops: number): void;
  /** Stops the ledger clock and the HTTP server, answers waiting submissions, and saves the state. */
  stop(): Promise<void>;
}

/** XLM the USDC issuer account is created with (it pays its own transaction fees and reserves). */
const ISSUER_STARTING_BALANCE = '10000';

/**
 * Starts a Stellar network of the project's own, served through Horizon's HTTP API, for tests and local runs:
 * accounts, trustlines, payments, sponsorship and fee bumps with stellar-core's validation and result codes,
 * ledgers closing on a timer, friendbot, a USDC issuer with a faucet, and state that survives a restart.
 */
export async function startStellarSandbox(options: StellarSandboxOptions): Promise<StellarSandbox> {
  const log: LogFn = options.log ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  const ledgerIntervalMs = options.ledgerIntervalMs ?? 1000;
  if (!(ledgerIntervalMs > 0)) throw new Error('ledgerIntervalMs must be positive');

  const saved = options.dataFile ? loadSandboxFile(options.dataFile) : null;
  const networkPassphrase = options.networkPassphrase ?? saved?.networkPassphrase ?? Networks.STANDALONE;
  if (saved && saved.networkPassphrase !== networkPassphrase) {
    throw new Error(`${options.dataFile} holds a network with passphrase "${saved.networkPassphrase}", not "${networkPassphrase}"`);
  }

  const network = new SandboxNetwork({ networkPassphrase, log });
  if (options.baseFee !== undefined) network.baseFee = BigInt(options.baseFee);
  if (saved) {
    network.store.applyWrites(new Map(saved.entries.map((e) => [keyOf(e), e])));
    network.history.restore(saved.ledgers, saved.transactions, saved.operations);
    network.restoreClock(saved.clock, ledgerIntervalMs);
    log('stellar sandbox state loaded', { file: options.dataFile, ledger: saved.clock.lastClosedLedger });
  } else {
    network.genesis();
  }

  const generatedSecret = options.usdcIssuerSecret ? undefined : (saved?.usdcIssuerSecret ?? Keypair.random().secret());
  const usdcIssuer = Keypair.fromSecret(options.usdcIssuerSecret ?? generatedSecret!);

  let baseUrl = '';
  const faucets = new Faucets(network, usdcIssuer, () => baseUrl);

  const snapshot = (): SandboxFile => ({
    format: FILE_FORMAT,
    networkPassphrase,
    clock: network.snapshot(),
    ...(generatedSecret ? { usdcIssuerSecret: generatedSecret } : {}),
    entries: network.store.all(),
    ledgers: network.history.persistentLedgers(),
    transactions: network.history.transactions,
    operations: network.history.operations,
  });
  const persister = options.dataFile
    ? new Persister(options.dataFile, snapshot, (err) => log('stellar sandbox state not saved', { error: String(err) }, 'error'))
    : null;

  // The issuer must exist on the network: created by the root account, through a real transaction.
  if (!network.store.account(usdcIssuer.publicKey())) {
    const created = faucets.submitFrom(network.root, (b) =>
      b.addOperation(Operation.createAccount({ destination: usdcIssuer.publicKey(), startingBalance: ISSUER_STARTING_BALANCE })),
    );
    network.closeLedger();
    const result = await created;
    if (result.kind !== 'included' || !result.record.successful) throw new Error('could not create the USDC issuer account');
    persister?.schedule();
  }
  // Friendbot's minions (faucets.ts), created once through a real transaction of the root account.
  const minions = faucets.createMinions();
  if (minions) {
    network.closeLedger();
    const result = await minions;
    if (result.kind !== 'included' || !result.record.successful) throw new Error('could not create the faucet minions');
    persister?.schedule();
  }

  const streams = new StreamRegistry();
  const rateLimiter = options.rateLimit ? new HorizonRateLimiter(options.rateLimit) : undefined;
  const handler = createHorizonHandler({ network, faucets, baseUrl: () => baseUrl, log, streams, rateLimiter });
  const server = http.createServer(handler);
  server.keepAliveTimeout = 5000;
  baseUrl = await listen(server, options.port, host);

  const close = () => {
    try {
      const ledger = network.closeLedger();
      if (ledger.successfulTransactionCount + ledger.failedTransactionCount > 0) persister?.schedule();
    } catch (err) {
      log('stellar sandbox ledger close failed', { error: err instanceof Error ? err.stack : String(err) }, 'error');
    }
  };
  const timer = setInterval(close, ledgerIntervalMs);
  log('stellar sandbox started', { url: baseUrl, networkPassphrase, usdcIssuer: usdcIssuer.publicKey(), ledger: network.latestLedger });

  let stopped: Promise<void> | null = null;
  return {
    url: baseUrl,
    networkPassphrase,
    usdcAsset: { code: 'USDC', issuer: usdcIssuer.publicKey() },
    friendbotUrl: `${baseUrl}/friendbot`,
    usdcFaucetUrl: `${baseUrl}/faucet/usdc`,
    registerHostFunctionHandler: (h) => network.hostFunctions.register(h),
    setBaseFee: (stroops) => {
      network.baseFee = BigInt(stroops);
    },
    closeLedger: close,
    latestLedger: () => network.latestLedger,
    stop() {
      stopped ??= (async () => {
        // Stop accepting, end the event streams, and let requests in flight finish: ledgers keep closing
        // meanwhile, so submissions waiting for theirs are answered. Connections still busy after a grace
        // period are cut.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        streams.endAll();
        const grace = setTimeout(() => server.closeAllConnections(), Math.max(2000, 3 * ledgerIntervalMs));
        await closed;
        clearTimeout(grace);
        clearInterval(timer);
        if (network.hasPending) close();
        await persister?.flush();
        log('stellar sandbox stopped', { ledger: network.latestLedger });
      })();
      return stopped;
    },
  };
}
