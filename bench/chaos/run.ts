/**
 * npm run chaos -- --k 200 --minutes 30 --seed 7 [--ledger-ms 5000] [--faults worker,sandbox.429,…] [--settle-seconds 120]
 *
 * K complete lifecycles, their kinds cycled, started over the first third of the run (each given until the run's end,
 * and at least MIN_DEADLINE_MS), while the fault plan breaks the stack (faults.ts); then the faults stop, the stack
 * settles, the checks run. Prints the table and the command that reproduces the run; exits 1 when a lifecycle did not
 * end as it should, a check found a breach, a fault could not be applied or a part crashed.
 */
import { runChecks } from './checks';
import { waitUntilSettled } from './checks/settle';
import { FAULT_KINDS, parseFaultKinds, planFaults, runFaults, type FaultRun } from './faults';
import { LIFECYCLES } from './lifecycles';
import { childRandom, seededRandom } from './random';
import { startChaosStack, type ChaosStack } from './stack';
import type { CheckResult, FaultKind, LifecycleKind, LifecycleResult } from './types';
import { PROXY_FAULTS } from './fault-proxy';

interface Options {
  k: number;
  minutes: number;
  seed: number;
  ledgerMs: number;
  faults: FaultKind[];
  settleSeconds: number;
}

function parseOptions(argv: string[]): Options {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    args.set(m[1]!, m[2] ?? argv[++i] ?? '');
  }
  const num = (name: string, def: number) => {
    const v = Number(args.get(name) ?? def);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
    args.delete(name);
    return v;
  };
  const opts: Options = {
    k: Math.round(num('k', 20)),
    minutes: num('minutes', 3),
    seed: Math.round(num('seed', 1 + Math.floor(Math.random() * 1_000_000))),
    ledgerMs: Math.round(num('ledger-ms', 5000)),
    settleSeconds: num('settle-seconds', 120),
    faults: parseFaultKinds(args.get('faults')),
  };
  args.delete('faults');
  if (args.size) throw new Error(`unknown option --${[...args.keys()][0]}`);
  return opts;
}

const started = Date.now();
const log = (line: string) => console.log(`[chaos ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const reproduce =
    `npm run chaos -- --k ${opts.k} --minutes ${opts.minutes} --seed ${opts.seed} --ledger-ms ${opts.ledgerMs}` +
    (opts.faults.length === FAULT_KINDS.length ? '' : ` --faults ${opts.faults.join(',') || 'none'}`);
  log(`seed ${opts.seed}: ${reproduce}`);
  const random = seededRandom(opts.seed);
  const planRandom = childRandom(random);
  const stack = await startChaosStack({ ledgerMs: opts.ledgerMs, seed: opts.seed, log });
  let faults: FaultRun | null = null;
  try {
    const durationMs = opts.minutes * 60_000;
    const plan = planFaults({ random: planRandom, durationMs, kinds: opts.faults });
    log(
      `stack up in ${((Date.now() - started) / 1000).toFixed(1)} s; ${opts.k} lifecycles and ${plan.length} faults over ${opts.minutes} min`,
    );
    const runStarted = Date.now();
    faults = runFaults(stack, plan, log);
    const results = await runLifecycles(stack, opts, childRandom(random), durationMs);
    log(`lifecycles over after ${((Date.now() - runStarted) / 1000).toFixed(1)} s; faults off, settling (at most ${opts.settleSeconds} s)`);
    await faults.stop();
    const base = { endpoints: stack.endpoints, results, webhookSecrets: stack.webhookSecrets, processEnv: stack.processEnv, log };
    const waiting = await waitUntilSettled({ ...base, webhookDeliveries: [] }, opts.settleSeconds * 1000);
    if (waiting.length) log(`not settled after ${opts.settleSeconds} s: ${waiting.join('; ')}`);
    const context = { ...base, webhookDeliveries: stack.webhookDeliveries() };
    const checks = await runChecks(context).catch((err): CheckResult[] => [
      { name: 'checks', ok: false, figures: {}, breaches: [`the checks threw: ${err instanceof Error ? err.stack : err}`] },
    ]);
    const crashed = stack.crashed();
    console.log(summary(results, faults, stack, checks, crashed));
    const ok =
      results.every((r) => r.ok) && checks.every((c) => c.ok && c.breaches.length === 0) && !crashed && faults.errors().length === 0;
    if (!ok) console.log(`\nthe parts' last lines:\n${stack.tails()}`);
    console.log(`\n${ok ? 'PASS' : 'FAIL'} in ${((Date.now() - started) / 1000).toFixed(0)} s; reproduce with: ${reproduce}`);
    return ok ? 0 : 1;
  } finally {
    await faults?.stop();
    await stack.stop();
  }
}

/**
 * The least time a lifecycle is given, however short the run: the expiries it waits for (CHAOS_SETTINGS' 300 s
 * reservation and on-ramp lifetimes) plus ledgers and retries through the faults.
 */
const MIN_DEADLINE_MS = 480_000;

/** K lifecycles, kinds cycled, started evenly over the first third of the run, each with its own random and deadline. */
async function runLifecycles(stack: ChaosStack, opts: Options, random: () => number, durationMs: number): Promise<LifecycleResult[]> {
  const kinds = Object.keys(LIFECYCLES) as LifecycleKind[];
  const spreadMs = durationMs / 3;
  return Promise.all(
    Array.from({ length: opts.k }, async (_, i) => {
      const kind = kinds[i % kinds.length]!;
      const lifeRandom = childRandom(random);
      const startAt = Math.round((i / opts.k) * spreadMs);
      const deadlineMs = Math.max(MIN_DEADLINE_MS, durationMs - startAt);
      await sleep(startAt);
      const t0 = Date.now();
      const lines: string[] = [];
      const lifeLog = (line: string) => lines.push(line) > 20 && lines.shift();
      const stuck = sleep(deadlineMs + 30_000).then((): LifecycleResult => ({
        kind,
        id: '',
        expected: '?',
        actual: 'stuck',
        ok: false,
        error: 'did not return by its deadline',
        ms: Date.now() - t0,
      }));
      const result = await Promise.race([
        LIFECYCLES[kind]({ endpoints: stack.endpoints, random: lifeRandom, deadlineMs, log: lifeLog }),
        stuck,
      ]).catch((err): LifecycleResult => ({
        kind,
        id: '',
        expected: '?',
        actual: 'threw',
        ok: false,
        error: String(err?.stack ?? err),
        ms: Date.now() - t0,
      }));
      log(`${kind} #${i} ${result.ok ? 'ok' : 'FAILED'} in ${(result.ms / 1000).toFixed(1)} s (${result.id || '-'}: ${result.actual})`);
      if (!result.ok) lines.forEach((l) => log(`  ${kind} #${i}: ${l}`));
      return result;
    }),
  );
}

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]!))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

function summary(results: LifecycleResult[], faults: FaultRun, stack: ChaosStack, checks: CheckResult[], crashed: string | null): string {
  const byKind = new Map<string, LifecycleResult[]>();
  for (const r of results) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  const lifecycles = table(
    ['lifecycle', 'count', 'ok', 'failed', 'slowest s', 'first failure'],
    [...byKind].map(([kind, rs]) => {
      const failed = rs.filter((r) => !r.ok);
      const first = failed[0] ? `${failed[0].id || '-'} ${failed[0].actual}: ${failed[0].error ?? ''}`.slice(0, 200) : '';
      return [kind, rs.length, rs.length - failed.length, failed.length, (Math.max(...rs.map((r) => r.ms)) / 1000).toFixed(0), first];
    }),
  );
  const counts = faults.counts();
  const calls = Object.fromEntries(PROXY_FAULTS.map((f) => [f, 0])) as Record<string, number>;
  for (const proxy of Object.values(stack.proxies)) for (const f of PROXY_FAULTS) calls[f]! += proxy.counts()[f];
  const callsOf: Partial<Record<FaultKind, string>> = {
    'sandbox.5xx': String(calls['5xx']),
    'sandbox.429': String(calls['429']),
    'sandbox.timeout': `${calls['request-lost']} request lost, ${calls['answer-lost']} answer lost`,
  };
  const restartMs = faults.restartMs();
  const partOf: Partial<Record<FaultKind, keyof typeof restartMs>> = {
    'worker.sigkill': 'worker',
    'api.kill': 'api',
    'temporal.restart': 'temporal',
    'postgres.restart': 'postgres',
  };
  const faultRows = FAULT_KINDS.map((kind) => {
    const ms = partOf[kind] ? restartMs[partOf[kind]] : [];
    const detail = ms.length
      ? `back in ${ms.map((m) => (m / 1000).toFixed(1)).join(', ')} s`
      : callsOf[kind]
        ? `calls hit: ${callsOf[kind]}`
        : '';
    return [kind, counts[kind], detail];
  });
  const checkRows = checks.map((c) => [
    c.name,
    c.ok && c.breaches.length === 0 ? 'ok' : 'BREACH',
    Object.entries(c.figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
    c.breaches.slice(0, 3).join('; ').slice(0, 300),
  ]);
  const through = Object.values(stack.proxies)
    .map((p) => `${p.service} ${p.counts().forwarded}`)
    .join(', ');
  const extra = [...faults.errors().map((e) => `fault not applied: ${e}`), ...(crashed ? [`a part crashed: ${crashed}`] : [])];
  return [
    '',
    lifecycles,
    '',
    table(['fault', 'applied', 'detail'], faultRows),
    `calls forwarded by the fault proxies: ${through}`,
    '',
    checks.length ? table(['check', 'result', 'figures', 'breaches'], checkRows) : 'checks: none ran',
    ...(extra.length ? ['', ...extra] : []),
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
