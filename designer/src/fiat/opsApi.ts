// /api/fiat/withdrawals/** (docs/fiat-operations.md): records, indicator cards, bulk actions, lifecycle, CSV export.
import { get, post } from '../api/client';
import type { components } from '../api/schema';
import { download } from '../api/download';
import { emptyRecordFilters, recordQuery } from '../lib/fiat';
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
  cards: (channel: string, currency: string) => get<FiatCard[]>(`${W}/cards${recordQuery({ ...emptyRecordFilters, channel, currency })}`),
  get: (recordId: string) => get<FiatRecord>(`${W}/${id(recordId)}`),
  lifecycle: (recordId: string) => get<FiatLifecycleEntry[]>(`${W}/${id(recordId)}/lifecycle`),
  create: (body: CreateFiatWithdrawal) => post<FiatRecord>(W, body),
  submit: (records: string[], comment?: string) => post<FiatBulkResult[]>(`${W}/submit`, { records, comment: comment || null }),
  reject: (records: string[], comment: string) => post<FiatBulkResult[]>(`${W}/reject`, { records, comment }),
};

/** The CSV of the filtered records, fetched with the token (a plain link would go without it) and saved. */
export const downloadRecordsCsv = (f: RecordFilters): Promise<string> => download('GET', `${W}/export.csv${recordQuery(f)}`, undefined, 'fiat-withdrawals.csv');
