// /api/fiat/config/** and /api/fiat/alerts (docs/fiat-configuration.md). Amounts are sent as decimal text, which the
// server reads as C# decimals, so no digit passes through a double on the way out.
import { get, post, put, qs } from '../api/client';
import type { components } from '../api/schema';

type S = components['schemas'];
export type BankAccount = S['BankAccountView'];
export type Channel = S['ChannelView'];
export type Currency = S['CurrencyView'];
export type WithdrawalRule = S['WithdrawalRuleView'];
export type DailyLimit = S['DailyLimitView'];
export type DailyLimitChange = S['DailyLimitChangeView'];
export type DailyLimitChanges = S['PagedOfDailyLimitChangeView'];
export type InterceptionRule = S['InterceptionRuleView'];
export type ReviewRule = S['ReviewRuleView'];
export type Settings = S['SettingsView'];
export type WithdrawalParameter = S['WithdrawalParameterView'];
export type ConfigJournal = S['PagedOfConfigJournalView'];
export type ConfigJournalEntry = S['ConfigJournalView'];
export type FiatAlerts = S['PagedOfFiatAlertView'];

/** A body whose amounts are decimal text (the document types them number|string; the server parses the text). */
type Text<T> = { [K in keyof T]?: T[K] | string };
export type ReviewRuleBody = Text<S['ReviewRuleBody']>;
export type WithdrawalParameterBody = Text<S['WithdrawalParameterBody']>;
export type SettingsBody = S['SettingsBody'];

const C = '/api/fiat/config';
const id = encodeURIComponent;

export const fiatConfig = {
  bankAccounts: () => get<BankAccount[]>(`${C}/bank-accounts`),
  channels: () => get<Channel[]>(`${C}/channels`),
  currencies: () => get<Currency[]>(`${C}/currencies`),
  withdrawalRules: () => get<WithdrawalRule[]>(`${C}/withdrawal-rules`),
  dailyLimits: () => get<DailyLimit[]>(`${C}/daily-limits`),
  adjustDailyLimit: (bankAccountId: string, body: { delta: string; reason: string; rowVersion: number }) =>
    post<DailyLimit>(`${C}/daily-limits/${id(bankAccountId)}/adjust`, body),
  dailyLimitChanges: (bankAccountId: string, page = 1, pageSize = 20) =>
    get<DailyLimitChanges>(`${C}/daily-limit-changes${qs({ bankAccountId, page, pageSize })}`),
  interceptionRules: () => get<InterceptionRule[]>(`${C}/interception-rules`),
  setInterceptionEnabled: (bankAccountId: string, enabled: boolean, rowVersion: number) =>
    post<InterceptionRule>(`${C}/interception-rules/${id(bankAccountId)}/${enabled ? 'enable' : 'disable'}`, { rowVersion }),
  reviewRules: () => get<ReviewRule[]>(`${C}/review-rules`),
  createReviewRule: (body: ReviewRuleBody) => post<ReviewRule>(`${C}/review-rules`, body),
  setReviewRuleEnabled: (ruleId: string, enabled: boolean, rowVersion: number) =>
    post<ReviewRule>(`${C}/review-rules/${id(ruleId)}/${enabled ? 'enable' : 'disable'}`, { rowVersion }),
  settings: () => get<Settings>(`${C}/settings`),
  saveSettings: (body: SettingsBody) => put<Settings>(`${C}/settings`, body),
  parameters: () => get<WithdrawalParameter[]>(`${C}/withdrawal-parameters`),
  addParameter: (body: WithdrawalParameterBody) => post<WithdrawalParameter>(`${C}/withdrawal-parameters`, body),
  editParameter: (paramId: string, body: WithdrawalParameterBody) => put<WithdrawalParameter>(`${C}/withdrawal-parameters/${id(paramId)}`, body),
  copyParameter: (paramId: string, body: WithdrawalParameterBody) => post<WithdrawalParameter>(`${C}/withdrawal-parameters/${id(paramId)}/copy`, body),
  journal: (f: { entity?: string; page?: number; pageSize?: number }) => get<ConfigJournal>(`${C}/journal${qs(f)}`),
  alerts: (page = 1, pageSize = 20) => get<FiatAlerts>(`/api/fiat/alerts${qs({ page, pageSize })}`),
};

