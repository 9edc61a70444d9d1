import { isolatedDatabaseUrl } from '../helpers/db';
import { diffSnapshots } from './lib/state';
import { formatReport, runFuzz } from './lib/runner';
import { startFuzzTarget, type StartedTarget } from './lib/target';

/**
 * Schema-driven fuzzing (issue 16 §2), the CI share: a few hundred requests generated from the OpenAPI document, each
 * with a defect, across every operation and every kind of caller. No 5xx, every refusal in the envelope with a code
 * from the closed set, and nothing changed (tables, workflow histories). Reproduce: FUZZ_SEED=<seed> FUZZ_RUNS=<n>.
 * The full run is `npm run fuzz -- --runs 10000 --seed N`.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261201);
const runs = Number(process.env.FUZZ_RUNS ?? 300);
let target: StartedTarget;
beforeAll(async () => {
  target = await startFuzzTarget(await isolatedDatabaseUrl('fuzz'));
}, 120_000);
afterAll(() => target?.close());

test(`${runs} generated requests (seed ${seed}): no 5xx, refusals in the envelope, no state changed`, async () => {
  const report = await runFuzz(target, { runs, seed, batch: 25 });
  if (report.failures.length) throw new Error(`seed ${seed}, ${report.failures.length} failures\n${formatReport(report)}`);
  expect(report.requests).toBe(runs);
  expect(Object.keys(report.byOperation).length).toBe(report.operations);
}, 600_000);

test('the state check sees an accepted request: a new user row and the workflow it starts', async () => {
  const before = await target.snapshot();
  const res = await fetch(`${target.baseUrl}/api/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.fixtures.tokens.all}`, 'content-type': 'application/json' },
    body: JSON.stringify({ external_user_id: `fuzz-probe-${seed}`, type: 'BUYER' }),
  });
  expect(res.status).toBe(201);
  await new Promise((r) => setTimeout(r, 500)); // visibility
  const changed = diffSnapshots(before, await target.snapshot());
  expect(changed).toEqual(
    expect.arrayContaining([expect.stringMatching(/^table public\.users: \d+ → \d+ rows/), expect.stringMatching(/^workflow wallet-/)]),
  );
});
