import { useState } from 'react';
import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ErrorBox, Pager, Spinner, fmtDate } from '../../common/ui';
import { fiatConfig } from '../api';
import type { AlertFilter, AlertInboxFilter, JournalFilter } from '../api';
import { useChange } from '../forms';
import { ALERT_KINDS, JOURNAL_ACTIONS, JOURNAL_ENTITIES, journalChanges } from './logic';

const PAGE = 20;
/** A date box's day as the start of that day in the browser's zone, in ISO form for the server. */
const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);

function Select({ label, value, options, onChange, testId }: { label: string; value: string; options: readonly string[]; onChange: (v: string) => void; testId: string }) {
  return (
    <label>{label}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        <option value="">All</option>
        {options.map((o) => <option key={o}>{o}</option>)}
      </select>
    </label>
  );
}

function Text({ label, value, onChange, type = 'text' }: { label: string; value: string; onChange: (v: string) => void; type?: string }) {
  return <label>{label}{' '}<input type={type} value={value} onChange={(e) => onChange(e.target.value)} style={{ width: type === 'date' ? 140 : 120 }} /></label>;
}

/** Filters whose change returns to the first page. */
function useFilters<F>(initial: F) {
  const [f, setF] = useState(initial);
  const [page, setPage] = useState(1);
  return { f, page, setPage, set: (p: Partial<F>) => { setF({ ...f, ...p }); setPage(1); } };
}

/** A paged list: filters, the table (or its error / loading state), the pager. */
function Paged({ label, testId, filters, q, head, rows, onPage, page }: {
  label: string; testId: string; filters: ReactNode; q: { isLoading: boolean; error: unknown; data?: { items: unknown[]; pageSize: number | string; total: number | string } };
  head: string[]; rows: ReactNode; onPage: (p: number) => void; page: number;
}) {
  return (
    <section aria-label={label}>
      <div className="filters row" style={{ flexWrap: 'wrap' }}>{filters}</div>
      <ErrorBox error={q.error} />
      {q.isLoading ? <Spinner small /> : (
        <>
          <table className="table compact" data-testid={testId} aria-label={label}>
            <thead><tr>{head.map((h) => <th key={h}>{h}</th>)}</tr></thead>
            <tbody>
              {rows}
              {q.data?.items.length === 0 && <tr><td colSpan={head.length} className="empty">Nothing matches.</td></tr>}
            </tbody>
          </table>
          {q.data && <Pager page={page} pageSize={Number(q.data.pageSize)} total={Number(q.data.total)} onPage={onPage} />}
        </>
      )}
    </section>
  );
}

/** Every configuration change: who, when, what, before → after (only the fields that changed), and why. */
export function Journal() {
  const { f, set, page, setPage } = useFilters({ entity: '', key: '', actor: '', action: '', from: '' });
  const filter: JournalFilter = { entity: f.entity || undefined, key: f.key.trim() || undefined, actor: f.actor.trim() || undefined, action: f.action || undefined, from: dayStart(f.from), page, pageSize: PAGE };
  const q = useQuery({ queryKey: ['fiat-config', 'journal', filter], queryFn: () => fiatConfig.journal(filter) });
  return (
    <Paged label="Configuration journal" testId="fiat-journal" q={q} page={page} onPage={setPage}
      head={['When', 'Who', 'What', 'Action', 'Before → after', 'Reason']}
      filters={<>
        <Select label="Entity" value={f.entity} options={JOURNAL_ENTITIES} onChange={(entity) => set({ entity })} testId="fiat-journal-entity" />
        <Text label="Key" value={f.key} onChange={(key) => set({ key })} />
        <Text label="Who" value={f.actor} onChange={(actor) => set({ actor })} />
        <Select label="Action" value={f.action} options={JOURNAL_ACTIONS} onChange={(action) => set({ action })} testId="fiat-journal-action" />
        <Text label="From" type="date" value={f.from} onChange={(from) => set({ from })} />
      </>}
      rows={(q.data?.items ?? []).map((j) => (
        <tr key={String(j.id)} data-testid="fiat-journal-row">
          <td>{fmtDate(j.at)}</td><td>{j.actor}</td><td>{j.entity} <code>{j.entityKey}</code></td><td>{j.action}</td>
          <td className="small">
            {journalChanges(j.before, j.after).map((c) => (
              <div key={c.field}>{c.field && <b>{c.field}: </b>}<code>{c.before}</code> → <code>{c.after}</code></div>
            ))}
          </td>
          <td>{j.reason ?? ''}</td>
        </tr>
      ))} />
  );
}

/** The alerts the payout checks raised (daily limit low or exceeded, balance low or intercepted), newest first. */
export function Alerts() {
  const { f, set, page, setPage } = useFilters({ kind: '', subject: '', reference: '', from: '' });
  const filter: AlertFilter = { kind: f.kind || undefined, subject: f.subject.trim() || undefined, reference: f.reference.trim() || undefined, from: dayStart(f.from), page, pageSize: PAGE };
  const q = useQuery({ queryKey: ['fiat-config', 'alerts', filter], queryFn: () => fiatConfig.alerts(filter) });
  return (
    <Paged label="Alerts" testId="fiat-alerts" q={q} page={page} onPage={setPage} head={['When', 'Kind', 'Account', 'Reference', 'Message']}
      filters={<>
        <Select label="Kind" value={f.kind} options={ALERT_KINDS} onChange={(kind) => set({ kind })} testId="fiat-alerts-kind" />
        <Text label="Account" value={f.subject} onChange={(subject) => set({ subject })} />
        <Text label="Reference" value={f.reference} onChange={(reference) => set({ reference })} />
        <Text label="From" type="date" value={f.from} onChange={(from) => set({ from })} />
      </>}
      rows={(q.data?.items ?? []).map((a) => (
        <tr key={a.id}><td>{fmtDate(a.at)}</td><td>{a.kind}</td><td>{a.subject}</td><td>{a.reference ?? '—'}</td><td>{a.message}</td></tr>
      ))} />
  );
}

/**
 * The Operations alert inbox: one item per kind, bank account and business day (later alerts raise its count), open
 * ones first; Acknowledge once (people of Operations or supervisors; the server refuses others with 403).
 */
export function AlertInbox() {
  const { f, set, page, setPage } = useFilters({ show: 'Open', kind: '', subject: '' });
  const filter: AlertInboxFilter = { open: f.show === 'Open' ? true : f.show === 'Acknowledged' ? false : undefined, kind: f.kind || undefined, subject: f.subject.trim() || undefined, page, pageSize: PAGE };
  const q = useQuery({ queryKey: ['fiat-config', 'alert-inbox', filter], queryFn: () => fiatConfig.alertInbox(filter) });
  const ack = useChange([]);
  return (
    <>
      {ack.status}
      <Paged label="Alert inbox" testId="fiat-alert-inbox" q={q} page={page} onPage={setPage}
        head={['Business day', 'Kind', 'Account', 'Count', 'Last', 'Message', 'Acknowledged']}
        filters={<>
          <Select label="Show" value={f.show} options={['Open', 'Acknowledged']} onChange={(show) => set({ show })} testId="fiat-inbox-open" />
          <Select label="Kind" value={f.kind} options={ALERT_KINDS} onChange={(kind) => set({ kind })} testId="fiat-inbox-kind" />
          <Text label="Account" value={f.subject} onChange={(subject) => set({ subject })} />
        </>}
        rows={(q.data?.items ?? []).map((a) => (
          <tr key={a.id} data-testid="fiat-alert-item">
            <td>{a.businessDay}</td><td>{a.kind}</td><td>{a.subject}</td><td>{a.count}</td>
            <td>{fmtDate(a.lastAt)}{a.lastReference ? ` · ${a.lastReference}` : ''}</td><td>{a.lastMessage}</td>
            <td>{a.acknowledgedBy ? `${a.acknowledgedBy}, ${fmtDate(a.acknowledgedAt)}` : (
              <button className="btn btn-sm" disabled={ack.busy} onClick={() => void ack.run(() => fiatConfig.acknowledgeAlert(a.id))}
                aria-label={`Acknowledge ${a.kind} of ${a.subject} on ${a.businessDay}`}>Acknowledge</button>
            )}</td>
          </tr>
        ))} />
    </>
  );
}
