// Crypto withdrawal and deposit records (manuals 000 and 001): who sees them, the manual's statuses, the search's
// query string, and amount / progress text. Amounts arrive as decimal text with the coin's precision and are only
// regrouped as digit strings — never parsed into doubles.

export type RecordKind = 'withdrawals' | 'deposits';

/** Manual 000's statuses of a coin withdrawal, in business order (the server refuses any other). */
export const WITHDRAWAL_STATUSES = [
  'Under Review', 'Pending Approval', 'Broadcasting', 'Awaiting Confirmations', 'Confirming', 'Broadcast Failed',
  'Completed', 'Rejected', 'Failed', 'Cancelled',
] as const;

/** Manual 001's statuses of a deposit, in business order. */
export const DEPOSIT_STATUSES = [
  'Wallet Address Under Verification', 'Confirming', 'Credited', 'Refund Pending Approval', 'Refunding', 'Refund Confirming',
  'Refunded', 'Cancelled', 'Deleted', 'Failed',
] as const;

export const statusesOf = (kind: RecordKind): readonly string[] => (kind === 'deposits' ? DEPOSIT_STATUSES : WITHDRAWAL_STATUSES);

export interface RecordReader { rights: string[]; departments?: string[]; allDepartments?: boolean; isSystem?: boolean }

/**
 * The crypto flows' read policy (workflows/*.json `read`): Operations, all-department supervisors and the rights
 * `workorders:approve` / `submit`. The server decides; this only hides the menu from whom it would refuse.
 */
export const canReadCryptoRecords = (me: RecordReader | undefined) =>
  !!me && !me.isSystem && (me.allDepartments === true || (me.departments ?? []).includes('Operations') || me.rights.includes('workorders:approve') || me.rights.includes('submit'));

export interface CryptoFilters { recordNo: string; customer: string; status: string; coin: string; createdFrom: string; createdTo: string }
export const emptyCryptoFilters: CryptoFilters = { recordNo: '', customer: '', status: '', coin: '', createdFrom: '', createdTo: '' };

/**
 * Filters as query parameters (the list and its export take the same). Days typed as yyyy-mm-dd become instants:
 * the start of that day in the browser's zone, and for "to" the last millisecond of the day (the server's bound is inclusive).
 */
export function cryptoQuery(f: CryptoFilters, extra: Record<string, string | number> = {}): string {
  const p = new URLSearchParams();
  const day = (d: string, end: boolean) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d.trim());
    if (!m) return d.trim(); // sent as typed: the server's 400 names the field
    const start = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (end ? 1 : 0)).getTime();
    return new Date(end ? start - 1 : start).toISOString();
  };
  const put = (k: string, v: string) => { if (v.trim()) p.set(k, v.trim()); };
  put('recordNo', f.recordNo);
  put('customer', f.customer);
  put('status', f.status);
  put('coin', f.coin.toUpperCase());
  if (f.createdFrom.trim()) p.set('createdFrom', day(f.createdFrom, false));
  if (f.createdTo.trim()) p.set('createdTo', day(f.createdTo, true));
  for (const [k, v] of Object.entries(extra)) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** "12345.5000" → "12,345.5000": groups the integer digits of decimal text, keeps every place; anything else as given. */
export function groupAmount(text: string | null | undefined): string {
  if (text === null || text === undefined || text === '') return '—';
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (!m) return text;
  return `${m[1]}${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`;
}

/** Whole percent of confirmations seen, 0–100 (integers only; a zero requirement counts as done). */
export function progressPercent(seen: number, required: number): number {
  if (required <= 0) return 100;
  if (seen <= 0) return 0;
  return seen >= required ? 100 : Math.floor((seen * 100) / required);
}

/** "2 / 3 confirmations" (or "—" before a transaction exists). */
export function progressText(p: { txid?: string | null; seen: number; required: number } | null | undefined): string {
  if (!p || !p.txid) return '—';
  return `${Math.min(p.seen, p.required)} / ${p.required} confirmation${p.required === 1 ? '' : 's'}`;
}
