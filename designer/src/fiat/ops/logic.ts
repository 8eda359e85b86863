// Pure helpers of the operations screens (batches, exceptions, withdrawal bills, cheques): what the server's problems
// say per record or per row, which records may go together, how per-currency sums read. No amount arithmetic here:
// sums come from the server and are only formatted (lib/money.ts).
import type { Problem } from '../../api/models';
import { formatMoney } from '../../lib/money';

interface WithProblem { status?: number; problem?: Problem }

/** The 422 of a bulk route keyed `records[i]` (i = the place in the request) as messages per record number. */
export function recordErrors(err: unknown, recordNos: readonly string[]): { byRecord: Record<string, string[]>; general: string[] } {
  const byRecord: Record<string, string[]> = {};
  const general: string[] = [];
  const errors = (err as WithProblem | null)?.problem?.errors ?? {};
  for (const [field, messages] of Object.entries(errors)) {
    const m = /^records\[(\d+)\]$/.exec(field);
    const no = m ? recordNos[Number(m[1])] : undefined;
    if (no !== undefined) byRecord[no] = [...(byRecord[no] ?? []), ...(messages ?? [])];
    else general.push(...(messages ?? []));
  }
  return { byRecord, general };
}

/** One row's problems of a statement import (`rows[3].amount`, `rows[7]`), in row order; `header`/`content` are row 0. */
export interface RowError { row: number; field: string | null; message: string }
export function importRowErrors(err: unknown): RowError[] {
  const errors = (err as WithProblem | null)?.problem?.errors ?? {};
  const out: RowError[] = [];
  for (const [key, messages] of Object.entries(errors)) {
    const m = /^rows\[(\d+)\](?:\.(.+))?$/.exec(key);
    for (const message of messages ?? []) out.push(m ? { row: Number(m[1]), field: m[2] ?? null, message } : { row: 0, field: key, message });
  }
  return out.sort((a, b) => a.row - b.row || (a.field ?? '').localeCompare(b.field ?? ''));
}

/** A batch holds one channel and currency: the selection's, or why it cannot be packed as one (the server checks again). */
export function packGroup(rows: readonly { recordNo: string; channel?: string | null; currency: string; status: string }[]):
  { channel: string; currency: string } | { error: string } {
  if (rows.length === 0) return { error: 'Select the records to pack.' };
  const notPending = rows.filter((r) => r.status !== 'Withdrawal Pending');
  if (notPending.length) return { error: `Only records in Withdrawal Pending are packed: ${notPending.map((r) => `${r.recordNo} is ${r.status}`).join(', ')}.` };
  const keys = [...new Set(rows.map((r) => `${r.channel ?? '(no channel)'} / ${r.currency}`))];
  if (keys.length > 1) return { error: `A batch holds one channel and currency; the selection has ${keys.join(', ')}.` };
  if (!rows[0].channel) return { error: 'The records have no channel yet.' };
  return { channel: rows[0].channel, currency: rows[0].currency };
}

/** A card's sums, one per currency ("1,000.50 HKD · 7.00 USD"); never one number across currencies. */
export function cardSums(sums: readonly { currency: string; amount: number | string }[] | null | undefined): string {
  if (!sums || sums.length === 0) return '—';
  return sums.map((s) => formatMoney(s.amount, s.currency)).join(' · ');
}

/** Cheque numbers: 1–20 digits, different from each other (the server also checks them against every other cheque). */
export function chequeNumberErrors(numbers: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const [recordNo, raw] of Object.entries(numbers)) {
    const n = raw.trim();
    if (!/^\d{1,20}$/.test(n)) errors[recordNo] = 'A cheque number is 1 to 20 digits.';
    else if (seen.has(n)) errors[recordNo] = `Also given to ${seen.get(n)}.`;
    else seen.set(n, recordNo);
  }
  return errors;
}

/** The 422 of a cheque print keyed `items[i].chequeNo` / `items[i].recordNo` as a message per record number. */
export function itemErrors(err: unknown, recordNos: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const errors = (err as WithProblem | null)?.problem?.errors ?? {};
  for (const [field, messages] of Object.entries(errors)) {
    const m = /^items\[(\d+)\]/.exec(field);
    const no = m ? recordNos[Number(m[1])] : undefined;
    if (no !== undefined) out[no] = [out[no], ...(messages ?? [])].filter(Boolean).join(' ');
  }
  return out;
}

/** The exception resolutions of the manual, as the server names them. */
export const RESOLUTIONS = [
  { value: 'SetAsSuccessful', label: 'Set as Successful' },
  { value: 'SetAsFailed', label: 'Set as Failed' },
  { value: 'Repayment', label: 'Repayment' },
  { value: 'Resubmit', label: 'Resubmit' },
] as const;
export type Resolution = (typeof RESOLUTIONS)[number]['value'];

/** "Who may confirm a tag": never the person who tagged it (the server refuses with 403 anyway). */
export const canConfirmTag = (entry: { matchStatus: string; taggedBy?: string | null }, me: string | undefined) =>
  entry.matchStatus === 'PendingConfirmation' && !!me && entry.taggedBy !== me;

/** The page to show once records moved on (a list refetched with fewer pages): the last one there is, never below 1. */
export const clampPage = (page: number, total: number, pageSize: number) => Math.max(1, Math.min(page, Math.ceil(total / pageSize)));
