import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from './paths';

/**
 * The settings `npm start` hands its worker and API, kept in one file while it runs, so that the scripts
 * (`npm run ledger:verify`, `npm run reconcile`, …) find that stack with no variable set, as `npm start` does.
 */
export function stackEnvFile(dataDir = DATA_DIR): string {
  return path.join(dataDir, 'stack-env.json');
}

export const NO_STACK_HINT =
  'start the local stack with `npm start` (scripts then find its settings by themselves), or set DATABASE_URL and the other settings (README, Configuration)';

interface StackEnvFile {
  /** The `npm start` process that wrote the file: a file left by one that no longer runs is ignored. */
  pid: number;
  env: Record<string, string>;
}

/**
 * Writes the stack's settings (`settingsIn` of the environment its worker and API get; mode 600: they hold its
 * secrets) and returns the step that removes the file again.
 */
export function writeStackEnv(settings: Record<string, string>, file = stackEnvFile()): () => Promise<void> {
  const content: StackEnvFile = { pid: process.pid, env: settings };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}`;
  fs.writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file); // readers never see half a file
  return async () => fs.rmSync(file, { force: true });
}

/**
 * Fills every setting of the running local stack that is not set in `env` already (explicit variables win).
 * Returns whether a running stack's settings were found.
 */
export function useLocalStackEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const stack = readStackEnv();
  if (!stack) return false;
  for (const [k, v] of Object.entries(stack.env)) env[k] ??= v;
  return true;
}

function readStackEnv(): StackEnvFile | null {
  let content: StackEnvFile;
  try {
    content = JSON.parse(fs.readFileSync(stackEnvFile(), 'utf8'));
  } catch {
    return null;
  }
  return isRunning(content.pid) ? content : null;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}
