import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ErrorBox, Spinner, fmtDate } from '../../common/ui';
import { amountText, decimalText, formatMoney } from '../../lib/money';
import { fiatConfig } from '../api';
import type { DailyLimit } from '../api';
import { Field, useChange } from '../forms';
import { useBankAccounts } from './BankAccounts';
import { AccountSelect, AmountField, FormCard, RowButtons, useDraft, useMode } from './kit';
import { amounts } from './logic';

/** Daily limits of the withdrawal banks: today's use, Add, Edit, Delete, Adjust (± with a reason) and the change history. */
export function DailyLimits({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['fiat-config', 'daily-limits'], queryFn: fiatConfig.dailyLimits });
  const accounts = useBankAccounts();
  const currencyOf = (accountId: string) => accounts.data?.find((a) => a.id === accountId)?.currency;
  const [adjusting, setAdjusting] = useState<string | null>(null);
  const [history, setHistory] = useState<string | null>(null);
  const m = useMode();
  const del = useChange(['rowVersion']);
  // Amounts are shown only once the accounts (and so their currencies and precision) are known: a limit drawn before
  // would read "1,000,000.00" and then change to "1,000,000.00 HKD" under the operator's eyes.
  if (q.isLoading || accounts.isLoading) return <Spinner label="Loading daily limits…" />;
  const editing = m.mode?.kind === 'edit' ? q.data?.find((l) => l.bankAccountId === (m.mode as { key: string }).key) : undefined;
  const free = (accounts.data ?? []).filter((a) => !q.data?.some((l) => l.bankAccountId === a.id)).map((a) => a.id);
  return (
    <section aria-label="Daily limits">
      <ErrorBox error={q.error} />
      {del.status}
      <table className="table compact" data-testid="fiat-daily-limits">
        <thead><tr><th>Bank account</th><th>Daily limit</th><th>Alert below</th><th>Used today</th><th>Remaining</th><th>Business day</th><th><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(q.data ?? []).map((l) => {
            const cur = currencyOf(l.bankAccountId);
            return (
              <tr key={l.bankAccountId} data-testid={`fiat-limit-${l.bankAccountId}`}>
                <td>{l.bankAccountId}</td>
                <td data-testid="limit">{formatMoney(l.limit, cur)}</td>
                <td>{formatMoney(l.alertThreshold, cur)}</td>
                <td>{formatMoney(l.usedToday, cur)}</td>
                <td>{formatMoney(l.remaining, cur)}</td>
                <td>{l.businessDay}</td>
                <td className="row">
                  {canEdit && <button className="btn btn-sm" onClick={() => setAdjusting(adjusting === l.bankAccountId ? null : l.bankAccountId)} aria-label={`Adjust the daily limit of ${l.bankAccountId}`} data-testid="adjust">Adjust</button>}
                  {canEdit && <RowButtons what={`the daily limit of ${l.bankAccountId}`} busy={del.busy} onEdit={() => m.edit(l.bankAccountId)}
                    onDelete={() => void del.run(() => fiatConfig.deleteDailyLimit(l.bankAccountId, Number(l.rowVersion)))} />}
                  <button className="btn btn-sm btn-ghost" onClick={() => setHistory(history === l.bankAccountId ? null : l.bankAccountId)} aria-label={`Change history of ${l.bankAccountId}`} aria-expanded={history === l.bankAccountId} data-testid="history">History</button>
                </td>
              </tr>
            );
          })}
          {q.data?.length === 0 && <tr><td colSpan={7} className="empty">No daily limits.</td></tr>}
        </tbody>
      </table>
      {adjusting && q.data?.find((l) => l.bankAccountId === adjusting) && (
        <AdjustForm key={adjusting} limit={q.data.find((l) => l.bankAccountId === adjusting)!} currency={currencyOf(adjusting)}
          onDone={() => { setHistory(adjusting); setAdjusting(null); }} onCancel={() => setAdjusting(null)} />
      )}
      {canEdit && !m.mode && free.length > 0 && <button className="btn" onClick={m.add} style={{ marginTop: 8 }}>Add daily limit</button>}
      {canEdit && m.mode && (m.mode.kind === 'add' || editing) && <LimitForm key={editing?.bankAccountId ?? 'new'} row={editing} accounts={free} onDone={m.close} />}
      {history && <LimitHistory bankAccountId={history} currency={currencyOf(history)} />}
    </section>
  );
}

function LimitForm({ row, accounts, onDone }: { row?: DailyLimit; accounts: string[]; onDone: () => void }) {
  const { v, set, change, errors, accept } = useDraft({ bankAccountId: row?.bankAccountId ?? '', limit: decimalText(row?.limit), alertThreshold: decimalText(row?.alertThreshold), reason: '' },
    ['bankAccountId', 'limit', 'alertThreshold', 'reason', 'rowVersion']);
  const submit = async () => {
    const problems: Record<string, string[]> = {};
    const money = amounts({ limit: v.limit, alertThreshold: v.alertThreshold }, ['limit', 'alertThreshold'], problems);
    if (!accept(problems)) return;
    const body = { bankAccountId: v.bankAccountId, ...money, reason: v.reason.trim() || null, rowVersion: row ? Number(row.rowVersion) : null };
    if (await change.run(() => (row ? fiatConfig.editDailyLimit(row.bankAccountId, body) : fiatConfig.addDailyLimit(body)))) onDone();
  };
  return (
    <FormCard title={row ? `Edit the daily limit of ${row.bankAccountId}` : 'Add daily limit'} testId="fiat-limit-form" change={change} onSubmit={() => void submit()} onCancel={onDone}>
      {!row && <AccountSelect label="Withdrawal bank account" value={v.bankAccountId} onChange={(bankAccountId) => set({ bankAccountId })} accounts={accounts} errors={errors} />}
      <AmountField label="Daily limit" name="limit" value={v.limit} onChange={(limit) => set({ limit })} errors={errors} />
      <AmountField label="Alert when remaining is at or below" name="alertThreshold" value={v.alertThreshold} onChange={(alertThreshold) => set({ alertThreshold })} errors={errors} />
      <Field label="Reason" name="reason" errors={errors}>{(a) => <input {...a} value={v.reason} onChange={(e) => set({ reason: e.target.value })} />}</Field>
    </FormCard>
  );
}

function AdjustForm({ limit, currency, onDone, onCancel }: { limit: DailyLimit; currency?: string; onDone: () => void; onCancel: () => void }) {
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const change = useChange(['delta', 'reason', 'rowVersion']);
  const errors = { ...change.byField, ...local };
  const submit = async () => {
    const d = amountText(delta, { signed: true });
    const problems: Record<string, string[]> = {};
    if (!d || /^-?0$/.test(d)) problems.delta = ['Enter the change as a signed amount, e.g. 200000 or -50000.5 (at most 8 decimals).'];
    if (!reason.trim()) problems.reason = ['Say why the limit changes.'];
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const r = await change.run(() => fiatConfig.adjustDailyLimit(limit.bankAccountId, { delta: d!, reason: reason.trim(), rowVersion: limit.rowVersion }));
    if (r) onDone();
  };
  return (
    <form className="card" aria-label={`Adjust the daily limit of ${limit.bankAccountId}`} data-testid="fiat-adjust-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3>Adjust {limit.bankAccountId} (now {formatMoney(limit.limit, currency)})</h3>
      {change.status}
      <div className="row">
        <Field label="Change (+ raises, − lowers)" name="delta" errors={errors} testId="adjust-delta">
          {(a) => <input {...a} inputMode="decimal" value={delta} onChange={(e) => setDelta(e.target.value)} placeholder="e.g. 200000 or -50000" data-testid="adjust-delta" />}
        </Field>
        <Field label="Reason" name="reason" errors={errors} testId="adjust-reason">
          {(a) => <input {...a} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="adjust-reason" />}
        </Field>
      </div>
      {errors.rowVersion && <p className="field-error">{errors.rowVersion.join(' ')}</p>}
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={change.busy} data-testid="adjust-save">Save adjustment</button>
        <button className="btn btn-ghost" type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function LimitHistory({ bankAccountId, currency }: { bankAccountId: string; currency?: string }) {
  const q = useQuery({ queryKey: ['fiat-config', 'daily-limit-changes', bankAccountId], queryFn: () => fiatConfig.dailyLimitChanges(bankAccountId) });
  return (
    <section className="card" aria-label={`Change history of ${bankAccountId}`} data-testid="fiat-limit-history">
      <h3>Change history · {bankAccountId}</h3>
      <ErrorBox error={q.error} />
      {q.isLoading ? <Spinner small /> : (
        <table className="table compact">
          <thead><tr><th>When</th><th>Who</th><th>Action</th><th>Change</th><th>Limit before → after</th><th>Reason</th></tr></thead>
          <tbody>
            {(q.data?.items ?? []).map((c) => (
              <tr key={c.id} data-testid="fiat-limit-change">
                <td>{fmtDate(c.at)}</td>
                <td>{c.actor}</td>
                <td>{c.action}</td>
                <td>{c.delta === null || c.delta === undefined ? '—' : formatMoney(c.delta, currency)}</td>
                <td>{formatMoney(c.limitBefore, currency)} → {formatMoney(c.limitAfter, currency)}</td>
                <td>{c.reason ?? ''}</td>
              </tr>
            ))}
            {q.data?.items.length === 0 && <tr><td colSpan={6} className="empty">No changes yet.</td></tr>}
          </tbody>
        </table>
      )}
    </section>
  );
}
