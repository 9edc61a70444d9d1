import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../devstack/paths';
import { settingsIn } from '../../src/config';

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `scripts/<name>` as `npm run` does (through tsx) with exactly `env`. Asynchronous, so that servers of the
 * calling test (a sandbox network) keep answering while the script talks to them.
 */
export function runScript(name: string, env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'scripts', name)], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** This process's environment without any of the orchestrator's settings: a shell where none is set. */
export function envWithoutSettings(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(settingsIn(process.env))) delete env[name];
  return env;
}
