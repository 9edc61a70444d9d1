import { AppError } from '../../src/errors';
import { amountSchema, amountString, currencySchema, formatAmount, MAX_MINOR, parseAmount, parseCurrency } from '../../src/money';

function problemOf(fn: () => unknown): { code: string; reason: unknown } {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, reason: err.details.reason };
    throw err;
  }
  throw new Error('expected a throw');
}

describe('parseAmount', () => {
  it.each([
    ['100', 1_000_000_000n],
    ['100.5', 1_005_000_000n],
    ['0.0000001', 1n],
    ['1.2345678', 12_345_678n],
    ['007', 70_000_000n],
    ['922337203685.4775807', MAX_MINOR],
  ])('accepts %s as %s minor units', (input, expected) => {
    expect(parseAmount(input)).toBe(expected);
  });

  it.each([
    ['1.00000001', 'too_many_decimals'],
    ['-1', 'negative'],
    ['+1', 'leading_plus'],
    ['1e5', 'exponent'],
    ['1.5E-3', 'exponent'],
    [' 1', 'whitespace'],
    ['1 ', 'whitespace'],
    ['abc', 'not_a_number'],
    ['1.', 'not_a_number'],
    ['.5', 'not_a_number'],
    ['1,5', 'not_a_number'],
    ['0x10', 'not_a_number'],
    ['Infinity', 'not_a_number'],
    ['NaN', 'not_a_number'],
    ['', 'empty'],
    ['0', 'zero'],
    ['0.0000000', 'zero'],
    ['922337203685.4775808', 'too_large'],
    ['99999999999999999999', 'too_large'],
  ])('rejects %j with VALIDATION_ERROR reason %s', (input, reason) => {
    expect(problemOf(() => parseAmount(input))).toEqual({ code: 'VALIDATION_ERROR', reason });
  });

  it('rejects a number (not a string) with reason not_a_string', () => {
    expect(problemOf(() => parseAmount(100))).toEqual({ code: 'VALIDATION_ERROR', reason: 'not_a_string' });
  });

  it('accepts zero only when allowZero is set', () => {
    expect(parseAmount('0', { allowZero: true })).toBe(0n);
    expect(parseAmount('0.0', { allowZero: true })).toBe(0n);
  });

  it('names the field and the offending value in details', () => {
    try {
      parseAmount('1.123456789', { field: 'fee' });
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(400);
      expect((err as AppError).details).toMatchObject({ field: 'fee', value: '1.123456789', reason: 'too_many_decimals' });
    }
  });
});

describe('formatAmount', () => {
  it.each([
    [1_000_000_000n, '100'],
    [1_005_000_000n, '100.5'],
    [1n, '0.0000001'],
    [0n, '0'],
    [-1_005_000_000n, '-100.5'],
    [MAX_MINOR, '922337203685.4775807'],
  ])('writes %s minor units as %s', (minor, text) => {
    expect(formatAmount(minor)).toBe(text);
  });

  it('round-trips through parseAmount for canonical strings', () => {
    for (const s of ['1', '0.1', '12.3456789', '500', '0.0000001']) expect(formatAmount(parseAmount(s))).toBe(s);
  });
});

describe('parseCurrency', () => {
  it('normalizes USDC to USD and keeps USD and XLM', () => {
    expect(parseCurrency('USDC')).toBe('USD');
    expect(parseCurrency('USD')).toBe('USD');
    expect(parseCurrency('XLM')).toBe('XLM');
  });

  it.each(['usd', 'EUR', '', 'BTC', undefined])('rejects %j with VALIDATION_ERROR', (input) => {
    expect(problemOf(() => parseCurrency(input))).toEqual({ code: 'VALIDATION_ERROR', reason: 'unsupported_currency' });
  });
});

describe('zod schemas', () => {
  it('amountSchema accepts canonical amounts and keeps them as strings', () => {
    expect(amountSchema.parse('100.5')).toBe('100.5');
  });

  it.each(['0', '1.00000001', '-1', '1e3', '922337203685.4775808', ' 1'])('amountSchema rejects %j', (input) => {
    expect(amountSchema.safeParse(input).success).toBe(false);
  });

  it('amountString({allowZero}) accepts zero', () => {
    expect(amountString({ allowZero: true }).safeParse('0').success).toBe(true);
  });

  it('amountSchema reports the specific problem for zero and oversize values', () => {
    const zero = amountSchema.safeParse('0');
    expect(zero.success).toBe(false);
    expect(zero.error?.issues.map((i) => i.message)).toEqual(['amount must be greater than zero']);
  });

  it('currencySchema accepts USD, USDC and XLM only', () => {
    expect(currencySchema.safeParse('USDC').success).toBe(true);
    expect(currencySchema.safeParse('EUR').success).toBe(false);
  });
});
