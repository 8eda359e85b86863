import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Modal } from '../common/ui';
import { amountText } from '../lib/money';
import { fiatConfig } from './api';
import { Field, useChange } from './forms';
import { fiatOps } from './opsApi';

const FIELDS = ['customerId', 'currency', 'amount', 'fee', 'bankAccount', 'beneficiaryBank', 'beneficiaryName', 'remarks', 'channel'] as const;
type Values = Record<(typeof FIELDS)[number], string>;

/** An operator enters an application (POST /api/fiat/withdrawals, the `submit` right); the server numbers it. */
export function NewApplication({ onClose }: { onClose: () => void }) {
  const [v, setV] = useState<Values>({ customerId: '', currency: '', amount: '', fee: '', bankAccount: '', beneficiaryBank: '', beneficiaryName: '', remarks: '', channel: '' });
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const [created, setCreated] = useState<string | null>(null);
  const change = useChange([...FIELDS], ['fiat-records', 'fiat-cards']);
  const currencies = useQuery({ queryKey: ['fiat-config', 'currencies'], queryFn: fiatConfig.currencies });
  const channels = useQuery({ queryKey: ['fiat-config', 'channels'], queryFn: fiatConfig.channels });
  const errors = { ...change.byField, ...local };
  const set = (p: Partial<Values>) => setV({ ...v, ...p });
  const text = (name: keyof Values, label: string, extra: { inputMode?: 'decimal'; placeholder?: string } = {}) => (
    <Field label={label} name={name} errors={errors} testId={`new-${name}`}>
      {(a) => <input {...a} {...extra} value={v[name]} onChange={(e) => set({ [name]: e.target.value })} data-testid={`new-${name}`} />}
    </Field>
  );
  const submit = async () => {
    const amount = amountText(v.amount);
    const fee = v.fee.trim() ? amountText(v.fee) : null;
    const problems: Record<string, string[]> = {};
    if (!amount) problems.amount = ['Enter the amount (digits, at most 8 decimals).'];
    if (v.fee.trim() && !fee) problems.fee = ['Enter the fee (digits, at most 8 decimals).'];
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const r = await change.run(() => fiatOps.create({
      customerId: v.customerId.trim(), currency: v.currency, amount: amount!, fee, bankAccount: v.bankAccount.trim(),
      beneficiaryBank: v.beneficiaryBank.trim() || null, beneficiaryName: v.beneficiaryName.trim() || null,
      remarks: v.remarks.trim() || null, channel: v.channel || null,
    }));
    if (r) setCreated(`${r.recordNo} — ${r.status}`);
  };
  return (
    <Modal title="New withdrawal application" onClose={onClose} testId="fiat-new-dialog"
      footer={<>
        <button className="btn btn-ghost" onClick={onClose}>{created ? 'Close' : 'Cancel'}</button>
        <button className="btn btn-primary" disabled={change.busy} onClick={() => void submit()} data-testid="fiat-new-save">Enter application</button>
      </>}>
      {created && <p className="alert alert-success" role="status" data-testid="fiat-new-created">Entered {created}</p>}
      {change.status}
      <form className="row wrap" aria-label="Application" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        {text('customerId', 'Customer')}
        <Field label="Currency" name="currency" errors={errors} testId="new-currency">
          {(a) => <select {...a} value={v.currency} onChange={(e) => set({ currency: e.target.value })} data-testid="new-currency">
            <option value="">—</option>
            {(currencies.data ?? []).filter((c) => c.withdrawalEnabled).map((c) => <option key={c.code}>{c.code}</option>)}
          </select>}
        </Field>
        {text('amount', 'Amount', { inputMode: 'decimal' })}
        {text('fee', 'Fee', { inputMode: 'decimal', placeholder: 'optional' })}
        {text('bankAccount', 'Beneficiary account')}
        {text('beneficiaryBank', 'Beneficiary bank')}
        {text('beneficiaryName', 'Beneficiary name')}
        {text('remarks', 'Remarks')}
        <Field label="Channel (empty: the rules choose)" name="channel" errors={errors} testId="new-channel">
          {(a) => <select {...a} value={v.channel} onChange={(e) => set({ channel: e.target.value })} data-testid="new-channel">
            <option value="">Rules choose</option>
            {(channels.data ?? []).filter((c) => c.enabled && (!v.currency || c.currency === v.currency)).map((c) => <option key={c.id}>{c.id}</option>)}
          </select>}
        </Field>
      </form>
    </Modal>
  );
}
