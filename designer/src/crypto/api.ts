// /api/crypto/coins (README "Crypto configuration", ADR 18). Amounts are sent as decimal text, which the server reads as
// C# decimals, so no digit passes through a double on the way out.
import { get, post, put, qs } from '../api/client';
import type { components } from '../api/schema';

type S = components['schemas'];
export type Coin = S['CoinView'];
export type CoinJournal = S['PagedOfCoinJournalView'];
export type CoinJournalEntry = S['CoinJournalView'];
export type CoinJournalFilter = { coin?: string; network?: string; actor?: string; page?: number; pageSize?: number };

const C = '/api/crypto/coins';
const id = encodeURIComponent;

export const coinsApi = {
  list: () => get<Coin[]>(`${C}/`),
  add: (body: Record<string, unknown>) => post<Coin>(`${C}/`, body),
  edit: (coin: string, network: string, body: Record<string, unknown>) => put<Coin>(`${C}/${id(coin)}/${id(network)}`, body),
  toggle: (coin: string, network: string, fn: 'withdrawal' | 'deposit', enable: boolean, rowVersion: number) =>
    post<Coin>(`${C}/${id(coin)}/${id(network)}/${fn}/${enable ? 'enable' : 'disable'}`, { rowVersion }),
  journal: (f: CoinJournalFilter) => get<CoinJournal>(`${C}/journal${qs(f)}`),
};
