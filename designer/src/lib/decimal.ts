// Decimal text without float arithmetic: amounts are validated and compared as digit strings, and only a value whose
// digits survive a double exactly is turned into a JSON number (the server reads it as a C# decimal).

/** A parsed decimal: sign, integer digits without leading zeros ("" for 0), fraction digits without trailing zeros. */
export interface Decimal { negative: boolean; int: string; frac: string }

const PLAIN = /^([+-]?)(\d+)(?:\.(\d+))?$/;
const PLAIN_OR_EXP = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Digits a double keeps exactly for every decimal (DBL_DIG). */
export const MAX_EXACT_DIGITS = 15;

function make(negative: boolean, int: string, frac: string): Decimal {
  const i = int.replace(/^0+/, '');
  const f = frac.replace(/0+$/, '');
  return { negative: negative && (i !== '' || f !== ''), int: i, frac: f };
}

/** Parses what a person typed: optional sign, digits, optional "." and digits; no exponent, no grouping. */
export function parseDecimal(text: string): Decimal | null {
  const m = PLAIN.exec(text.trim());
  return m ? make(m[1] === '-', m[2], m[3] ?? '') : null;
}

/** A number from the definition (a bound such as 1e-7 or 100000000) as a decimal, expanding exponent notation. */
export function decimalOfNumber(n: number): Decimal | null {
  if (!Number.isFinite(n)) return null;
  const m = PLAIN_OR_EXP.exec(String(n));
  if (!m) return null;
  let int = m[2];
  let frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  if (exp > 0) {
    const moved = frac.padEnd(exp, '0');
    int += moved.slice(0, exp);
    frac = moved.slice(exp);
  } else if (exp < 0) {
    const padded = int.padStart(-exp + 1, '0');
    frac = padded.slice(padded.length + exp) + frac;
    int = padded.slice(0, padded.length + exp);
  }
  return make(m[1] === '-', int, frac);
}

/** Decimal places after dropping trailing zeros ("10.50" has 1). */
export const scaleOf = (d: Decimal) => d.frac.length;

/** Significant digits: the integer digits and the fraction digits without the zeros that only place it. */
export function significantDigits(d: Decimal): number {
  const all = (d.int + d.frac).replace(/^0+/, '');
  return Math.max(all.length, 1);
}

function compareAbs(a: Decimal, b: Decimal): number {
  if (a.int.length !== b.int.length) return a.int.length < b.int.length ? -1 : 1;
  if (a.int !== b.int) return a.int < b.int ? -1 : 1;
  const n = Math.max(a.frac.length, b.frac.length);
  const fa = a.frac.padEnd(n, '0');
  const fb = b.frac.padEnd(n, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/** -1, 0 or 1, comparing the digits (never the doubles). */
export function compareDecimal(a: Decimal, b: Decimal): number {
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const c = compareAbs(a, b);
  return a.negative ? -c : c;
}

/** Canonical text: "-12.5", "0", "0.001". */
export function formatDecimal(d: Decimal): string {
  return `${d.negative ? '-' : ''}${d.int || '0'}${d.frac ? `.${d.frac}` : ''}`;
}

/**
 * The JSON number for a decimal, or null when a double cannot hold its digits exactly (then sending it would change
 * the amount). JSON.parse of the canonical text is the nearest double, which prints back to the same digits when there
 * are at most 15 of them.
 */
export function toJsonNumber(d: Decimal): number | null {
  if (significantDigits(d) > MAX_EXACT_DIGITS) return null;
  const n = JSON.parse(formatDecimal(d)) as number;
  const back = decimalOfNumber(n);
  return back && compareDecimal(back, d) === 0 ? n : null;
}
