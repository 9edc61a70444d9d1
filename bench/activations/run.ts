/**
 * Activations bench: N sign-ups (users created through the real REST API, each starting its wallet's activation) on
 * the bench stack (bench/orders/stack.ts: real API and worker processes, the Stellar sandbox closing a ledger every
 * BENCH_LEDGER_INTERVAL_MS, 5000 by default as on the public network), until every wallet reads ACTIVE. Counts, from
 * Horizon, the activation transactions of each ledger (fee-bumped by the platform, on a channel's sequence number), and
 * prints wallets activated per ledger close over the ledgers the activations spanned, against the aim (>= 100) and
 * against the previous design's one activation per ledger (a transaction of the platform's own per user: stellar-core
 * admits one transaction per source account into a ledger). `npm run bench:activations`; see bench/README.md.
 */
import { cpuBetween, readCpu } from '../api/cpu';
import { envNumber } from '../shared/env';
import { apiClient, expectStatus } from '../orders/api-client';
import { startBenchStack } from '../orders/stack';

const SIGNUPS = envNumber('BENCH_SIGNUPS', 1000);
const LEDGER_INTERVAL_MS = envNumber('BENCH_LEDGER_INTERVAL_MS', 5000);
const TIMEOUT_S = envNumber('BENCH_SETUP_TIMEOUT_SECONDS', 600);
/** Sign-ups sent at once (a marketplace's burst; the API answers each at once, the activation follows). */
const CONCURRENCY = envNumber('BENCH_CONCURRENCY', 50);
const AIM_PER_LEDGER = 100;
/** The previous design: one transaction of the platform's per activation, so one activation per ledger close. */
const BASELINE_PER_LEDGER = 1;
const OPS_PER_ACTIVATION = 4;

const log = (line: string) => process.stdout.write(`${line}\n`);

async function horizon(base: string, path: string): Promise<any> {
  const res = await fetch(`${base}${path}`);
  if (!res.ok) throw new Error(`Horizon ${path} answered ${res.status}`);
  return res.json();
}

/** Activations per ledger: the platform-paid fee bumps on another source (a channel) with 4 operations per user. */
async function activationsByLedger(base: string, platform: string, fromLedger: number): Promise<Map<number, number>> {
  const byLedger = new Map<number, number>();
  let path = `/transactions?order=asc&limit=200&cursor=${BigInt(fromLedger) << 32n}`;
  for (;;) {
    const page = await horizon(base, path);
    const records: any[] = page._embedded.records;
    for (const tx of records) {
      if (!tx.successful || tx.fee_account !== platform || tx.source_account === platform) continue;
      if (tx.operation_count % OPS_PER_ACTIVATION !== 0) continue; // the channels' own creation (3 ops each)
      byLedger.set(tx.ledger, (byLedger.get(tx.ledger) ?? 0) + tx.operation_count / OPS_PER_ACTIVATION);
    }
    if (records.length < 200) return byLedger;
    path = new URL(page._links.next.href).pathname + new URL(page._links.next.href).search;
  }
}

async function main(): Promise<void> {
  process.env.WALLET_ACTIVATIONS_PER_KEY_PER_DAY ??= String(SIGNUPS * 10);
  process.env.WALLET_ACTIVATIONS_PER_DAY ??= String(SIGNUPS * 10);
  const stack = await startBenchStack({ ledgerIntervalMs: LEDGER_INTERVAL_MS, updateTimeoutMs: 60_000, log });
  process.once('SIGINT', () => void stack.stop().then(() => process.exit(130)));
  try {
    const api = apiClient(stack.apiUrl, stack.apiKey);
    const startLedger = (await horizon(stack.horizonUrl, '/')).history_latest_ledger as number;
    const cpuBefore = readCpu(stack.cpuGroups);
    const t0 = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < SIGNUPS; i += CONCURRENCY) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, SIGNUPS - i) }, (_, j) =>
          api.post('/users', { external_user_id: `bench-activation-${t0}-${i + j}`, type: 'BOTH' }),
        ),
      );
      for (const res of batch) ids.push(expectStatus('POST /users', res, 201).body.data.id);
    }
    const signedUpMs = Date.now() - t0;
    log(`${SIGNUPS} sign-ups answered in ${(signedUpMs / 1000).toFixed(1)} s`);

    const deadline = Date.now() + TIMEOUT_S * 1000;
    let pending = ids;
    while (pending.length > 0) {
      if (Date.now() > deadline) throw new Error(`${pending.length} wallets still not ACTIVE after ${TIMEOUT_S} s`);
      if (stack.crashed()) throw new Error(`a part of the stack exited: ${stack.crashed()}`);
      const still: string[] = [];
      for (let i = 0; i < pending.length; i += CONCURRENCY) {
        const slice = pending.slice(i, i + CONCURRENCY);
        const answers = await Promise.all(slice.map((id) => api.get(`/users/${id}/wallet/deposit`)));
        answers.forEach((a, k) => {
          if (a.status !== 200 || a.body.data.status !== 'ACTIVE') still.push(slice[k]!);
        });
      }
      pending = still;
      if (pending.length > 0) await new Promise((r) => setTimeout(r, Math.min(1000, LEDGER_INTERVAL_MS)));
    }
    const allActiveMs = Date.now() - t0;
    const cpu = cpuBetween(cpuBefore, readCpu(stack.cpuGroups));
    if (cpu) {
      const parts = Object.entries(cpu.groups).map(([part, ms]) => `${part} ${(ms / SIGNUPS).toFixed(1)}`);
      log(`CPU ms per sign-up by process: ${parts.join(', ')}; other processes of the machine ${(cpu.other / SIGNUPS).toFixed(1)}`);
    }

    const byLedger = await activationsByLedger(stack.horizonUrl, stack.platformPublicKey, startLedger);
    const ledgers = [...byLedger.keys()].sort((a, b) => a - b);
    const activated = [...byLedger.values()].reduce((a, b) => a + b, 0);
    if (activated !== SIGNUPS) throw new Error(`Horizon shows ${activated} activations for ${SIGNUPS} sign-ups`);
    const span = ledgers[ledgers.length - 1]! - ledgers[0]! + 1;
    const perLedger = activated / span;
    log(
      `${activated} wallets ACTIVE in ${(allActiveMs / 1000).toFixed(1)} s; activation transactions in ${ledgers.length} ledgers, ` +
        `spanning ${span} ledger closes (${ledgers[0]}..${ledgers[ledgers.length - 1]}, one every ${LEDGER_INTERVAL_MS} ms)`,
    );
    log(`per ledger: ${ledgers.map((l) => byLedger.get(l)).join(' ')}`);
    log(`wallets activated per ledger close: ${perLedger.toFixed(1)} (max ${Math.max(...byLedger.values())}); aim >= ${AIM_PER_LEDGER}`);
    log(`ratio against one activation per ledger (the previous design): ${(perLedger / BASELINE_PER_LEDGER).toFixed(1)}`);
    log(JSON.stringify({ signups: SIGNUPS, ledgerIntervalMs: LEDGER_INTERVAL_MS, span, perLedger, allActiveMs, signedUpMs }));
    process.exitCode = perLedger >= AIM_PER_LEDGER ? 0 : 1;
  } catch (err) {
    log(String(err instanceof Error ? err.stack : err));
    log(stack.tails());
    process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

void main();
