// /api/admin/users (README "Sign-in through your identity provider", ADR 21): staff accounts managed in the app.
import { api, get, qs } from '../api/client';
import type { components } from '../api/schema';

type S = components['schemas'];
export type StaffAccount = S['StaffAccountView'];
export type StaffJournal = S['PagedOfStaffJournalView'];
export type StaffJournalEntry = S['StaffJournalView'];

const U = '/api/admin/users';
const id = encodeURIComponent;

export const staffApi = {
  list: () => get<StaffAccount[]>(`${U}/`),
  create: (body: Record<string, unknown>) => api<StaffAccount>('POST', `${U}/`, body),
  edit: (username: string, body: Record<string, unknown>) => api<StaffAccount>('PUT', `${U}/${id(username)}`, body),
  setEnabled: (username: string, enabled: boolean, rowVersion: number) => api<StaffAccount>('POST', `${U}/${id(username)}/${enabled ? 'enable' : 'disable'}`, { rowVersion }),
  journal: (f: { username?: string; page?: number; pageSize?: number }) => get<StaffJournal>(`${U}/journal${qs(f)}`),
};
