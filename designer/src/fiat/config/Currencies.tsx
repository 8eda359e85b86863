import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ErrorBox } from '../../common/ui';
import { fiatConfig } from '../api';
import { Field, useChange } from '../forms';
import { Check, FormCard, Listing, useMode } from './kit';

/** Fund Parameter › Currency Setup: whether clients may withdraw in a currency (the Withdrawal Function Yes/No). */
export function Currencies({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['fiat-config', 'currencies'], queryFn: fiatConfig.currencies });
  const m = useMode();
  const toggle = useChange(['withdrawalEnabled', 'rowVersion']);
  const rows = q.data ?? [];
  return (
    <section aria-label="Currencies">
      <ErrorBox error={q.error} />
      <Listing label="Currencies" testId="fiat-currencies" loading={q.isLoading} empty={rows.length === 0} notices={toggle.status} head={['Currency', 'Withdrawal function', '']}>
        {rows.map((c) => (
          <tr key={c.code} data-testid={`fiat-currency-${c.code}`}>
            <td>{c.code}</td><td>{c.withdrawalEnabled ? 'Yes' : 'No'}</td>
            <td>{canEdit && (
              <button type="button" className="btn btn-sm" disabled={toggle.busy} aria-label={`${c.withdrawalEnabled ? 'Switch off' : 'Switch on'} withdrawals in ${c.code}`}
                onClick={() => void toggle.run(() => fiatConfig.editCurrency(c.code, { code: c.code, withdrawalEnabled: !c.withdrawalEnabled, rowVersion: Number(c.rowVersion) }))}>
                {c.withdrawalEnabled ? 'Switch off' : 'Switch on'}
              </button>
            )}</td>
          </tr>
        ))}
      </Listing>
      {canEdit && !m.mode && <button className="btn" onClick={m.add} style={{ marginTop: 8 }}>Add currency</button>}
      {canEdit && m.mode && <CurrencyForm onDone={m.close} />}
    </section>
  );
}

function CurrencyForm({ onDone }: { onDone: () => void }) {
  const [code, setCode] = useState('');
  const [enabled, setEnabled] = useState(true);
  const change = useChange(['code', 'withdrawalEnabled']);
  const submit = async () => {
    if (await change.run(() => fiatConfig.addCurrency({ code: code.trim().toUpperCase(), withdrawalEnabled: enabled, rowVersion: null }))) onDone();
  };
  return (
    <FormCard title="Add currency" testId="fiat-currency-form" change={change} onSubmit={() => void submit()} onCancel={onDone}>
      <Field label="Currency" name="code" errors={change.byField}>{(a) => <input {...a} value={code} maxLength={3} onChange={(e) => setCode(e.target.value)} placeholder="e.g. CNH" />}</Field>
      <Check label="Withdrawal function" checked={enabled} onChange={setEnabled} />
    </FormCard>
  );
}
