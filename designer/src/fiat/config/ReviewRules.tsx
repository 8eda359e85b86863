import { useQuery } from '@tanstack/react-query';
import { ErrorBox } from '../../common/ui';
import { decimalText, formatMoney } from '../../lib/money';
import { fiatConfig } from '../api';
import type { ReviewRule, ReviewRuleBody } from '../api';
import { Field } from '../forms';
import { AmountField, Check, EnabledBadge, FormCard, Listing, RowButtons, useDraft, useRows } from './kit';
import { REVIEW_KINDS, REVIEW_LABELS, amounts, priorityOf, tri, triValue } from './logic';

/** Withdrawal Rules Management › Automatic Review Rules (Create, Edit, Enable, Disable); the first enabled rule that holds decides. */
export function ReviewRules({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['fiat-config', 'review-rules'], queryFn: fiatConfig.reviewRules });
  const { rows, m, rowChange: toggle, current } = useRows(q, (r) => r.id);
  return (
    <section aria-label="Automatic review rules">
      <ErrorBox error={q.error} />
      <Listing label="Automatic review rules" testId="fiat-review-rules" loading={q.isLoading} empty={rows.length === 0} notices={toggle.status}
        head={['Priority', 'Name', 'Review', 'First withdrawal', 'New beneficiary account', 'Amount at least', 'Currency', 'Status', '']}>
        {rows.map((r) => (
          <tr key={r.id} data-testid={`fiat-review-rule-${r.name}`}>
            <td>{r.priority}</td><td>{r.name}</td><td>{REVIEW_LABELS[r.kind] ?? r.kind}</td><td>{tri(r.firstWithdrawal)}</td><td>{tri(r.newBeneficiaryAccount)}</td>
            <td>{r.amountAtLeast === null || r.amountAtLeast === undefined ? 'Any' : formatMoney(r.amountAtLeast, r.currency)}</td><td>{r.currency ?? 'Any'}</td>
            <td><EnabledBadge enabled={r.enabled} /></td>
            <td>{canEdit && <RowButtons what={`review rule ${r.name}`} busy={toggle.busy} onEdit={() => m.edit(r.id)}
              toggle={{ enabled: r.enabled, run: () => void toggle.run(() => fiatConfig.setReviewRuleEnabled(r.id, !r.enabled, Number(r.rowVersion))) }} />}</td>
          </tr>
        ))}
      </Listing>
      {canEdit && !m.mode && <button className="btn" onClick={m.add} data-testid="fiat-review-create" style={{ marginTop: 8 }}>Create review rule</button>}
      {canEdit && m.mode && (m.mode.kind === 'add' || current) && <ReviewRuleForm key={current?.id ?? 'new'} row={current} onDone={m.close} />}
    </section>
  );
}

function ReviewRuleForm({ row, onDone }: { row?: ReviewRule; onDone: () => void }) {
  const { v, set, change, errors, accept } = useDraft({
    name: row?.name ?? '', kind: row?.kind ?? 'ManualWithWorkOrder', firstWithdrawal: tri(row?.firstWithdrawal), newBeneficiaryAccount: tri(row?.newBeneficiaryAccount),
    amountAtLeast: decimalText(row?.amountAtLeast), currency: row?.currency ?? '', priority: String(row?.priority ?? 10), enabled: row?.enabled ?? true,
  }, ['name', 'kind', 'firstWithdrawal', 'newBeneficiaryAccount', 'amountAtLeast', 'currency', 'priority', 'enabled', 'rowVersion']);
  const submit = async () => {
    const problems: Record<string, string[]> = {};
    const money = amounts({ amountAtLeast: v.amountAtLeast }, [], problems);
    const priority = priorityOf(v.priority);
    if (typeof priority === 'string') problems.priority = [priority];
    if (!accept(problems) || typeof priority === 'string') return;
    const body: ReviewRuleBody = {
      name: v.name.trim(), kind: v.kind, firstWithdrawal: triValue(v.firstWithdrawal), newBeneficiaryAccount: triValue(v.newBeneficiaryAccount),
      amountAtLeast: money.amountAtLeast, currency: v.currency.trim().toUpperCase() || null, priority, enabled: v.enabled, rowVersion: row ? Number(row.rowVersion) : null,
    };
    if (await change.run(() => (row ? fiatConfig.editReviewRule(row.id, body) : fiatConfig.createReviewRule(body)))) onDone();
  };
  const anyYesNo = (label: string, name: 'firstWithdrawal' | 'newBeneficiaryAccount') => (
    <Field label={label} name={name} errors={errors}>{(a) => <select {...a} value={v[name]} onChange={(e) => set({ [name]: e.target.value })}>{['Any', 'Yes', 'No'].map((k) => <option key={k}>{k}</option>)}</select>}</Field>
  );
  return (
    <FormCard title={row ? `Edit review rule ${row.name}` : 'Create review rule'} testId="fiat-review-form" change={change} onSubmit={() => void submit()} onCancel={onDone}
      submitLabel={row ? 'Save rule' : 'Create rule'}>
      <Field label="Name" name="name" errors={errors}>{(a) => <input {...a} value={v.name} onChange={(e) => set({ name: e.target.value })} />}</Field>
      <Field label="Review" name="kind" errors={errors}>{(a) => <select {...a} value={v.kind} onChange={(e) => set({ kind: e.target.value })}>{REVIEW_KINDS.map((k) => <option key={k} value={k}>{REVIEW_LABELS[k]}</option>)}</select>}</Field>
      {anyYesNo('First withdrawal', 'firstWithdrawal')}
      {anyYesNo('New beneficiary account', 'newBeneficiaryAccount')}
      <AmountField label="Amount at least" name="amountAtLeast" value={v.amountAtLeast} onChange={(amountAtLeast) => set({ amountAtLeast })} errors={errors} placeholder="any" />
      <Field label="Currency" name="currency" errors={errors}>{(a) => <input {...a} value={v.currency} maxLength={3} onChange={(e) => set({ currency: e.target.value })} placeholder="any" />}</Field>
      <Field label="Priority" name="priority" errors={errors}>{(a) => <input {...a} inputMode="numeric" value={v.priority} onChange={(e) => set({ priority: e.target.value })} style={{ width: 90 }} />}</Field>
      <Check label="Enabled" checked={v.enabled} onChange={(b) => set({ enabled: b })} />
    </FormCard>
  );
}
