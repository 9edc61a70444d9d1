/**
 * The processes a bench stack runs (moved here from bench/orders/stack.ts, shared with bench/chaos/stack.ts): a product
 * entry point (bin/api.ts, bin/worker.ts) spawned as `npm start` runs it, or a bench process forked with IPC; each
 * keeps its last lines for when something fails and says when it ended on its own.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import path from 'node:path';
import { formatLine, lineSplitter } from '../../devstack/log-lines';
import { ROOT } from '../../devstack/paths';

const TAIL_LINES = 30;
/** pino's warn: quieter JSON lines (one per request, …) are left out of the tails. */
const TAIL_MIN_LEVEL = 40;

export interface Part {
  child: ChildProcess;
  /** The IPC message of a forked part, or undefined once a spawned part printed its ready line. */
  ready: Promise<unknown>;
  /** Why the part ended, when it ended before stop() or kill(). */
  exited: string | null;
  tail(): string;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would end it; resolves once it has exited (not counted as `exited`). */
  kill(): Promise<void>;
}

/**
 * A product entry point as `npm start` runs it; ready once a line contains `readyText`. `lines` carries the tail over
 * from an earlier run of the same part (a restart).
 */
export function spawnPart(name: string, script: string, env: NodeJS.ProcessEnv, readyText: string, lines: string[] = []): Part {
  // BENCH_PROFILE=1: a V8 CPU profile of the API and the worker, written on exit to .data/bench/profiles.
  const profile =
    process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', '--cpu-prof-dir', path.join(ROOT, '.data', 'bench', 'profiles', name)] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen: () => void;
  const ready = new Promise<void>((resolve) => (seen = resolve));
  const part = watch(name, child, ready, lines);
  const onLine = (line: string) => {
    if (line.includes(readyText)) seen();
    part.keep(line);
  };
  child.stdout!.on('data', lineSplitter(onLine));
  child.stderr!.on('data', lineSplitter(onLine));
  return part;
}

/** A bench process (a sandbox, the baseline worker) forked with IPC; ready with its first message. */
export function forkPart(name: string, file: string, env: NodeJS.ProcessEnv): Part {
  const child = fork(file, [], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const ready = new Promise<unknown>((resolve) => child.once('message', resolve));
  const part = watch(name, child, ready, []);
  child.stdout!.on('data', lineSplitter(part.keep));
  child.stderr!.on('data', lineSplitter(part.keep));
  return part;
}

/** The tails of several parts, one block each. */
export function tailsOf(parts: Part[]): string {
  return parts
    .map((p) => p.tail())
    .filter(Boolean)
    .join('\n');
}

/** A pino line below TAIL_MIN_LEVEL (pino writes the level first; no JSON parse on the timing client's event loop). */
function quiet(line: string): boolean {
  const level = /^\{"level":(\d+)/.exec(line)?.[1];
  return level !== undefined && Number(level) < TAIL_MIN_LEVEL;
}

function watch(name: string, child: ChildProcess, ready: Promise<unknown>, lines: string[]): Part & { keep(line: string): void } {
  let stopping = false;
  let failStart: (err: Error) => void;
  const died = new Promise<never>((_, reject) => (failStart = reject));
  died.catch(() => undefined);
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const part = {
    child,
    ready: Promise.race([ready, died]),
    exited: null as string | null,
    keep(line: string) {
      if (quiet(line)) return;
      lines.push(formatLine(name, line));
      if (lines.length > TAIL_LINES) lines.shift();
    },
    tail: () => lines.join('\n'),
    stop(): Promise<void> {
      stopping = true;
      if (ended()) return Promise.resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
      return exit.then(() => clearTimeout(timer));
    },
    kill(): Promise<void> {
      stopping = true;
      if (ended()) return Promise.resolve();
      child.kill('SIGKILL');
      return exit;
    },
  };
  const killOnExit = () => ended() || child.kill('SIGKILL');
  process.on('exit', killOnExit);
  child.once('exit', (code, signal) => {
    process.off('exit', killOnExit);
    if (stopping) return;
    part.exited = `${name} exited (${signal ?? code})`;
    failStart(new Error(`${part.exited} during start-up\n${part.tail()}`));
  });
  return part;
}
