// Batches (Batch Pending page of the manual): the list, and one batch with its records, its work order, its bank file
// (pain.001 or CSV, once the work order let it go) and View and update results for channels without automatic status.
import { useState } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorBox, Pager, StatusBadge, fmtDate } from '../../common/ui';
import { formatMoney } from '../../lib/money';
import { Link } from '../../router';
import { fiatConfig } from '../api';
import { batchFile, batchesApi } from './api';
import type { FiatBatch, FiatBulkResult } from './api';
import { BulkResults, OpsNav } from './common';

const PAGE_SIZE = 20;
const BATCH_STATUSES = ['Batch Pending', 'Paying', 'Rejected', 'Refused', 'Completed'];

export function BatchesPage() {
  const [status, setStatus] = useState('');
  const [channel, setChannel] = useState('');
  const [page, setPage] = useState(1);
  const list = useQuery({ queryKey: ['fiat-batches', status, channel, page], queryFn: () => batchesApi.list({ status, channel, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData, refetchInterval: 10_000 });
  const channels = useQuery({ queryKey: ['fiat-config', 'channels'], queryFn: fiatConfig.channels });
  const rows = list.data?.items ?? [];
  return (
    <div className="page" data-testid="fiat-batches-page">
      <OpsNav />
      <h2>Batches</h2>
      <div className="filters" role="group" aria-label="Filter batches">
        <label>Status
          <select value={status} onChange={(e) => { setStatus(e.target.value); setPage(1); }} data-testid="batch-filter-status">
            <option value="">All</option>
            {BATCH_STATUSES.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>Channel
          <select value={channel} onChange={(e) => { setChannel(e.target.value); setPage(1); }} data-testid="batch-filter-channel">
            <option value="">All</option>
            {(channels.data ?? []).map((c) => <option key={c.id} value={c.id}>{c.id}</option>)}
          </select>
        </label>
      </div>
      <ErrorBox error={list.error} />
      <table className="table compact" aria-label="Batches" data-testid="fiat-batches">
        <thead><tr><th>Batch</th><th>Channel</th><th>Policy</th><th className="num">Records</th><th className="num">Total</th><th>Status</th><th>Packed by</th><th>Created</th></tr></thead>
        <tbody>
          {rows.map((b) => (
            <tr key={b.id} data-testid={`fiat-batch-${b.id}`}>
              <td><Link to={`/inbox/fiat/ops/batches/${encodeURIComponent(b.id)}`}>{b.id}</Link></td>
              <td>{b.channelId}</td>
              <td>{b.policy ?? '—'}</td>
              <td className="num">{b.count}</td>
              <td className="num">{formatMoney(b.total, b.currency)}</td>
              <td><StatusBadge status={b.status} testId="status" /></td>
              <td>{b.createdBy}</td>
              <td>{fmtDate(b.createdAt)}</td>
            </tr>
          ))}
          {list.data && rows.length === 0 && <tr><td colSpan={8} className="empty">No batches.</td></tr>}
        </tbody>
      </table>
      {list.data && <Pager page={page} pageSize={PAGE_SIZE} total={list.data.total} onPage={setPage} />}
    </div>
  );
}

export function BatchDetailPage({ batchId }: { batchId: string }) {
  const batch = useQuery({ queryKey: ['fiat-batch', batchId], queryFn: () => batchesApi.get(batchId), refetchInterval: 5_000 });
  const channels = useQuery({ queryKey: ['fiat-config', 'channels'], queryFn: fiatConfig.channels });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const b = batch.data;
  const channel = channels.data?.find((c) => c.id === b?.channelId);
  const download = async () => {
    setError(null);
    try { setSaved(await batchFile(batchId)); } catch (e) { setError(e); }
  };
  return (
    <div className="page" data-testid="fiat-batch-page">
      <OpsNav />
      <div className="row spread">
        <h2>Batch {batchId}</h2>
        <button className="btn" onClick={() => void download()} disabled={!b?.fileName} data-testid="fiat-batch-download"
          title={b?.fileName ? undefined : 'The file exists once the work order let the batch go'}>
          Download bank file{b?.fileName ? ` (${b.fileName})` : ''}
        </button>
      </div>
      <ErrorBox error={batch.error ?? error} />
      {saved && <p className="muted" data-testid="fiat-batch-saved">Saved {saved}.</p>}
      {b && (
        <>
          <dl className="kv fiat-kv" data-testid="fiat-batch-summary">
            <div><dt>Status</dt><dd><StatusBadge status={b.status} testId="status" /></dd></div>
            <div><dt>Channel</dt><dd>{b.channelId} ({b.policy ?? '—'})</dd></div>
            <div><dt>Total</dt><dd data-testid="total">{formatMoney(b.total, b.currency)} in {b.count} records</dd></div>
            <div><dt>Packed by</dt><dd>{b.createdBy}, {fmtDate(b.createdAt)}</dd></div>
            <div><dt>Bank reference</dt><dd>{b.bankReference ?? '—'}</dd></div>
            {b.reason && <div><dt>Reason</dt><dd>{b.reason}</dd></div>}
            <div>
              <dt>Work order</dt>
              <dd data-testid="fiat-batch-workorder">
                {b.workOrder ? (
                  <>
                    <Link to={`/inbox/tasks/${b.workOrder.taskId}`} data-testid="fiat-batch-workorder-link">whale.withdraw.batch</Link>
                    {' '}{b.workOrder.status === 'Open' ? `waits for a checker (${b.workOrder.businessStatus ?? 'open'})` : `${b.workOrder.closedAction ?? b.workOrder.status} by ${b.workOrder.closedBy ?? '—'}, ${fmtDate(b.workOrder.closedAt)}`}
                  </>
                ) : b.policy === 'BatchAuto' ? 'none (Batch Auto)' : 'not started yet'}
              </dd>
            </div>
          </dl>
          <BatchItems batch={b} manual={channel ? !channel.automaticStatus : false} />
        </>
      )}
    </div>
  );
}

/** The batch's records; for a channel without automatic status, the result of each as the bank reported it elsewhere. */
function BatchItems({ batch, manual }: { batch: FiatBatch; manual: boolean }) {
  const qc = useQueryClient();
  const [entered, setEntered] = useState<Record<string, { result: '' | 'Success' | 'Failed'; reason: string }>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [results, setResults] = useState<FiatBulkResult[] | null>(null);
  const canEnter = manual && batch.status === 'Paying' && batch.finished;
  const lines = Object.entries(entered).filter(([, v]) => v.result);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      setResults(await batchesApi.results(batch.id, lines.map(([record, v]) => ({ record, success: v.result === 'Success', reason: v.reason.trim() || null }))));
      setEntered({});
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      await qc.invalidateQueries({ queryKey: ['fiat-batch', batch.id] });
    }
  };
  const errors = (error as { problem?: { errors?: Record<string, string[]> } } | null)?.problem?.errors ?? {};
  return (
    <>
      <h3>Records</h3>
      <table className="table compact" aria-label="Records of the batch" data-testid="fiat-batch-items">
        <thead><tr><th>Record no</th><th className="num">Amount</th><th>Record status</th><th>Result</th>{canEnter && <th>Update result</th>}</tr></thead>
        <tbody>
          {(batch.items ?? []).map((i) => {
            const v = entered[i.recordNo] ?? { result: '', reason: '' };
            const at = lines.findIndex(([no]) => no === i.recordNo);
            const fieldError = at >= 0 ? [...(errors[`results[${at}].reason`] ?? []), ...(errors[`results[${at}].record`] ?? [])].join(' ') : '';
            return (
              <tr key={i.recordNo} data-testid={`fiat-batch-item-${i.recordNo}`}>
                <td><Link to={`/inbox/fiat/withdrawals/${encodeURIComponent(i.recordNo)}`}>{i.recordNo}</Link></td>
                <td className="num">{formatMoney(i.amount, batch.currency)}</td>
                <td><StatusBadge status={i.recordStatus} testId="status" /></td>
                <td data-testid="result">{i.result ? `${i.result}${i.reason ? ` — ${i.reason}` : ''}` : '—'}</td>
                {canEnter && (
                  <td className="row">
                    <select aria-label={`Result of ${i.recordNo}`} value={v.result} disabled={!!i.result}
                      onChange={(e) => setEntered({ ...entered, [i.recordNo]: { ...v, result: e.target.value as typeof v.result } })} data-testid="result-select">
                      <option value="">—</option><option>Success</option><option>Failed</option>
                    </select>
                    {v.result === 'Failed' && (
                      <input aria-label={`Failure reason of ${i.recordNo}`} placeholder="Reason (required)" value={v.reason}
                        onChange={(e) => setEntered({ ...entered, [i.recordNo]: { ...v, reason: e.target.value } })} data-testid="result-reason"
                        aria-invalid={!!fieldError} />
                    )}
                    {fieldError && <span className="field-error">{fieldError}</span>}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {canEnter && (
        <div className="row">
          <button className="btn btn-primary" disabled={busy || lines.length === 0} onClick={() => void save()} data-testid="fiat-batch-results-save">
            Save {lines.length} result{lines.length === 1 ? '' : 's'}
          </button>
        </div>
      )}
      {Object.keys(errors).length === 0 && <ErrorBox error={error} />}
      {Object.keys(errors).length > 0 && <p className="field-error" role="alert">Some results are not valid; nothing was saved.</p>}
      {results && <BulkResults action="Results" list={results.map((r) => ({ ...r, businessStatus: r.businessStatus ?? (r.ok ? 'entered' : null) }))}
        onClose={() => setResults(null)} testId="fiat-batch-results-answer" />}
    </>
  );
}
