import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Badge, ErrorBox, Spinner } from '../common/ui';
import { amountText, decimalText, formatMoney } from '../lib/money';
import { fiatConfig } from './api';
import type { ReviewRuleBody, Settings, WithdrawalParameter } from './api';
import { Field, useChange } from './forms';

export const REVIEW_KINDS = ['ManualWithWorkOrder', 'ManualWithoutWorkOrder', 'AutoSubmit', 'AutoReject'] as const;

/** Yes / No / Any for an optional condition. */
const tri = (v: boolean | null | undefined) => (v === true ? 'Yes' : v === false ? 'No' : 'Any');
const triValue = (s: string) => (s === 'Yes' ? true : s === 'No' ? false : null);

export function ReviewRules({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['fiat-config', 'review-rules'], queryFn: fiatConfig.reviewRules });
  const toggle = useChange(['rowVersion']);
  const [adding, setAdding] = useState(false);
  if (q.isLoading) return <Spinner label="Loading review rules…" />;
  return (
    <section aria-label="Automatic review rules">
      <ErrorBox error={q.error} />
      {toggle.status}
      <table className="table compact" data-testid="fiat-review-rules">
        <thead><tr><th>Priority</th><th>Name</th><th>Review</th><th>First withdrawal</th><th>New beneficiary account</th><th>Amount at least</th><th>Currency</th><th>Status</th><th><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(q.data ?? []).map((r) => (
            <tr key={r.id} data-testid={`fiat-review-rule-${r.name}`}>
              <td>{r.priority}</td><td>{r.name}</td><td>{r.kind}</td><td>{tri(r.firstWithdrawal)}</td><td>{tri(r.newBeneficiaryAccount)}</td>
              <td>{r.amountAtLeast === null || r.amountAtLeast === undefined ? 'Any' : formatMoney(r.amountAtLeast, r.currency)}</td><td>{r.currency ?? 'Any'}</td>
              <td><Badge tone={r.enabled ? 'green' : 'grey'}>{r.enabled ? 'Enabled' : 'Disabled'}</Badge></td>
              <td>{canEdit && (
                <button className="btn btn-sm" disabled={toggle.busy} onClick={() => void toggle.run(() => fiatConfig.setReviewRuleEnabled(r.id, !r.enabled, r.rowVersion))}
                  aria-label={`${r.enabled ? 'Disable' : 'Enable'} review rule ${r.name}`}>{r.enabled ? 'Disable' : 'Enable'}</button>
              )}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canEdit && !adding && <button className="btn" onClick={() => setAdding(true)} data-testid="fiat-review-create">Create review rule</button>}
      {canEdit && adding && <ReviewRuleForm onDone={() => setAdding(false)} />}
    </section>
  );
}

function ReviewRuleForm({ onDone }: { onDone: () => void }) {
  const [v, setV] = useState({ name: '', kind: 'ManualWithWorkOrder', firstWithdrawal: 'Any', newBeneficiaryAccount: 'Any', amountAtLeast: '', currency: '', priority: '10' });
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const change = useChange(['name', 'kind', 'firstWithdrawal', 'newBeneficiaryAccount', 'amountAtLeast', 'currency', 'priority']);
  const errors = { ...change.byField, ...local };
  const set = (p: Partial<typeof v>) => setV({ ...v, ...p });
  const submit = async () => {
    const amount = v.amountAtLeast.trim() ? amountText(v.amountAtLeast) : null;
    const problems: Record<string, string[]> = {};
    if (v.amountAtLeast.trim() && !amount) problems.amountAtLeast = ['Enter an amount (digits, at most 8 decimals).'];
    if (!/^\d+$/.test(v.priority.trim())) problems.priority = ['Enter a whole number (lower runs first).'];
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const body: ReviewRuleBody = {
      name: v.name.trim(), kind: v.kind, firstWithdrawal: triValue(v.firstWithdrawal), newBeneficiaryAccount: triValue(v.newBeneficiaryAccount),
      amountAtLeast: amount, currency: v.currency.trim().toUpperCase() || null, priority: Number(v.priority), enabled: true,
    };
    if (await change.run(() => fiatConfig.createReviewRule(body))) onDone();
  };
  return (
    <form className="card" aria-label="Create review rule" data-testid="fiat-review-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3>New review rule</h3>
      {change.status}
      <div className="row wrap">
        <Field label="Name" name="name" errors={errors}>{(a) => <input {...a} value={v.name} onChange={(e) => set({ name: e.target.value })} />}</Field>
        <Field label="Review" name="kind" errors={errors}>{(a) => <select {...a} value={v.kind} onChange={(e) => set({ kind: e.target.value })}>{REVIEW_KINDS.map((k) => <option key={k}>{k}</option>)}</select>}</Field>
        <Field label="First withdrawal" name="firstWithdrawal" errors={errors}>{(a) => <select {...a} value={v.firstWithdrawal} onChange={(e) => set({ firstWithdrawal: e.target.value })}>{['Any', 'Yes', 'No'].map((k) => <option key={k}>{k}</option>)}</select>}</Field>
        <Field label="New beneficiary account" name="newBeneficiaryAccount" errors={errors}>{(a) => <select {...a} value={v.newBeneficiaryAccount} onChange={(e) => set({ newBeneficiaryAccount: e.target.value })}>{['Any', 'Yes', 'No'].map((k) => <option key={k}>{k}</option>)}</select>}</Field>
        <Field label="Amount at least" name="amountAtLeast" errors={errors}>{(a) => <input {...a} inputMode="decimal" value={v.amountAtLeast} onChange={(e) => set({ amountAtLeast: e.target.value })} placeholder="any" />}</Field>
        <Field label="Currency" name="currency" errors={errors}>{(a) => <input {...a} value={v.currency} maxLength={3} onChange={(e) => set({ currency: e.target.value })} placeholder="any" />}</Field>
        <Field label="Priority" name="priority" errors={errors}>{(a) => <input {...a} inputMode="numeric" value={v.priority} onChange={(e) => set({ priority: e.target.value })} />}</Field>
      </div>
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={change.busy}>Create rule</button>
        <button className="btn btn-ghost" type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

export function SettingsForm({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['fiat-config', 'settings'], queryFn: fiatConfig.settings });
  if (q.isLoading) return <Spinner label="Loading settings…" />;
  if (!q.data) return <ErrorBox error={q.error} />;
  return <SettingsEditor key={q.data.rowVersion} settings={q.data} canEdit={canEdit} />;
}

function SettingsEditor({ settings, canEdit }: { settings: Settings; canEdit: boolean }) {
  const [direct, setDirect] = useState(settings.directBillingNeedsApproval);
  const [kind, setKind] = useState(settings.defaultReviewKind);
  const change = useChange(['directBillingNeedsApproval', 'defaultReviewKind', 'rowVersion']);
  return (
    <form className="card" aria-label="More settings" data-testid="fiat-settings" onSubmit={(e) => { e.preventDefault(); void change.run(() => fiatConfig.saveSettings({ directBillingNeedsApproval: direct, defaultReviewKind: kind, rowVersion: settings.rowVersion })); }}>
      {change.status}
      <fieldset disabled={!canEdit} style={{ border: 'none', padding: 0 }}>
        <label className="check"><input type="checkbox" checked={direct} onChange={(e) => setDirect(e.target.checked)} /> Direct billing needs a work order</label>
        <Field label="When no review rule holds" name="defaultReviewKind" errors={change.byField}>
          {(a) => <select {...a} value={kind} onChange={(e) => setKind(e.target.value)}>{REVIEW_KINDS.map((k) => <option key={k}>{k}</option>)}</select>}
        </Field>
        {canEdit && <button className="btn btn-primary" type="submit" disabled={change.busy}>Save settings</button>}
      </fieldset>
    </form>
  );
}

type ParamMode = { kind: 'add' } | { kind: 'edit' | 'copy'; from: WithdrawalParameter };

export function Parameters({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['fiat-config', 'withdrawal-parameters'], queryFn: fiatConfig.parameters });
  const [mode, setMode] = useState<ParamMode | null>(null);
  if (q.isLoading) return <Spinner label="Loading withdrawal parameters…" />;
  return (
    <section aria-label="Withdrawal parameters">
      <ErrorBox error={q.error} />
      <table className="table compact" data-testid="fiat-parameters">
        <thead><tr><th>Client bank</th><th>Currency</th><th>Estimated arrival</th><th>Fee</th><th><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(q.data ?? []).map((p) => (
            <tr key={p.id}>
              <td>{p.clientBank}</td><td>{p.currency}</td><td>{p.estimatedArrival ?? '—'}</td><td>{formatMoney(p.fee, p.currency)}</td>
              <td className="row">{canEdit && (
                <>
                  <button className="btn btn-sm" onClick={() => setMode({ kind: 'edit', from: p })} aria-label={`Edit parameters of ${p.clientBank} ${p.currency}`}>Edit</button>
                  <button className="btn btn-sm btn-ghost" onClick={() => setMode({ kind: 'copy', from: p })} aria-label={`Copy parameters of ${p.clientBank} ${p.currency}`}>Copy</button>
                </>
              )}</td>
            </tr>
          ))}
          {q.data?.length === 0 && <tr><td colSpan={5} className="empty">No withdrawal parameters.</td></tr>}
        </tbody>
      </table>
      {canEdit && !mode && <button className="btn" onClick={() => setMode({ kind: 'add' })}>Add parameters</button>}
      {canEdit && mode && <ParameterForm key={mode.kind + (mode.kind === 'add' ? '' : mode.from.id)} mode={mode} onDone={() => setMode(null)} />}
    </section>
  );
}

function ParameterForm({ mode, onDone }: { mode: ParamMode; onDone: () => void }) {
  const from = mode.kind === 'add' ? undefined : mode.from;
  const [v, setV] = useState({ clientBank: from?.clientBank ?? '', currency: from?.currency ?? '', estimatedArrival: from?.estimatedArrival ?? '', fee: decimalText(from?.fee) });
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const change = useChange(['clientBank', 'currency', 'estimatedArrival', 'fee', 'rowVersion']);
  const errors = { ...change.byField, ...local };
  const set = (p: Partial<typeof v>) => setV({ ...v, ...p });
  const title = mode.kind === 'add' ? 'Add withdrawal parameters' : mode.kind === 'edit' ? 'Edit withdrawal parameters' : 'Copy withdrawal parameters';
  const submit = async () => {
    const fee = v.fee.trim() ? amountText(v.fee) : null;
    if (v.fee.trim() && !fee) { setLocal({ fee: ['Enter an amount (digits, at most 8 decimals).'] }); return; }
    setLocal({});
    const body = { clientBank: v.clientBank.trim(), currency: v.currency.trim().toUpperCase(), estimatedArrival: v.estimatedArrival.trim() || null, fee };
    const r = mode.kind === 'add' ? await change.run(() => fiatConfig.addParameter(body))
      : mode.kind === 'edit' ? await change.run(() => fiatConfig.editParameter(mode.from.id, { ...body, rowVersion: mode.from.rowVersion }))
        : await change.run(() => fiatConfig.copyParameter(mode.from.id, body));
    if (r) onDone();
  };
  return (
    <form className="card" aria-label={title} data-testid="fiat-parameter-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3>{title}</h3>
      {change.status}
      <div className="row wrap">
        <Field label="Client bank" name="clientBank" errors={errors}>{(a) => <input {...a} value={v.clientBank} onChange={(e) => set({ clientBank: e.target.value })} />}</Field>
        <Field label="Currency" name="currency" errors={errors}>{(a) => <input {...a} value={v.currency} maxLength={3} onChange={(e) => set({ currency: e.target.value })} />}</Field>
        <Field label="Estimated arrival" name="estimatedArrival" errors={errors}>{(a) => <input {...a} value={v.estimatedArrival} onChange={(e) => set({ estimatedArrival: e.target.value })} placeholder="e.g. T+1" />}</Field>
        <Field label="Fee" name="fee" errors={errors}>{(a) => <input {...a} inputMode="decimal" value={v.fee} onChange={(e) => set({ fee: e.target.value })} />}</Field>
      </div>
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={change.busy}>{mode.kind === 'copy' ? 'Save copy' : 'Save'}</button>
        <button className="btn btn-ghost" type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
