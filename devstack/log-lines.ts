/** Turns one output line of a part into a readable, tagged terminal line (pino JSON is shortened to time, level, message, fields). */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<string, string> = { postgres: '34', temporal: '35', worker: '36', api: '32', setup: '33', sandbox: '94' };

export function formatLine(part: string, line: string): string {
  const tag = process.stdout.isTTY ? `\x1b[${COLORS[part] ?? '37'}m[${part}]\x1b[0m` : `[${part}]`;
  try {
    const rec = JSON.parse(line);
    if (rec && typeof rec === 'object' && 'msg' in rec) {
      const { level, time, msg, pid: _p, hostname: _h, part: _part, ...rest } = rec;
      const when = new Date(typeof time === 'number' ? time : Date.now()).toISOString().slice(11, 23);
      const lvl = typeof level === 'number' ? (LEVELS[level] ?? level) : String(level).toUpperCase();
      const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
      return `${tag} ${when} ${lvl} ${msg}${extra}`;
    }
  } catch {
    /* not JSON: print as is */
  }
  return `${tag} ${line}`;
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
