// Pure helpers for the WD card's transaction editing (Backoffice) and the WD export (see inbox/WdTransactions.tsx).
// The server enforces the same rules; these only let the UI explain a refusal before sending.
import type { Problem } from '../api/models';
import { decimalOfNumber, formatDecimal, parseDecimal, toJsonNumber } from './decimal';

/** Payment types a user may choose for a new transaction ("Fee" transactions are the server's own). */
export const EDITABLE_PAYMENT_TYPES = ['CreditCard', 'WireTransfer', 'SettlementCreditCard', 'SettlementWireTransfer'] as const;
export type EditablePaymentType = (typeof EDITABLE_PAYMENT_TYPES)[number];

export const PAYMENT_TYPE_LABELS: Record<EditablePaymentType, string> = {
  CreditCard: 'Credit card',
  WireTransfer: 'Wire transfer',
  SettlementCreditCard: 'Settlement credit card',
  SettlementWireTransfer: 'Settlement wire transfer',
};

/** Wire transfers (plain or settlement) need bank details. */
export const isWireTransfer = (paymentType: string | null | undefined) => paymentType === 'WireTransfer' || paymentType === 'SettlementWireTransfer';

export interface TxDraft {
  amount: string;
  paymentType: string;
  oct: boolean;
  bankDetails: string;
}
export type TxField = 'amount' | 'paymentType' | 'oct' | 'bankDetails';
export type TxErrors = Partial<Record<TxField, string>>;

export const emptyDraft = (): TxDraft => ({ amount: '', paymentType: 'CreditCard', oct: false, bankDetails: '' });

/**
 * "1 234,50" / "1,234.50" / "1234.5" → "1234.5" (canonical decimal text); null when not a plain decimal number. Amounts
 * stay digit strings here (the house rule): never parsed into a double to be compared or rounded.
 */
export function parseAmount(text: string): string | null {
  let s = text.trim().replace(/[\s\u00a0']/g, '');
  if (!s) return null;
  if (s.includes(',') && s.includes('.')) s = s.replace(/,/g, '');
  else if (/^-?\d+,\d{1,2}$/.test(s)) s = s.replace(',', '.');
  else s = s.replace(/,(?=\d{3}(\D|$))/g, '');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  const d = parseDecimal(s);
  return d ? formatDecimal(d) : null;
}

/** Checks a draft before sending; the messages are shown next to the fields. */
export function validateTx(d: TxDraft): TxErrors {
  const errors: TxErrors = {};
  const amount = parseAmount(d.amount);
  const dec = amount === null ? null : parseDecimal(amount);
  if (d.amount.trim() === '') errors.amount = 'Enter an amount.';
  else if (dec === null) errors.amount = 'The amount must be a number, e.g. 1250.50.';
  else if (dec.negative || (dec.int === '' && dec.frac === '')) errors.amount = 'The amount must be greater than zero.';
  // The request carries a JSON number: refuse digits a double cannot hold exactly rather than send another amount.
  else if (toJsonNumber(dec) === null) errors.amount = 'The amount has more digits than can be sent exactly (at most 15).';
  if (!(EDITABLE_PAYMENT_TYPES as readonly string[]).includes(d.paymentType)) errors.paymentType = 'Choose a payment type.';
  if (isWireTransfer(d.paymentType) && d.bankDetails.trim() === '') errors.bankDetails = 'Bank details are required for wire transfers.';
  return errors;
}

/** The body of POST/PUT …/transactions (call only when validateTx found nothing): the amount is the exact JSON number of its text. */
export function txBody(d: TxDraft, expectedVersion?: number) {
  const bank = d.bankDetails.trim();
  const dec = parseDecimal(parseAmount(d.amount) ?? '');
  return { amount: dec ? toJsonNumber(dec) : null, paymentType: d.paymentType, oct: d.oct, bankDetails: bank === '' ? null : bank, ...(expectedVersion !== undefined ? { expectedVersion } : {}) };
}

/** Amount as the input shows it: the stored amount's own digits (no grouping, no exponent, no rounding), so parseAmount reads it back. */
export const amountInput = (n: number) => {
  const d = decimalOfNumber(n);
  return d ? formatDecimal(d) : String(n);
};

/**
 * Splits a problem+json `errors` map into messages per form field ("Amount", "$.bankDetails", "body.BankDetails" …)
 * and the rest, which are shown above the form.
 */
export function problemFieldErrors(p: Problem | undefined): { fields: TxErrors; other: string[] } {
  const fields: TxErrors = {};
  const other: string[] = [];
  const known: Record<string, TxField> = { amount: 'amount', paymenttype: 'paymentType', oct: 'oct', bankdetails: 'bankDetails' };
  for (const [key, msgs] of Object.entries(p?.errors ?? {})) {
    const last = key.split(/[./]/).filter(Boolean).pop()?.toLowerCase() ?? '';
    const field = known[last];
    const text = (msgs ?? []).join(' ');
    if (!text) continue;
    if (field) fields[field] = fields[field] ? `${fields[field]} ${text}` : text;
    else other.push(key && key !== '$' ? `${key.replace(/^\$\./, '')}: ${text}` : text);
  }
  return { fields, other };
}

export interface MeLike { isSystem?: boolean; permissions?: string[]; rights?: string[] }
/** Backoffice edits transactions while the request is approved by Backoffice and the user has permission wd:4. */
export const canEditWdTransactions = (me: MeLike | undefined, card: { status: string } | undefined) =>
  !!me && !!card && card.status.toLowerCase() === 'approvedbybackoffice' && (me.isSystem === true || (me.permissions ?? []).includes('wd:4'));
/** The "Export WD requests (CSV)" button: the right wd:export. */
export const canExportWd = (me: MeLike | undefined) => !!me && (me.isSystem === true || (me.rights ?? []).includes('wd:export'));

/** The download's file name: the server's Content-Disposition name, else wd-requests-YYYY-MM-DD.csv. */
export function exportFileName(contentDisposition: string | null | undefined, today: Date = new Date()): string {
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(contentDisposition ?? '');
  if (star) { try { return decodeURIComponent(star[1].trim().replace(/^"|"$/g, '')); } catch { /* fall through */ } }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(contentDisposition ?? '');
  if (plain) return plain[1].trim();
  return `wd-requests-${today.toISOString().slice(0, 10)}.csv`;
}

/**
 * "executing…" on the card: only while Complete runs. A final request (Completed, Partially Completed, …) is never
 * executing, even from a server that still reports the flag it ended with.
 */
export const isExecuting = (card: { executing: boolean; final: boolean }) => card.executing && !card.final;

/** The margin level as the card shows it: "—" when no margin is used (no open positions), else "95.5 %". */
export const marginLevelText = (level: number | string | null | undefined) => (level === null || level === undefined ? '—' : `${level} %`);

/** The WD export's columns (server: ExportWdRequests.Columns), in the grid's order, with labels for the chooser. */
export const WD_EXPORT_COLUMNS: { name: string; label: string }[] = [
  { name: 'id', label: 'WD ID' },
  { name: 'status', label: 'Status' },
  { name: 'department', label: 'Department' },
  { name: 'priority', label: 'Priority' },
  { name: 'overdue', label: 'Overdue' },
  { name: 'customerId', label: 'Customer' },
  { name: 'tradingAccount', label: 'Trading account' },
  { name: 'requestedAmount', label: 'Requested amount' },
  { name: 'currency', label: 'Currency' },
  { name: 'fee', label: 'Fee' },
  { name: 'createdAt', label: 'Created' },
  { name: 'updatedAt', label: 'Updated' },
];

/**
 * The `columns` query value for the chosen columns, in the grid's order whatever order they were ticked in;
 * undefined when all are chosen (the server's default) — null when none is (nothing to export).
 */
export function exportColumnsParam(chosen: readonly string[]): string | undefined | null {
  const ordered = WD_EXPORT_COLUMNS.map((c) => c.name).filter((n) => chosen.includes(n));
  if (ordered.length === 0) return null;
  if (ordered.length === WD_EXPORT_COLUMNS.length) return undefined;
  return ordered.join(',');
}

/** The browser's time zone (IANA name), the default for showing stored UTC times. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/**
 * A stored UTC time in the user's time zone, to the second, with the zone named ("02 Dec 2026, 15:04:05 CET"):
 * the audit log's "date and time of change (user local time)". Returns the input unchanged when it is not a time.
 */
export function fmtInZone(iso: string | null | undefined, timeZone: string, locale = 'en-GB'): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale, { timeZone, year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZoneName: 'short' });
}
