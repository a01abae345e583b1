import { describe, expect, it } from 'vitest';
import { dateRange, decimalRange, escapeLike, normalizeString, numberRange } from './values.ts';

describe('normalizeString', () => {
  it.each([
    ['Müller', 'muller'],
    ['  Élodie   Ann\tSMITH ', 'elodie ann smith'],
    ['ÇÀÉÎÕÜ ñ', 'caeiou n'],
    ['plain', 'plain'],
  ])('%j → %j', (input, expected) => expect(normalizeString(input)).toBe(expected));
});

describe('escapeLike', () => {
  it('escapes LIKE metacharacters and the escape itself', () => expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b'));
});

describe('dateRange', () => {
  it.each([
    ['1980', '1980-01-01T00:00:00.000Z', '1980-12-31T23:59:59.999Z'],
    ['1980-02', '1980-02-01T00:00:00.000Z', '1980-02-29T23:59:59.999Z'],
    ['1981-02', '1981-02-01T00:00:00.000Z', '1981-02-28T23:59:59.999Z'],
    ['2013-01-14', '2013-01-14T00:00:00.000Z', '2013-01-14T23:59:59.999Z'],
    ['2013-01-14T10:00', '2013-01-14T10:00:00.000Z', '2013-01-14T10:00:59.999Z'],
    ['2013-01-14T10:00:00Z', '2013-01-14T10:00:00.000Z', '2013-01-14T10:00:00.999Z'],
    ['2013-01-14T10:00:00+02:00', '2013-01-14T08:00:00.000Z', '2013-01-14T08:00:00.999Z'],
    ['2013-01-14T10:00:00.5-05:00', '2013-01-14T15:00:00.500Z', '2013-01-14T15:00:00.599Z'],
    ['2013-01-14T10:00:00.123Z', '2013-01-14T10:00:00.123Z', '2013-01-14T10:00:00.123Z'],
    ['2013-12-31T23:59:59.9999Z', '2013-12-31T23:59:59.999Z', '2013-12-31T23:59:59.999Z'],
    ['0099', '0099-01-01T00:00:00.000Z', '0099-12-31T23:59:59.999Z'],
  ])('%s covers [%s, %s]', (text, low, high) => expect(dateRange(text)).toEqual({ low, high }));

  it.each(['', '80', '1980-13', '1981-02-29', '2013-01-14T25:00', '2013-01-14T10', 'today', '2013-1-4'])('rejects %j', (text) =>
    expect(dateRange(text)).toBeUndefined(),
  );
});

describe('decimalRange', () => {
  it.each([
    ['100', '100', '99.5', '100.5'],
    ['1.50', '1.5', '1.495', '1.505'],
    ['100.00', '100', '99.995', '100.005'],
    ['1e2', '100', '50', '150'],
    ['1.5e-3', '0.0015', '0.00145', '0.00155'],
    ['-0.5', '-0.5', '-0.55', '-0.45'],
    ['+7', '7', '6.5', '7.5'],
    ['0', '0', '-0.5', '0.5'],
  ])('%s → %s in [%s, %s)', (text, value, low, high) => expect(decimalRange(text)).toEqual({ value, low, high }));

  it.each(['', '1.', '.5', '1,5', 'abc', '1e', '0x10'])('rejects %j', (text) => expect(decimalRange(text)).toBeUndefined());

  it('takes the precision of a JSON number from its shortest form', () => {
    expect(numberRange(72)).toEqual({ value: '72', low: '71.5', high: '72.5' });
    expect(numberRange(0.1)).toEqual({ value: '0.1', low: '0.05', high: '0.15' });
    expect(numberRange(1e21)).toEqual({ value: '1000000000000000000000', low: '500000000000000000000', high: '1500000000000000000000' });
    expect(numberRange(Number.NaN)).toBeUndefined();
    for (const n of [-3, 0, 7, 2 ** 49, -(2 ** 52), 123.45, -0.001]) expect(numberRange(n), String(n)).toEqual(decimalRange(String(n)));
  });
});
