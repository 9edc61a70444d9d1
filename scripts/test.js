#!/usr/bin/env node
// npm test: installs dependencies if needed, checks format (Prettier), lint (ESLint), layers (dependency-cruiser) and
// types (tsc), then runs every jest suite (the global set-up starts the stack), then a short chaos run (bench/chaos:
// K=20 lifecycles under every fault, a fixed seed; not with --no-chaos or when jest is given test paths), and ends with
// one plain summary line ("N passed, N failed", and the chaos run's outcome).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureChromium, ensureDeps, ROOT } = require('./ensure-deps');

ensureDeps();
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);
const LAYERED_FOLDERS = ['bin', 'api', 'worker', 'workflows', 'activities', 'src', 'sandboxes', 'devstack', 'test', 'bench', 'scripts'];

// Every check before the tests, cheapest first; the first that fails stops the run.
const checks = [
  ['format', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
  ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
  ['layers', bin('depcruise'), [...LAYERED_FOLDERS, '--config', '.dependency-cruiser.cjs']],
  ['types', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
];
for (const [name, command, args] of checks) {
  const started = Date.now();
  const r = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${name} check failed (${command.split('/').pop()} ${args.join(' ')})`);
    process.exit(r.status ?? 1);
  }
  console.log(`${name}: ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
const args = process.argv.slice(2);
if (args.includes('--checks-only')) process.exit(0); // npm run lint

ensureChromium(); // the browser test's Chromium (system package), installed when missing; sets CHROMIUM_PATH for jest
fs.mkdirSync(path.join(ROOT, '.data'), { recursive: true });
const results = path.join(ROOT, '.data', 'jest-results.json');
fs.rmSync(results, { force: true });
const jestArgs = args.filter((a) => a !== '--no-chaos');
const jest = spawnSync(bin('jest'), ['--json', `--outputFile=${results}`, ...jestArgs], { cwd: ROOT, stdio: 'inherit' });
let summary = 'tests: no results';
if (fs.existsSync(results)) {
  const r = JSON.parse(fs.readFileSync(results, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  summary = `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
  console.log(`\n${summary}`);
  if (r.numTotalTests === 0) {
    console.error('no test ran');
    process.exit(1);
  }
}
if (jest.status !== 0) process.exit(jest.status ?? 1);

// The CI chaos run: its seed is fixed so that a failure reproduces with the command it prints. About 5 minutes here.
const CHAOS = ['--k', '20', '--minutes', '3', '--seed', '20261201', '--ledger-ms', '5000', '--faults', 'all'];
// Not with --no-chaos, nor when jest is given test paths or a filter (a targeted run).
if (args.includes('--no-chaos') || jestArgs.some((a) => !a.startsWith('-'))) process.exit(0);
console.log(`\nchaos: npm run chaos -- ${CHAOS.join(' ')}`);
const started = Date.now();
const chaos = spawnSync(bin('tsx'), ['bench/chaos/run.ts', ...CHAOS], { cwd: ROOT, stdio: 'inherit' });
console.log(`\n${summary}; chaos: ${chaos.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
process.exit(chaos.status ?? 1);
