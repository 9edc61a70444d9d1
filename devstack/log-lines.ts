/** Turns one output line of a part into a readable, tagged terminal line (JSON logs are shortened to time, level, message, fields). */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<string, string> = { postgres: '34', temporal: '35', worker: '36', api: '32', setup: '33', sandbox: '94' };
/** Level names at warning or above, as the Temporal server (Go's zap) writes them. */
const WARNING_NAMES = new Set(['WARN', 'WARNING', 'ERROR', 'DPANIC', 'PANIC', 'FATAL']);

export function formatLine(part: string, line: string): string {
  const tag = process.stdout.isTTY ? `\x1b[${COLORS[part] ?? '37'}m[${part}]\x1b[0m` : `[${part}]`;
  const rec = recordOf(line);
  if (!rec) return `${tag} ${line}`;
  const { level, time, msg, pid: _p, hostname: _h, part: _part, ...rest } = rec;
  const at = new Date(typeof time === 'number' || typeof time === 'string' ? time : Date.now());
  const when = (Number.isNaN(at.getTime()) ? new Date() : at).toISOString().slice(11, 23);
  const lvl = typeof level === 'number' ? (LEVELS[level] ?? level) : String(level).toUpperCase();
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return `${tag} ${when} ${lvl} ${msg}${extra}`;
}

/** The record of a JSON log line (pino's or the Temporal server's), or null for any other line. */
export function recordOf(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const rec = JSON.parse(line);
    return rec && typeof rec === 'object' && 'msg' in rec ? rec : null;
  } catch {
    return null;
  }
}

/** A JSON log record below warning level: what a part says when all is well. Any other line (a stack trace) is not. */
export function isRoutine(line: string): boolean {
  const level = recordOf(line)?.level;
  if (typeof level === 'number') return level < 40;
  return typeof level === 'string' && !WARNING_NAMES.has(level.toUpperCase());
}

export function lineSplitter(onLine: (line: string) => void) {
  let buffered = '';
  return (chunk: Buffer | string) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) onLine(l);
  };
}
