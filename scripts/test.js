#!/usr/bin/env node
// npm test: installs dependencies if needed, checks format (Prettier), lint (ESLint), layers (dependency-cruiser) and
// types (tsc), then runs every jest suite (the global set-up starts the stack),
// and ends with one plain summary line ("N passed, N failed").
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
const jest = spawnSync(bin('jest'), ['--json', `--outputFile=${results}`, ...args], { cwd: ROOT, stdio: 'inherit' });
if (fs.existsSync(results)) {
  const r = JSON.parse(fs.readFileSync(results, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
  if (r.numTotalTests === 0) {
    console.error('no test ran');
    process.exit(1);
  }
}
process.exit(jest.status ?? 1);
