import { FAULT_KINDS, parseFaultKinds, planFaults, runFaults, type FaultTarget } from '../../bench/chaos/faults';
import type { ProxiedService, ProxyFault } from '../../bench/chaos/fault-proxy';
import { seededRandom } from '../../bench/chaos/random';
import type { RestartablePart } from '../../bench/chaos/stack';

const TEN_MINUTES = 600_000;

describe('the chaos fault plan', () => {
  it('is the same for the same seed and differs for another', () => {
    const plan = (seed: number) => planFaults({ random: seededRandom(seed), durationMs: TEN_MINUTES, kinds: FAULT_KINDS });
    expect(plan(7)).toEqual(plan(7));
    expect(plan(8)).not.toEqual(plan(7));
  });

  it('comes in time order, each kind as often as the run is long, its first in the first half', () => {
    const plan = planFaults({ random: seededRandom(3), durationMs: TEN_MINUTES, kinds: FAULT_KINDS });
    const count = (kind: string) => plan.filter((s) => s.kind === kind).length;
    // Restarts 0.4 a minute, sandbox windows and webhook faults one a minute.
    expect(FAULT_KINDS.map(count)).toEqual([4, 4, 4, 4, 10, 10, 10, 10, 10, 10, 10]);
    expect(plan.map((s) => s.atMs)).toEqual([...plan.map((s) => s.atMs)].sort((a, b) => a - b));
    for (const kind of FAULT_KINDS) expect(plan.find((s) => s.kind === kind)!.atMs).toBeLessThanOrEqual(TEN_MINUTES / 2);
    expect(Math.max(...plan.map((s) => s.atMs))).toBeLessThanOrEqual(TEN_MINUTES * 0.9);
    for (const s of plan.filter((x) => x.kind.startsWith('sandbox.'))) {
      expect(s.proxy!.share).toBeGreaterThanOrEqual(0.05);
      expect(s.proxy!.share).toBeLessThanOrEqual(0.25);
    }
    expect(plan.filter((s) => s.kind === 'sandbox.5xx').every((s) => s.proxy!.fault === '5xx')).toBe(true);
    expect(new Set(plan.filter((s) => s.kind === 'sandbox.timeout').map((s) => s.proxy!.fault))).toEqual(
      new Set(['request-lost', 'answer-lost']),
    );
  });

  it('holds every chosen kind at least once in a short run, and only those', () => {
    const plan = planFaults({ random: seededRandom(1), durationMs: 20_000, kinds: ['api.kill', 'airtm.webhook.drop'] });
    expect(plan.map((s) => s.kind).sort()).toEqual(['airtm.webhook.drop', 'api.kill']);
  });

  it('--faults takes kinds and families, and refuses what it does not know', () => {
    expect(parseFaultKinds(undefined)).toEqual(FAULT_KINDS);
    expect(parseFaultKinds('none')).toEqual([]);
    expect(parseFaultKinds('sandbox.429,worker')).toEqual(['worker.sigkill', 'sandbox.429']);
    expect(parseFaultKinds('airtm')).toEqual([
      'airtm.webhook.duplicate',
      'airtm.webhook.reorder',
      'airtm.webhook.delay',
      'airtm.webhook.drop',
    ]);
    expect(() => parseFaultKinds('worker,disk')).toThrow('--faults: unknown fault "disk"');
  });
});

describe('the chaos fault executor', () => {
  function fakeTarget(restartsWanted: number) {
    let running = 0;
    const events: string[] = [];
    const shares: Array<[ProxiedService, ProxyFault, number]> = [];
    let done: () => void;
    const allRestarted = new Promise<void>((resolve) => (done = resolve));
    const proxy = (service: ProxiedService) => ({
      setShare: (fault: ProxyFault, share: number) => void shares.push([service, fault, share]),
      calm: () => void events.push(`calm ${service}`),
    });
    const target: FaultTarget = {
      async restart(part: RestartablePart) {
        running++;
        events.push(`restart ${part} (${running} at once)`);
        await new Promise((r) => setImmediate(r));
        running--;
        if (events.filter((e) => e.startsWith('restart')).length === restartsWanted) done();
        return 5;
      },
      proxies: { horizon: proxy('horizon'), 'trustless-work': proxy('trustless-work'), airtm: proxy('airtm') },
      async airtmControl(path: string, body?: unknown) {
        events.push(`airtm ${path} ${JSON.stringify(body ?? {})}`);
      },
    };
    return { target, events, shares, allRestarted };
  }

  it('applies the plan one restart at a time, one hold at a time, counts by kind, and on stop ends the windows in force', async () => {
    const { target, events, shares, allRestarted } = fakeTarget(4);
    const run = runFaults(
      target,
      [
        { atMs: 0, kind: 'worker.sigkill' },
        { atMs: 0, kind: 'postgres.restart' },
        { atMs: 0, kind: 'temporal.restart' },
        { atMs: 1, kind: 'api.kill' },
        { atMs: 1, kind: 'sandbox.429', proxy: { service: 'horizon', fault: '429', share: 0.2, forMs: 3_600_000 } },
        { atMs: 1, kind: 'airtm.webhook.reorder', webhooks: { n: 1, ms: 3_600_000 } },
        { atMs: 1, kind: 'airtm.webhook.reorder', webhooks: { n: 1, ms: 5 } }, // already held: neither applied nor counted
        { atMs: 1, kind: 'airtm.webhook.delay', webhooks: { n: 2, ms: 3000 } },
        { atMs: 3_600_000, kind: 'airtm.webhook.drop', webhooks: { n: 1, ms: 0 } },
      ],
      () => undefined,
    );
    await allRestarted;
    await run.stop();
    expect(events.filter((e) => e.startsWith('restart')).sort()).toEqual([
      'restart api (1 at once)',
      'restart postgres (1 at once)',
      'restart temporal (1 at once)',
      'restart worker (1 at once)',
    ]);
    expect(events.filter((e) => e.startsWith('airtm'))).toEqual([
      'airtm webhooks/hold {}',
      'airtm webhooks/delay {"ms":3000,"n":2}',
      'airtm webhooks/release {"reverse":true}',
    ]);
    expect(shares).toEqual([['horizon', '429', 0.2]]);
    expect(events.filter((e) => e.startsWith('calm'))).toHaveLength(3);
    expect(run.counts()).toMatchObject({
      'worker.sigkill': 1,
      'api.kill': 1,
      'temporal.restart': 1,
      'postgres.restart': 1,
      'sandbox.429': 1,
      'airtm.webhook.reorder': 1,
      'airtm.webhook.delay': 1,
      'airtm.webhook.drop': 0,
    });
    expect(run.restartMs()).toEqual({ worker: [5], api: [5], temporal: [5], postgres: [5] });
    expect(run.errors()).toEqual([]);
  });
});
