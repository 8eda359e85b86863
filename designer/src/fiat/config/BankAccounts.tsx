import { useQuery } from '@tanstack/react-query';
import { ErrorBox } from '../../common/ui';
import { fiatConfig } from '../api';
import type { BankAccount } from '../api';
import { Field } from '../forms';
import { Check, FormCard, Listing, RowButtons, useDraft, useRows, yes } from './kit';

export const useBankAccounts = () => useQuery({ queryKey: ['fiat-config', 'bank-accounts'], queryFn: fiatConfig.bankAccounts });

/** Fund Parameter › Company Bank Account: the broker's paying accounts (Create, Edit, Delete). */
export function BankAccounts({ canEdit }: { canEdit: boolean }) {
  const q = useBankAccounts();
  const { rows, m, rowChange: del, current } = useRows(q, (a) => a.id);
  return (
    <section aria-label="Company bank accounts">
      <ErrorBox error={q.error} />
      <Listing label="Company bank accounts" testId="fiat-bank-accounts" loading={q.isLoading} empty={rows.length === 0} notices={del.status}
        head={['Account', 'Bank', 'BIC', 'Account no.', 'Account name', 'Currency', 'Integrated by API', '']}>
        {rows.map((a) => (
          <tr key={a.id} data-testid={`fiat-bank-account-${a.id}`}>
            <td>{a.id}</td><td>{a.bankName}</td><td>{a.bic ?? '—'}</td><td>{a.accountNo}</td><td>{a.accountName}</td><td>{a.currency}</td><td>{yes(a.apiIntegrated)}</td>
            <td>{canEdit && <RowButtons what={`bank account ${a.id}`} busy={del.busy} onEdit={() => m.edit(a.id)}
              onDelete={() => void del.run(() => fiatConfig.deleteBankAccount(a.id, Number(a.rowVersion)))} />}</td>
          </tr>
        ))}
      </Listing>
      {canEdit && !m.mode && <button className="btn" onClick={m.add} style={{ marginTop: 8 }}>Create bank account</button>}
      {canEdit && m.mode && (m.mode.kind === 'add' || current) && <AccountForm key={current?.id ?? 'new'} row={current} onDone={m.close} />}
    </section>
  );
}

function AccountForm({ row, onDone }: { row?: BankAccount; onDone: () => void }) {
  const { v, set, change, errors } = useDraft({ id: row?.id ?? '', bankName: row?.bankName ?? '', bic: row?.bic ?? '', accountNo: row?.accountNo ?? '', accountName: row?.accountName ?? '', currency: row?.currency ?? '', apiIntegrated: row?.apiIntegrated ?? false },
    ['id', 'bankName', 'bic', 'accountNo', 'accountName', 'currency', 'apiIntegrated', 'rowVersion']);
  const text = (label: string, name: 'id' | 'bankName' | 'bic' | 'accountNo' | 'accountName' | 'currency', extra: { maxLength?: number; disabled?: boolean } = {}) => (
    <Field label={label} name={name} errors={errors}>{(a) => <input {...a} {...extra} value={v[name]} onChange={(e) => set({ [name]: e.target.value })} />}</Field>
  );
  const submit = async () => {
    const body = { ...v, bic: v.bic.trim() || null, currency: v.currency.trim().toUpperCase(), rowVersion: row ? Number(row.rowVersion) : null };
    if (await change.run(() => (row ? fiatConfig.editBankAccount(row.id, body) : fiatConfig.addBankAccount(body)))) onDone();
  };
  return (
    <FormCard title={row ? `Edit bank account ${row.id}` : 'Create bank account'} testId="fiat-bank-account-form" change={change} onSubmit={() => void submit()} onCancel={onDone}>
      {text('Account id', 'id', { disabled: !!row, maxLength: 64 })}
      {text('Bank name', 'bankName')}
      {text('BIC', 'bic', { maxLength: 11 })}
      {text('Account no.', 'accountNo')}
      {text('Account name', 'accountName')}
      {text('Currency', 'currency', { maxLength: 3 })}
      <Check label="Integrated by API (balance inquiry)" checked={v.apiIntegrated} onChange={(b) => set({ apiIntegrated: b })} />
    </FormCard>
  );
}
