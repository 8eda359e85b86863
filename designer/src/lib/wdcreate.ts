// Pure helpers for the "New WD request" form (inbox/NewWdRequest.tsx) and the WD card's comment box.
// The amount stays decimal text end to end: it is checked as digits and sent as a JSON string, which the server
// reads into a C# decimal, so no float ever touches it. The server's rules (currency precision, less than the
// available amount, the account belongs to the customer) are the server's: its 422 lands at the field it names.
import { amountText } from './money';
import type { MeLike } from './wdtx';

export const WD_CREATE_FIELDS = ['customerId', 'tradingAccount', 'requestedAmount', 'currency', 'comment'] as const;
export type WdCreateField = (typeof WD_CREATE_FIELDS)[number];
export type WdCreateDraft = Record<WdCreateField, string>;

export const emptyWdCreateDraft = (): WdCreateDraft => ({ customerId: '', tradingAccount: '', requestedAmount: '', currency: 'USD', comment: '' });

/** The create button: people and systems with the right wd:create (the route answers 403 to anyone else). */
export const canCreateWd = (me: MeLike | undefined) => !!me && (me.rights ?? []).includes('wd:create');

/**
 * Only what the browser can tell for sure: required fields and an amount that is a plain decimal number (grouping
 * commas allowed). Everything else is left to the server so that its message is the one shown.
 */
export function checkWdCreate(d: WdCreateDraft): Partial<Record<WdCreateField, string[]>> {
  const errors: Partial<Record<WdCreateField, string[]>> = {};
  if (!d.customerId.trim()) errors.customerId = ['Enter the customer number.'];
  if (!d.tradingAccount.trim()) errors.tradingAccount = ['Enter the trading account.'];
  if (!d.currency.trim()) errors.currency = ['Enter the currency, e.g. USD.'];
  if (!d.requestedAmount.trim()) errors.requestedAmount = ['Enter the amount.'];
  else if (amountText(d.requestedAmount) === null) errors.requestedAmount = ['The amount must be a number such as 1250.50 (digits, at most 8 decimals).'];
  if (!d.comment.trim()) errors.comment = ['A comment is required.'];
  return errors;
}

/** The body of POST /api/wd-requests (call after checkWdCreate found nothing); the amount as canonical decimal text. */
export function wdCreateBody(d: WdCreateDraft, correlationId?: string) {
  return {
    customerId: d.customerId.trim(),
    tradingAccount: d.tradingAccount.trim(),
    requestedAmount: amountText(d.requestedAmount) ?? d.requestedAmount.trim(),
    currency: d.currency.trim().toUpperCase(),
    comment: d.comment.trim(),
    ...(correlationId ? { correlationId } : {}),
  };
}

export type WdCreateBody = ReturnType<typeof wdCreateBody>;

/** Commenting on a card: anyone who reads it, until the request is final (the server refuses after that). */
export const canCommentWd = (card: { final: boolean } | undefined) => !!card && !card.final;

/** Mass edit (POST /api/wd-requests/mass-edit): permission wd:5 only ("WD Request Mass Update"). */
export const canMassEditWd = (me: MeLike | undefined) => !!me && (me.permissions ?? []).includes('wd:5');
export const MASS_EDIT_DEPARTMENTS = ['Dealing', 'Backoffice'] as const;
/** At most this many requests per call (server: MassEditWdRequests.MaxIds). */
export const MASS_EDIT_MAX = 100;

/** A grid row that is a WD request: its task's subject is the request id. */
export const wdRequestIdOf = (task: { definitionId: string; subjectType?: string | null; subjectId?: string | null }) =>
  (task.subjectType === 'wd-request' || task.definitionId === 'wd-request') && task.subjectId ? task.subjectId : null;

/** Toggles one request id in the selection, keeping the order in which rows were picked. */
export const toggleSelection = (selected: readonly string[], id: string) => (selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]);

/** "2 moved, 1 refused" for the per-row results. */
export function massEditSummary(results: readonly { ok: boolean }[]): string {
  const ok = results.filter((r) => r.ok).length;
  const refused = results.length - ok;
  return refused === 0 ? `${ok} moved` : ok === 0 ? `${refused} refused` : `${ok} moved, ${refused} refused`;
}
