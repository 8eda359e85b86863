import { useQuery } from '@tanstack/react-query';
import { ErrorBox } from '../../common/ui';
import { decimalText, formatMoney } from '../../lib/money';
import { fiatConfig } from '../api';
import type { InterceptionRule } from '../api';
import { useBankAccounts } from './BankAccounts';
import { AccountSelect, AmountField, EnabledBadge, FormCard, Listing, RowButtons, useDraft, useRows } from './kit';
import { amounts } from './logic';

/** Withdrawal Rules Management › Balance Blocking Rules of accounts integrated by API (Edit, Enable, Disable). */
export function Interception({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['fiat-config', 'interception-rules'], queryFn: fiatConfig.interceptionRules });
  const accounts = useBankAccounts();
  const { rows, m, rowChange: toggle, current } = useRows(q, (r) => r.bankAccountId);
  const cur = (a: string) => accounts.data?.find((x) => x.id === a)?.currency;
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
  const { v, set, change, errors, accept } = useDraft({ bankAccountId: row?.bankAccountId ?? '', alertThreshold: decimalText(row?.alertThreshold), interceptionThreshold: decimalText(row?.interceptionThreshold) },
    ['bankAccountId', 'alertThreshold', 'interceptionThreshold', 'rowVersion']);
  const submit = async () => {
    const problems: Record<string, string[]> = {};
    const money = amounts({ alertThreshold: v.alertThreshold, interceptionThreshold: v.interceptionThreshold }, ['alertThreshold', 'interceptionThreshold'], problems);
    if (!accept(problems)) return;
    const body = { bankAccountId: v.bankAccountId, ...money, enabled: row?.enabled ?? true, rowVersion: row ? Number(row.rowVersion) : null };
    if (await change.run(() => (row ? fiatConfig.editInterceptionRule(row.bankAccountId, body) : fiatConfig.addInterceptionRule(body)))) onDone();
  };
  return (
    <FormCard title={row ? `Edit interception of ${row.bankAccountId}` : 'Add interception rule'} testId="fiat-interception-form" change={change} onSubmit={() => void submit()} onCancel={onDone}>
      {!row && <AccountSelect label="Bank account (integrated by API)" value={v.bankAccountId} onChange={(bankAccountId) => set({ bankAccountId })} accounts={accounts} errors={errors} />}
      <AmountField label="Alert when the balance is at or below" name="alertThreshold" value={v.alertThreshold} onChange={(alertThreshold) => set({ alertThreshold })} errors={errors} />
      <AmountField label="Intercept when the balance left would be below" name="interceptionThreshold" value={v.interceptionThreshold} onChange={(interceptionThreshold) => set({ interceptionThreshold })} errors={errors} />
    </FormCard>
  );
}
