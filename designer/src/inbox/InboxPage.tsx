import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useAuth } from '../auth';
import { Badge, ErrorBox, Notice, Pager, Spinner, StatusBadge, fmtDate } from '../common/ui';
import { amountText, formatMoney } from '../lib/money';
import { navigate } from '../router';
import { downloadWdExport, listTasks } from './api';
import { WD_EXPORT_COLUMNS, canExportWd, exportColumnsParam } from '../lib/wdtx';
import { canCreateWd, canMassEditWd, toggleSelection, wdRequestIdOf } from '../lib/wdcreate';
import { WdMassEdit } from './WdMassEdit';
import { NewWdRequest } from './NewWdRequest';
import type { TaskFilters } from './api';

const SORTS = [
  { v: 'dueAt', l: 'Due soonest' },
  { v: '-createdAt', l: 'Newest first' },
  { v: 'priority', l: 'Priority' },
];

const initial: TaskFilters = {
  status: 'open', definitionId: '', businessStatus: '', department: '', overdue: false, mine: false, sort: 'dueAt',
  customer: '', account: '', amount: '', currency: '', page: 1, pageSize: 25,
};
const STORE = 'inbox.filters';
const SEARCH = ['customer', 'account', 'amount', 'currency'] as const;
type SearchKey = (typeof SEARCH)[number];
const SEARCH_LABELS: Record<SearchKey, string> = { customer: 'Customer', account: 'Account', amount: 'Amount', currency: 'Currency' };

/** The filters that differ from the defaults (the page does not count): what "remembered" means. */
export const filtersChanged = (f: TaskFilters) =>
  (Object.keys(initial) as (keyof TaskFilters)[]).some((k) => k !== 'page' && (f[k] ?? '') !== (initial[k] ?? ''));

export function InboxPage() {
  const { me } = useAuth();
  const [f, setF] = useState<TaskFilters>(() => {
    try {
      return { ...initial, ...JSON.parse(sessionStorage.getItem(STORE) ?? '{}') };
    } catch {
      return initial;
    }
  });
  // Filters restored from an earlier visit are said to be so, with a way out: a silently filtered inbox looks empty.
  const [remembered, setRemembered] = useState(() => filtersChanged(f));
  const set = (patch: Partial<TaskFilters>) => {
    const next = { ...f, page: 1, ...patch };
    setF(next);
    setRemembered(false);
    sessionStorage.setItem(STORE, JSON.stringify(next));
  };
  const clearFilters = () => {
    setF(initial);
    setSearch({ customer: '', account: '', amount: '', currency: '' });
    setRemembered(false);
    sessionStorage.removeItem(STORE);
  };
  // The search fields apply on Search (or Enter), not on every keystroke.
  const [search, setSearch] = useState<Record<SearchKey, string>>(() => ({ customer: f.customer ?? '', account: f.account ?? '', amount: f.amount ?? '', currency: f.currency ?? '' }));
  // Sent as decimal text ("1,000.50" → "1000.5"): never through a float.
  const amountTyped = search.amount.trim() === '' ? '' : amountText(search.amount, { signed: true, maxScale: 18 });
  const amountBad = amountTyped === null;
  const applySearch = () => {
    if (amountBad) return;
    set({ customer: search.customer.trim(), account: search.account.trim(), amount: amountTyped ?? '', currency: search.currency.trim().toUpperCase() });
  };
  const q = useQuery({ queryKey: ['tasks', f, me?.username], queryFn: () => listTasks(f, me?.username), placeholderData: keepPreviousData, refetchInterval: 30_000 });
  const depts = me?.departments ?? [];
  const [creating, setCreating] = useState(false);
  // Mass edit (wd:5): WD request ids picked in the grid, kept across pages until the edit is done.
  const massEdit = canMassEditWd(me);
  const [selected, setSelected] = useState<string[]>([]);
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [massOpen, setMassOpen] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);
  // The export's columns follow the user's choice (manual: "corresponds to the settings of the main grid").
  const [columns, setColumns] = useState<string[]>(() => {
    try { return JSON.parse(localStorage.getItem('wd.export.columns') ?? 'null') ?? WD_EXPORT_COLUMNS.map((c) => c.name); } catch { return WD_EXPORT_COLUMNS.map((c) => c.name); }
  });
  const toggleColumn = (name: string) => {
    const next = columns.includes(name) ? columns.filter((c) => c !== name) : [...columns, name];
    setColumns(next);
    localStorage.setItem('wd.export.columns', JSON.stringify(next));
  };
  const chosen = exportColumnsParam(columns);
  const exportCsv = async () => {
    if (chosen === null) return;
    setExporting(true);
    setExportError(null);
    try { await downloadWdExport(chosen); } catch (e) { setExportError(e); } finally { setExporting(false); }
  };

  return (
    <div className="page inbox" data-testid="inbox-page">
      <div className="row spread">
        <h2>Inbox</h2>
        <span className="muted">{depts.length ? `Tasks for ${depts.join(', ')}` : 'You are not in a department; tasks assigned to you are shown.'}</span>
        {massEdit && <button className="btn btn-sm" disabled={selected.length === 0} onClick={() => setMassOpen(true)} data-testid="wd-mass-edit">Mass edit ({selected.length})</button>}
        {canCreateWd(me) && <button className="btn btn-primary btn-sm" onClick={() => setCreating(true)} data-testid="wd-new">New WD request</button>}
        {canExportWd(me) && (
          <span className="row">
            <details className="column-chooser" data-testid="wd-export-columns">
              <summary className="btn btn-sm">Columns ({columns.length})</summary>
              <div className="menu">
                {WD_EXPORT_COLUMNS.map((c) => (
                  <label key={c.name} className="check"><input type="checkbox" checked={columns.includes(c.name)} onChange={() => toggleColumn(c.name)} data-testid={`wd-export-col-${c.name}`} /> {c.label}</label>
                ))}
              </div>
            </details>
            <button className="btn btn-sm" onClick={() => void exportCsv()} disabled={exporting || chosen === null} title={chosen === null ? 'Choose at least one column.' : undefined} data-testid="wd-export">{exporting ? 'Exporting…' : 'Export WD requests (CSV)'}</button>
          </span>
        )}
      </div>
      {massOpen && <WdMassEdit ids={selected} labels={labels} onClose={() => setMassOpen(false)} onDone={() => setSelected([])} />}
      {creating && <NewWdRequest onClose={() => setCreating(false)} />}
      <ErrorBox error={exportError} title="Export failed" />
      {remembered && (
        <Notice testId="filters-remembered">
          Filter remembered from your last visit · <button className="link" onClick={clearFilters} data-testid="filters-clear">Clear</button>
        </Notice>
      )}
      <form className="filters" role="search" aria-label="Search tasks by subject" data-testid="inbox-search" onSubmit={(e) => { e.preventDefault(); applySearch(); }}>
        {SEARCH.map((k) => (
          <label key={k}>{SEARCH_LABELS[k]}
            <input
              value={search[k]}
              inputMode={k === 'amount' ? 'decimal' : undefined}
              placeholder={k === 'amount' ? 'e.g. 1000.50' : k === 'currency' ? 'e.g. USD' : undefined}
              aria-invalid={k === 'amount' && amountBad}
              aria-describedby={k === 'amount' && amountBad ? 'inbox-search-amount-err' : undefined}
              onChange={(e) => setSearch((s) => ({ ...s, [k]: e.target.value }))}
              data-testid={`inbox-search-${k}`}
            />
          </label>
        ))}
        <button type="submit" className="btn btn-sm" disabled={amountBad} data-testid="inbox-search-apply">Search</button>
        {SEARCH.some((k) => f[k]) && (
          <button type="button" className="btn btn-sm" data-testid="inbox-search-clear"
            onClick={() => { setSearch({ customer: '', account: '', amount: '', currency: '' }); set({ customer: '', account: '', amount: '', currency: '' }); }}>
            Clear search
          </button>
        )}
        {amountBad && <span id="inbox-search-amount-err" className="field-error" role="alert">The amount is a number such as 1000 or 1234.56.</span>}
      </form>
      <div className="filters" data-testid="inbox-filters">
        <label>Status
          <select value={f.status} onChange={(e) => set({ status: e.target.value })} data-testid="filter-status">
            <option value="open">Open</option>
            <option value="completed">Completed</option>
            <option value="cancelled">Cancelled</option>
            <option value="all">All</option>
          </select>
        </label>
        {depts.length > 1 && (
          <label>Department
            <select value={f.department} onChange={(e) => set({ department: e.target.value })} data-testid="filter-department">
              <option value="">All mine</option>
              {depts.map((d) => <option key={d}>{d}</option>)}
            </select>
          </label>
        )}
        <label>Flow<input value={f.definitionId} placeholder="e.g. wd-request" onChange={(e) => set({ definitionId: e.target.value.trim() })} data-testid="filter-definition" /></label>
        <label>Business status<input value={f.businessStatus} placeholder="e.g. New" onChange={(e) => set({ businessStatus: e.target.value.trim() })} data-testid="filter-business-status" /></label>
        <label className="check"><input type="checkbox" checked={f.overdue} onChange={(e) => set({ overdue: e.target.checked })} data-testid="filter-overdue" /> Overdue only</label>
        <label className="check"><input type="checkbox" checked={f.mine} onChange={(e) => set({ mine: e.target.checked })} data-testid="filter-mine" /> Claimed by me</label>
        <label>Sort
          <select value={f.sort} onChange={(e) => set({ sort: e.target.value })} data-testid="sort">
            {SORTS.map((s) => <option key={s.v} value={s.v}>{s.l}</option>)}
          </select>
        </label>
        {q.isFetching && <Spinner small label="Refreshing…" />}
      </div>
      <ErrorBox error={q.error} />
      {q.isLoading && <Spinner label="Loading tasks…" />}
      {q.data && (
        <>
          <table className="table tasks" data-testid="task-table">
            <thead>
              <tr>{massEdit && <th><span className="sr-only">Select</span></th>}<th>Task</th><th>Customer</th><th>Account</th><th className="right">Amount</th><th>Open / closed</th><th>Business status</th><th>Department</th><th>Due</th><th>Assignee</th></tr>
            </thead>
            <tbody>
              {q.data.items.map((t) => {
                const closed = t.status !== 'Open';
                const subject = t.subject;
                return (
                <tr key={t.id} className={`clickable ${t.overdue && !closed ? 'overdue' : ''} ${closed ? 'closed' : ''}`} data-task-status={t.status.toLowerCase()} onClick={() => navigate(`/inbox/tasks/${encodeURIComponent(t.id)}`)} data-testid={`task-row-${t.id}`} data-subject={t.subjectId ?? ''} data-correlation={t.correlationId ?? ''}>
                  {massEdit && (
                    <td onClick={(e) => e.stopPropagation()}>
                      {wdRequestIdOf(t) && (
                        <input type="checkbox" aria-label={`Select ${t.title} for mass edit`} checked={selected.includes(wdRequestIdOf(t)!)} data-testid="wd-mass-select"
                          onChange={() => {
                            const id = wdRequestIdOf(t)!;
                            setSelected((s) => toggleSelection(s, id));
                            setLabels((l) => ({ ...l, [id]: `${t.title} · ${t.businessStatus ?? ''} · ${t.department ?? ''}` }));
                          }} />
                      )}
                    </td>
                  )}
                  <td>
                    <a href={`/inbox/tasks/${encodeURIComponent(t.id)}`} onClick={(e) => e.preventDefault()} className="strong">{t.title}</a>
                    <div className="muted small" title={`${t.definitionId} v${t.definitionVersion} · ${t.correlationId ?? t.instanceId}`}>{t.definitionId} · created {fmtDate(t.createdAt)}</div>
                  </td>
                  <td className="mono small nowrap" data-testid="task-customer">{subject?.customer ?? <span className="muted">—</span>}</td>
                  <td className="mono small nowrap" data-testid="task-account">{subject?.account ?? <span className="muted">—</span>}</td>
                  <td className="nowrap right" data-testid="task-amount">{subject?.amount ? formatMoney(subject.amount, subject.currency) : <span className="muted">—</span>}</td>
                  <td data-testid="task-open-closed">
                    {closed
                      ? <><Badge tone="grey" testId="task-closed">Closed</Badge><div className="muted small">{t.status}{t.closedBy ? ` by ${t.closedBy}` : ''}{t.closedAt ? ` · ${fmtDate(t.closedAt)}` : ''}</div></>
                      : <Badge tone="blue" testId="task-open">Open</Badge>}
                  </td>
                  <td><StatusBadge status={t.businessStatus} /></td>
                  <td>{t.department ?? '—'}</td>
                  <td className="nowrap">{closed ? <span className="muted">—</span> : fmtDate(t.dueAt)} {t.overdue && !closed && <Badge tone="red" testId="overdue-badge">overdue</Badge>}</td>
                  <td>{t.assignee ?? <span className="muted">{closed ? '—' : 'unclaimed'}</span>}</td>
                </tr>
                );
              })}
              {q.data.items.length === 0 && <tr><td colSpan={massEdit ? 10 : 9} className="empty">No tasks match these filters.</td></tr>}
            </tbody>
          </table>
          <Pager page={q.data.page} pageSize={q.data.pageSize} total={q.data.total} onPage={(p) => setF({ ...f, page: p })} />
        </>
      )}
    </div>
  );
}
