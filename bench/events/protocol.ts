/** Messages between bench/events/run.ts and its subscribers process. */
export type ToSubscribers =
  | { type: 'open'; port: number; keys: string[] }
  | { type: 'count' }
  /** Starts (on) or stops recording arrivals; answers what was recorded since the last call. */
  | { type: 'record'; on: boolean }
  | { type: 'close' };

export type FromSubscribers =
  | { type: 'opened' }
  | { type: 'failed'; message: string }
  | { type: 'count'; received: number }
  | { type: 'recorded'; seqs: Float64Array; arrivals: Float64Array }
  | { type: 'closed' };
