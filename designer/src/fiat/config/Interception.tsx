import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ErrorBox } from '../../common/ui';
import { decimalText, formatMoney } from '../../lib/money';
import { fiatConfig } from '../api';
import type { InterceptionRule } from '../api';
import { Field, useChange } from '../forms';
import { useBankAccounts } from './BankAccounts';
import { EnabledBadge, FormCard, Listing, RowButtons, useMode } from './kit';
import { amounts } from './logic';

/** Withdrawal Rules Management › Balance Blocking Rules of accounts integrated by API (Edit, Enable, Disable). */
export function Interception({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['fiat-config', 'interception-rules'], queryFn: fiatConfig.interceptionRules });
  const accounts = useBankAccounts();
  const toggle = useChange(['rowVersion']);
  const m = useMode();
  const rows = q.data ?? [];
  const cur = (a: string) => accounts.data?.find((x) => x.id === a)?.currency;
  const current = m.mode?.kind === 'edit' ? rows.find((r) => r.bankAccountId === (m.mode as { key: string }).key) : undefined;
  const open = (accounts.data ?? []).filter((a) => a.apiIntegrated && !rows.some((r) => r.bankAccountId === a.id));
  return (
    <section aria-label="Balance interception rules">
      <ErrorBox error={q.error} />
      <Listing label="Balance interception rules" testId="fiat-interception-rules" loading={q.isLoading} empty={rows.length === 0} notices={toggle.status}
        head={['Bank account', 'Alert at or below', 'Intercept below', 'Status', '']}>
        {rows.map((r) => (
          <tr key={r.bankAccountId} data-testid={`fiat-interception-${r.bankAccountId}`}>
            <td>{r.bankAccountId}</td>
            <td>{formatMoney(r.alertThreshold, cur(r.bankAccountId))}</td>
            <td>{formatMoney(r.interceptionThreshold, cur(r.bankAccountId))}</td>
            <td><EnabledBadge enabled={r.enabled} /></td>
            <td>{canEdit && <RowButtons what={`interception of ${r.bankAccountId}`} busy={toggle.busy} onEdit={() => m.edit(r.bankAccountId)}
              toggle={{ enabled: r.enabled, run: () => void toggle.run(() => fiatConfig.setInterceptionEnabled(r.bankAccountId, !r.enabled, Number(r.rowVersion))) }} />}</td>
          </tr>
        ))}
      </Listing>
      {canEdit && !m.mode && open.length > 0 && <button className="btn" onClick={m.add} style={{ marginTop: 8 }}>Add interception rule</button>}
      {canEdit && m.mode && (m.mode.kind === 'add' || current) && (
        <InterceptionForm key={current?.bankAccountId ?? 'new'} row={current} accounts={open.map((a) => a.id)} onDone={m.close} />
      )}
    </section>
  );
}

function InterceptionForm({ row, accounts, onDone }: { row?: InterceptionRule; accounts: string[]; onDone: () => void }) {
  const [v, setV] = useState({ bankAccountId: row?.bankAccountId ?? '', alertThreshold: decimalText(row?.alertThreshold), interceptionThreshold: decimalText(row?.interceptionThreshold) });
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const change = useChange(['bankAccountId', 'alertThreshold', 'interceptionThreshold', 'rowVersion']);
  const errors = { ...change.byField, ...local };
  const set = (p: Partial<typeof v>) => setV({ ...v, ...p });
  const submit = async () => {
    const problems: Record<string, string[]> = {};
    const money = amounts({ alertThreshold: v.alertThreshold, interceptionThreshold: v.interceptionThreshold }, ['alertThreshold', 'interceptionThreshold'], problems);
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const body = { bankAccountId: v.bankAccountId, ...money, enabled: row?.enabled ?? true, rowVersion: row ? Number(row.rowVersion) : null };
    if (await change.run(() => (row ? fiatConfig.editInterceptionRule(row.bankAccountId, body) : fiatConfig.addInterceptionRule(body)))) onDone();
  };
  return (
    <FormCard title={row ? `Edit interception of ${row.bankAccountId}` : 'Add interception rule'} testId="fiat-interception-form" change={change} onSubmit={() => void submit()} onCancel={onDone}>
      {!row && (
        <Field label="Bank account (integrated by API)" name="bankAccountId" errors={errors}>
          {(a) => <select {...a} value={v.bankAccountId} onChange={(e) => set({ bankAccountId: e.target.value })}><option value="">Choose…</option>{accounts.map((x) => <option key={x}>{x}</option>)}</select>}
        </Field>
      )}
      <Field label="Alert when the balance is at or below" name="alertThreshold" errors={errors}>{(a) => <input {...a} inputMode="decimal" value={v.alertThreshold} onChange={(e) => set({ alertThreshold: e.target.value })} />}</Field>
      <Field label="Intercept when the balance left would be below" name="interceptionThreshold" errors={errors}>{(a) => <input {...a} inputMode="decimal" value={v.interceptionThreshold} onChange={(e) => set({ interceptionThreshold: e.target.value })} />}</Field>
    </FormCard>
  );
}
