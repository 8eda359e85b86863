import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useAuth } from '../auth';
import { ErrorBox, Modal, Notice, Pager, StatusBadge, fmtDate } from '../common/ui';
import { Link } from '../router';
import { FIAT_RIGHTS, FIAT_STATUSES, bulkSummary, emptyRecordFilters, orderCards } from '../lib/fiat';
import type { RecordFilters } from '../lib/fiat';
import { formatMoney } from '../lib/money';
import { fiatConfig } from './api';
import { NewApplication } from './NewApplication';
import { downloadRecordsCsv, fiatOps } from './opsApi';
import type { FiatBulkResult, FiatRecord } from './opsApi';
import { OpsNav, useBulkAction } from './ops/common';
import { cardSums } from './ops/logic';
import { PackDialog } from './ops/PackDialog';

const PAGE_SIZE = 20;

/** Operations: indicator cards, the records list with the manual's filters, CSV export and the bulk actions. */
export function WithdrawalsPage() {
  const { me } = useAuth();
  const [draft, setDraft] = useState<RecordFilters>(emptyRecordFilters);
  const [f, setF] = useState<RecordFilters>(emptyRecordFilters);
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<string[]>([]);
  const [rejecting, setRejecting] = useState(false);
  const [creating, setCreating] = useState(false);
  const [packing, setPacking] = useState<FiatRecord[] | null>(null);
  const { busy, error, setError, results, setResults, run } = useBulkAction<FiatBulkResult>(setSelected);

  const apply = (next: RecordFilters) => { setDraft(next); setF(next); setPage(1); setSelected([]); };
  const list = useQuery({ queryKey: ['fiat-records', f, page], queryFn: () => fiatOps.list(f, page, PAGE_SIZE), placeholderData: keepPreviousData, refetchInterval: 15_000 });
  const cards = useQuery({ queryKey: ['fiat-cards', f.channel, f.currency], queryFn: () => fiatOps.cards(f.channel, f.currency), refetchInterval: 15_000 });
  const channels = useQuery({ queryKey: ['fiat-config', 'channels'], queryFn: fiatConfig.channels });
  const currencies = useQuery({ queryKey: ['fiat-config', 'currencies'], queryFn: fiatConfig.currencies });

  const rows = list.data?.items ?? [];
  const toggle = (no: string) => setSelected((s) => (s.includes(no) ? s.filter((x) => x !== no) : [...s, no]));
  const allOnPage = rows.length > 0 && rows.every((r) => selected.includes(r.recordNo));

  const bulk = async (action: 'Submit' | 'Reject', comment?: string) => {
    if (await run(action, () => (action === 'Submit' ? fiatOps.submit(selected, comment) : fiatOps.reject(selected, comment ?? '')))) setRejecting(false);
  };
  const exportCsv = async () => {
    setError(null);
    try { await downloadRecordsCsv(f); } catch (e) { setError(e); }
  };
  const summary = results && bulkSummary(results.list);

  return (
    <div className="page" data-testid="fiat-withdrawals-page">
      <OpsNav />
      <div className="row spread">
        <h2>Withdrawals</h2>
        <div className="row">
          {me?.rights.includes(FIAT_RIGHTS.submit) && <button className="btn" onClick={() => setCreating(true)} data-testid="fiat-new">New application</button>}
          <button className="btn btn-sm" onClick={() => void exportCsv()} data-testid="fiat-export">Export CSV</button>
        </div>
      </div>

      <div className="fiat-cards" role="group" aria-label="Records per status" data-testid="fiat-cards">
        {orderCards(cards.data ?? []).map((c) => (
          <button key={c.status} className="fiat-card" aria-pressed={f.status === c.status} onClick={() => apply({ ...f, status: f.status === c.status ? '' : c.status })}
            data-testid={`fiat-card-${c.status}`} aria-label={`${c.status}: ${c.count} records, ${cardSums(c.sums)}`}>
            <span className="label">{c.status}</span>
            <span className="count" data-testid="count">{c.count}</span>
            {/* one sum per currency: amounts of different currencies never add up */}
            <span className="sum" data-testid="sum">{cardSums(c.sums)}</span>
          </button>
        ))}
        {cards.data?.length === 0 && <span className="muted">No records yet.</span>}
      </div>
      <ErrorBox error={cards.error} title="Cards" />

      <form className="filters" aria-label="Filter records" data-testid="fiat-filters" onSubmit={(e) => { e.preventDefault(); apply(draft); }}>
        <label>Record no<input value={draft.recordNo} onChange={(e) => setDraft({ ...draft, recordNo: e.target.value })} data-testid="filter-recordNo" /></label>
        <label>Customer<input value={draft.customerId} onChange={(e) => setDraft({ ...draft, customerId: e.target.value })} data-testid="filter-customerId" /></label>
        <label>Status
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })} data-testid="filter-status">
            <option value="">All</option>
            {FIAT_STATUSES.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>Channel
          <select value={draft.channel} onChange={(e) => setDraft({ ...draft, channel: e.target.value })} data-testid="filter-channel">
            <option value="">All</option>
            {(channels.data ?? []).map((c) => <option key={c.id} value={c.id}>{c.id}</option>)}
          </select>
        </label>
        <label>Currency
          <select value={draft.currency} onChange={(e) => setDraft({ ...draft, currency: e.target.value })} data-testid="filter-currency">
            <option value="">All</option>
            {(currencies.data ?? []).map((c) => <option key={c.code}>{c.code}</option>)}
          </select>
        </label>
        <label>Created from<input type="date" value={draft.createdFrom} onChange={(e) => setDraft({ ...draft, createdFrom: e.target.value })} data-testid="filter-createdFrom" /></label>
        <label>Created to<input type="date" value={draft.createdTo} onChange={(e) => setDraft({ ...draft, createdTo: e.target.value })} data-testid="filter-createdTo" /></label>
        <label>Amount from<input inputMode="decimal" value={draft.amountFrom ?? ''} onChange={(e) => setDraft({ ...draft, amountFrom: e.target.value })} data-testid="filter-amountFrom" /></label>
        <label>Amount to<input inputMode="decimal" value={draft.amountTo ?? ''} onChange={(e) => setDraft({ ...draft, amountTo: e.target.value })} data-testid="filter-amountTo" /></label>
        <label>Batch<input value={draft.batchId ?? ''} onChange={(e) => setDraft({ ...draft, batchId: e.target.value })} data-testid="filter-batchId" /></label>
        <label>Reconciliation
          <select value={draft.reconciliation ?? ''} onChange={(e) => setDraft({ ...draft, reconciliation: e.target.value })} data-testid="filter-reconciliation">
            <option value="">All</option><option>Unmatch</option><option>Matched</option>
          </select>
        </label>
        <label>Paid from<input type="date" value={draft.paidFrom ?? ''} onChange={(e) => setDraft({ ...draft, paidFrom: e.target.value })} data-testid="filter-paidFrom" /></label>
        <label>Paid to<input type="date" value={draft.paidTo ?? ''} onChange={(e) => setDraft({ ...draft, paidTo: e.target.value })} data-testid="filter-paidTo" /></label>
        <button className="btn btn-primary" type="submit" data-testid="filter-apply">Search</button>
        <button className="btn btn-ghost" type="button" onClick={() => apply(emptyRecordFilters)}>Reset</button>
      </form>

      <div className="row" role="toolbar" aria-label="Bulk actions" data-testid="fiat-bulk">
        <span className="muted">{selected.length} selected</span>
        <button className="btn btn-primary btn-sm" disabled={!selected.length || busy} onClick={() => void bulk('Submit')} data-testid="fiat-bulk-submit">Submit</button>
        <button className="btn btn-sm" disabled={!selected.length || busy} onClick={() => setRejecting(true)} data-testid="fiat-bulk-reject">Reject…</button>
        <button className="btn btn-sm" disabled={!selected.length || busy} data-testid="fiat-bulk-pack"
          onClick={() => void Promise.all(selected.map((no) => rows.find((r) => r.recordNo === no) ?? fiatOps.get(no))).then(setPacking, setError)}>Pack for arrangement…</button>
      </div>
      <ErrorBox error={error} />
      {summary && (
        <Notice kind={summary.failed ? 'warning' : 'success'} onClose={() => setResults(null)} testId="fiat-bulk-result">
          {results.action}: {summary.ok} done, {summary.failed} refused.
          <ul>{summary.lines.map((l) => <li key={l}>{l}</li>)}</ul>
        </Notice>
      )}

      <ErrorBox error={list.error} />
      <table className="table compact" data-testid="fiat-records" aria-label="Withdrawal records">
        <thead>
          <tr>
            <th><input type="checkbox" aria-label="Select every record on this page" checked={allOnPage}
              onChange={() => setSelected(allOnPage ? selected.filter((s) => !rows.some((r) => r.recordNo === s)) : [...new Set([...selected, ...rows.map((r) => r.recordNo)])])} /></th>
            <th>Record no</th><th>Customer</th><th className="num">Amount</th><th className="num">Fee</th><th>Channel</th><th>Status</th><th>Reconciliation</th><th>Created</th><th>Paid</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className={selected.includes(r.recordNo) ? 'selected' : ''} data-testid={`fiat-record-${r.recordNo}`}>
              <td><input type="checkbox" aria-label={`Select ${r.recordNo}`} checked={selected.includes(r.recordNo)} onChange={() => toggle(r.recordNo)} /></td>
              <td><Link to={`/inbox/fiat/withdrawals/${encodeURIComponent(r.recordNo)}`}>{r.recordNo}</Link></td>
              <td>{r.customerId}</td>
              <td className="num">{formatMoney(r.amount, r.currency)}</td>
              <td className="num">{formatMoney(r.fee, r.currency)}</td>
              <td>{r.channel ?? '—'}</td>
              <td><StatusBadge status={r.status} testId="status" /></td>
              <td>{r.reconciliation ?? '—'}</td>
              <td>{fmtDate(r.createdAt)}</td>
              <td data-testid="paid">{fmtDate(r.paidAt)}</td>
            </tr>
          ))}
          {list.data && rows.length === 0 && <tr><td colSpan={10} className="empty">No records match.</td></tr>}
        </tbody>
      </table>
      {list.data && <Pager page={page} pageSize={PAGE_SIZE} total={list.data.total} onPage={(p) => { setPage(p); }} />}

      {rejecting && <RejectDialog count={selected.length} busy={busy} onCancel={() => setRejecting(false)} onReject={(c) => void bulk('Reject', c)} />}
      {creating && <NewApplication onClose={() => setCreating(false)} />}
      {packing && <PackDialog records={packing} onClose={(batch) => { setPacking(null); if (batch) setSelected([]); }} />}
    </div>
  );
}

function RejectDialog({ count, busy, onCancel, onReject }: { count: number; busy: boolean; onCancel: () => void; onReject: (comment: string) => void }) {
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState(false);
  return (
    <Modal title={`Reject ${count} record${count === 1 ? '' : 's'}`} onClose={onCancel} testId="fiat-reject-dialog"
      footer={<>
        <button className="btn btn-ghost" onClick={onCancel}>Cancel</button>
        <button className="btn btn-danger" disabled={busy} onClick={() => (comment.trim() ? onReject(comment.trim()) : setMissing(true))} data-testid="fiat-reject-confirm">Reject</button>
      </>}>
      <div className="field">
        <label className="field-label" htmlFor="fiat-reject-comment">Comment (required)</label>
        <textarea id="fiat-reject-comment" value={comment} onChange={(e) => setComment(e.target.value)} aria-invalid={missing} aria-describedby={missing ? 'fiat-reject-comment-err' : undefined} />
        {missing && <span className="field-error" id="fiat-reject-comment-err">Say why the records are rejected.</span>}
      </div>
    </Modal>
  );
}
