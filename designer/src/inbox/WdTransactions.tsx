import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import type { WdRequestCard, WdTransaction } from '../api/models';
import { useAuth } from '../auth';
import { ErrorBox, StatusBadge, fmtDate, fmtMoney } from '../common/ui';
import { EDITABLE_PAYMENT_TYPES, PAYMENT_TYPE_LABELS, amountInput, canEditWdTransactions, emptyDraft, isExecuting, isWireTransfer, problemFieldErrors, txBody, validateTx } from '../lib/wdtx';
import type { TxDraft, TxErrors } from '../lib/wdtx';
import { addWdTransaction, deleteWdTransaction, updateWdTransaction } from './api';

const typeLabel = (t: string) => PAYMENT_TYPE_LABELS[t as keyof typeof PAYMENT_TYPE_LABELS] ?? t;

/** The card's transactions; Backoffice (wd:4) adds, edits and deletes them while the request is ApprovedByBackoffice. */
export function WdTransactions({ card }: { card: WdRequestCard }) {
  const { me } = useAuth();
  const qc = useQueryClient();
  const editable = canEditWdTransactions(me, card);
  // 'new' = the add form; a transaction id = that row's edit form
  const [editing, setEditing] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const done = async (next: WdRequestCard) => {
    qc.setQueryData(['wd', card.id], next);
    await Promise.all([
      qc.invalidateQueries({ queryKey: ['wd'] }),
      qc.invalidateQueries({ queryKey: ['wd-audit'] }),
      qc.invalidateQueries({ queryKey: ['task'] }),
    ]);
  };

  const remove = async (t: WdTransaction) => {
    setBusy(true);
    setError(null);
    try {
      await done(await deleteWdTransaction(card.id, t.id, card.instanceVersion));
      setConfirmDelete(null);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 409) await qc.invalidateQueries({ queryKey: ['wd'] });
    } finally {
      setBusy(false);
    }
  };

  const cols = editable ? 6 : 5;
  return (
    <div className="card" data-testid="wd-transactions-card">
      <h4>Transactions{isExecuting(card) && <span className="muted small" data-testid="wd-executing"> — executing…</span>}</h4>
      {editable && <p className="muted small" data-testid="wd-tx-editable">As Backoffice you may add, change and delete the transactions before completing.</p>}
      <ErrorBox error={error} />
      {card.transactions.length === 0 && !editable ? <p className="muted small">No transactions yet (created when Backoffice approves).</p> : (
        <table className="table compact" data-testid="wd-transactions">
          <thead><tr><th>Type</th><th>Amount</th><th>Status</th><th>OCT / bank details</th><th>Executed</th>{editable && <th />}</tr></thead>
          <tbody>
            {card.transactions.map((t) => editing === t.id ? (
              <tr key={t.id} data-testid="wd-tx-row" data-tx={t.id}>
                <td colSpan={cols}>
                  <TxForm card={card} tx={t} onCancel={() => setEditing(null)} onSaved={async (c) => { await done(c); setEditing(null); }} />
                </td>
              </tr>
            ) : (
              <tr key={t.id} data-testid="wd-tx-row" data-tx={t.id} data-payment-type={t.paymentType}>
                <td>{typeLabel(t.paymentType)}{t.isFee && <span className="muted small"> (fee)</span>}</td>
                <td data-testid="wd-tx-amount">{fmtMoney(t.amount, card.currency)}</td>
                <td><StatusBadge status={t.status} /></td>
                <td className="small">{t.oct ? 'OCT' : ''}{t.oct && t.bankDetails ? ' · ' : ''}{t.bankDetails ?? ''}{!t.oct && !t.bankDetails ? '—' : ''}</td>
                <td className="small">{fmtDate(t.executedAt)}{t.tradeId !== null && <div className="muted mono">#{t.tradeId}</div>}</td>
                {editable && (
                  <td className="nowrap">
                    {t.isFee || t.isExecuted ? <span className="muted small" title="Fee and executed transactions cannot be changed.">{t.isFee ? 'fee — fixed' : 'executed'}</span>
                      : confirmDelete === t.id ? (
                        <span data-testid="wd-tx-delete-confirmation">
                          Delete this transaction?{' '}
                          <button className="btn btn-sm btn-danger" disabled={busy} onClick={() => remove(t)} data-testid="wd-tx-delete-confirm">Yes, delete</button>{' '}
                          <button className="btn btn-sm" disabled={busy} onClick={() => setConfirmDelete(null)} data-testid="wd-tx-delete-cancel">Cancel</button>
                        </span>
                      ) : (
                        <>
                          <button className="btn btn-sm" disabled={busy || editing !== null} onClick={() => { setError(null); setEditing(t.id); }} data-testid="wd-tx-edit">Edit</button>{' '}
                          <button className="btn btn-sm" disabled={busy || editing !== null} onClick={() => { setError(null); setConfirmDelete(t.id); }} data-testid="wd-tx-delete">Delete</button>
                        </>
                      )}
                  </td>
                )}
              </tr>
            ))}
            {card.transactions.length === 0 && <tr><td colSpan={cols} className="muted">No transactions.</td></tr>}
          </tbody>
        </table>
      )}
      {editable && (editing === 'new'
        ? <TxForm card={card} onCancel={() => setEditing(null)} onSaved={async (c) => { await done(c); setEditing(null); }} />
        : <button className="btn btn-sm" disabled={editing !== null || busy} onClick={() => { setError(null); setConfirmDelete(null); setEditing('new'); }} data-testid="wd-tx-add">Add transaction</button>)}
    </div>
  );
}

/** Adds (no `tx`) or edits a transaction; the payment type is fixed once saved. */
function TxForm({ card, tx, onCancel, onSaved }: { card: WdRequestCard; tx?: WdTransaction; onCancel: () => void; onSaved: (c: WdRequestCard) => Promise<void> }) {
  const [d, setD] = useState<TxDraft>(() => tx ? { amount: amountInput(tx.amount), paymentType: tx.paymentType, oct: tx.oct, bankDetails: tx.bankDetails ?? '' } : emptyDraft());
  const [errors, setErrors] = useState<TxErrors>({});
  const [other, setOther] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<TxDraft>) => setD((x) => ({ ...x, ...patch }));

  const save = async () => {
    const local = validateTx(d);
    setErrors(local);
    setOther([]);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const body = txBody(d, card.instanceVersion);
      await onSaved(tx ? await updateWdTransaction(card.id, tx.id, body) : await addWdTransaction(card.id, body));
    } catch (e) {
      const { fields, other: rest } = problemFieldErrors(e instanceof ApiError ? e.problem : undefined);
      setErrors(fields);
      setOther(rest);
      // the summary (detail) above the form; the field messages sit next to their fields
      setError(e instanceof ApiError ? new ApiError(e.status, { ...e.problem, errors: undefined }) : e);
    } finally {
      setBusy(false);
    }
  };

  const err = (f: keyof TxErrors) => errors[f] && <div className="field-error small" role="alert" data-testid={`wd-tx-error-${f}`}>{errors[f]}</div>;
  const wire = isWireTransfer(d.paymentType);
  return (
    <form className="tx-form" data-testid={tx ? 'wd-tx-edit-form' : 'wd-tx-add-form'} onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <ErrorBox error={error} />
      {other.length > 0 && <ul className="small" data-testid="wd-tx-error-other">{other.map((o, i) => <li key={i}>{o}</li>)}</ul>}
      <div className="filters">
        <label>Amount ({card.currency})
          <input inputMode="decimal" value={d.amount} onChange={(e) => set({ amount: e.target.value })} aria-invalid={!!errors.amount} data-testid="wd-tx-amount-input" />
          {err('amount')}
        </label>
        <label>Payment type
          {/* A withdrawal's type may be corrected (it defaults to the last deposit's method); the fee stays the fee. */}
          {tx?.isFee ? <span className="v" data-testid="wd-tx-type-readonly">{typeLabel(tx.paymentType)}</span> : (
            <select value={d.paymentType} onChange={(e) => set({ paymentType: e.target.value })} aria-invalid={!!errors.paymentType} data-testid="wd-tx-type">
              {EDITABLE_PAYMENT_TYPES.map((p) => <option key={p} value={p}>{PAYMENT_TYPE_LABELS[p]}</option>)}
            </select>
          )}
          {err('paymentType')}
        </label>
        <label className="check"><input type="checkbox" checked={d.oct} onChange={(e) => set({ oct: e.target.checked })} data-testid="wd-tx-oct" /> OCT</label>
        {err('oct')}
        <label>Bank details{wire ? ' (required for wire transfers)' : ''}
          <input value={d.bankDetails} onChange={(e) => set({ bankDetails: e.target.value })} aria-invalid={!!errors.bankDetails} placeholder={wire ? 'IBAN, bank, beneficiary' : 'optional'} data-testid="wd-tx-bank" />
          {err('bankDetails')}
        </label>
      </div>
      <div className="row">
        <button type="submit" className="btn btn-primary btn-sm" disabled={busy} data-testid="wd-tx-save">{tx ? 'Save changes' : 'Add'}</button>{' '}
        <button type="button" className="btn btn-sm" disabled={busy} onClick={onCancel} data-testid="wd-tx-cancel">Cancel</button>
      </div>
    </form>
  );
}
