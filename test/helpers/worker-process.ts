import { type ChildProcess, spawn } from 'node:child_process';
import { ROOT } from '../../devstack/paths';

/**
 * Starts `bin/worker.ts` as a process of its own (which a test may SIGKILL to simulate a crash): the run's environment,
 * the stack's `settings`, the run's workflow bundle, LOG_LEVEL info and no metrics endpoint, then `env` over all of
 * them. Resolves once it polls its task queue.
 */
export async function spawnWorkerProcess(settings: Record<string, string>, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/worker.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...settings,
      WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE,
      LOG_LEVEL: 'info',
      WORKER_METRICS_ADDRESS: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker process did not start polling within 60 s')), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker polling')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`worker process exited with ${code}`))));
  });
  child.stdout!.resume();
  return child;
}
