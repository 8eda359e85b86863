import { useQuery } from '@tanstack/react-query';
import { ErrorBox } from '../../common/ui';
import { formatMoney } from '../../lib/money';
import { fiatConfig } from '../api';
import type { WithdrawalRule } from '../api';
import { Field } from '../forms';
import { useChannels } from './Channels';
import { AmountField, Check, EnabledBadge, FormCard, Listing, RowButtons, useDraft, useRows } from './kit';
import { DAYS, POLICIES, POLICY_LABELS, describeWindows, isScheduled, ruleBody, ruleDraft } from './logic';
import type { RuleDraft } from './logic';

/** Withdrawal Rules Management › Withdrawal Rules: one rule per channel (Add, Edit, Delete). */
export function WithdrawalRules({ canEdit }: { canEdit: boolean }) {
  const rules = useQuery({ queryKey: ['fiat-config', 'withdrawal-rules'], queryFn: fiatConfig.withdrawalRules });
  const channels = useChannels();
  const { rows, m, rowChange: del, current } = useRows(rules, (r) => r.id);
  const cur = (channelId: string) => channels.data?.find((x) => x.id === channelId)?.currency;
  return (
    <section aria-label="Withdrawal rules">
      <ErrorBox error={rules.error} />
      <Listing label="Withdrawal rules" testId="fiat-withdrawal-rules" loading={rules.isLoading} empty={rows.length === 0} notices={del.status}
        head={['Priority', 'Channel', 'Policy', 'Packing', 'Single limit', 'Customer daily limit', 'Service windows', 'Client banks', 'Status', '']}>
        {rows.map((r) => (
          <tr key={r.id} data-testid={`fiat-withdrawal-rule-${r.channelId}`}>
            <td>{r.priority}</td><td>{r.channelId}</td><td>{POLICY_LABELS[r.policy] ?? r.policy}</td><td><code>{r.packingCron ?? '—'}</code></td>
            <td>{formatMoney(r.singleLimit, cur(r.channelId))}</td><td>{formatMoney(r.customerDailyLimit, cur(r.channelId))}</td>
            <td>{describeWindows(r.serviceWindows)}</td>
            <td>{r.supportedBanks.length ? r.supportedBanks.join(', ') : 'every bank'}</td>
            <td><EnabledBadge enabled={r.enabled} /></td>
            <td>{canEdit && <RowButtons what={`the withdrawal rule of ${r.channelId}`} busy={del.busy} onEdit={() => m.edit(r.id)}
              onDelete={() => void del.run(() => fiatConfig.deleteWithdrawalRule(r.id, Number(r.rowVersion)))} />}</td>
          </tr>
        ))}
      </Listing>
      {canEdit && !m.mode && <button className="btn" onClick={m.add} style={{ marginTop: 8 }}>Add withdrawal rule</button>}
      {canEdit && m.mode && (m.mode.kind === 'add' || current) && (
        <RuleForm key={current?.id ?? 'new'} row={current} taken={rows.map((r) => r.channelId)} onDone={m.close} />
      )}
    </section>
  );
}

// serviceWindows[2].from and the like are shown at the window's inputs; supportedBanks[i] collapses onto the list
const shown = (k: string) => /^(channelId|policy|packingCron|singleLimit|customerDailyLimit|supportedBanks|priority|enabled|rowVersion|serviceWindows(\[\d+\](\.(days|from|to))?)?)$/.test(k);

function RuleForm({ row, taken, onDone }: { row?: WithdrawalRule; taken: string[]; onDone: () => void }) {
  const channels = useChannels();
  const { v: d, set, change, errors, accept } = useDraft<RuleDraft>(ruleDraft(row), shown);
  const setWindow = (i: number, p: Partial<RuleDraft['windows'][number]>) => set({ windows: d.windows.map((w, j) => (j === i ? { ...w, ...p } : w)) });
  const submit = async () => {
    const { body, errors: found } = ruleBody(d);
    if (!accept(found) || !body) return;
    const sent = { ...body, rowVersion: row ? Number(row.rowVersion) : null };
    if (await change.run(() => (row ? fiatConfig.editWithdrawalRule(row.id, sent) : fiatConfig.addWithdrawalRule(sent)))) onDone();
  };
  const free = (channels.data ?? []).filter((c) => c.id === row?.channelId || !taken.includes(c.id));
  return (
    <FormCard title={row ? `Edit the withdrawal rule of ${row.channelId}` : 'Add withdrawal rule'} testId="fiat-withdrawal-rule-form" change={change} onSubmit={() => void submit()} onCancel={onDone}>
      <Field label="Channel" name="channelId" errors={errors}>
        {(a) => (
          <select {...a} value={d.channelId} onChange={(e) => set({ channelId: e.target.value })}>
            <option value="">Choose…</option>
            {free.map((c) => <option key={c.id} value={c.id}>{c.id} — {c.method} ({c.currency})</option>)}
          </select>
        )}
      </Field>
      <Field label="Policy" name="policy" errors={errors}>
        {(a) => <select {...a} value={d.policy} onChange={(e) => set({ policy: e.target.value })}>{POLICIES.map((p) => <option key={p} value={p}>{POLICY_LABELS[p]}</option>)}</select>}
      </Field>
      {isScheduled(d.policy) && (
        <Field label="Packing schedule (Quartz cron)" name="packingCron" errors={errors}>
          {(a) => <input {...a} value={d.packingCron} onChange={(e) => set({ packingCron: e.target.value })} placeholder="0 0 16 ? * MON-FRI" />}
        </Field>
      )}
      <AmountField label="Single limit" name="singleLimit" value={d.singleLimit} onChange={(singleLimit) => set({ singleLimit })} errors={errors} />
      <AmountField label="Customer daily limit" name="customerDailyLimit" value={d.customerDailyLimit} onChange={(customerDailyLimit) => set({ customerDailyLimit })} errors={errors} />
      <Field label="Priority" name="priority" errors={errors}>{(a) => <input {...a} inputMode="numeric" value={d.priority} onChange={(e) => set({ priority: e.target.value })} style={{ width: 90 }} />}</Field>
      <Check label="Enabled" checked={d.enabled} onChange={(b) => set({ enabled: b })} />
      <Field label="Supported client banks (one a line; none = every bank)" name="supportedBanks" errors={errors}>
        {(a) => <textarea {...a} rows={3} value={d.banks} onChange={(e) => set({ banks: e.target.value })} />}
      </Field>
      <fieldset className="field" style={{ border: '1px solid var(--border)', borderRadius: 6, padding: 8, minWidth: 420 }}>
        <legend className="field-label">Service windows (business time zone; none = always open)</legend>
        {errors.serviceWindows && <span className="field-error">{errors.serviceWindows.join(' ')}</span>}
        {d.windows.map((w, i) => (
          <div key={i} className="row" style={{ flexWrap: 'wrap', alignItems: 'flex-end' }} role="group" aria-label={`Window ${i + 1}`}>
            {DAYS.map((day) => (
              <label key={day} className="check" style={{ fontSize: 12 }}>
                <input type="checkbox" aria-label={`Window ${i + 1} ${day}`} checked={w.days.includes(day)}
                  onChange={(e) => setWindow(i, { days: e.target.checked ? [...w.days, day] : w.days.filter((x) => x !== day) })} />{day}
              </label>
            ))}
            <Field label={`Window ${i + 1} from`} name={`serviceWindows[${i}].from`} errors={errors}>{(a) => <input {...a} type="time" value={w.from} onChange={(e) => setWindow(i, { from: e.target.value })} />}</Field>
            <Field label={`Window ${i + 1} to`} name={`serviceWindows[${i}].to`} errors={errors}>{(a) => <input {...a} type="time" value={w.to} onChange={(e) => setWindow(i, { to: e.target.value })} />}</Field>
            <button type="button" className="btn btn-sm btn-ghost" onClick={() => set({ windows: d.windows.filter((_, j) => j !== i) })} aria-label={`Remove window ${i + 1}`}>Remove</button>
            {(errors[`serviceWindows[${i}].days`] ?? errors[`serviceWindows[${i}]`]) && <span className="field-error">{[...(errors[`serviceWindows[${i}].days`] ?? []), ...(errors[`serviceWindows[${i}]`] ?? [])].join(' ')}</span>}
          </div>
        ))}
        <button type="button" className="btn btn-sm" onClick={() => set({ windows: [...d.windows, { days: [], from: '09:00', to: '17:00' }] })}>Add service window</button>
      </fieldset>
    </FormCard>
  );
}
