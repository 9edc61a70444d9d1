import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'fixtures', 'histories');

/**
 * With RECORD_HISTORIES=1, saves a finished workflow's history as a replay fixture (`<name>.history`, protobuf), so the replay
 * suite can prove that later code still replays it. Without it, does nothing.
 */
export async function recordHistory(name: string, workflowId: string, runId?: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  try {
    const history = await new Client({ connection }).workflow.getHandle(workflowId, runId).fetchHistory();
    fs.mkdirSync(HISTORIES_DIR, { recursive: true });
    fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.history`), temporal.api.history.v1.History.encode(history).finish());
  } finally {
    await connection.close();
  }
}
