/**
 * CPU accounting for the API bench (Linux /proc; elsewhere every reading is null): how much CPU time each group of
 * processes spent during a segment, so the report can say where the cost of a request goes (server, PostgreSQL,
 * load generator) and how much of the machine something else was using meanwhile.
 */
import fs from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on every Linux the project runs on

export type Groups = Record<string, () => number[]>;
/** CPU milliseconds per process id, by group, and of the whole machine. */
export type Reading = { groups: Record<string, Map<number, number>>; machineBusyMs: number; at: number } | null;

function processTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0; // gone
  }
}

function machineBusyMs(): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return (user + nice + system + irq + softirq + steal) * TICK_MS;
}

/** Children of `pid` (PostgreSQL backends of a postmaster). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

export const available = fs.existsSync('/proc/stat');

export function readCpu(groups: Groups): Reading {
  if (!available) return null;
  const out: Record<string, Map<number, number>> = {};
  for (const [name, pids] of Object.entries(groups)) out[name] = new Map(pids().map((pid) => [pid, processTicks(pid) * TICK_MS]));
  return { groups: out, machineBusyMs: machineBusyMs(), at: performance.now() };
}

/**
 * CPU milliseconds each group spent between two readings, plus `other`: the rest of the machine. A process that
 * started in between counts whole; one that ended in between is missed (pooled connections rarely do).
 */
export function cpuBetween(a: Reading, b: Reading): { groups: Record<string, number>; other: number; wallMs: number } | null {
  if (!a || !b) return null;
  const groups: Record<string, number> = {};
  let ours = 0;
  for (const [name, after] of Object.entries(b.groups)) {
    let ms = 0;
    for (const [pid, t] of after) ms += t - (a.groups[name]?.get(pid) ?? 0);
    groups[name] = ms;
    ours += ms;
  }
  return { groups, other: Math.max(0, b.machineBusyMs - a.machineBusyMs - ours), wallMs: b.at - a.at };
}
