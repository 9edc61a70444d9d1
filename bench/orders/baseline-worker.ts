/**
 * A worker for the baseline workflow alone, in a process of its own (forked by stack.ts) as the order worker is:
 * its own task queue, its own workflow bundle (baseline-workflow.ts, bundled once at start-up), no activities.
 * Reports `{type: 'ready'}` over IPC once polling; stops when the parent disconnects.
 */
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS!;
  const taskQueue = process.env.BENCH_BASELINE_TASK_QUEUE!;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    workflowsPath: path.join(__dirname, 'baseline-workflow.ts'),
  });
  const running = worker.run();
  process.send!({ type: 'ready' });
  process.once('disconnect', () => worker.shutdown());
  await running;
  await connection.close();
}

main().catch((err) => {
  console.error('baseline worker:', err instanceof Error ? err.stack : err);
  process.exit(1);
});
