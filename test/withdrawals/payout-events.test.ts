import { derivedId } from '../../src/ids';
import { withdrawalIdOfPayoutEvent } from '../../src/withdrawals/payout-events';

test('a payout event names its withdrawal by the payout code; anything else names none', () => {
  const id = derivedId('wd', 'some request');
  expect(withdrawalIdOfPayoutEvent({ id: 'a1b2', code: id, status: 'COMPLETED' })).toBe(id);
  for (const data of [null, 'wd', {}, { code: 42 }, { code: 'top_123' }, { code: `${id}x` }, { code: 'wd_short' }])
    expect(withdrawalIdOfPayoutEvent(data)).toBeNull();
});
