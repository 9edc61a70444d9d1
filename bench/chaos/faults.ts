/**
 * The fault plan of a chaos run and its executor. From the seed and the run's duration, planFaults() decides what
 * breaks when: process restarts (the worker SIGKILLed, the API killed, the Temporal dev server and PostgreSQL
 * restarted), windows in which a share of one sandbox's calls fail (5xx, 429, a lost request or a lost answer), and
 * Airtm webhooks dropped, duplicated, delayed or held and released in reverse order. runFaults() applies the plan to
 * the stack as the clock reaches each step, never two process restarts at once, and counts what it applied by kind.
 */
import type { ProxiedService, ProxyFault } from './fault-proxy';
import { between, pick, type Random } from './random';
import type { RestartablePart } from './stack';
import type { FaultKind } from './types';

export const FAULT_KINDS: readonly FaultKind[] = [
  'worker.sigkill',
  'api.kill',
  'temporal.restart',
  'postgres.restart',
  'sandbox.5xx',
  'sandbox.429',
  'sandbox.timeout',
  'airtm.webhook.duplicate',
  'airtm.webhook.reorder',
  'airtm.webhook.delay',
  'airtm.webhook.drop',
];

const RESTARTS: Partial<Record<FaultKind, RestartablePart>> = {
  'worker.sigkill': 'worker',
  'api.kill': 'api',
  'temporal.restart': 'temporal',
  'postgres.restart': 'postgres',
};

export interface FaultStep {
  atMs: number;
  kind: FaultKind;
  /** Sandbox faults: which sandbox, which answer, on what share of its calls, for how long. */
  proxy?: { service: ProxiedService; fault: ProxyFault; share: number; forMs: number };
  /** Airtm webhook faults: how many messages; the delay, or how long messages are held before the reversed release. */
  webhooks?: { n: number; ms: number };
}

/** How often each kind comes, per minute of the run (at least once each when the run lasts a minute or more). */
const PER_MINUTE: Record<'restart' | 'proxy' | 'webhook', number> = { restart: 0.4, proxy: 1, webhook: 1 };
const SERVICES: readonly ProxiedService[] = ['horizon', 'trustless-work', 'airtm'];

/**
 * The plan, in time order. Each kind's first step falls in the first half of the run (a short run still meets every
 * fault while its lifecycles are under way), the others anywhere in its first 90 %.
 */
export function planFaults(opts: { random: Random; durationMs: number; kinds: readonly FaultKind[] }): FaultStep[] {
  const { random, durationMs } = opts;
  const steps: FaultStep[] = [];
  const minutes = durationMs / 60_000;
  for (const kind of FAULT_KINDS.filter((k) => opts.kinds.includes(k))) {
    const family = RESTARTS[kind] ? 'restart' : kind.startsWith('sandbox.') ? 'proxy' : 'webhook';
    const count = Math.max(1, Math.round(minutes * PER_MINUTE[family]));
    for (let i = 0; i < count; i++) {
      const atMs = Math.round(durationMs * (0.05 + random() * (i === 0 ? 0.45 : 0.85)));
      const step: FaultStep = { atMs, kind };
      if (family === 'proxy') {
        const fault: ProxyFault =
          kind === 'sandbox.5xx' ? '5xx' : kind === 'sandbox.429' ? '429' : random() < 0.5 ? 'request-lost' : 'answer-lost';
        step.proxy = { service: pick(random, SERVICES), fault, share: between(random, 5, 25) / 100, forMs: between(random, 10, 40) * 1000 };
      }
      if (family === 'webhook') step.webhooks = { n: between(random, 1, 3), ms: between(random, 2, 15) * 1000 };
      steps.push(step);
    }
  }
  return steps.sort((a, b) => a.atMs - b.atMs || a.kind.localeCompare(b.kind));
}

/** What the executor needs of the stack (ChaosStack has it; a test gives a fake). */
export interface FaultTarget {
  restart(part: RestartablePart): Promise<number>;
  proxies: Record<ProxiedService, { setShare(fault: ProxyFault, share: number): void; calm(): void }>;
  airtmControl(path: string, body?: unknown): Promise<unknown>;
}

export interface FaultRun {
  /** Stops applying the plan, ends every window in force (proxies calm, held webhooks released), and waits for a restart under way. */
  stop(): Promise<void>;
  /** Steps applied by kind, and each restart's duration by part. */
  counts(): Record<FaultKind, number>;
  restartMs(): Record<RestartablePart, number[]>;
  /** Steps that failed to apply (a restart that did not come back), with why. */
  errors(): string[];
}

export function runFaults(target: FaultTarget, plan: FaultStep[], log: (line: string) => void): FaultRun {
  const started = Date.now();
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const restartMs: Record<RestartablePart, number[]> = { worker: [], api: [], temporal: [], postgres: [] };
  const errors: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const pending = new Set<Promise<unknown>>();
  let restarting: Promise<unknown> = Promise.resolve();
  let holding = false;
  let stopped = false;

  const later = (ms: number, fn: () => Promise<unknown> | void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopped) return;
      const p = Promise.resolve(fn()).catch((err) => errors.push(err instanceof Error ? err.message : String(err)));
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }, ms);
    timers.add(timer);
  };

  const apply = async (step: FaultStep): Promise<void> => {
    const part = RESTARTS[step.kind];
    if (part) {
      // One restart at a time: the next waits for the one under way.
      const run = restarting.then(async () => {
        if (stopped) return;
        counts[step.kind]++;
        log(`fault: ${step.kind} at ${((Date.now() - started) / 1000).toFixed(0)} s`);
        const ms = await target.restart(part);
        restartMs[part].push(ms);
        log(`fault: ${part} back after ${ms} ms`);
      });
      restarting = run.catch(() => undefined);
      return run;
    }
    if (step.kind === 'airtm.webhook.reorder' && holding) return; // one hold at a time: this one is already under way
    counts[step.kind]++;
    if (step.proxy) {
      const { service, fault, share, forMs } = step.proxy;
      log(`fault: ${step.kind} (${fault}) on ${Math.round(share * 100)} % of ${service}'s calls for ${forMs / 1000} s`);
      target.proxies[service].setShare(fault, share);
      later(forMs, () => target.proxies[service].setShare(fault, 0));
      return;
    }
    const { n, ms } = step.webhooks!;
    log(
      `fault: ${step.kind} (${n} message${n > 1 ? 's' : ''}${step.kind.endsWith('delay') || step.kind.endsWith('reorder') ? `, ${ms} ms` : ''})`,
    );
    if (step.kind === 'airtm.webhook.drop') await target.airtmControl('webhooks/drop', { n });
    if (step.kind === 'airtm.webhook.duplicate') await target.airtmControl('webhooks/duplicate', { n, copies: 2 });
    if (step.kind === 'airtm.webhook.delay') await target.airtmControl('webhooks/delay', { ms, n });
    if (step.kind === 'airtm.webhook.reorder') {
      holding = true;
      await target.airtmControl('webhooks/hold');
      later(ms, async () => {
        holding = false;
        await target.airtmControl('webhooks/release', { reverse: true });
      });
    }
  };

  for (const step of plan) later(step.atMs, () => apply(step));

  return {
    async stop() {
      stopped = true;
      timers.forEach(clearTimeout);
      timers.clear();
      await Promise.allSettled([...pending]);
      for (const proxy of Object.values(target.proxies)) proxy.calm();
      if (holding) await target.airtmControl('webhooks/release', { reverse: true }).catch((err) => errors.push(String(err)));
      holding = false;
    },
    counts: () => ({ ...counts }),
    restartMs: () => ({ ...restartMs }),
    errors: () => [...errors],
  };
}

/** `--faults a,b` (kinds or their families: worker, api, temporal, postgres, sandbox, airtm), or every kind. */
export function parseFaultKinds(arg: string | undefined): FaultKind[] {
  if (!arg || arg === 'all') return [...FAULT_KINDS];
  if (arg === 'none') return [];
  const kinds = new Set<FaultKind>();
  for (const word of arg.split(',').map((w) => w.trim())) {
    const matched = FAULT_KINDS.filter((k) => k === word || k.startsWith(`${word}.`));
    if (matched.length === 0) throw new Error(`--faults: unknown fault "${word}" (kinds: ${FAULT_KINDS.join(', ')})`);
    matched.forEach((k) => kinds.add(k));
  }
  return FAULT_KINDS.filter((k) => kinds.has(k));
}
