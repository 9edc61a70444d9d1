import type { temporal } from '@temporalio/proto';
import type { Activities } from '../../activities';
import type { ScanResult } from '../../src/deposits/scan-deposits';
import { unique } from '../helpers/app';
import { recordHistory } from '../helpers/histories';
import { useStubbedWorker } from '../helpers/stubbed-worker';

/**
 * The deposit watcher on the real Temporal dev server, its scan stubbed: a scan Horizon refused with 429 is followed by
 * a wait of exactly the Retry-After it reported (before, the watcher asked again at once: `caughtUp` is false).
 */
const scripts = new Map<string, ScanResult[]>();
let current = '';

const activities: Pick<Activities, 'scanDeposits'> = {
  async scanDeposits() {
    const next = scripts.get(current)!.shift();
    if (!next) throw new Error('no scripted scan left');
    return next;
  },
};

const stubbed = useStubbedWorker('deposit-watcher-tq', activities);

type Event = temporal.api.history.v1.IHistoryEvent;
const seconds = (d: Event['timerStartedEventAttributes']) =>
  Number(d?.startToFireTimeout?.seconds ?? 0) + (d?.startToFireTimeout?.nanos ?? 0) / 1e9;

test('a 429 is waited out for its Retry-After, a caught-up scan for the poll interval, a full page not at all', async () => {
  current = unique('watcher');
  scripts.set(current, [
    { scanned: 0, credited: 0, cursor: '5', caughtUp: false, retryAfterMs: 700 },
    { scanned: 200, credited: 2, cursor: '9', caughtUp: false },
    { scanned: 3, credited: 0, cursor: '12', caughtUp: true },
  ]);
  const handle = await stubbed.client.workflow.start('depositWatcher', {
    workflowId: current,
    taskQueue: stubbed.taskQueue,
    args: [{ pollIntervalMs: 200, scansPerRun: 3 }],
  });
  const firstRun = stubbed.client.workflow.getHandle(current, handle.firstExecutionRunId);
  for (let i = 0; i < 100 && (await firstRun.describe()).status.name === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 100));
  expect((await firstRun.describe()).status.name).toBe('CONTINUED_AS_NEW');
  const { events } = await firstRun.fetchHistory();
  await recordHistory('deposit-watcher-rate-limited', current, handle.firstExecutionRunId);
  await stubbed.client.workflow.getHandle(current).terminate('test over');

  expect(events!.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(3);
  expect(events!.filter((e) => e.timerStartedEventAttributes).map((e) => seconds(e.timerStartedEventAttributes))).toEqual([0.7, 0.2]);
  const markers = events!.filter((e) => e.markerRecordedEventAttributes).map((e) => e.markerRecordedEventAttributes!);
  const patches = markers.map((m) => JSON.parse(Buffer.from(m.details!['patch-data'].payloads![0].data!).toString('utf8')).id);
  expect(patches).toEqual(['deposit-scan-waits-retry-after']);
}, 30_000);
