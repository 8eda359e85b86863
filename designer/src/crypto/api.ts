// /api/crypto/coins (README "Crypto configuration", ADR 18). Amounts are sent as decimal text, which the server reads as
// C# decimals, so no digit passes through a double on the way out.
import { api, get, qs } from '../api/client';
import type { components } from '../api/schema';

type S = components['schemas'];
export type Coin = S['CoinView'];
export type CoinJournal = S['PagedOfCoinJournalView'];
export type CoinJournalEntry = S['CoinJournalView'];
export type CoinPendingChange = S['PendingChangeView'];
export type CoinJournalFilter = { coin?: string; network?: string; actor?: string; page?: number; pageSize?: number };

const C = '/api/crypto/coins';
/** Coin amounts have up to 18 decimals: read as text, never as doubles (see numbersAsText). */
export const COIN_AMOUNTS = ['minWithdrawal', 'maxWithdrawal', 'withdrawalFee'] as const;
const id = encodeURIComponent;

export const coinsApi = {
  list: () => get<Coin[]>(`${C}/`, COIN_AMOUNTS),
  add: (body: Record<string, unknown>) => api<Coin>('POST', `${C}/`, body, COIN_AMOUNTS),
  /** 200 with the coin, or 202 with a pending change when the edit weakens a control (four eyes, ADR 18). */
  edit: (coin: string, network: string, body: Record<string, unknown>) => api<Coin | CoinPendingChange>('PUT', `${C}/${id(coin)}/${id(network)}`, body, COIN_AMOUNTS),
  pendingChanges: (status = 'Pending') => get<CoinPendingChange[]>(`${C}/pending-changes${qs({ status })}`),
  approvePending: (changeId: string) => api<CoinPendingChange>('POST', `${C}/pending-changes/${id(changeId)}/approve`, { reason: null }),
  rejectPending: (changeId: string, reason: string) => api<CoinPendingChange>('POST', `${C}/pending-changes/${id(changeId)}/reject`, { reason }),
  toggle: (coin: string, network: string, fn: 'withdrawal' | 'deposit', enable: boolean, rowVersion: number) =>
    api<Coin>('POST', `${C}/${id(coin)}/${id(network)}/${fn}/${enable ? 'enable' : 'disable'}`, { rowVersion }, COIN_AMOUNTS),
  journal: (f: CoinJournalFilter) => get<CoinJournal>(`${C}/journal${qs(f)}`, COIN_AMOUNTS),
};
