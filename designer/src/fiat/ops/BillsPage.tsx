// Withdrawal bills (Cash Management > Bank Statement > Withdrawal): import a statement (camt.053 or the CSV template;
// a bad row refuses the file, each row's errors shown), refresh from the bank, reconcile, and per line: reclassify,
// delete a duplicate, tag to a record, and a second person's confirm or reject of the tag. Then the reconciliation
// result per record.
import { useState } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../../auth';
import { ErrorBox, Notice, Pager, StatusBadge } from '../../common/ui';
import { formatMoney } from '../../lib/money';
import { fiatConfig } from '../api';
import { billsApi, emptyEntryFilters } from './api';
import type { EntryFilters, StatementEntry } from './api';
import { OpsNav, ReasonDialog } from './common';
import { canConfirmTag, importRowErrors } from './logic';

const PAGE_SIZE = 20;
type Action = { kind: 'reclassify' | 'delete' | 'tag' | 'reject-tag'; entry: StatementEntry };

export function BillsPage() {
  const qc = useQueryClient();
  const { me } = useAuth();
  const channels = useQuery({ queryKey: ['fiat-config', 'channels'], queryFn: fiatConfig.channels });
  const [f, setF] = useState<EntryFilters>(emptyEntryFilters);
  const [page, setPage] = useState(1);
  const entries = useQuery({ queryKey: ['fiat-bills', f, page], queryFn: () => billsApi.entries(f, page, PAGE_SIZE), placeholderData: keepPreviousData });
  const [action, setAction] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const rows = entries.data?.items ?? [];

  const refreshAll = async () => {
    await qc.invalidateQueries({ queryKey: ['fiat-bills'] });
    await qc.invalidateQueries({ queryKey: ['fiat-reconciliation'] });
    await qc.invalidateQueries({ queryKey: ['fiat-records'] });
  };
  const run = async (done: string, call: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await call();
      setNotice(done);
      setAction(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      await refreshAll();
    }
  };

  return (
    <div className="page" data-testid="fiat-bills-page">
      <OpsNav />
      <h2>Withdrawal bills</h2>
      <div className="row" style={{ alignItems: 'flex-start', gap: 16 }}>
        <ImportForm channels={(channels.data ?? []).map((c) => c.id)} onDone={refreshAll} />
        <RefreshForm channels={(channels.data ?? []).map((c) => c.id)} onDone={refreshAll} />
      </div>

      <form className="filters" aria-label="Filter statement lines" onSubmit={(e) => e.preventDefault()}>
        <label>Channel
          <select value={f.channelId} onChange={(e) => { setF({ ...f, channelId: e.target.value }); setPage(1); }} data-testid="bills-filter-channel">
            <option value="">All</option>
            {(channels.data ?? []).map((c) => <option key={c.id}>{c.id}</option>)}
          </select>
        </label>
        <label>Match status
          <select value={f.matchStatus} onChange={(e) => { setF({ ...f, matchStatus: e.target.value }); setPage(1); }} data-testid="bills-filter-match">
            <option value="">All</option>
            {['Unmatch', 'PendingConfirmation', 'Matched', 'Discrepancy'].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>Direction
          <select value={f.direction} onChange={(e) => { setF({ ...f, direction: e.target.value }); setPage(1); }}>
            <option value="">Both</option><option>Debit</option><option>Credit</option>
          </select>
        </label>
        <label>Reference<input value={f.reference} onChange={(e) => { setF({ ...f, reference: e.target.value }); setPage(1); }} data-testid="bills-filter-reference" /></label>
        <label className="check"><input type="checkbox" checked={f.includeDeleted} onChange={(e) => setF({ ...f, includeDeleted: e.target.checked })} /> Deleted too</label>
        <button type="button" className="btn" disabled={busy} onClick={() => void run('Reconciliation ran.', () => billsApi.reconcile(f.channelId))} data-testid="bills-reconcile">
          Reconcile now
        </button>
      </form>
      {notice && <Notice kind="success" onClose={() => setNotice(null)} testId="bills-notice">{notice}</Notice>}
      {!action && <ErrorBox error={error} />}
      <ErrorBox error={entries.error} />
      <table className="table compact" aria-label="Statement lines" data-testid="fiat-bills">
        <thead><tr><th>Entry</th><th>Booked</th><th>Channel</th><th className="num">Amount</th><th>Direction</th><th>Reference</th><th>Match</th><th>Record</th><th>Actions</th></tr></thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id} data-testid={`fiat-bill-${e.entryId}`} className={e.deleted ? 'muted' : ''}>
              <td>{e.entryId}{e.deleted ? ' (deleted)' : ''}</td>
              <td>{e.bookingDate}</td>
              <td>{e.channelId}</td>
              <td className="num">{formatMoney(e.bankAmount, e.currency)}</td>
              <td>{e.direction}</td>
              <td>{e.reference ?? '—'}</td>
              <td><StatusBadge status={e.matchStatus} testId="match" />{e.matchReasons.length > 0 && <div className="muted">{e.matchReasons.join(' ')}</div>}</td>
              <td>{e.recordNo ?? '—'}{e.taggedBy && <div className="muted">tagged by {e.taggedBy}</div>}</td>
              <td className="row">
                {!e.deleted && e.matchStatus === 'Unmatch' && <>
                  <button className="btn btn-sm" onClick={() => setAction({ kind: 'reclassify', entry: e })} aria-label={`Reclassify ${e.entryId}`} data-testid="reclassify">Reclassify</button>
                  <button className="btn btn-sm" onClick={() => setAction({ kind: 'delete', entry: e })} aria-label={`Delete duplicate ${e.entryId}`} data-testid="delete">Delete duplicate</button>
                  {e.direction === 'Debit' && <button className="btn btn-sm" onClick={() => setAction({ kind: 'tag', entry: e })} aria-label={`Tag ${e.entryId} to a record`} data-testid="tag">Tag</button>}
                </>}
                {e.matchStatus === 'PendingConfirmation' && <>
                  {canConfirmTag(e, me?.username) && (
                    <button className="btn btn-sm btn-primary" disabled={busy} aria-label={`Confirm the tag of ${e.entryId}`} data-testid="confirm-tag"
                      onClick={() => void run(`Tag of ${e.entryId} confirmed.`, () => billsApi.confirmTag(e.id))}>Confirm tag</button>
                  )}
                  <button className="btn btn-sm" onClick={() => setAction({ kind: 'reject-tag', entry: e })} aria-label={`Reject the tag of ${e.entryId}`} data-testid="reject-tag">Reject tag</button>
                </>}
              </td>
            </tr>
          ))}
          {entries.data && rows.length === 0 && <tr><td colSpan={9} className="empty">No statement lines.</td></tr>}
        </tbody>
      </table>
      {entries.data && <Pager page={page} pageSize={PAGE_SIZE} total={entries.data.total} onPage={setPage} />}
      {action && <EntryAction action={action} rows={rows} busy={busy} error={error} onCancel={() => { setAction(null); setError(null); }} run={run} />}
      <ReconciliationResults />
    </div>
  );
}

/** The dialog of one line's action: each asks for its reason (the tag for the record, the duplicate for the kept line). */
function EntryAction({ action, rows, busy, error, onCancel, run }: {
  action: Action; rows: StatementEntry[]; busy: boolean; error: unknown; onCancel: () => void; run: (done: string, call: () => Promise<unknown>) => Promise<void>;
}) {
  const e = action.entry;
  const [recordNo, setRecordNo] = useState('');
  // A duplicate is of a kept line with the same channel, day, direction, currency and amount (the server checks it).
  const twins = rows.filter((o) => o.id !== e.id && !o.deleted && o.channelId === e.channelId && o.bookingDate === e.bookingDate
    && o.direction === e.direction && o.currency === e.currency && String(o.amount) === String(e.amount));
  const [duplicateOf, setDuplicateOf] = useState(twins[0]?.id ?? '');
  const to = e.direction === 'Debit' ? 'Credit' : 'Debit';
  const box = <ErrorBox error={error} />;
  switch (action.kind) {
    case 'reclassify':
      return <ReasonDialog title={`Reclassify ${e.entryId} as ${to}`} label="Reason" confirm={`Make it a ${to}`} busy={busy} error={box} testId="bills-reclassify"
        onCancel={onCancel} onConfirm={(reason) => void run(`${e.entryId} is a ${to} now.`, () => billsApi.reclassify(e.id, to, reason))} />;
    case 'delete':
      return (
        <ReasonDialog title={`Delete ${e.entryId} as a duplicate`} label="Reason" confirm="Delete duplicate" busy={busy} error={box} testId="bills-delete"
          onCancel={onCancel} onConfirm={(reason) => void run(`${e.entryId} deleted as a duplicate.`, () => billsApi.deleteDuplicate(e.id, duplicateOf, reason))}>
          <div className="field">
            <label className="field-label" htmlFor="bills-duplicate-of">Duplicate of (the line that stays)</label>
            <select id="bills-duplicate-of" value={duplicateOf} onChange={(x) => setDuplicateOf(x.target.value)} data-testid="bills-duplicate-of">
              <option value="">—</option>
              {twins.map((t) => <option key={t.id} value={t.id}>{t.entryId} ({t.bookingDate}, {formatMoney(t.bankAmount, t.currency)})</option>)}
            </select>
            {twins.length === 0 && <span className="field-error">No line on this page has the same day, direction and amount.</span>}
          </div>
        </ReasonDialog>
      );
    case 'tag':
      return (
        <ReasonDialog title={`Tag ${e.entryId} to a record`} label="Comment" optional confirm="Tag" busy={busy} error={box} testId="bills-tag"
          onCancel={onCancel} onConfirm={(comment) => void run(`${e.entryId} tagged to ${recordNo}; another person confirms it.`, () => billsApi.tag(e.id, recordNo.trim(), comment))}>
          <div className="field">
            <label className="field-label" htmlFor="bills-tag-record">Record no (in Unmatch)</label>
            <input id="bills-tag-record" value={recordNo} onChange={(x) => setRecordNo(x.target.value)} data-testid="bills-tag-record" />
          </div>
        </ReasonDialog>
      );
    default:
      return <ReasonDialog title={`Reject the tag of ${e.entryId}`} label="Reason" confirm="Reject tag" busy={busy} error={box} testId="bills-reject-tag"
        onCancel={onCancel} onConfirm={(reason) => void run(`The tag of ${e.entryId} was rejected.`, () => billsApi.rejectTag(e.id, reason))} />;
  }
}

/** A form's send: busy while it runs, the server's answer as a sentence, or its problem. */
function useSubmit(onDone: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (call: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await call());
      await onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, submit };
}

function ImportForm({ channels, onDone }: { channels: string[]; onDone: () => Promise<void> }) {
  const [channelId, setChannelId] = useState('');
  const [format, setFormat] = useState('csv');
  const [file, setFile] = useState<File | null>(null);
  const { busy, error, done, submit: send } = useSubmit(onDone);
  const rowErrors = importRowErrors(error);
  const submit = () => send(async () => {
    if (!file) throw new Error('Choose the statement file.');
    const r = await billsApi.import({ channelId, format, content: await file.text(), fileName: file.name });
    return `Imported ${r.imported} line(s), skipped ${r.skipped}, ${r.duplicates.length} duplicate(s) refused; reconciliation matched ${r.reconciliation.matched}, `
      + `${r.reconciliation.discrepancies} discrepanc${r.reconciliation.discrepancies === 1 ? 'y' : 'ies'}.`;
  });
  return (
    <form className="panel filters" aria-label="Import a statement" data-testid="bills-import" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <strong>Import a statement</strong>
      <label>Channel
        <select value={channelId} onChange={(e) => setChannelId(e.target.value)} data-testid="bills-import-channel">
          <option value="">—</option>{channels.map((c) => <option key={c}>{c}</option>)}
        </select>
      </label>
      <label>Format
        <select value={format} onChange={(e) => setFormat(e.target.value)} data-testid="bills-import-format">
          <option value="csv">CSV template</option><option value="camt.053">camt.053</option>
        </select>
      </label>
      <label>Statement file<input type="file" accept=".csv,.xml,text/csv,application/xml" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="bills-import-file" /></label>
      <button className="btn btn-primary" type="submit" disabled={busy} data-testid="bills-import-submit">Import</button>
      {done && <Notice kind="success" testId="bills-import-done">{done}</Notice>}
      {rowErrors.length > 0 ? (
        <div role="alert" data-testid="bills-import-errors">
          <p className="field-error">The file was not imported: {rowErrors.length} problem(s).</p>
          <table className="table compact" aria-label="Import errors per row">
            <thead><tr><th>Row</th><th>Field</th><th>Problem</th></tr></thead>
            <tbody>{rowErrors.map((r, i) => <tr key={i} data-testid={`bills-import-error-${r.row}`}><td>{r.row || '—'}</td><td>{r.field ?? '—'}</td><td>{r.message}</td></tr>)}</tbody>
          </table>
        </div>
      ) : <ErrorBox error={error} />}
    </form>
  );
}

function RefreshForm({ channels, onDone }: { channels: string[]; onDone: () => Promise<void> }) {
  const today = new Date().toISOString().slice(0, 10);
  const [channelId, setChannelId] = useState('');
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const { busy, error, done, submit: send } = useSubmit(onDone);
  const submit = () => send(async () => {
    const r = await billsApi.refresh({ channelId, from, to });
    return `Fetched ${r.fetched}, added ${r.added}; matched ${r.reconciliation.matched}.`;
  });
  return (
    <form className="panel filters" aria-label="Refresh from the bank" data-testid="bills-refresh" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <strong>Refresh from the bank</strong>
      <label>Channel
        <select value={channelId} onChange={(e) => setChannelId(e.target.value)} data-testid="bills-refresh-channel">
          <option value="">—</option>{channels.map((c) => <option key={c}>{c}</option>)}
        </select>
      </label>
      <label>From<input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
      <label>To<input type="date" value={to} onChange={(e) => setTo(e.target.value)} /></label>
      <button className="btn" type="submit" disabled={busy} data-testid="bills-refresh-submit">Refresh</button>
      {done && <Notice kind="success" testId="bills-refresh-done">{done}</Notice>}
      <ErrorBox error={error} />
    </form>
  );
}

/** Reconciliation Results column of the manual: one line per record in Unmatch or with a matched or tagged line. */
function ReconciliationResults() {
  const [reconciliation, setReconciliation] = useState('');
  const [recordNo, setRecordNo] = useState('');
  const [page, setPage] = useState(1);
  const results = useQuery({ queryKey: ['fiat-reconciliation', reconciliation, recordNo, page],
    queryFn: () => billsApi.results({ reconciliation, recordNo: recordNo.trim(), page, pageSize: PAGE_SIZE }), placeholderData: keepPreviousData });
  const rows = results.data?.items ?? [];
  return (
    <section aria-label="Reconciliation results" data-testid="fiat-reconciliation">
      <h3>Reconciliation results</h3>
      <div className="filters" role="group" aria-label="Filter reconciliation results">
        <label>Result
          <select value={reconciliation} onChange={(e) => { setReconciliation(e.target.value); setPage(1); }} data-testid="recon-filter">
            <option value="">All</option>
            {['Unmatch', 'PendingConfirmation', 'Matched', 'Discrepancy'].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>Record no<input value={recordNo} onChange={(e) => { setRecordNo(e.target.value); setPage(1); }} data-testid="recon-record" /></label>
      </div>
      <ErrorBox error={results.error} />
      <table className="table compact" aria-label="Reconciliation result per record">
        <thead><tr><th>Record no</th><th>Status</th><th className="num">Amount</th><th>Result</th><th>Bank entry</th><th>Reasons</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.recordNo} data-testid={`fiat-recon-${r.recordNo}`}>
              <td>{r.recordNo}</td>
              <td>{r.status}</td>
              <td className="num">{formatMoney(r.amount, r.currency)}</td>
              <td><StatusBadge status={r.reconciliation} testId="result" />{r.manual ? ' (tagged)' : ''}</td>
              <td>{r.bankEntryId ?? '—'}</td>
              <td>{r.reasons.join(' ') || '—'}</td>
            </tr>
          ))}
          {results.data && rows.length === 0 && <tr><td colSpan={6} className="empty">No results.</td></tr>}
        </tbody>
      </table>
      {results.data && <Pager page={page} pageSize={PAGE_SIZE} total={results.data.total} onPage={setPage} />}
    </section>
  );
}
