import { useQuery } from '@tanstack/react-query';
import { JournalTimeline } from '../common/Journal';
import { ErrorBox, Spinner, StatusBadge, fmtDate } from '../common/ui';
import { Link } from '../router';
import { formatMoney } from '../lib/money';
import { fiatOps } from './opsApi';
import type { FiatLifecycleEntry } from './opsApi';

/** One record and its lifecycle: the record's journal and its work orders', one timeline per flow instance. */
export function FiatRecordPage({ recordId }: { recordId: string }) {
  const record = useQuery({ queryKey: ['fiat-records', 'one', recordId], queryFn: () => fiatOps.get(recordId) });
  const life = useQuery({ queryKey: ['fiat-records', 'lifecycle', recordId], queryFn: () => fiatOps.lifecycle(recordId) });
  const r = record.data;
  const groups: { flow: string; instanceId: string; entries: FiatLifecycleEntry['entry'][] }[] = [];
  for (const e of life.data ?? []) {
    let g = groups.find((x) => x.instanceId === e.instanceId);
    if (!g) groups.push((g = { flow: e.flow, instanceId: e.instanceId, entries: [] }));
    g.entries.push(e.entry);
  }
  return (
    <div className="page" data-testid="fiat-record-page">
      <p><Link to="/inbox/fiat/withdrawals">← Withdrawals</Link></p>
      <ErrorBox error={record.error} />
      {record.isLoading && <Spinner label="Loading the record…" />}
      {r && (
        <section className="card" aria-label={`Record ${r.recordNo}`}>
          <h2>{r.recordNo} <StatusBadge status={r.status} testId="fiat-record-status" /></h2>
          <dl className="kv fiat-kv" data-testid="fiat-record">
            <div><dt>Customer</dt><dd>{r.customerId}</dd></div>
            <div><dt>Amount</dt><dd>{formatMoney(r.amount, r.currency)}</dd></div>
            <div><dt>Fee</dt><dd>{formatMoney(r.fee, r.currency)}</dd></div>
            <div><dt>Beneficiary</dt><dd>{[r.beneficiaryName, r.beneficiaryBank, r.bankAccount].filter(Boolean).join(' · ')}</dd></div>
            <div><dt>Channel</dt><dd>{r.channel ?? '—'} {r.policy && <span className="muted">({r.policy})</span>}</dd></div>
            <div><dt>Reconciliation</dt><dd>{r.reconciliation ?? '—'}</dd></div>
            {r.batchId && <div><dt>Batch</dt><dd>{r.batchId}</dd></div>}
            {r.bankReference && <div><dt>Bank reference</dt><dd>{r.bankReference}</dd></div>}
            {r.repaymentOf && <div><dt>Repayment of</dt><dd>{r.repaymentOf}</dd></div>}
            <div><dt>Business day</dt><dd>{r.businessDay}</dd></div>
            <div><dt>Created</dt><dd>{fmtDate(r.createdAt)}</dd></div>
            {r.openTaskId && <div><dt>Open task</dt><dd><Link to={`/inbox/tasks/${r.openTaskId}`}>{r.openActivityId ?? 'open task'}</Link></dd></div>}
          </dl>
        </section>
      )}
      <section className="card" aria-label="Lifecycle" data-testid="fiat-lifecycle">
        <h3>Lifecycle</h3>
        <ErrorBox error={life.error} />
        {life.isLoading && <Spinner small />}
        {groups.map((g) => (
          <div key={g.instanceId}>
            <h4>{g.flow} <span className="muted small">{g.instanceId}</span></h4>
            <JournalTimeline entries={g.entries} />
          </div>
        ))}
      </section>
    </div>
  );
}
