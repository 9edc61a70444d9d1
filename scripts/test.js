#!/usr/bin/env node
// npm test: installs dependencies if needed, type-checks, runs every jest suite (the global set-up starts the stack),
// and ends with one plain summary line ("N passed, N failed").
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureDeps, ROOT } = require('./ensure-deps');

ensureDeps();
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);

const tsc = spawnSync(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('type check failed');
  process.exit(tsc.status ?? 1);
}

fs.mkdirSync(path.join(ROOT, '.data'), { recursive: true });
const results = path.join(ROOT, '.data', 'jest-results.json');
fs.rmSync(results, { force: true });
const jest = spawnSync(bin('jest'), ['--json', `--outputFile=${results}`, ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
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
