#!/usr/bin/env node
// npm run test:testnet: the adapter's contract tests against the real Stellar testnet and Trustless Work's dev API
// (test/testnet/, never part of npm test). Needs credentials; without them it stops at once, exit code 2, saying which.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MISSING_CREDENTIALS = `npm run test:testnet talks to the real Stellar testnet and Trustless Work, and needs credentials:
  TRUSTLESS_WORK_API_KEY   required: a testnet API key from https://dapp.trustlesswork.com (connect a Stellar wallet,
                           fill in your profile under Settings, request an API key; README, "Going to testnet")
  TESTNET_PLATFORM_SECRET  optional: the platform account's secret seed (S…) on testnet; unset, a new account is
                           created and funded by friendbot for this run
Set them and run again, e.g. TRUSTLESS_WORK_API_KEY=… npm run test:testnet`;

if (!process.env.TRUSTLESS_WORK_API_KEY) {
  console.error(MISSING_CREDENTIALS);
  process.exit(2);
}
const env = { ...process.env, STELLAR_NETWORK: 'testnet', RUN_TESTNET: '1' };
if (process.env.TESTNET_PLATFORM_SECRET) env.PLATFORM_SECRET = process.env.TESTNET_PLATFORM_SECRET;
else delete env.PLATFORM_SECRET; // the global set-up makes one; the suite has friendbot fund it
const jest = path.join(ROOT, 'node_modules', '.bin', 'jest');
const r = spawnSync(jest, ['--config', 'test/testnet/jest.config.js', ...process.argv.slice(2)], { cwd: ROOT, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
