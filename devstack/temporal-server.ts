import { type ChildProcess, spawn } from 'node:child_process';
import { SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes';
import { lineSplitter } from './log-lines';
import { waitForPort } from './net';

export interface RunningTemporal {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` with the project's search attributes. With `dbFile` the server keeps its
 * state in SQLite (a restart keeps running workflows); without it the state lives in memory.
 */
export async function startTemporalDevServer(opts: {
  bin: string;
  port: number;
  uiPort?: number;
  dbFile?: string;
  /** Receives what the server writes to stderr: its JSON log (at warning level and above) and any error of the CLI. */
  onLog?: (line: string) => void;
}): Promise<RunningTemporal> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn', '--log-format', 'json'];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  // stdout carries only the CLI's banner (version, addresses) and "Stopping server...".
  const child = spawn(opts.bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on(
    'data',
    lineSplitter((line) => opts.onLog?.(line)),
  );
  let exited = false;
  // However this process ends (another library's exit hook may call process.exit first), the server goes with it.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  try {
    await Promise.race([
      waitForPort('127.0.0.1', opts.port, 60_000, 'Temporal dev server'),
      exit.then(() => {
        throw new Error('Temporal dev server exited during start-up');
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
