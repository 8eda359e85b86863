// Fiat withdrawal screens: who sees them (GET /api/auth/me; the server enforces the same rights) and the manual's
// business order of the statuses, which the indicator cards follow.
import type { Caller } from './access';
import { amountText } from './money';

export const FIAT_RIGHTS = { submit: 'submit', approveWorkOrders: 'workorders:approve', configure: 'fiat:configure' } as const;

const has = (me: Caller | undefined, right: string) => !!me && me.rights.includes(right);

/** Operations staff: the Withdrawals page (records, cards, bulk actions). */
export const canOperateFiat = (me: Caller | undefined) => has(me, FIAT_RIGHTS.submit) || has(me, FIAT_RIGHTS.approveWorkOrders);
/** Changes the fiat configuration. */
export const canConfigureFiat = (me: Caller | undefined) => has(me, FIAT_RIGHTS.configure);
/** Reads the fiat configuration (Operations staff read it; `fiat:configure` edits). */
export const canReadFiatConfig = (me: Caller | undefined) => canOperateFiat(me) || canConfigureFiat(me);

/** The manual's order (docs/fiat-operations.md): open statuses first, then the finals. */
export const FIAT_STATUSES = [
  'Pending Submission', 'Edit Pending Approval', 'Withdrawal Pending', 'Intercepted', 'Withdrawal Directly Pending',
  'Batch Pending', 'Paying', 'Withdrawal Exception', 'To be reviewed', 'Unmatch', 'Completed', 'Rejected', 'Failed', 'Deleted',
] as const;

/** Cards in business order; a status the list does not know (an older version's) follows, in the server's order. */
export function orderCards<C extends { status: string }>(cards: C[]): C[] {
  const rank = (s: string) => {
    const i = (FIAT_STATUSES as readonly string[]).indexOf(s);
    return i < 0 ? FIAT_STATUSES.length : i;
  };
  return cards.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c.status) - rank(b.c.status) || a.i - b.i).map((x) => x.c);
}

/** One line per record of a bulk answer: "FW…: Submitted" / "FW…: refused (403) — reason". */
export function bulkSummary(results: { record: string; ok: boolean; status: number; error?: string | null; businessStatus?: string | null }[]): { ok: number; failed: number; lines: string[] } {
  let ok = 0;
  const lines = results.map((r) => {
    if (r.ok) {
      ok++;
      return `${r.record}: ${r.businessStatus ?? 'done'}`;
    }
    return `${r.record}: refused (${r.status})${r.error ? ` — ${r.error}` : ''}`;
  });
  return { ok, failed: results.length - ok, lines };
}

/** Query string of the records list and its CSV export (the same filters; empty ones left out). */
export interface RecordFilters {
  recordNo: string;
  customerId: string;
  status: string;
  channel: string;
  currency: string;
  createdFrom: string;
  createdTo: string;
  /** Decimal text as typed ("1,000.50"); sent canonical, never through a double. */
  amountFrom?: string;
  amountTo?: string;
  batchId?: string;
  reconciliation?: string;
  /** Days (yyyy-mm-dd) the payout was confirmed paid, like createdFrom/createdTo. */
  paidFrom?: string;
  paidTo?: string;
}
export const emptyRecordFilters: RecordFilters = {
  recordNo: '', customerId: '', status: '', channel: '', currency: '', createdFrom: '', createdTo: '',
  amountFrom: '', amountTo: '', batchId: '', reconciliation: '', paidFrom: '', paidTo: '',
};

/**
 * Filters as query parameters. Dates typed as days (yyyy-mm-dd) become the start of that day and the start of the
 * day in the browser's zone as instants, so "to 2 Dec" includes the whole of 2 December.
 */
export function recordQuery(f: RecordFilters, extra: Record<string, string | number> = {}): string {
  const p = new URLSearchParams();
  const day = (d: string, next: boolean) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    if (!m) return d;
    // the server's createdTo is inclusive: the last millisecond of the day
    const start = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (next ? 1 : 0)).getTime();
    return new Date(next ? start - 1 : start).toISOString();
  };
  const put = (k: string, v: string) => v.trim() && p.set(k, v.trim());
  put('recordNo', f.recordNo);
  put('customerId', f.customerId);
  put('status', f.status);
  put('channel', f.channel);
  put('currency', f.currency);
  if (f.createdFrom) p.set('createdFrom', day(f.createdFrom, false));
  if (f.createdTo) p.set('createdTo', day(f.createdTo, true));
  // an amount that is not one is sent as typed: the server's 400 names the field
  const amount = (k: string, v: string | undefined) => v?.trim() && p.set(k, amountText(v) ?? v.trim());
  amount('amountFrom', f.amountFrom);
  amount('amountTo', f.amountTo);
  put('batchId', f.batchId ?? '');
  put('reconciliation', f.reconciliation ?? '');
  if (f.paidFrom) p.set('paidFrom', day(f.paidFrom, false));
  if (f.paidTo) p.set('paidTo', day(f.paidTo, true));
  for (const [k, v] of Object.entries(extra)) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
