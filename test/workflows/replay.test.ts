import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR } from '../helpers/histories';
import { quietTemporalRuntime } from '../helpers/stellar-stack';

/**
 * Replays every recorded history (test/fixtures/histories, written by the end-to-end suites with RECORD_HISTORIES=1)
 * against today's workflow bundle: a change that would break running workflows fails here.
 */
quietTemporalRuntime();
const files = fs
  .readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.history'))
  .sort();

test('there are recorded histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(11);
});

test.each(files)('%s replays without nondeterminism', async (file) => {
  const history = temporal.api.history.v1.History.decode(fs.readFileSync(path.join(HISTORIES_DIR, file)));
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } },
    history,
    file.replace(/\.history$/, ''),
  );
});
