import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema, loadConfig, requireFor } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

/**
 * The production-like deployment cannot run here (no Docker engine), so this suite holds docker-compose.yml and the
 * Dockerfile to what the code expects: the services, their wiring, and an environment that the configuration schema accepts.
 */
const ROOT = path.resolve(__dirname, '..', '..');

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Env | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  ports?: Array<string | { published?: string | number; target?: number }>;
  healthcheck?: unknown;
}

const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const schemaKeys = Object.keys(configSchema.shape);
const requiredKeys = Object.entries(configSchema.shape)
  .filter(([, schema]) => !schema.safeParse(undefined).success)
  .map(([key]) => key);
const APP_SERVICES = ['api', 'worker'] as const;

function service(name: string): Service {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
}

function envOf(name: string): Env {
  const env = service(name).environment ?? {};
  if (!Array.isArray(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

function dependsOn(name: string): Record<string, string> {
  const deps = service(name).depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v?.condition ?? 'service_started']));
}

/** "host:container" pairs a service publishes. */
function portsOf(name: string): string[] {
  return (service(name).ports ?? []).map((p) => {
    if (typeof p !== 'string') return `${p.published}:${p.target}`;
    const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
    return parts.slice(-2).join(':');
  });
}

/** The host address each published port binds ("0.0.0.0" when the mapping names none: every interface). */
function bindingsOf(name: string): Record<string, string> {
  return Object.fromEntries(
    (service(name).ports ?? []).map((p) => {
      if (typeof p !== 'string') return [`${p.published}:${p.target}`, (p as { host_ip?: string }).host_ip ?? '0.0.0.0'];
      const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
      return [parts.slice(-2).join(':'), parts.length > 2 ? parts.slice(0, -2).join(':') : '0.0.0.0'];
    }),
  );
}

/** Resolves ${VAR}, ${VAR:-default} and ${VAR:?message} the way compose would, from `vars`. */
function interpolate(value: string, vars: Env): string {
  return value.replace(/\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    if (vars[name] !== undefined && vars[name] !== '') return vars[name];
    if (op === '-') return arg ?? '';
    throw new Error(`\${${name}} is unset and has no default`);
  });
}

const operatorVars: Env = {
  POSTGRES_PASSWORD: 'compose-test-password',
  OFFERHUB_MASTER_KEY: 'k'.repeat(40),
  PLATFORM_SECRET: 'SCZANGBA5YHTNYVVV4C3U252E2B6P6F5T3U6MM63WBSBZATAQI3EBTQ4',
  USDC_ISSUER: 'GBBM6BKZPEHWYO3E3YKREDPQXMS4VK35YLNU7NFBRI26RAN7GI5POFBB',
  WALLET_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  PLATFORM_PUBLIC_KEY: 'GC2BKLYOOYPDEFJKLKY6FNNRQMGFLVHJKQRGNSSRRGSMPGF32LHCQVGF',
  WALLET_SEALING_KEY: `k1:${Buffer.alloc(32, 8).toString('base64')}`,
  IDEMPOTENCY_SEALING_KEYS: `r1:${Buffer.alloc(32, 9).toString('base64')}`,
  TRUSTLESS_WORK_API_KEY: 'tw-compose-test-key',
  TRUSTLESS_WORK_FACTORY_ID: 'CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC',
};

describe('docker-compose.yml', () => {
  it('defines the database, Temporal, its UI and set-up, the migration job, the API and the worker', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']);
    expect(service('postgres').image).toMatch(/^postgres:16/);
    expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:/);
    expect(service('temporal-setup').image).toMatch(/^temporalio\/admin-tools:/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
  });

  it('the configuration schema has the required keys this suite relies on', () => {
    // Guards the check below against a schema where nothing is required (it would then pass vacuously).
    expect(requiredKeys).toEqual(expect.arrayContaining(['DATABASE_URL', 'OFFERHUB_MASTER_KEY']));
  });

  it.each(APP_SERVICES)('%s is given only variables the configuration schema knows', (name) => {
    const unknown = Object.keys(envOf(name)).filter((k) => !schemaKeys.includes(k));
    expect(unknown).toEqual([]);
  });

  it.each(APP_SERVICES)('%s is given every variable the configuration schema requires', (name) => {
    const missing = requiredKeys.filter((k) => !(k in envOf(name)));
    expect(missing).toEqual([]);
  });

  it.each(APP_SERVICES)('%s gets an environment that loadConfig accepts once the operator sets the secrets', (name) => {
    const env = Object.fromEntries(Object.entries(envOf(name)).map(([k, v]) => [k, interpolate(v, operatorVars)]));
    const config = loadConfig(env);
    expect(config.NODE_ENV).toBe('production');
    expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(new URL(config.DATABASE_URL).hostname).toBe('postgres');
  });

  it.each(['api', 'worker', 'postgres', 'temporal'])('%s takes its secrets from the environment, never from the file', (name) => {
    const secretKeys = [
      'OFFERHUB_MASTER_KEY',
      'POSTGRES_PASSWORD',
      'POSTGRES_PWD',
      'PLATFORM_SECRET',
      'WALLET_ENCRYPTION_KEYS',
      'IDEMPOTENCY_SEALING_KEYS',
      'TRUSTLESS_WORK_API_KEY',
    ];
    for (const [key, value] of Object.entries(envOf(name))) {
      if (secretKeys.includes(key)) expect(value).toMatch(/^\$\{[A-Z_]+:\?[^}]*\}$/);
      if (key === 'DATABASE_URL') expect(value).toMatch(/^postgres:\/\/[^:]+:\$\{POSTGRES_PASSWORD:\?[^}]*\}@/);
    }
    // Without OFFERHUB_MASTER_KEY set, compose refuses to start instead of running with an empty key.
    if (APP_SERVICES.includes(name as never)) expect(() => interpolate(envOf(name).OFFERHUB_MASTER_KEY, {})).toThrow(/OFFERHUB_MASTER_KEY/);
    // Nor without Trustless Work's factory pinned for the network (docs/trustless-work.md, the factory deployment).
    if (APP_SERVICES.includes(name as never))
      expect(() => interpolate(envOf(name).TRUSTLESS_WORK_FACTORY_ID, {})).toThrow(/TRUSTLESS_WORK_FACTORY_ID/);
  });

  it('gives the API public keys only and the worker the secrets it signs and opens with', () => {
    const resolve = (name: string) => Object.fromEntries(Object.entries(envOf(name)).map(([k, v]) => [k, interpolate(v, operatorVars)]));
    const api = resolve('api');
    expect(api.PLATFORM_SECRET).toBeUndefined();
    expect(api.WALLET_ENCRYPTION_KEYS).toBeUndefined();
    expect(() => requireFor('api', loadConfig(api))).not.toThrow();
    const worker = resolve('worker');
    expect(() => requireFor('worker', loadConfig(worker))).not.toThrow();
  });

  it('keeps the application database apart from Temporal’s own databases on the same server', () => {
    const temporal = envOf('temporal');
    expect(temporal).toMatchObject({ DB: 'postgres12', DB_PORT: '5432', POSTGRES_SEEDS: 'postgres' });
    expect(temporal.POSTGRES_USER).toBe(envOf('postgres').POSTGRES_USER);
    const appDb = new URL(interpolate(envOf('api').DATABASE_URL, operatorVars)).pathname.slice(1);
    expect(appDb).toBe(envOf('postgres').POSTGRES_DB);
    expect([temporal.DBNAME ?? 'temporal', temporal.VISIBILITY_DBNAME ?? 'temporal_visibility']).not.toContain(appDb);
    for (const name of [...APP_SERVICES, 'migrate']) expect(envOf(name).DATABASE_URL).toBe(envOf('api').DATABASE_URL);
  });

  it('api and worker use the namespace Temporal creates and temporal-setup prepares', () => {
    const namespace = envOf('temporal').DEFAULT_NAMESPACE;
    expect(namespace).toBeTruthy();
    expect(envOf('temporal-setup').NAMESPACE).toBe(namespace);
    for (const name of APP_SERVICES) expect(envOf(name).TEMPORAL_NAMESPACE).toBe(namespace);
  });

  it('temporal-setup registers exactly the search attributes of src/temporal/search-attributes.ts', () => {
    const pairs = envOf('temporal-setup')
      .SEARCH_ATTRIBUTES.trim()
      .split(/\s+/)
      .map((p) => p.split('='));
    expect(Object.fromEntries(pairs)).toEqual(SEARCH_ATTRIBUTES);
    expect(String(service('temporal-setup').command)).toContain('temporal operator search-attribute create');
    // auto-setup's sample attributes would otherwise use up SQL visibility's Keyword slots.
    expect(envOf('temporal').SKIP_ADD_CUSTOM_SEARCH_ATTRIBUTES).toBe('true');
  });

  it.each(APP_SERVICES)('%s starts after PostgreSQL is healthy, Temporal is up and set up, and migrations completed', (name) => {
    expect(dependsOn(name)).toEqual({
      postgres: 'service_healthy',
      temporal: 'service_started',
      'temporal-setup': 'service_completed_successfully',
      migrate: 'service_completed_successfully',
    });
  });

  it('the one-shot jobs and Temporal wait for what they need', () => {
    expect(dependsOn('migrate')).toEqual({ postgres: 'service_healthy' });
    expect(dependsOn('temporal')).toEqual({ postgres: 'service_healthy' });
    expect(dependsOn('temporal-setup')).toHaveProperty('temporal');
    expect(service('postgres').healthcheck).toBeDefined();
  });

  it('api, worker and migrate run the one image built from this repository, each with its own entry point', () => {
    const images = new Set(['api', 'worker', 'migrate'].map((n) => service(n).image));
    expect(images.size).toBe(1);
    for (const name of ['api', 'worker', 'migrate']) expect(service(name).build).toBe('.');
    expect(service('api').command).toBeUndefined(); // the Dockerfile's CMD: the API
    expect(service('worker').command).toEqual(['node', 'dist/bin/worker.js']);
    expect(service('migrate').command).toEqual(['node', 'dist/bin/migrate.js']);
    for (const entry of ['bin/worker.ts', 'bin/migrate.ts', 'bin/api.ts']) expect(fs.existsSync(path.join(ROOT, entry))).toBe(true);
  });

  it('publishes only the API on every interface; the Temporal UI, Temporal and the metrics on 127.0.0.1 alone', () => {
    const published = Object.keys(services).flatMap((name) =>
      Object.entries(bindingsOf(name)).map(([port, host]) => `${name} ${host}:${port}`),
    );
    expect(published.sort()).toEqual(
      [
        'api 0.0.0.0:4000:4000',
        'api 127.0.0.1:9464:9464',
        'temporal 127.0.0.1:7233:7233',
        'temporal-ui 127.0.0.1:8233:8080',
        'worker 127.0.0.1:9465:9465',
      ].sort(),
    );
  });

  it('the worker serves Temporal’s SDK metrics where a scraper on the compose network reaches them, published to loopback only', () => {
    const config = loadConfig(Object.fromEntries(Object.entries(envOf('worker')).map(([k, v]) => [k, interpolate(v, operatorVars)])));
    // The default (127.0.0.1 inside the container) would answer nobody: no Prometheus could scrape the worker.
    expect(config.WORKER_METRICS_ADDRESS).toBe('0.0.0.0:9465');
    expect(bindingsOf('worker')['9465:9465']).toBe('127.0.0.1');
  });

  it('the API serves metrics on the port published to loopback, never on its public port', () => {
    const config = loadConfig(Object.fromEntries(Object.entries(envOf('api')).map(([k, v]) => [k, interpolate(v, operatorVars)])));
    expect(config.METRICS_PORT).not.toBe(config.PORT);
    expect(bindingsOf('api')[`${config.METRICS_PORT}:${config.METRICS_PORT}`]).toBe('127.0.0.1');
  });

  it('the Temporal UI starts read-only and without SSO unless the operator configures both', () => {
    const ui = envOf('temporal-ui');
    expect(interpolate(ui.TEMPORAL_DISABLE_WRITE_ACTIONS, {})).toBe('true');
    expect(interpolate(ui.TEMPORAL_AUTH_ENABLED, {})).toBe('false');
    for (const key of [
      'TEMPORAL_AUTH_PROVIDER_URL',
      'TEMPORAL_AUTH_CLIENT_ID',
      'TEMPORAL_AUTH_CLIENT_SECRET',
      'TEMPORAL_AUTH_CALLBACK_URL',
    ]) {
      expect(ui[key]).toMatch(new RegExp(`^\\$\\{${key}:-\\}$`)); // the operator's, never a value in the file
    }
    const sso = { TEMPORAL_AUTH_ENABLED: 'true', TEMPORAL_DISABLE_WRITE_ACTIONS: 'false' };
    expect(interpolate(ui.TEMPORAL_DISABLE_WRITE_ACTIONS, sso)).toBe('false');
    expect(interpolate(ui.TEMPORAL_AUTH_ENABLED, sso)).toBe('true');
  });

  it('publishes the API on 4000 and the Temporal UI on 8233', () => {
    expect(portsOf('api')).toContain('4000:4000');
    expect(envOf('api').PORT ?? '4000').toBe('4000');
    expect(portsOf('temporal-ui')).toContain('8233:8080');
    expect(envOf('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
  });
});

describe('Dockerfile', () => {
  const file = path.join(ROOT, 'Dockerfile');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = instructions.reduce<string[][]>((acc, line) => {
    if (/^FROM\s/i.test(line)) acc.push([]);
    acc[acc.length - 1]?.push(line);
    return acc;
  }, []);
  const finalStage = stages[stages.length - 1] ?? [];

  it('exists and builds in several stages on node:20-bookworm-slim', () => {
    expect(text).not.toBe('');
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/node:20-bookworm-slim/);
    expect(text).toMatch(/npm ci\b/);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/tsc -p tsconfig\.build\.json/);
  });

  it('runs its final stage as a user other than root', () => {
    const users = finalStage.filter((l) => /^USER\s/i.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users[users.length - 1]);
  });

  it('starts the API by default and ships the compiled code with the migrations where the code looks for them', () => {
    const cmd = finalStage.filter((l) => /^CMD\s/i.test(l)).pop();
    expect(cmd).toBe('CMD ["node", "dist/bin/api.js"]');
    expect(finalStage.join('\n')).toMatch(/COPY migrations \.\/dist\/migrations/); // src/db/migrate.ts: ../../migrations
    expect(finalStage.join('\n')).toMatch(/EXPOSE 4000/);
  });
});
