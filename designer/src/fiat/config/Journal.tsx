import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ErrorBox, Pager, Spinner, fmtDate } from '../../common/ui';
import { fiatConfig } from '../api';
import type { AlertFilter, JournalFilter } from '../api';
import { ALERT_KINDS, JOURNAL_ENTITIES, journalChanges } from './logic';

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

/** Every configuration change: who, when, what, before → after (only the fields that changed), and why. */
export function Journal() {
  const [f, setF] = useState({ entity: '', key: '', actor: '', action: '', from: '' });
  const [page, setPage] = useState(1);
  const set = (p: Partial<typeof f>) => { setF({ ...f, ...p }); setPage(1); };
  const filter: JournalFilter = { entity: f.entity || undefined, key: f.key.trim() || undefined, actor: f.actor.trim() || undefined, action: f.action || undefined, from: dayStart(f.from), page, pageSize: PAGE };
  const q = useQuery({ queryKey: ['fiat-config', 'journal', filter], queryFn: () => fiatConfig.journal(filter) });
  return (
    <section aria-label="Configuration journal">
      <div className="filters row" style={{ flexWrap: 'wrap' }}>
        <Select label="Entity" value={f.entity} options={JOURNAL_ENTITIES} onChange={(entity) => set({ entity })} testId="fiat-journal-entity" />
        <Text label="Key" value={f.key} onChange={(key) => set({ key })} />
        <Text label="Who" value={f.actor} onChange={(actor) => set({ actor })} />
        <Select label="Action" value={f.action} options={['Create', 'Edit', 'Delete', 'Enable', 'Disable', 'Add', 'AdjustUp', 'AdjustDown', 'Copy', 'Seed']} onChange={(action) => set({ action })} testId="fiat-journal-action" />
        <Text label="From" type="date" value={f.from} onChange={(from) => set({ from })} />
      </div>
      <ErrorBox error={q.error} />
      {q.isLoading ? <Spinner small /> : (
        <>
          <table className="table compact" data-testid="fiat-journal" aria-label="Configuration journal">
            <thead><tr><th>When</th><th>Who</th><th>What</th><th>Action</th><th>Before → after</th><th>Reason</th></tr></thead>
            <tbody>
              {(q.data?.items ?? []).map((j) => (
                <tr key={String(j.id)} data-testid="fiat-journal-row">
                  <td>{fmtDate(j.at)}</td><td>{j.actor}</td><td>{j.entity} <code>{j.entityKey}</code></td><td>{j.action}</td>
                  <td className="small">
                    {journalChanges(j.before, j.after).map((c) => (
                      <div key={c.field}>{c.field && <b>{c.field}: </b>}<code>{c.before}</code> → <code>{c.after}</code></div>
                    ))}
                  </td>
                  <td>{j.reason ?? ''}</td>
                </tr>
              ))}
              {q.data?.items.length === 0 && <tr><td colSpan={6} className="empty">No changes match.</td></tr>}
            </tbody>
          </table>
          {q.data && <Pager page={page} pageSize={q.data.pageSize} total={q.data.total} onPage={setPage} />}
        </>
      )}
    </section>
  );
}

/** The alerts the payout checks raised (daily limit low or exceeded, balance low or intercepted), newest first. */
export function Alerts() {
  const [f, setF] = useState({ kind: '', subject: '', reference: '', from: '' });
  const [page, setPage] = useState(1);
  const set = (p: Partial<typeof f>) => { setF({ ...f, ...p }); setPage(1); };
  const filter: AlertFilter = { kind: f.kind || undefined, subject: f.subject.trim() || undefined, reference: f.reference.trim() || undefined, from: dayStart(f.from), page, pageSize: PAGE };
  const q = useQuery({ queryKey: ['fiat-config', 'alerts', filter], queryFn: () => fiatConfig.alerts(filter) });
  return (
    <section aria-label="Alerts">
      <div className="filters row" style={{ flexWrap: 'wrap' }}>
        <Select label="Kind" value={f.kind} options={ALERT_KINDS} onChange={(kind) => set({ kind })} testId="fiat-alerts-kind" />
        <Text label="Account" value={f.subject} onChange={(subject) => set({ subject })} />
        <Text label="Reference" value={f.reference} onChange={(reference) => set({ reference })} />
        <Text label="From" type="date" value={f.from} onChange={(from) => set({ from })} />
      </div>
      <ErrorBox error={q.error} />
      {q.isLoading ? <Spinner small /> : (
        <>
          <table className="table compact" data-testid="fiat-alerts" aria-label="Alerts">
            <thead><tr><th>When</th><th>Kind</th><th>Account</th><th>Reference</th><th>Message</th></tr></thead>
            <tbody>
              {(q.data?.items ?? []).map((a) => (
                <tr key={a.id}><td>{fmtDate(a.at)}</td><td>{a.kind}</td><td>{a.subject}</td><td>{a.reference ?? '—'}</td><td>{a.message}</td></tr>
              ))}
              {q.data?.items.length === 0 && <tr><td colSpan={5} className="empty">No alerts.</td></tr>}
            </tbody>
          </table>
          {q.data && <Pager page={page} pageSize={q.data.pageSize} total={q.data.total} onPage={setPage} />}
        </>
      )}
    </section>
  );
}
