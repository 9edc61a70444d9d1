import { fiatAmount, intentHash, parseRate } from '../../src/onramp/intent';
import { ONRAMP_STATUSES, refusal, type OnrampCommand } from '../../src/onramp/onramp-state';

const fields = {
  orderId: 'onr_1',
  merchantId: 'mer_1',
  merchantAddress: 'GMERCHANT',
  buyerId: 'usr_1',
  buyerAddress: 'GBUYER',
  amountMinor: 500_000_000n,
  expiresAtEpoch: 1_800_000_000,
};

describe('intentHash', () => {
  test('is 0x + sha256 of the documented lines (vector computed with `printf … | sha256sum`)', () => {
    expect(intentHash(fields)).toBe('0xf6048f82785ffd30f6dcabfe18c730f62f889b37a10b5fbdb57137beb15a7d8b');
  });

  test.each(Object.keys(fields))('changes when %s changes', (name) => {
    const value = fields[name as keyof typeof fields];
    const other = typeof value === 'bigint' ? value + 1n : typeof value === 'number' ? value + 1 : `${value}x`;
    expect(intentHash({ ...fields, [name]: other })).not.toBe(intentHash(fields));
  });
});

describe('fiatAmount: amountUsdc × conversionRate, rounded up to the cent', () => {
  test.each([
    ['500000000', '1.02', '51.00'],
    ['1', '1', '0.01'],
    ['100000000', '0.333', '3.33'],
    ['100000000', '0.3333', '3.34'],
    ['123456789012', '17.5', '216049.39'],
  ])('%s stroops at %s → %s', (amount, rate, expected) => {
    expect(fiatAmount(BigInt(amount), parseRate(rate)!)).toBe(expected);
  });

  test('a rate of zero or malformed is refused', () => {
    for (const bad of ['0', '0.00', '-1', '1e3', '1.123456789', '']) expect(parseRate(bad)).toBeNull();
  });
});

describe('refusal: what each status takes (document 003)', () => {
  const takes: Record<OnrampCommand, string[]> = {
    'payment-sent': ['SIGNAL_MINED'],
    fulfill: ['SIGNAL_MINED', 'PAYMENT_SENT'],
    cancel: ['SESSION_CREATED', 'SIGNAL_MINED', 'PAYMENT_SENT'],
  };
  for (const [command, accepted] of Object.entries(takes) as Array<[OnrampCommand, string[]]>) {
    test.each([...ONRAMP_STATUSES])(`${command} from %s`, (status) => {
      const r = refusal(status, command);
      if (accepted.includes(status)) expect(r).toBeNull();
      else expect(r?.code).toBe(status === 'FULFILLED' ? 'ORDER_ALREADY_FULFILLED' : 'INVALID_STATE');
    });
  }
});
