import { PAYIN_STATUSES } from '../../src/providers/airtm/types';
import { topupStatuses } from '../../src/db/schema';
import { nextTopupStatus, PAYIN_OUTCOMES } from '../../src/topups/topup-state';

/** The pay-in statuses are Airtm's (#/components/schemas/PayinStatus/enum, docs/airtm.md); the top-up statuses issue 14's. */
test('every pay-in status of the spec has a meaning for a top-up', () => {
  expect(Object.keys(PAYIN_OUTCOMES).sort()).toEqual([...PAYIN_STATUSES].sort());
  expect(PAYIN_OUTCOMES).toMatchObject({
    CREATED: 'TOPUP_AWAITING_USER_CONFIRMATION',
    PROCESSING: 'TOPUP_PROCESSING',
    CONFIRMED: 'TOPUP_SUCCEEDED',
    FAILED: 'TOPUP_FAILED',
    BRIDGE_FAILED: 'TOPUP_FAILED',
    CANCELED: 'TOPUP_CANCELED',
    BRIDGE_CANCELED: 'TOPUP_CANCELED',
  });
});

test.each(['TOPUP_SUCCEEDED', 'TOPUP_FAILED', 'TOPUP_CANCELED', 'TOPUP_EXPIRED'] as const)(
  'a %s top-up hears nothing more, whatever Airtm says',
  (final) => {
    for (const p of PAYIN_STATUSES) expect(nextTopupStatus(final, p)).toBeNull();
  },
);

test('an older message (created after processing, a repeat) changes nothing; anything newer moves it', () => {
  expect(nextTopupStatus('TOPUP_PROCESSING', 'CREATED')).toBeNull();
  expect(nextTopupStatus('TOPUP_AWAITING_USER_CONFIRMATION', 'CREATED')).toBeNull();
  expect(nextTopupStatus('TOPUP_CREATED', 'CREATED')).toBe('TOPUP_AWAITING_USER_CONFIRMATION');
  expect(nextTopupStatus('TOPUP_PROCESSING', 'CONFIRMED')).toBe('TOPUP_SUCCEEDED');
  expect(nextTopupStatus('TOPUP_AWAITING_USER_CONFIRMATION', 'CONFIRMED')).toBe('TOPUP_SUCCEEDED');
  expect(nextTopupStatus('TOPUP_AWAITING_USER_CONFIRMATION', 'FAILED')).toBe('TOPUP_FAILED');
  expect(topupStatuses).toHaveLength(7);
});
