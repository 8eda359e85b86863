// The operations screens' routes (docs/fiat-operations.md, docs/fiat-bank.md): batches, exceptions, withdrawal bills,
// reconciliation and cheques. Every change goes through the API; a 409/422 comes back as ApiError with its problem.
import { get, post, qs } from '../../api/client';
import { download } from '../../api/download';
import type { components } from '../../api/schema';
import type { Resolution } from './logic';

type S = components['schemas'];
export type FiatBatch = S['FiatBatchView'];
export type FiatBatches = S['PagedOfFiatBatchView'];
export type FiatBulkResult = S['FiatBulkResult'];
export type StatementEntry = S['StatementEntryView'];
export type StatementEntries = S['PagedOfStatementEntryView'];
export type StatementEntryDetail = S['StatementEntryDetail'];
export type StatementImportResult = S['StatementImportResult'];
export type StatementRefreshResult = S['StatementRefreshResult'];
export type RecordReconciliation = S['RecordReconciliationView'];
export type RecordReconciliations = S['PagedOfRecordReconciliationView'];
export type Cheque = S['ChequeView'];

const F = '/api/fiat';
const id = encodeURIComponent;

export const batchesApi = {
  list: (f: { status?: string; channel?: string; page?: number; pageSize?: number }) => get<FiatBatches>(`${F}/batches${qs(f)}`),
  get: (batchId: string) => get<FiatBatch>(`${F}/batches/${id(batchId)}`),
  pack: (records: string[]) => post<FiatBatch>(`${F}/batches`, { records }),
  results: (batchId: string, results: { record: string; success: boolean; reason?: string | null }[]) =>
    post<FiatBulkResult[]>(`${F}/batches/${id(batchId)}/results`, { results }),
};

export const exceptionsApi = {
  resolve: (records: string[], resolution: Resolution, comment: string) => post<FiatBulkResult[]>(`${F}/withdrawals/exceptions/resolve`, { records, resolution, comment }),
  review: (records: string[], decision: 'Approve' | 'Reject', comment?: string) =>
    post<FiatBulkResult[]>(`${F}/withdrawals/exceptions/review`, { records, decision, comment: comment || null }),
};

export interface EntryFilters { channelId: string; matchStatus: string; direction: string; from: string; to: string; reference: string; includeDeleted: boolean }
export const emptyEntryFilters: EntryFilters = { channelId: '', matchStatus: '', direction: '', from: '', to: '', reference: '', includeDeleted: false };

export const billsApi = {
  entries: (f: EntryFilters, page: number, pageSize: number) =>
    get<StatementEntries>(`${F}/statements/entries${qs({ ...f, includeDeleted: f.includeDeleted || undefined, page, pageSize })}`),
  entry: (entryId: string) => get<StatementEntryDetail>(`${F}/statements/entries/${id(entryId)}`),
  import: (body: { channelId: string; format: string; content: string; fileName?: string }) => post<StatementImportResult>(`${F}/statements/imports`, body),
  refresh: (body: { channelId: string; from: string; to: string }) => post<StatementRefreshResult>(`${F}/statements/refresh`, body),
  reclassify: (entryId: string, direction: string, reason: string) => post<StatementEntry>(`${F}/statements/entries/${id(entryId)}/reclassify`, { direction, reason }),
  deleteDuplicate: (entryId: string, duplicateOf: string, reason: string) => post<StatementEntry>(`${F}/statements/entries/${id(entryId)}/delete`, { duplicateOf, reason }),
  tag: (entryId: string, recordNo: string, comment?: string) => post<StatementEntry>(`${F}/statements/entries/${id(entryId)}/tag`, { recordNo, comment: comment || null }),
  confirmTag: (entryId: string) => post<StatementEntry>(`${F}/statements/entries/${id(entryId)}/tag/confirm`, {}),
  rejectTag: (entryId: string, reason: string) => post<StatementEntry>(`${F}/statements/entries/${id(entryId)}/tag/reject`, { reason }),
  reconcile: (channelId?: string) => post<S['ReconciliationView']>(`${F}/reconciliation/run`, { channelId: channelId || null }),
  results: (f: { recordNo?: string; channelId?: string; reconciliation?: string; page?: number; pageSize?: number }) =>
    get<RecordReconciliations>(`${F}/reconciliation/records${qs(f)}`),
};

export const chequesApi = {
  list: (printed?: boolean, page = 1, pageSize = 200) => get<S['PagedOfChequeView']>(`${F}/cheques${qs({ printed, page, pageSize })}`),
};

export const batchFile = (batchId: string) => download('GET', `${F}/batches/${id(batchId)}/file`, undefined, `${batchId}.txt`);
export const printCheques = (kind: 'print' | 'reprint', items: { recordNo: string; chequeNo: string }[]) => download('POST', `${F}/cheques/${kind}`, { items }, `cheques-${kind}.pdf`);
