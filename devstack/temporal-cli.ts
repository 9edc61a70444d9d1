import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TEMPORAL_BIN, TEMPORAL_CLI_VERSION } from './paths';

/**
 * Makes sure the Temporal CLI exists in the shared cache, building it from the Go module proxy when missing
 * (the first build takes a few minutes; every later clone reuses it). Returns its path.
 */
export function ensureTemporalCli(log: (line: string) => void = console.log): string {
  const override = process.env.TEMPORAL_CLI_PATH;
  if (override) {
    if (!fs.existsSync(override)) throw new Error(`TEMPORAL_CLI_PATH points to a missing file: ${override}`);
    return override;
  }
  if (fs.existsSync(TEMPORAL_BIN)) return TEMPORAL_BIN;
  log(
    `Temporal CLI not found; building github.com/temporalio/cli ${TEMPORAL_CLI_VERSION} into ${path.dirname(TEMPORAL_BIN)} (first time only, takes minutes)`,
  );
  fs.mkdirSync(path.dirname(TEMPORAL_BIN), { recursive: true });
  const result = spawnSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: path.dirname(TEMPORAL_BIN), GOFLAGS: '-mod=mod' },
    stdio: 'inherit',
  });
  if (result.error) throw new Error(`could not run go install (is Go installed?): ${result.error.message}`);
  if (result.status !== 0 || !fs.existsSync(TEMPORAL_BIN)) throw new Error(`go install of the Temporal CLI failed (exit ${result.status})`);
  log(`Temporal CLI built at ${TEMPORAL_BIN}`);
  return TEMPORAL_BIN;
}
