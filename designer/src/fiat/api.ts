// /api/fiat/config/** and /api/fiat/alerts (docs/fiat-configuration.md). Amounts are sent as decimal text, which the
// server reads as C# decimals, so no digit passes through a double on the way out.
import { del, get, post, put, qs } from '../api/client';
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
export type PendingChange = S['PendingChangeView'];
export type AlertItem = S['FiatAlertItemView'];
export type AlertItems = S['PagedOfFiatAlertItemView'];

/** A body whose amounts are decimal text (the document types them number|string; the server parses the text). */
type Text<T> = { [K in keyof T]?: T[K] | string };
export type ReviewRuleBody = Text<S['ReviewRuleBody']>;
export type WithdrawalParameterBody = Text<S['WithdrawalParameterBody']>;
export type SettingsBody = S['SettingsBody'];
export type BankAccountBody = S['BankAccountBody'];
export type ChannelBody = S['ChannelBody'];
export type CurrencyBody = S['CurrencyBody'];
export type WithdrawalRuleBody = Text<S['WithdrawalRuleBody']>;
export type DailyLimitBody = Text<S['DailyLimitBody']>;
export type InterceptionRuleBody = Text<S['InterceptionRuleBody']>;
export type FiatAlert = S['FiatAlertView'];
export type JournalFilter = { entity?: string; key?: string; actor?: string; action?: string; from?: string; to?: string; page?: number; pageSize?: number };
export type AlertInboxFilter = { open?: boolean; kind?: string; subject?: string; page?: number; pageSize?: number };
export type AlertFilter = { kind?: string; subject?: string; reference?: string; from?: string; page?: number; pageSize?: number };

const C = '/api/fiat/config';
const id = encodeURIComponent;

export const fiatConfig = {
  bankAccounts: () => get<BankAccount[]>(`${C}/bank-accounts`),
  addBankAccount: (body: BankAccountBody) => post<BankAccount>(`${C}/bank-accounts`, body),
  editBankAccount: (accountId: string, body: BankAccountBody) => put<BankAccount>(`${C}/bank-accounts/${id(accountId)}`, body),
  deleteBankAccount: (accountId: string, rowVersion: number) => del<void>(`${C}/bank-accounts/${id(accountId)}${qs({ rowVersion })}`),
  channels: () => get<Channel[]>(`${C}/channels`),
  addChannel: (body: ChannelBody) => post<Channel>(`${C}/channels`, body),
  editChannel: (channelId: string, body: ChannelBody) => put<Channel>(`${C}/channels/${id(channelId)}`, body),
  deleteChannel: (channelId: string, rowVersion: number) => del<void>(`${C}/channels/${id(channelId)}${qs({ rowVersion })}`),
  currencies: () => get<Currency[]>(`${C}/currencies`),
  addCurrency: (body: CurrencyBody) => post<Currency>(`${C}/currencies`, body),
  editCurrency: (code: string, body: CurrencyBody) => put<Currency>(`${C}/currencies/${id(code)}`, body),
  withdrawalRules: () => get<WithdrawalRule[]>(`${C}/withdrawal-rules`),
  addWithdrawalRule: (body: WithdrawalRuleBody) => post<WithdrawalRule>(`${C}/withdrawal-rules`, body),
  editWithdrawalRule: (ruleId: string, body: WithdrawalRuleBody) => put<WithdrawalRule>(`${C}/withdrawal-rules/${id(ruleId)}`, body),
  deleteWithdrawalRule: (ruleId: string, rowVersion: number) => del<void>(`${C}/withdrawal-rules/${id(ruleId)}${qs({ rowVersion })}`),
  dailyLimits: () => get<DailyLimit[]>(`${C}/daily-limits`),
  addDailyLimit: (body: DailyLimitBody) => post<DailyLimit>(`${C}/daily-limits`, body),
  editDailyLimit: (bankAccountId: string, body: DailyLimitBody) => put<DailyLimit>(`${C}/daily-limits/${id(bankAccountId)}`, body),
  deleteDailyLimit: (bankAccountId: string, rowVersion: number) => del<void>(`${C}/daily-limits/${id(bankAccountId)}${qs({ rowVersion })}`),
  adjustDailyLimit: (bankAccountId: string, body: { delta: string; reason: string; rowVersion: number }) =>
    post<DailyLimit>(`${C}/daily-limits/${id(bankAccountId)}/adjust`, body),
  dailyLimitChanges: (bankAccountId: string, page = 1, pageSize = 20) =>
    get<DailyLimitChanges>(`${C}/daily-limit-changes${qs({ bankAccountId, page, pageSize })}`),
  interceptionRules: () => get<InterceptionRule[]>(`${C}/interception-rules`),
  addInterceptionRule: (body: InterceptionRuleBody) => post<InterceptionRule>(`${C}/interception-rules`, body),
  editInterceptionRule: (bankAccountId: string, body: InterceptionRuleBody) => put<InterceptionRule>(`${C}/interception-rules/${id(bankAccountId)}`, body),
  setInterceptionEnabled: (bankAccountId: string, enabled: boolean, rowVersion: number) =>
    post<InterceptionRule>(`${C}/interception-rules/${id(bankAccountId)}/${enabled ? 'enable' : 'disable'}`, { rowVersion }),
  reviewRules: () => get<ReviewRule[]>(`${C}/review-rules`),
  createReviewRule: (body: ReviewRuleBody) => post<ReviewRule>(`${C}/review-rules`, body),
  editReviewRule: (ruleId: string, body: ReviewRuleBody) => put<ReviewRule>(`${C}/review-rules/${id(ruleId)}`, body),
  setReviewRuleEnabled: (ruleId: string, enabled: boolean, rowVersion: number) =>
    post<ReviewRule>(`${C}/review-rules/${id(ruleId)}/${enabled ? 'enable' : 'disable'}`, { rowVersion }),
  settings: () => get<Settings>(`${C}/settings`),
  saveSettings: (body: SettingsBody) => put<Settings>(`${C}/settings`, body),
  parameters: () => get<WithdrawalParameter[]>(`${C}/withdrawal-parameters`),
  addParameter: (body: WithdrawalParameterBody) => post<WithdrawalParameter>(`${C}/withdrawal-parameters`, body),
  editParameter: (paramId: string, body: WithdrawalParameterBody) => put<WithdrawalParameter>(`${C}/withdrawal-parameters/${id(paramId)}`, body),
  copyParameter: (paramId: string, body: WithdrawalParameterBody) => post<WithdrawalParameter>(`${C}/withdrawal-parameters/${id(paramId)}/copy`, body),
  journal: (f: JournalFilter) => get<ConfigJournal>(`${C}/journal${qs(f)}`),
  alerts: (f: AlertFilter = {}) => get<FiatAlerts>(`/api/fiat/alerts${qs(f)}`),
  // Four eyes (ADR 15): a change that weakens a control answers 202 with one of these instead of the row.
  pendingChanges: (status = 'Pending') => get<PendingChange[]>(`${C}/pending-changes${qs({ status })}`),
  approvePending: (changeId: string, reason?: string) => post<PendingChange>(`${C}/pending-changes/${id(changeId)}/approve`, { reason: reason || null }),
  rejectPending: (changeId: string, reason: string) => post<PendingChange>(`${C}/pending-changes/${id(changeId)}/reject`, { reason }),
  alertInbox: (f: AlertInboxFilter = {}) => get<AlertItems>(`/api/fiat/alerts/inbox${qs(f)}`),
  acknowledgeAlert: (itemId: string) => post<AlertItem>(`/api/fiat/alerts/inbox/${id(itemId)}/acknowledge`),
};

