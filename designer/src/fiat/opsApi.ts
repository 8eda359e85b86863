// /api/fiat/withdrawals/** (docs/fiat-operations.md): records, indicator cards, bulk actions, lifecycle, CSV export.
import { ApiError, get, getToken, post } from '../api/client';
import type { Problem } from '../api/models';
import type { components } from '../api/schema';
import { exportFileName } from '../lib/wdtx';
import { recordQuery } from '../lib/fiat';
import type { RecordFilters } from '../lib/fiat';

type S = components['schemas'];
export type FiatRecord = S['FiatRecordView'];
export type FiatRecords = S['PagedOfFiatRecordView'];
export type FiatCard = S['FiatCard'];
export type FiatBulkResult = S['FiatBulkResult'];
export type FiatLifecycleEntry = S['FiatLifecycleEntry'];
/** An application; amount and fee go as decimal text (the document types them number|string). */
export type CreateFiatWithdrawal = Omit<S['CreateFiatWithdrawalBody'], 'amount' | 'fee' | 'documents' | 'clientReference'> & { amount: string; fee: string | null; documents?: string[] | null };

const W = '/api/fiat/withdrawals';
const id = encodeURIComponent;

export const fiatOps = {
  list: (f: RecordFilters, page: number, pageSize: number) => get<FiatRecords>(`${W}${recordQuery(f, { page, pageSize })}`),
  cards: (channel: string, currency: string) => get<FiatCard[]>(`${W}/cards${recordQuery({ recordNo: '', customerId: '', status: '', createdFrom: '', createdTo: '', channel, currency })}`),
  get: (recordId: string) => get<FiatRecord>(`${W}/${id(recordId)}`),
  lifecycle: (recordId: string) => get<FiatLifecycleEntry[]>(`${W}/${id(recordId)}/lifecycle`),
  create: (body: CreateFiatWithdrawal) => post<FiatRecord>(W, body),
  submit: (records: string[], comment?: string) => post<FiatBulkResult[]>(`${W}/submit`, { records, comment: comment || null }),
  reject: (records: string[], comment: string) => post<FiatBulkResult[]>(`${W}/reject`, { records, comment }),
};

/** The CSV of the filtered records, fetched with the token (a plain link would go without it) and saved. */
export async function downloadRecordsCsv(f: RecordFilters): Promise<string> {
  const headers: Record<string, string> = { Accept: 'text/csv, application/problem+json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(`${W}/export.csv${recordQuery(f)}`, { headers });
  } catch {
    throw new ApiError(0, { title: 'The server cannot be reached', detail: 'Check your network connection and try again.' });
  }
  if (!res.ok) {
    let problem: Problem = {};
    try { problem = JSON.parse(await res.text()) as Problem; } catch { /* not JSON */ }
    throw new ApiError(res.status, { status: res.status, ...problem });
  }
  const name = exportFileName(res.headers.get('Content-Disposition'));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
