import { useQuery } from '@tanstack/react-query';
import { ErrorBox } from '../../common/ui';
import { decimalText, formatMoney } from '../../lib/money';
import { fiatConfig } from '../api';
import type { WithdrawalParameter } from '../api';
import { Field } from '../forms';
import { AmountField, FormCard, Listing, RowButtons, useDraft, useRows } from './kit';
import { amounts } from './logic';

/** Withdrawal Rules Management › Withdrawal Configuration: estimated arrival and fee per client bank and currency (Add, Edit, Copy). */
export function Parameters({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['fiat-config', 'withdrawal-parameters'], queryFn: fiatConfig.parameters });
  const { rows, m, current: from } = useRows(q, (p) => p.id);
  return (
    <section aria-label="Withdrawal parameters">
      <ErrorBox error={q.error} />
      <Listing label="Withdrawal parameters" testId="fiat-parameters" loading={q.isLoading} empty={rows.length === 0} head={['Client bank', 'Currency', 'Estimated arrival', 'Fee', '']}>
        {rows.map((p) => (
          <tr key={p.id}>
            <td>{p.clientBank}</td><td>{p.currency}</td><td>{p.estimatedArrival ?? '—'}</td><td>{formatMoney(p.fee, p.currency)}</td>
            <td>{canEdit && <RowButtons what={`parameters of ${p.clientBank} ${p.currency}`} onEdit={() => m.edit(p.id)} onCopy={() => m.copy(p.id)} />}</td>
          </tr>
        ))}
      </Listing>
      {canEdit && !m.mode && <button className="btn" onClick={m.add} style={{ marginTop: 8 }}>Add parameters</button>}
      {canEdit && m.mode && (m.mode.kind === 'add' || from) && (
        <ParameterForm key={m.mode.kind + (from?.id ?? '')} copy={m.mode.kind === 'copy'} from={from} onDone={m.close} />
      )}
    </section>
  );
}

function ParameterForm({ from, copy, onDone }: { from?: WithdrawalParameter; copy: boolean; onDone: () => void }) {
  const { v, set, change, errors, accept } = useDraft({ clientBank: from?.clientBank ?? '', currency: from?.currency ?? '', estimatedArrival: from?.estimatedArrival ?? '', fee: decimalText(from?.fee) },
    ['clientBank', 'currency', 'estimatedArrival', 'fee', 'rowVersion']);
  const edit = from && !copy ? from : undefined;
  const title = edit ? 'Edit withdrawal parameters' : copy ? 'Copy withdrawal parameters' : 'Add withdrawal parameters';
  const submit = async () => {
    const problems: Record<string, string[]> = {};
    const { fee } = amounts({ fee: v.fee }, [], problems);
    if (!accept(problems)) return;
    const body = { clientBank: v.clientBank.trim(), currency: v.currency.trim().toUpperCase(), estimatedArrival: v.estimatedArrival.trim() || null, fee };
    const r = edit ? await change.run(() => fiatConfig.editParameter(edit.id, { ...body, rowVersion: Number(edit.rowVersion) }))
      : copy && from ? await change.run(() => fiatConfig.copyParameter(from.id, body))
        : await change.run(() => fiatConfig.addParameter(body));
    if (r) onDone();
  };
  return (
    <FormCard title={title} testId="fiat-parameter-form" change={change} onSubmit={() => void submit()} onCancel={onDone} submitLabel={copy ? 'Save copy' : 'Save'}>
      <Field label="Client bank" name="clientBank" errors={errors}>{(a) => <input {...a} value={v.clientBank} onChange={(e) => set({ clientBank: e.target.value })} />}</Field>
      <Field label="Currency" name="currency" errors={errors}>{(a) => <input {...a} value={v.currency} maxLength={3} onChange={(e) => set({ currency: e.target.value })} />}</Field>
      <Field label="Estimated arrival" name="estimatedArrival" errors={errors}>{(a) => <input {...a} value={v.estimatedArrival} onChange={(e) => set({ estimatedArrival: e.target.value })} placeholder="e.g. T+1" />}</Field>
      <AmountField label="Fee" name="fee" value={v.fee} onChange={(fee) => set({ fee })} errors={errors} />
    </FormCard>
  );
}
