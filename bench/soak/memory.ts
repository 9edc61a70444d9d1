/**
 * Memory of the stack's Node processes: each one (API, worker, …) loads a small probe through NODE_OPTIONS that writes
 * its process.memoryUsage() to `<dir>/<pid>.json` every few seconds; RSS is also read from /proc for any process.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface MemorySample {
  rssMb: number;
  heapUsedMb: number | null;
}

/** Writes the probe into `dir` and returns the NODE_OPTIONS fragment that loads it. */
export function installMemoryProbe(dir: string, everyMs: number): string {
  const file = path.join(dir, 'memory-probe.cjs');
  fs.writeFileSync(
    file,
    `const fs = require('node:fs');
// --require also runs in worker threads (the worker's workflow threads), which share the pid: the main thread only.
if (require('node:worker_threads').isMainThread) {
const out = ${JSON.stringify(dir)} + '/' + process.pid + '.json';
setInterval(() => { try { fs.writeFileSync(out, JSON.stringify(process.memoryUsage())); } catch {} }, ${everyMs}).unref();
}
`,
  );
  return `--require ${file}`;
}

export function readMemory(dir: string, pid: number | undefined): MemorySample | null {
  if (!pid) return null;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    let heapUsedMb: number | null = null;
    try {
      heapUsedMb = JSON.parse(fs.readFileSync(path.join(dir, `${pid}.json`), 'utf8')).heapUsed / 2 ** 20;
    } catch {
      /* not written yet */
    }
    return { rssMb: rssKb / 1024, heapUsedMb };
  } catch {
    return null;
  }
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den ? num / den : NaN;
}
