// Withdrawal exceptions: Exception Processing in bulk (Set as Successful, Set as Failed, Repayment, Resubmit, with a
// comment), then the To be reviewed list, where a second person approves or sends the resolution back.
import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ErrorBox, Pager, StatusBadge, fmtDate } from '../../common/ui';
import { emptyRecordFilters } from '../../lib/fiat';
import { formatMoney } from '../../lib/money';
import { Link } from '../../router';
import { fiatOps } from '../opsApi';
import type { FiatRecord } from '../opsApi';
import { exceptionsApi } from './api';
import type { FiatBulkResult } from './api';
import { BulkResults, OpsNav, ReasonDialog, useBulkAction } from './common';
import { RESOLUTIONS, clampPage } from './logic';
import type { Resolution } from './logic';

const EXCEPTION = 'Withdrawal Exception';
const REVIEW = 'To be reviewed';
// One page of each list; the server pages and counts (total), so no record beyond the first page is hidden.
const PAGE_SIZE = 50;

export function ExceptionsPage() {
  return (
    <div className="page" data-testid="fiat-exceptions-page">
      <OpsNav />
      <h2>Withdrawal exceptions</h2>
      <ExceptionList status={EXCEPTION} />
      <ExceptionList status={REVIEW} />
    </div>
  );
}

function ExceptionList({ status }: { status: typeof EXCEPTION | typeof REVIEW }) {
  const key = status === EXCEPTION ? 'exceptions' : 'review';
  const [page, setPage] = useState(1);
  const list = useQuery({ queryKey: ['fiat-records', 'status', status, page], queryFn: () => fiatOps.list({ ...emptyRecordFilters, status }, page, PAGE_SIZE), refetchInterval: 10_000 });
  const total = list.data?.total;
  // Records resolved meanwhile may leave this page empty: go back to the last page there is.
  useEffect(() => {
    if (total !== undefined) setPage((p) => clampPage(p, total, PAGE_SIZE));
  }, [total]);
  const [selected, setSelected] = useState<string[]>([]);
  const [dialog, setDialog] = useState<Resolution | 'Reject' | null>(null);
  const { busy, error, setError, results, setResults, run } = useBulkAction<FiatBulkResult>(setSelected);
  const rows: FiatRecord[] = list.data?.items ?? [];

  const act = async (action: string, call: () => Promise<FiatBulkResult[]>) => {
    if (await run(action, call)) setDialog(null);
  };
  const label = (r: Resolution | 'Reject') => RESOLUTIONS.find((x) => x.value === r)?.label ?? r;
  const toggle = (no: string) => setSelected((s) => (s.includes(no) ? s.filter((x) => x !== no) : [...s, no]));

  return (
    <section aria-label={status} data-testid={`fiat-${key}`}>
      <h3>{status} <span className="muted">({list.data?.total ?? 0})</span></h3>
      <div className="row" role="toolbar" aria-label={`${status} actions`}>
        <span className="muted">{selected.length} selected</span>
        {status === EXCEPTION
          ? RESOLUTIONS.map((r) => (
            <button key={r.value} className="btn btn-sm" disabled={!selected.length || busy} onClick={() => setDialog(r.value)} data-testid={`resolve-${r.value}`}>{r.label}…</button>
          ))
          : <>
            <button className="btn btn-primary btn-sm" disabled={!selected.length || busy} data-testid="review-approve"
              onClick={() => void act('Approve', () => exceptionsApi.review(selected, 'Approve'))}>Approve</button>
            <button className="btn btn-sm" disabled={!selected.length || busy} onClick={() => setDialog('Reject')} data-testid="review-reject">Send back…</button>
          </>}
      </div>
      <ErrorBox error={list.error ?? (dialog ? null : error)} />
      {results && <BulkResults action={results.action} list={results.list} onClose={() => setResults(null)} testId={`fiat-${key}-result`} />}
      <table className="table compact" aria-label={`${status} records`}>
        <thead><tr><th><span className="sr-only">Select</span></th><th>Record no</th><th>Customer</th><th className="num">Amount</th><th>Channel</th><th>Status</th><th>Bank reference</th><th>Updated</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid={`fiat-${key}-${r.recordNo}`}>
              <td><input type="checkbox" aria-label={`Select ${r.recordNo}`} checked={selected.includes(r.recordNo)} onChange={() => toggle(r.recordNo)} /></td>
              <td><Link to={`/inbox/fiat/withdrawals/${encodeURIComponent(r.recordNo)}`}>{r.recordNo}</Link></td>
              <td>{r.customerId}</td>
              <td className="num">{formatMoney(r.amount, r.currency)}</td>
              <td>{r.channel ?? '—'}</td>
              <td><StatusBadge status={r.status} testId="status" /></td>
              <td>{r.bankReference ?? '—'}</td>
              <td>{fmtDate(r.updatedAt)}</td>
            </tr>
          ))}
          {list.data && rows.length === 0 && <tr><td colSpan={8} className="empty">None.</td></tr>}
        </tbody>
      </table>
      {list.data && <Pager page={page} pageSize={PAGE_SIZE} total={list.data.total} onPage={setPage} />}
      {dialog && (
        <ReasonDialog title={dialog === 'Reject' ? `Send ${selected.length} back to the exception` : `${label(dialog)}: ${selected.length} record(s)`}
          label="Comment" confirm={dialog === 'Reject' ? 'Send back' : label(dialog)} busy={busy} testId={`fiat-${key}-dialog`}
          error={<ErrorBox error={error} />} onCancel={() => { setDialog(null); setError(null); }}
          onConfirm={(comment) => void (dialog === 'Reject'
            ? act('Send back', () => exceptionsApi.review(selected, 'Reject', comment))
            : act(label(dialog), () => exceptionsApi.resolve(selected, dialog, comment)))}>
          <p className="muted">
            {dialog === 'Reject' ? 'The records return to Withdrawal Exception.'
              : 'The records move to To be reviewed; the resolution takes effect when someone else approves it.'}
          </p>
        </ReasonDialog>
      )}
    </section>
  );
}
