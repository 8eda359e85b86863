import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ErrorBox, Pager, StatusBadge, fmtDate } from '../../common/ui';
import { Link } from '../../router';
import { cryptoRecords, downloadCryptoCsv } from './api';
import { emptyCryptoFilters, groupAmount, progressText, statusesOf } from './logic';
import type { CryptoFilters, RecordKind } from './logic';

const PAGE_SIZE = 20;
const TITLE: Record<RecordKind, string> = { withdrawals: 'Crypto withdrawals', deposits: 'Crypto deposits' };

/** Withdrawal Records (manual 000) or Deposit Records (manual 001): the multi-condition search, paged grid, CSV export. */
export function CryptoRecordsPage({ kind }: { kind: RecordKind }) {
  const [draft, setDraft] = useState<CryptoFilters>(emptyCryptoFilters);
  const [f, setF] = useState<CryptoFilters>(emptyCryptoFilters);
  const [page, setPage] = useState(1);
  const [error, setError] = useState<unknown>(null);
  const apply = (next: CryptoFilters) => { setDraft(next); setF(next); setPage(1); setError(null); };
  const list = useQuery({ queryKey: ['crypto-records', kind, f, page], queryFn: () => cryptoRecords.list(kind, f, page, PAGE_SIZE), placeholderData: keepPreviousData, refetchInterval: 15_000 });
  const rows = list.data?.items ?? [];
  const exportCsv = async () => {
    setError(null);
    try { await downloadCryptoCsv(kind, f); } catch (e) { setError(e); }
  };
  const set = (k: keyof CryptoFilters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const deposit = kind === 'deposits';

  return (
    <div className="page" data-testid={`crypto-${kind}-page`}>
      <div className="row spread">
        <h2>{TITLE[kind]}</h2>
        <button className="btn btn-sm" onClick={() => void exportCsv()} data-testid="crypto-export">Export CSV</button>
      </div>
      <form className="filters" aria-label={`Search ${kind}`} data-testid="crypto-filters" onSubmit={(e) => { e.preventDefault(); apply(draft); }}>
        <label>Record no<input value={draft.recordNo} onChange={set('recordNo')} data-testid="filter-recordNo" /></label>
        <label>Customer no<input value={draft.customer} onChange={set('customer')} data-testid="filter-customer" /></label>
        <label>Status
          <select value={draft.status} onChange={set('status')} data-testid="filter-status">
            <option value="">All</option>
            {statusesOf(kind).map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>Coin<input value={draft.coin} onChange={set('coin')} placeholder="BTC" data-testid="filter-coin" /></label>
        <label>Created from<input type="date" value={draft.createdFrom} onChange={set('createdFrom')} data-testid="filter-createdFrom" /></label>
        <label>Created to<input type="date" value={draft.createdTo} onChange={set('createdTo')} data-testid="filter-createdTo" /></label>
        <button className="btn btn-primary" type="submit" data-testid="filter-apply">Search</button>
        <button className="btn btn-ghost" type="button" onClick={() => apply(emptyCryptoFilters)}>Reset</button>
      </form>
      <ErrorBox error={error ?? list.error} />
      <table className="table compact" data-testid="crypto-records" aria-label={TITLE[kind]}>
        <thead>
          <tr>
            <th>Record no</th><th>Customer</th><th>Coin</th><th className="num">Amount</th>{!deposit && <th className="num">Fee</th>}
            <th>{deposit ? 'Deposit address' : 'Destination'}</th><th>Status</th><th>Confirmations</th><th>Created</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid={`crypto-record-${r.recordNo}`}>
              <td><Link to={`/inbox/crypto/${kind}/${encodeURIComponent(r.id)}`}>{r.recordNo}</Link></td>
              <td>{r.customer}</td>
              <td>{r.coin} <span className="muted small">{r.network}</span></td>
              <td className="num" data-testid="amount">{groupAmount(r.amountText)}</td>
              {!deposit && <td className="num">{r.fee === null || r.fee === undefined ? '—' : String(r.fee)}</td>}
              <td className="mono small">{r.address ?? '—'}</td>
              <td><StatusBadge status={r.status} testId="status" /></td>
              <td data-testid="progress">{progressText(r.confirmations)}</td>
              <td>{fmtDate(r.createdAt)}</td>
            </tr>
          ))}
          {list.data && rows.length === 0 && <tr><td colSpan={deposit ? 8 : 9} className="empty">No records match.</td></tr>}
        </tbody>
      </table>
      {list.data && <Pager page={page} pageSize={PAGE_SIZE} total={list.data.total} onPage={setPage} />}
    </div>
  );
}
