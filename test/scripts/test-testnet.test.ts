import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

test('npm run test:testnet without TRUSTLESS_WORK_API_KEY exits 2 at once, naming the variables to set', () => {
  const env = { ...process.env };
  delete env.TRUSTLESS_WORK_API_KEY;
  delete env.TESTNET_PLATFORM_SECRET;
  const r = spawnSync(process.execPath, ['scripts/test-testnet.js'], { cwd: ROOT, env, encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/TRUSTLESS_WORK_API_KEY\s+required: a testnet API key from https:\/\/dapp\.trustlesswork\.com/);
  expect(r.stderr).toMatch(/TESTNET_PLATFORM_SECRET\s+optional/);
  expect(r.stdout).toBe(''); // no jest run, no stack started
});
