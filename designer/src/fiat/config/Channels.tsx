import { useQuery } from '@tanstack/react-query';
import { ErrorBox } from '../../common/ui';
import { fiatConfig } from '../api';
import type { Channel } from '../api';
import { Field } from '../forms';
import { useBankAccounts } from './BankAccounts';
import { Check, EnabledBadge, FormCard, Listing, RowButtons, useDraft, useRows, yes } from './kit';

export const useChannels = () => useQuery({ queryKey: ['fiat-config', 'channels'], queryFn: fiatConfig.channels });

/** Withdrawal channels: a paying account plus a method, e.g. "ICBC Asia 001 — Cheque Transfer". */
export function Channels({ canEdit }: { canEdit: boolean }) {
  const q = useChannels();
  const { rows, m, rowChange: del, current } = useRows(q, (c) => c.id);
  return (
    <section aria-label="Withdrawal channels">
      <ErrorBox error={q.error} />
      <Listing label="Withdrawal channels" testId="fiat-channels" loading={q.isLoading} empty={rows.length === 0} notices={del.status}
        head={['Channel', 'Paying account', 'Method', 'Currency', 'Cheque', 'Automatic status', 'Status', '']}>
        {rows.map((c) => (
          <tr key={c.id} data-testid={`fiat-channel-${c.id}`}>
            <td>{c.id}</td><td>{c.bankAccountId}</td><td>{c.method}</td><td>{c.currency}</td><td>{yes(c.isCheque)}</td><td>{yes(c.automaticStatus)}</td>
            <td><EnabledBadge enabled={c.enabled} /></td>
            <td>{canEdit && <RowButtons what={`channel ${c.id}`} busy={del.busy} onEdit={() => m.edit(c.id)}
              onDelete={() => void del.run(() => fiatConfig.deleteChannel(c.id, Number(c.rowVersion)))} />}</td>
          </tr>
        ))}
      </Listing>
      {canEdit && !m.mode && <button className="btn" onClick={m.add} style={{ marginTop: 8 }}>Create channel</button>}
      {canEdit && m.mode && (m.mode.kind === 'add' || current) && <ChannelForm key={current?.id ?? 'new'} row={current} onDone={m.close} />}
    </section>
  );
}

function ChannelForm({ row, onDone }: { row?: Channel; onDone: () => void }) {
  const accounts = useBankAccounts();
  const { v, set, change, errors } = useDraft({ id: row?.id ?? '', bankAccountId: row?.bankAccountId ?? '', method: row?.method ?? '', isCheque: row?.isCheque ?? false, automaticStatus: row?.automaticStatus ?? true, enabled: row?.enabled ?? true },
    ['id', 'bankAccountId', 'method', 'currency', 'rowVersion']);
  const account = accounts.data?.find((a) => a.id === v.bankAccountId);
  const submit = async () => {
    // the channel pays in its account's currency: the server takes it from the account when none is sent
    const body = { ...v, currency: null, rowVersion: row ? Number(row.rowVersion) : null };
    if (await change.run(() => (row ? fiatConfig.editChannel(row.id, body) : fiatConfig.addChannel(body)))) onDone();
  };
  return (
    <FormCard title={row ? `Edit channel ${row.id}` : 'Create channel'} testId="fiat-channel-form" change={change} onSubmit={() => void submit()} onCancel={onDone}>
      <Field label="Channel id" name="id" errors={errors}>{(a) => <input {...a} disabled={!!row} maxLength={64} value={v.id} onChange={(e) => set({ id: e.target.value })} placeholder="e.g. ICBC-001-CHQ" />}</Field>
      <Field label="Paying account" name="bankAccountId" errors={errors}>
        {(a) => (
          <select {...a} value={v.bankAccountId} onChange={(e) => set({ bankAccountId: e.target.value })}>
            <option value="">Choose…</option>
            {(accounts.data ?? []).map((x) => <option key={x.id} value={x.id}>{x.id} — {x.bankName} ({x.currency})</option>)}
          </select>
        )}
      </Field>
      <Field label="Method" name="method" errors={errors}>{(a) => <input {...a} value={v.method} onChange={(e) => set({ method: e.target.value })} placeholder="e.g. Cheque Transfer" />}</Field>
      <Field label="Currency" name="currency" errors={errors}>{(a) => <input {...a} value={account?.currency ?? ''} readOnly placeholder="the account's" />}</Field>
      <Check label="Cheque" checked={v.isCheque} onChange={(b) => set({ isCheque: b })} />
      <Check label="Automatic status" checked={v.automaticStatus} onChange={(b) => set({ automaticStatus: b })} />
      <Check label="Enabled" checked={v.enabled} onChange={(b) => set({ enabled: b })} />
    </FormCard>
  );
}
