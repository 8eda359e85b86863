// Form logic of the fiat configuration screens, kept pure so that Vitest checks it: what was typed becomes the body the
// server reads (amounts as decimal text, never a double), and the server's problem keys find the field they name.
import { amountText, decimalText } from '../../lib/money';

export const POLICIES = ['RealTimeSingle', 'TimedPacking', 'ManualPacking', 'BatchAuto'] as const;
/** The manual's names of the four withdrawal policies. */
export const POLICY_LABELS: Record<string, string> = {
  RealTimeSingle: 'Real time payment of single order',
  TimedPacking: 'Manual review of timed packing',
  ManualPacking: 'Manual packing',
  BatchAuto: 'Batch auto',
};
/** Policies whose batches a schedule packs: they need a packing cron, the others refuse one. */
export const isScheduled = (policy: string) => policy === 'TimedPacking' || policy === 'BatchAuto';

export const REVIEW_KINDS = ['ManualWithWorkOrder', 'ManualWithoutWorkOrder', 'AutoSubmit', 'AutoReject'] as const;
export const REVIEW_LABELS: Record<string, string> = {
  ManualWithWorkOrder: 'Manual approval with a work order',
  ManualWithoutWorkOrder: 'Manual approval without a work order',
  AutoSubmit: 'Automatic submission',
  AutoReject: 'Automatic rejection',
};

export const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export const JOURNAL_ENTITIES = ['BankAccount', 'Channel', 'Currency', 'WithdrawalRule', 'DailyLimit', 'InterceptionRule', 'ReviewRule', 'Settings', 'WithdrawalParameter', 'AlertItem'] as const;
export const JOURNAL_ACTIONS = ['Create', 'Edit', 'Delete', 'Enable', 'Disable', 'Add', 'AdjustUp', 'AdjustDown', 'Copy', 'Seed', 'Propose', 'Reject', 'Acknowledge'] as const;
export const ALERT_KINDS = ['DailyLimitLow', 'DailyLimitExceeded', 'BalanceLow', 'BalanceIntercepted'] as const;

export type Errors = Record<string, string[]>;

/** A problem key as the screens name fields: "$.supportedBanks[2]" → "supportedBanks", "serviceWindows[0].from" stays. */
export function fieldKey(key: string): string {
  const k = key.replace(/^\$\.?/, '').replace(/^\//, '');
  return k.startsWith('supportedBanks[') ? 'supportedBanks' : k;
}

/** Splits a 422's errors into those a shown field takes and the rest (shown above the form, never dropped). */
export function splitErrors(errors: Errors | undefined, shown: (key: string) => boolean): { byField: Errors; rest: Errors } {
  const byField: Errors = {};
  const rest: Errors = {};
  for (const [key, msgs] of Object.entries(errors ?? {})) {
    const k = fieldKey(key);
    if (shown(k)) byField[k] = [...(byField[k] ?? []), ...msgs];
    else rest[key] = msgs;
  }
  return { byField, rest };
}

/** A 409 is "changed by someone else" when it names rowVersion; other conflicts (a duplicate, a row in use) are explained as they are. */
export const isStale = (problem: { errors?: Errors | null } | undefined) => !!problem?.errors?.rowVersion;

/** Client banks typed one per line: trimmed, empty lines dropped, the same bank once (case-insensitive, as the server). */
export function parseBanks(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const b = line.trim();
    if (b && !seen.has(b.toLowerCase())) {
      seen.add(b.toLowerCase());
      out.push(b);
    }
  }
  return out;
}

export interface Window { days?: string[] | null; from?: string | null; to?: string | null }

/** "Mon,Tue 09:00–17:30; every day 22:00–02:00" or "always open". */
export function describeWindows(windows: Window[]): string {
  if (!windows.length) return 'always open';
  return windows.map((w) => `${w.days?.length ? w.days.join(',') : 'every day'} ${w.from ?? '?'}–${w.to ?? '?'}`).join('; ');
}

const WHOLE = /^\d{1,7}$/;

/** A priority as typed: a whole number (lower runs first), or an error. */
export function priorityOf(text: string): number | string {
  const t = text.trim();
  return WHOLE.test(t) && Number(t) <= 1_000_000 ? Number(t) : 'Enter a whole number from 0 to 1,000,000 (lower runs first).';
}

const AMOUNT = 'Enter an amount (digits, at most 8 decimals).';

/** Checks typed amounts: canonical text per field (null when left empty and optional), or a message per bad field. */
export function amounts<K extends string>(typed: Record<K, string>, required: readonly NoInfer<K>[], errors: Errors): Record<K, string | null> {
  const out = {} as Record<K, string | null>;
  for (const k of Object.keys(typed) as K[]) {
    const t = typed[k].trim();
    if (!t) {
      out[k] = null;
      if (required.includes(k)) errors[k] = ['Enter an amount.'];
      continue;
    }
    out[k] = amountText(t);
    if (out[k] === null) errors[k] = [AMOUNT];
  }
  return out;
}

export interface RuleDraft {
  channelId: string;
  policy: string;
  packingCron: string;
  singleLimit: string;
  customerDailyLimit: string;
  windows: { days: string[]; from: string; to: string }[];
  banks: string;
  priority: string;
  enabled: boolean;
}

export interface RuleView {
  channelId: string; policy: string; packingCron?: string | null; singleLimit: number | string; customerDailyLimit: number | string;
  serviceWindows: Window[]; supportedBanks: string[]; priority: number | string; enabled: boolean;
}

export function ruleDraft(r?: RuleView): RuleDraft {
  return {
    channelId: r?.channelId ?? '',
    policy: r?.policy ?? 'RealTimeSingle',
    packingCron: r?.packingCron ?? '',
    singleLimit: decimalText(r?.singleLimit),
    customerDailyLimit: decimalText(r?.customerDailyLimit),
    windows: (r?.serviceWindows ?? []).map((w) => ({ days: [...(w.days ?? [])], from: w.from ?? '', to: w.to ?? '' })),
    banks: (r?.supportedBanks ?? []).join('\n'),
    priority: String(r?.priority ?? 100),
    enabled: r?.enabled ?? true,
  };
}

/**
 * The withdrawal rule body from the form, or the field errors the client can see without asking (the server checks
 * everything again, the cron expression's grammar only there).
 */
export function ruleBody(d: RuleDraft): { body?: Record<string, unknown>; errors: Errors } {
  const errors: Errors = {};
  if (!d.channelId) errors.channelId = ['Choose the channel.'];
  const cron = d.packingCron.trim();
  if (isScheduled(d.policy) && !cron) errors.packingCron = ['This policy packs on a schedule: enter a Quartz cron expression, e.g. 0 0 16 ? * MON-FRI.'];
  const money = amounts({ singleLimit: d.singleLimit, customerDailyLimit: d.customerDailyLimit }, ['singleLimit', 'customerDailyLimit'], errors);
  const priority = priorityOf(d.priority);
  if (typeof priority === 'string') errors.priority = [priority];
  d.windows.forEach((w, i) => {
    if (!w.from) errors[`serviceWindows[${i}].from`] = ['Enter the opening time.'];
    if (!w.to) errors[`serviceWindows[${i}].to`] = ['Enter the closing time.'];
  });
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    body: {
      channelId: d.channelId,
      policy: d.policy,
      // a cron kept in the box from a scheduled policy is not sent for the others, which refuse one
      packingCron: isScheduled(d.policy) ? cron : null,
      singleLimit: money.singleLimit,
      customerDailyLimit: money.customerDailyLimit,
      serviceWindows: d.windows.map((w) => ({ days: DAYS.filter((x) => w.days.includes(x)), from: w.from, to: w.to })),
      supportedBanks: parseBanks(d.banks),
      priority,
      enabled: d.enabled,
    },
  };
}

/** Yes / No / Any for an optional condition of a review rule. */
export const tri = (v: boolean | null | undefined) => (v === true ? 'Yes' : v === false ? 'No' : 'Any');
export const triValue = (s: string) => (s === 'Yes' ? true : s === 'No' ? false : null);

// Bookkeeping fields every row carries: a journal line about them says nothing the entry's time does not.
const NOISE = new Set(['rowVersion', 'createdAt', 'updatedAt']);

const show = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * A journal entry's before → after as one line per field that changed (a creation lists what it wrote, a deletion
 * what it removed). Values are shown as the server wrote them: JSON numbers of decimals are not reformatted.
 */
export function journalChanges(before: unknown, after: unknown): { field: string; before: string; after: string }[] {
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  const b = obj(before);
  const a = obj(after);
  if (!b && !a) return before === after ? [] : [{ field: '', before: show(before), after: show(after) }];
  const keys = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])].filter((k) => !NOISE.has(k));
  return keys
    .filter((k) => show(b?.[k]) !== show(a?.[k]))
    .map((k) => ({ field: k, before: b ? show(b[k]) : '—', after: a ? show(a[k]) : '—' }));
}

/**
 * Whether a changing route's answer is a pending change (its 202, ADR 15) rather than the row: the row views carry no
 * `proposedBy`, so the shape tells them apart without the client exposing status codes.
 */
export function isPendingChange(r: unknown): r is { id: string; summary: string; proposedBy: string; status: string } {
  if (!r || typeof r !== 'object') return false;
  const o = r as Record<string, unknown>;
  return typeof o.id === 'string' && typeof o.proposedBy === 'string' && typeof o.summary === 'string' && o.status === 'Pending';
}

/**
 * A pending change's before → after: one line per field the request sets to something other than the stored row
 * (an Adjust's `delta` has no stored value: "—"). Enable/Disable and Delete send no fields; their summary says it.
 */
export function pendingChanges(before: unknown, body: unknown): { field: string; before: string; after: string }[] {
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  const b = obj(before);
  const a = obj(body);
  if (!a) return [];
  return Object.keys(a)
    .filter((k) => !NOISE.has(k) && k !== 'reason' && show(b?.[k]) !== show(a[k]))
    .map((k) => ({ field: k, before: show(b?.[k]), after: show(a[k]) }));
}

/** Who may approve: another holder of `fiat:configure`, while the change is pending (the server refuses the proposer). */
export const mayApprove = (p: { status: string; proposedBy: string }, me: { username: string } | undefined, canConfigure: boolean) =>
  canConfigure && !!me && p.status === 'Pending' && p.proposedBy.toLowerCase() !== me.username.toLowerCase();

/** The per-currency second-approval thresholds as the settings form shows them: one "CCY amount" a line, by code. */
export function thresholdsText(map: Record<string, number | string | null> | null | undefined): string {
  return Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([ccy, v]) => `${ccy} ${decimalText(v)}`).join('\n');
}

/**
 * Reads "CCY amount" lines (blank lines skipped) into the body's map, amounts as canonical decimal text (never a
 * double); a bad line is a message under `secondApprovalThresholds`.
 */
export function parseThresholds(text: string, errors: Errors): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).forEach((line, i) => {
    const m = /^([A-Za-z]{3})\s*[:=]?\s+(\S+)$/.exec(line);
    const amount = m ? amountText(m[2]) : null;
    const ccy = m?.[1].toUpperCase();
    if (!m || amount === null || !ccy) (errors.secondApprovalThresholds ??= []).push(`Line ${i + 1}: write a currency code and an amount, e.g. "USD 10000".`);
    else if (ccy in out) (errors.secondApprovalThresholds ??= []).push(`Line ${i + 1}: ${ccy} is given twice.`);
    else out[ccy] = amount;
  });
  return out;
}
