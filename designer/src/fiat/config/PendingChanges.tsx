import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useAuth } from '../../auth';
import { ErrorBox, Spinner, fmtDate } from '../../common/ui';
import { fiatConfig } from '../api';
import type { PendingChange } from '../api';
import { Field, useChange } from '../forms';
import { FormCard } from './kit';
import { mayApprove, pendingChanges } from './logic';

const STATUSES = ['Pending', 'Approved', 'Rejected'] as const;

/**
 * Changes that weaken a control wait here for a second holder of `fiat:configure` (ADR 15): before → after, who
 * proposed, and Approve / Reject (with a reason). The proposer is offered no Approve; the server refuses it anyway.
 */
export function PendingChanges({ canEdit }: { canEdit: boolean }) {
  const { me } = useAuth();
  const [status, setStatus] = useState<string>('Pending');
  const [rejecting, setRejecting] = useState<string | null>(null);
  const q = useQuery({ queryKey: ['fiat-config', 'pending-changes', status], queryFn: () => fiatConfig.pendingChanges(status) });
  const decide = useChange(['reason']);
  return (
    <section aria-label="Pending changes">
      <div className="filters row">
        <Field label="Status" name="pending-status" errors={{}}>
          {(a) => <select {...a} value={status} onChange={(e) => setStatus(e.target.value)} data-testid="fiat-pending-status">{STATUSES.map((s) => <option key={s}>{s}</option>)}</select>}
        </Field>
      </div>
      <ErrorBox error={q.error} />
      {decide.status}
      {q.isLoading ? <Spinner label="Loading pending changes…" /> : (
        <table className="table compact" data-testid="fiat-pending-changes" aria-label="Pending changes">
          <thead><tr><th>Proposed</th><th>By</th><th>What</th><th>Before → after</th><th>Decision</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {(q.data ?? []).map((p) => (
              <tr key={p.id} data-testid="fiat-pending-row">
                <td>{fmtDate(p.proposedAt)}</td>
                <td data-testid="proposer">{p.proposedBy}</td>
                <td>{p.entity} <code>{p.entityKey}</code> · {p.action}<div className="small">{p.summary}</div></td>
                <td className="small" data-testid="diff">
                  {pendingChanges(p.before, p.body).map((c) => <div key={c.field}><b>{c.field}: </b><code>{c.before}</code> → <code>{c.after}</code></div>)}
                </td>
                <td>{p.status === 'Pending' ? 'Waiting' : `${p.status} by ${p.decidedBy ?? '—'}${p.reason ? ` (${p.reason})` : ''}`}</td>
                <td className="row">
                  {mayApprove(p, me, canEdit) && (
                    <button className="btn btn-sm btn-primary" disabled={decide.busy} onClick={() => void decide.run(() => fiatConfig.approvePending(p.id))}
                      aria-label={`Approve ${p.summary}`}>Approve</button>
                  )}
                  {canEdit && p.status === 'Pending' && (
                    <button className="btn btn-sm btn-ghost" onClick={() => setRejecting(rejecting === p.id ? null : p.id)} aria-label={`Reject ${p.summary}`} aria-expanded={rejecting === p.id}>Reject</button>
                  )}
                </td>
              </tr>
            ))}
            {q.data?.length === 0 && <tr><td colSpan={6} className="empty">No {status.toLowerCase()} changes.</td></tr>}
          </tbody>
        </table>
      )}
      {rejecting && q.data?.find((p) => p.id === rejecting) && (
        <RejectForm key={rejecting} change={q.data.find((p) => p.id === rejecting)!} onDone={() => setRejecting(null)} />
      )}
    </section>
  );
}

function RejectForm({ change: p, onDone }: { change: PendingChange; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const change = useChange(['reason']);
  const errors = { ...change.byField, ...local };
  const submit = async () => {
    if (!reason.trim()) { setLocal({ reason: ['Say why the change is rejected.'] }); return; }
    setLocal({});
    if (await change.run(() => fiatConfig.rejectPending(p.id, reason.trim()))) onDone();
  };
  return (
    <FormCard title={`Reject: ${p.summary}`} testId="fiat-pending-reject" change={change} onSubmit={() => void submit()} onCancel={onDone} submitLabel="Reject change">
      <Field label="Reason" name="reason" errors={errors} testId="reject-reason">
        {(a) => <input {...a} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
    </FormCard>
  );
}
