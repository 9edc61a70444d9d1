import crypto from 'node:crypto';

/**
 * The settings a bench runs the product's worker and API with: its own database, Temporal server and sandboxes, fresh
 * keys, rate limits out of reach (every request comes from one key on 127.0.0.1, counted in PostgreSQL all the same)
 * and metrics listeners on ports of their own (so a running `npm start` does not collide). `extra` wins.
 */
export function benchProductEnv(opts: {
  port: number;
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  platformSecret: string;
  workerMetricsPort: number;
  workflowBundlePath: string;
  stellar: { horizonUrl: string; networkPassphrase: string; usdcIssuer: string };
  trustlessWork: { url: string; apiKey: string; factoryId: string; requestsPerMinute: number };
  extra?: NodeJS.ProcessEnv;
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: String(opts.port),
    DATABASE_URL: opts.databaseUrl,
    OFFERHUB_MASTER_KEY: crypto.randomBytes(32).toString('hex'),
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_TASK_QUEUE: opts.taskQueue,
    RATE_LIMIT_PER_MINUTE: String(1_000_000_000),
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: String(1_000_000_000),
    METRICS_PORT: '0',
    // The worker's SDK metrics as in production, on a port of the run's own (9465 may be a running stack's).
    WORKER_METRICS_ADDRESS: `127.0.0.1:${opts.workerMetricsPort}`,
    // glibc's malloc arenas as the image sets them (Dockerfile): one per thread of the Temporal core otherwise.
    MALLOC_ARENA_MAX: '2',
    STELLAR_NETWORK: 'sandbox',
    STELLAR_NETWORK_PASSPHRASE: opts.stellar.networkPassphrase,
    HORIZON_URL: opts.stellar.horizonUrl,
    USDC_ISSUER: opts.stellar.usdcIssuer,
    PLATFORM_SECRET: opts.platformSecret,
    WALLET_ENCRYPTION_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`,
    WALLET_ENCRYPTION_KEY_ID: 'k1',
    IDEMPOTENCY_SEALING_KEYS: `r1:${crypto.randomBytes(32).toString('base64')}`,
    TRUSTLESS_WORK_URL: opts.trustlessWork.url,
    TRUSTLESS_WORK_API_KEY: opts.trustlessWork.apiKey,
    TRUSTLESS_WORK_FACTORY_ID: opts.trustlessWork.factoryId,
    // The same limit the bench's Trustless Work sandbox allows: the escrow steps are paced to it.
    TRUSTLESS_WORK_REQUESTS_PER_MINUTE: String(opts.trustlessWork.requestsPerMinute),
    // Bundled once beforehand, as the image does at build time (Dockerfile): a worker that bundles at start-up keeps
    // the bundler's memory (about 100 MB), which a production worker never holds.
    WORKFLOW_BUNDLE_PATH: opts.workflowBundlePath,
    ...opts.extra,
  };
}
