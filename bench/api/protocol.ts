/** Messages between bench/api/run.ts and the processes it forks (servers.ts, load.ts). */

/**
 * The servers under test: the real API; a bare Express handler running the same SELECT; and (diagnostic) the bare
 * handler preceded by the API's own authentication query, which also counts the request against the key's limit.
 */
export type ServerRole = 'api' | 'bare' | 'bare-auth';

/** A server child reports where it listens. */
export interface ServerReady {
  type: 'ready';
  port: number;
}

/** The load child's set-up: where to send requests and with which credentials. */
export interface LoadInit {
  type: 'init';
  ids: string[];
  authorization: string;
  concurrency: number;
}

/** Run one closed-loop segment against a port. */
export interface LoadRun {
  type: 'run';
  port: number;
  seconds: number;
}

export interface LoadResult {
  type: 'result';
  port: number;
  /** Responses received (any status). */
  count: number;
  /** Responses other than 200, plus transport errors. */
  errors: number;
  elapsedMs: number;
  /** One entry per response, in milliseconds. */
  latencies: Float64Array;
}

export type ToLoad = LoadInit | LoadRun | { type: 'exit' };
export type FromLoad = { type: 'ready' } | LoadResult;

/** The user route both servers answer; the API's real path. */
export const userPath = (id: string) => `/api/v1/users/${id}`;
