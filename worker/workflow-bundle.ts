import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** The workflow code's entry file (`.ts` from source, `.js` once compiled); the bundler starts here. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Bundles the workflow code once into `file`, for every worker of a run (or of an image) to load. */
export async function writeWorkflowBundle(file: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, code);
  return file;
}

const noop = () => undefined;
/** The bundler's warnings and errors go to stderr (this runs at build time and in test set-up, before any logger). */
const toStderr = (message: string) => void process.stderr.write(`${message}\n`);
const quietLogger = { trace: noop, debug: noop, info: noop, warn: toStderr, error: toStderr, log: noop };
