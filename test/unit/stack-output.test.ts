import { isRoutine } from '../../devstack/log-lines';
import { postgresLogFilter } from '../../devstack/postgres-log';

/** What `npm start` lets through to the console: warnings and errors, not the parts' routine chatter. */
function filtered(chunks: string[]): string[] {
  const kept: string[] = [];
  const filter = postgresLogFilter((l) => kept.push(l));
  for (const c of chunks) filter(c);
  return kept;
}

describe("PostgreSQL's output", () => {
  it("drops initdb's progress and the server's LOG lines", () => {
    expect(
      filtered([
        'The files belonging to this database system will be owned by user "postgres".\nThis user must also own the server process.\n\n',
        '  locale provider:   libc\nfixing permissions on existing directory /x/postgres ... ok\ncreating subdirectories ...',
        ' ok\n',
        '[STDERR] selecting default "max_connections" ...\n',
        "Success. You can now start the database server using:\n\n    'pg_ctl' -D /x/postgres -l logfile start\n",
        '2026-12-01 05:40:26.732 UTC [17987] LOG:  starting PostgreSQL 18.4 on x86_64-pc-linux-gnu\n',
        '2026-12-01 05:40:26.854 UTC [17987] LOG:  database system is ready to accept connections\n',
        '2026-12-01 05:43:04.228 UTC [17991] LOG:  checkpoint complete: wrote 1067 buffers (6.5%)\n',
      ]),
    ).toEqual([]);
  });

  it('keeps WARNING, ERROR, FATAL and PANIC lines with what follows them, even a statement over several lines', () => {
    expect(
      filtered([
        '2026-12-01 05:41:56.727 UTC [17987] LOG:  received SIGHUP, reloading configuration files\n',
        "2026-12-01 05:41:57.760 UTC [18191] WARNING:  you don't own a lock of type ExclusiveLock\n2026-12-01 05:41:57.760 UTC [18191] STATEMENT:  WITH done AS (UPDATE t SET x = 1 RETURNING 1)\n",
        '\t       SELECT pg_advisory_unlock(1) FROM done\n',
        '2026-12-01 05:41:58.000 UTC [17987] LOG:  checkpoint starting: time\n',
        '2026-12-01 05:41:59.000 UTC [18200] ERROR:  duplicate key value violates unique constraint "k"\n2026-12-01 05:41:59.000 UTC [18200] DETAIL:  Key (id)=(1) already exists.\n',
        '2026-12-01 05:42:00.000 UTC [18201] FATAL:  password authentication failed for user "postgres"\n',
        'initdb: warning: enabling "trust" authentication for local connections\n',
      ]),
    ).toEqual([
      "2026-12-01 05:41:57.760 UTC [18191] WARNING:  you don't own a lock of type ExclusiveLock",
      '2026-12-01 05:41:57.760 UTC [18191] STATEMENT:  WITH done AS (UPDATE t SET x = 1 RETURNING 1)',
      '\t       SELECT pg_advisory_unlock(1) FROM done',
      '2026-12-01 05:41:59.000 UTC [18200] ERROR:  duplicate key value violates unique constraint "k"',
      '2026-12-01 05:41:59.000 UTC [18200] DETAIL:  Key (id)=(1) already exists.',
      '2026-12-01 05:42:00.000 UTC [18201] FATAL:  password authentication failed for user "postgres"',
      'initdb: warning: enabling "trust" authentication for local connections',
    ]);
  });

  it('drops the FATAL a connection gets when it is ended on purpose (shutdown, DROP DATABASE … WITH (FORCE))', () => {
    expect(filtered(['2026-12-01 05:43:03.644 UTC [18191] FATAL:  terminating connection due to administrator command\n'])).toEqual([]);
  });

  it('joins a line split across chunks', () => {
    expect(filtered(['2026-12-01 05:41:57.760 UTC [18191] WARN', 'ING:  something\n'])).toEqual([
      '2026-12-01 05:41:57.760 UTC [18191] WARNING:  something',
    ]);
  });
});

describe('routine JSON log lines (pino, the Temporal server)', () => {
  it.each([
    ['{"level":30,"time":1,"msg":"worker polling"}', true],
    ['{"level":40,"time":1,"msg":"slow"}', false],
    ['{"level":50,"time":1,"msg":"failed"}', false],
    ['{"time":"2026-12-01T05:44:19.92Z","level":"INFO","msg":"started"}', true],
    ['{"time":"2026-12-01T05:44:19.92Z","level":"WARN","msg":"Failed to poll for task."}', false],
    ['{"time":"2026-12-01T05:44:19.92Z","level":"ERROR","msg":"unable to start"}', false],
    ['Error: Cannot find module ./x', false],
    ['    at Module._resolveFilename (node:internal/modules/cjs/loader:1140:15)', false],
  ])('%s is routine: %s', (line, routine) => {
    expect(isRoutine(line)).toBe(routine);
  });
});
