// Money on the fiat screens: amounts arrive as JSON numbers written from C# decimals (or as decimal text) and are only
// ever reformatted as digit strings — never added, rounded or compared as doubles (sums come from the server).
import { decimalOfNumber, formatDecimal, parseDecimal } from './decimal';
import type { Decimal } from './decimal';
import { currencyScale } from './forms';

/** A server amount as a decimal; null for absent or malformed values. */
export function toDecimal(value: number | string | null | undefined): Decimal | null {
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'number' ? decimalOfNumber(value) : parseDecimal(value);
}

/** Adds one unit in the last place to a digit string ("0999" → "1000"); the carry may lengthen it. */
function increment(digits: string): string {
  const out = digits.split('');
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== '9') {
      out[i] = String(Number(out[i]) + 1);
      return out.join('');
    }
    out[i] = '0';
  }
  return `1${out.join('')}`;
}

/** Rounds half away from zero to `scale` places, on the digits (as .NET's MidpointRounding.AwayFromZero). */
export function roundDecimal(d: Decimal, scale: number): Decimal {
  if (d.frac.length <= scale) return d;
  const keep = `${d.int}${d.frac.slice(0, scale)}`;
  const up = d.frac[scale] >= '5';
  const all = up ? increment(keep || '0') : keep;
  const intLen = all.length - scale;
  return parseDecimal(`${d.negative ? '-' : ''}${all.slice(0, intLen) || '0'}${scale ? `.${all.slice(intLen)}` : ''}`)!;
}

const group = (int: string) => (int || '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * "1,234,567.50 HKD": grouped, with exactly the currency's minor units (JPY 0, USD 2, BHD 3; 2 for unknown codes),
 * more places kept when the amount has them (an 8-decimal rate is never hidden by rounding).
 */
export function formatMoney(value: number | string | null | undefined, currency?: string | null, opts: { round?: boolean } = {}): string {
  const d = toDecimal(value);
  if (!d) return value === null || value === undefined || value === '' ? '—' : String(value);
  const scale = (currency ? currencyScale(currency) : null) ?? 2;
  const r = opts.round ? roundDecimal(d, scale) : d;
  const frac = r.frac.length >= scale ? r.frac : r.frac.padEnd(scale, '0');
  const text = `${r.negative ? '-' : ''}${group(r.int)}${frac ? `.${frac}` : ''}`;
  return currency ? `${text} ${currency}` : text;
}

/** What a person typed as an amount, checked and made canonical ("1,000.50" → "1000.5"); null when it is not one. */
export function amountText(typed: string, opts: { signed?: boolean; maxScale?: number } = {}): string | null {
  const t = typed.trim().replace(/,/g, '');
  if (!opts.signed && /^[-+]/.test(t)) return null;
  const d = parseDecimal(t);
  if (!d) return null;
  if (d.frac.length > (opts.maxScale ?? 8)) return null;
  return formatDecimal(d);
}

/** A server amount as plain decimal text for an input box ("" when absent; 1e-7 becomes "0.0000001"). */
export function decimalText(value: number | string | null | undefined): string {
  const d = toDecimal(value);
  return d ? formatDecimal(d) : '';
}
