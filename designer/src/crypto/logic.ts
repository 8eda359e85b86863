// The coin form's pure checks: amounts stay decimal text (never a double) and may not be finer than the coin's decimals
// (the server refuses the same with a 422 naming the field).
import { amountText, decimalText } from '../lib/money';

export type Errors = Record<string, string[]>;

export interface CoinDraft {
  coin: string;
  network: string;
  decimals: string;
  minWithdrawal: string;
  maxWithdrawal: string;
  withdrawalFee: string;
  requiredConfirmations: string;
  depositEnabled: boolean;
  withdrawalEnabled: boolean;
}

export interface CoinRow {
  coin: string; network: string; decimals: number | string; minWithdrawal: number | string; maxWithdrawal: number | string; withdrawalFee: number | string;
  requiredConfirmations: number | string; depositEnabled: boolean; withdrawalEnabled: boolean; rowVersion: number | string;
}

export const coinKey = (c: { coin: string; network: string }) => `${c.coin}/${c.network}`;

export function coinDraft(c?: CoinRow): CoinDraft {
  if (!c) return { coin: '', network: '', decimals: '8', minWithdrawal: '', maxWithdrawal: '', withdrawalFee: '0', requiredConfirmations: '1', depositEnabled: true, withdrawalEnabled: true };
  return {
    coin: c.coin, network: c.network, decimals: String(c.decimals), minWithdrawal: decimalText(c.minWithdrawal), maxWithdrawal: decimalText(c.maxWithdrawal),
    withdrawalFee: decimalText(c.withdrawalFee), requiredConfirmations: String(c.requiredConfirmations), depositEnabled: c.depositEnabled, withdrawalEnabled: c.withdrawalEnabled,
  };
}

const wholeIn = (text: string, min: number, max: number): number | null => {
  if (!/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : null;
};

/** The body to send (amounts as canonical decimal text), or the messages per field. */
export function coinBody(d: CoinDraft, rowVersion: number | null = null): { body?: Record<string, unknown>; errors: Errors } {
  const errors: Errors = {};
  const coin = d.coin.trim().toUpperCase();
  const network = d.network.trim().toUpperCase();
  if (!/^[A-Z0-9]{2,10}$/.test(coin)) errors.coin = ['2 to 10 letters or digits, e.g. BTC.'];
  if (!/^[A-Z0-9_-]{2,20}$/.test(network)) errors.network = ['2 to 20 letters, digits, _ or -, e.g. ERC20.'];
  const decimals = wholeIn(d.decimals, 0, 18);
  if (decimals === null) errors.decimals = ['A whole number from 0 to 18.'];
  const confirmations = wholeIn(d.requiredConfirmations, 1, 10000);
  if (confirmations === null) errors.requiredConfirmations = ['A whole number from 1 to 10000.'];
  const scale = decimals ?? 18;
  const amount = (field: 'minWithdrawal' | 'maxWithdrawal' | 'withdrawalFee') => {
    const typed = d[field].trim();
    if (!typed) {
      errors[field] = ['Enter an amount.'];
      return null;
    }
    const text = amountText(typed, { maxScale: 18 });
    if (text === null) errors[field] = ['Enter an amount (digits, at most 18 decimals).'];
    else if ((text.split('.')[1] ?? '').length > scale) errors[field] = [`At most ${scale} decimals for this coin.`];
    return text;
  };
  const min = amount('minWithdrawal');
  const max = amount('maxWithdrawal');
  const fee = amount('withdrawalFee');
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    body: { coin, network, decimals, minWithdrawal: min, maxWithdrawal: max, withdrawalFee: fee, requiredConfirmations: confirmations, depositEnabled: d.depositEnabled, withdrawalEnabled: d.withdrawalEnabled, rowVersion },
  };
}

/** The fields a journal entry changed, "field: before → after" (for an Edit; a Create or Seed lists nothing). */
export function journalChanges(before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null | undefined): string[] {
  if (!before || !after) return [];
  const skip = new Set(['rowVersion', 'updatedAt']);
  return Object.keys(after).filter((k) => !skip.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${String(before[k])} → ${String(after[k])}`);
}
