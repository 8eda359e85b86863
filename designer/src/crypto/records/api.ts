// /api/crypto/{withdrawals|deposits}: records with the manual's search, detail with history, CSV export.
import { get } from '../../api/client';
import type { components } from '../../api/schema';
import { download } from '../../api/download';
import { cryptoQuery } from './logic';
import type { CryptoFilters, RecordKind } from './logic';

type S = components['schemas'];
export type CryptoRecord = S['CryptoRecordView'];
export type CryptoRecords = S['PagedOfCryptoRecordView'];
export type CryptoRecordDetail = S['CryptoRecordDetail'];
export type CryptoHistoryEntry = S['CryptoHistoryEntry'];

const base = (kind: RecordKind) => `/api/crypto/${kind}`;

export const cryptoRecords = {
  list: (kind: RecordKind, f: CryptoFilters, page: number, pageSize: number) => get<CryptoRecords>(`${base(kind)}${cryptoQuery(f, { page, pageSize })}`),
  get: (kind: RecordKind, id: string) => get<CryptoRecordDetail>(`${base(kind)}/${encodeURIComponent(id)}`),
};

/** The CSV of the filtered records, fetched with the token and saved under the server's file name. */
export const downloadCryptoCsv = (kind: RecordKind, f: CryptoFilters): Promise<string> =>
  download('GET', `${base(kind)}/export${cryptoQuery(f)}`, undefined, `crypto-${kind}.csv`);
