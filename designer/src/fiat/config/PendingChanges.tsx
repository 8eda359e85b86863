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

/** Where the changes come from: the fiat configuration (default) or another family's (the crypto coins), same shape. */
export type PendingSource = {
  queryKey: string[];
  refresh: string[];
  list: (status: string) => Promise<PendingChange[]>;
  approve: (id: string) => Promise<PendingChange>;
  reject: (id: string, reason: string) => Promise<PendingChange>;
  testId: string;
};

const FIAT: PendingSource = {
  queryKey: ['fiat-config', 'pending-changes'],
  refresh: ['fiat-config'],
  list: (status) => fiatConfig.pendingChanges(status),
  approve: (id) => fiatConfig.approvePending(id),
  reject: (id, reason) => fiatConfig.rejectPending(id, reason),
  testId: 'fiat',
};

/**
 * Changes that weaken a control wait here for a second holder of `fiat:configure` (ADR 15): before → after, who
 * proposed, and Approve / Reject (with a reason). The proposer is offered no Approve; the server refuses it anyway.
 */
export function PendingChanges({ canEdit, source = FIAT }: { canEdit: boolean; source?: PendingSource }) {
  const { me } = useAuth();
  const [status, setStatus] = useState<string>('Pending');
  const [rejecting, setRejecting] = useState<string | null>(null);
  const q = useQuery({ queryKey: [...source.queryKey, status], queryFn: () => source.list(status) });
  const decide = useChange(['reason'], source.refresh);
  return (
    <section aria-label="Pending changes">
      <div className="filters row">
        <Field label="Status" name="pending-status" errors={{}}>
          {(a) => <select {...a} value={status} onChange={(e) => setStatus(e.target.value)} data-testid={`${source.testId}-pending-status`}>{STATUSES.map((s) => <option key={s}>{s}</option>)}</select>}
        </Field>
      </div>
      <ErrorBox error={q.error} />
      {decide.status}
      {q.isLoading ? <Spinner label="Loading pending changes…" /> : (
        <table className="table compact" data-testid={`${source.testId}-pending-changes`} aria-label="Pending changes">
          <thead><tr><th>Proposed</th><th>By</th><th>What</th><th>Before → after</th><th>Decision</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {(q.data ?? []).map((p) => (
              <tr key={p.id} data-testid={`${source.testId}-pending-row`}>
                <td>{fmtDate(p.proposedAt)}</td>
                <td data-testid="proposer">{p.proposedBy}</td>
                <td>{p.entity} <code>{p.entityKey}</code> · {p.action}<div className="small">{p.summary}</div></td>
                <td className="small" data-testid="diff">
                  {pendingChanges(p.before, p.body).map((c) => <div key={c.field}><b>{c.field}: </b><code>{c.before}</code> → <code>{c.after}</code></div>)}
                </td>
                <td>{p.status === 'Pending' ? 'Waiting' : `${p.status} by ${p.decidedBy ?? '—'}${p.reason ? ` (${p.reason})` : ''}`}</td>
                <td className="row">
                  {mayApprove(p, me, canEdit) && (
                    <button className="btn btn-sm btn-primary" disabled={decide.busy} onClick={() => void decide.run(() => source.approve(p.id))}
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
        <RejectForm key={rejecting} source={source} change={q.data.find((p) => p.id === rejecting)!} onDone={() => setRejecting(null)} />
      )}
    </section>
  );
}

function RejectForm({ source, change: p, onDone }: { source: PendingSource; change: PendingChange; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const change = useChange(['reason'], source.refresh);
  const errors = { ...change.byField, ...local };
  const submit = async () => {
    if (!reason.trim()) { setLocal({ reason: ['Say why the change is rejected.'] }); return; }
    setLocal({});
    if (await change.run(() => source.reject(p.id, reason.trim()))) onDone();
  };
  return (
    <FormCard title={`Reject: ${p.summary}`} testId={`${source.testId}-pending-reject`} change={change} onSubmit={() => void submit()} onCancel={onDone} submitLabel="Reject change">
      <Field label="Reason" name="reason" errors={errors} testId="reject-reason">
        {(a) => <input {...a} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
    </FormCard>
  );
}
