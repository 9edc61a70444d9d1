import type { Database } from '../src/db/client';
import type { Logger } from '../src/logger';

/** What activities may use: built once in the worker and injected, never constructed inside an activity. */
export interface ActivityDeps {
  database: Database;
  logger: Logger;
}

/** Every activity the worker registers, built over injected clients. */
export function createActivities(_deps: ActivityDeps) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
