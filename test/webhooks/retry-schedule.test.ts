import { loadConfig } from '../../src/config';
import { attemptOffsetsMs, MAX_RETRY_AFTER_MS, nextDelayMs, retryAfterMs } from '../../src/webhooks/retry-schedule';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
/** The Standard Webhooks schedule, as the specification writes it (standardwebhooks.com, "Retry schedule"). */
const SPEC = [0, 5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H];

test('the default schedule is the specification’s: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
  expect(loadConfig({ ...process.env }).WEBHOOK_RETRY_SCHEDULE_MS).toEqual(SPEC);
});

test('after attempt n fails the next comes schedule[n] later; after the last there is none', () => {
  expect(nextDelayMs(SPEC, 1, null)).toBe(5 * S);
  expect(nextDelayMs(SPEC, 2, null)).toBe(5 * MIN);
  expect(nextDelayMs(SPEC, 7, null)).toBe(10 * H);
  expect(nextDelayMs(SPEC, 8, null)).toBeNull();
});

test('the attempts of one event span 27 h 35 min 5 s before the endpoint is disabled', () => {
  const offsets = attemptOffsetsMs(SPEC);
  expect(offsets).toEqual([
    0,
    5 * S,
    5 * MIN + 5 * S,
    35 * MIN + 5 * S,
    2 * H + 35 * MIN + 5 * S,
    7 * H + 35 * MIN + 5 * S,
    17 * H + 35 * MIN + 5 * S,
    27 * H + 35 * MIN + 5 * S,
  ]);
});

test('a receiver down for an hour gets the event at the 5th attempt (2 h 35 min 5 s), long before the endpoint is given up', () => {
  const downUntil = 1 * H;
  const offsets = attemptOffsetsMs(SPEC);
  const firstUp = offsets.findIndex((at) => at >= downUntil);
  expect(firstUp + 1).toBe(5);
  expect(offsets[firstUp]).toBe(2 * H + 35 * MIN + 5 * S);
  expect(firstUp).toBeLessThan(SPEC.length - 1); // attempts to spare: the endpoint stays active
});

test('Retry-After on 429 and 503 pushes the next attempt later, never earlier, and at most 10 h', () => {
  expect(nextDelayMs(SPEC, 1, 60 * S)).toBe(60 * S);
  expect(nextDelayMs(SPEC, 2, 60 * S)).toBe(5 * MIN);
  expect(nextDelayMs(SPEC, 1, 48 * H)).toBe(MAX_RETRY_AFTER_MS);
  expect(nextDelayMs(SPEC, 8, 60 * S)).toBeNull();
});

test('Retry-After is read as seconds or an HTTP date, only on 429 and 503', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  expect(retryAfterMs(429, '120', now)).toBe(120 * S);
  expect(retryAfterMs(503, 'Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30 * S);
  expect(retryAfterMs(503, 'Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
  expect(retryAfterMs(500, '120', now)).toBeNull();
  expect(retryAfterMs(429, 'soon', now)).toBeNull();
  expect(retryAfterMs(429, undefined, now)).toBeNull();
});

test('WEBHOOK_RETRY_SCHEDULE_MS takes a comma-separated list and refuses anything else', () => {
  expect(loadConfig({ ...process.env, WEBHOOK_RETRY_SCHEDULE_MS: '0,100,250' }).WEBHOOK_RETRY_SCHEDULE_MS).toEqual([0, 100, 250]);
  expect(() => loadConfig({ ...process.env, WEBHOOK_RETRY_SCHEDULE_MS: '0,-5' })).toThrow(/WEBHOOK_RETRY_SCHEDULE_MS/);
});
