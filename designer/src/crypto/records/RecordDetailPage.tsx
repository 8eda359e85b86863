import { useQuery } from '@tanstack/react-query';
import { JournalTimeline } from '../../common/Journal';
import { ErrorBox, Spinner, StatusBadge, fmtDate } from '../../common/ui';
import { Link } from '../../router';
import { cryptoRecords } from './api';
import type { CryptoHistoryEntry } from './api';
import { groupAmount, progressPercent, progressText } from './logic';
import type { RecordKind } from './logic';

const FLOW_NAMES: Record<string, string> = {
  'crypto-coin-withdrawal': 'Withdrawal record',
  'crypto-deposit': 'Deposit record',
  'work-order-approval': 'Work order',
};

function Progress({ label, p, testId }: { label: string; p: { txid?: string | null; seen: number; required: number } | null | undefined; testId: string }) {
  const pct = p?.txid ? progressPercent(p.seen, p.required) : 0;
  return (
    <div className="field" data-testid={testId}>
      <span className="field-label">{label}</span>
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={p?.required ?? 0} aria-valuenow={p?.txid ? Math.min(p.seen, p.required) : 0}
        style={{ background: '#e5e7eb', borderRadius: 4, height: 10, width: 320 }}>
        <div style={{ background: pct >= 100 ? '#16a34a' : '#2563eb', borderRadius: 4, height: 10, width: `${pct}%` }} />
      </div>
      <span className="small" data-testid="progress-text">{progressText(p)}</span>
    </div>
  );
}

/** One record: its facts, the reasons it carries, confirmation progress, open tasks and its history with the work orders'. */
export function CryptoRecordDetailPage({ kind, recordId }: { kind: RecordKind; recordId: string }) {
  const detail = useQuery({ queryKey: ['crypto-records', kind, 'one', recordId], queryFn: () => cryptoRecords.get(kind, recordId), refetchInterval: 10_000 });
  const d = detail.data;
  const r = d?.record;
  const groups: { flow: string; instanceId: string; entries: CryptoHistoryEntry['entry'][] }[] = [];
  for (const e of d?.history ?? []) {
    let g = groups.find((x) => x.instanceId === e.instanceId);
    if (!g) groups.push((g = { flow: e.flow, instanceId: e.instanceId, entries: [] }));
    g.entries.push(e.entry);
  }
  const deposit = kind === 'deposits';
  return (
    <div className="page" data-testid="crypto-record-page">
      <p><Link to={`/inbox/crypto/${kind}`}>← {deposit ? 'Crypto deposits' : 'Crypto withdrawals'}</Link></p>
      <ErrorBox error={detail.error} />
      {detail.isLoading && <Spinner label="Loading the record…" />}
      {r && d && (
        <section className="card" aria-label={`Record ${r.recordNo}`}>
          <h2>{r.recordNo} <StatusBadge status={r.status} testId="crypto-record-status" /></h2>
          <dl className="kv fiat-kv" data-testid="crypto-record">
            <div><dt>Customer</dt><dd>{r.customer}</dd></div>
            <div><dt>Coin</dt><dd>{r.coin} ({r.network})</dd></div>
            <div><dt>Amount</dt><dd data-testid="crypto-amount">{groupAmount(r.amountText)} {r.coin}</dd></div>
            {!deposit && <div><dt>Fee</dt><dd>{r.fee === null || r.fee === undefined ? '—' : `${String(r.fee)} ${r.coin}`}</dd></div>}
            <div><dt>{deposit ? 'Deposit address' : 'Destination address'}</dt><dd className="mono">{r.address ?? '—'}</dd></div>
            <div><dt>TXID</dt><dd className="mono">{r.txid ?? '—'}</dd></div>
            {r.refundAddress && <div><dt>Refund address</dt><dd className="mono">{r.refundAddress}</dd></div>}
            <div><dt>Created</dt><dd>{fmtDate(r.createdAt)}</dd></div>
            {r.completedAt && <div><dt>Finished</dt><dd>{fmtDate(r.completedAt)}</dd></div>}
            {Object.entries(d.reasons).map(([k, v]) => <div key={k} data-testid={`reason-${k}`}><dt>{k}</dt><dd>{v}</dd></div>)}
            {d.openTasks.map((t) => <div key={t.id}><dt>Open task</dt><dd><Link to={`/inbox/tasks/${t.id}`}>{t.title}</Link></dd></div>)}
          </dl>
          <Progress label="Block confirmations" p={r.confirmations} testId="crypto-progress" />
          {r.refund && <Progress label="Refund confirmations" p={r.refund} testId="crypto-refund-progress" />}
        </section>
      )}
      <section className="card" aria-label="History" data-testid="crypto-history">
        <h3>History</h3>
        {groups.map((g) => (
          <div key={g.instanceId}>
            <h4>{FLOW_NAMES[g.flow] ?? g.flow} <span className="muted small">{g.instanceId}</span></h4>
            <JournalTimeline entries={g.entries} />
          </div>
        ))}
      </section>
    </div>
  );
}
