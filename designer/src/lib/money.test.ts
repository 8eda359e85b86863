import { describe, expect, it } from 'vitest';
import { amountText, decimalText, formatMoney, roundDecimal, toDecimal } from './money';
import { formatDecimal } from './decimal';

describe('formatMoney', () => {
  it('pads to the currency minor units and groups thousands', () => {
    expect(formatMoney(1000000, 'HKD')).toBe('1,000,000.00 HKD');
    expect(formatMoney('1234.5', 'USD')).toBe('1,234.50 USD');
    expect(formatMoney(1500, 'JPY')).toBe('1,500 JPY');
    expect(formatMoney('12.5', 'BHD')).toBe('12.500 BHD');
  });
  it('keeps places the amount has beyond the minor units unless asked to round', () => {
    expect(formatMoney('0.12345678', 'USD')).toBe('0.12345678 USD');
    expect(formatMoney('0.125', 'USD', { round: true })).toBe('0.13 USD');
  });
  it('formats digits a double would lose when they come as text', () => {
    expect(formatMoney('9999999999999999.99', 'USD')).toBe('9,999,999,999,999,999.99 USD');
  });
  it('signs, absent and unknown values', () => {
    expect(formatMoney(-50000, 'HKD')).toBe('-50,000.00 HKD');
    expect(formatMoney(null, 'HKD')).toBe('—');
    expect(formatMoney('abc', 'HKD')).toBe('abc');
    expect(formatMoney(5)).toBe('5.00');
  });
});

describe('roundDecimal', () => {
  const r = (s: string, n: number) => formatDecimal(roundDecimal(toDecimal(s)!, n));
  it('rounds half away from zero on the digits, carrying', () => {
    expect(r('0.995', 2)).toBe('1');
    expect(r('-0.995', 2)).toBe('-1');
    expect(r('999.5', 0)).toBe('1000');
    expect(r('1.004', 2)).toBe('1');
    expect(r('0.4', 0)).toBe('0');
    expect(r('1.015', 2)).toBe('1.02');
  });
});

describe('amountText', () => {
  it('accepts plain and grouped amounts and makes them canonical', () => {
    expect(amountText(' 1,000.50 ')).toBe('1000.5');
    expect(amountText('200000')).toBe('200000');
  });
  it('refuses signs unless signed, more than 8 decimals, exponents and words', () => {
    expect(amountText('-5')).toBeNull();
    expect(amountText('-5', { signed: true })).toBe('-5');
    expect(amountText('+5', { signed: true })).toBe('5');
    expect(amountText('0.123456789')).toBeNull();
    expect(amountText('1e5')).toBeNull();
    expect(amountText('ten')).toBeNull();
  });
  it('decimalText writes a server number for an input box without exponent', () => {
    expect(decimalText(1e-7)).toBe('0.0000001');
    expect(decimalText(null)).toBe('');
  });
});
