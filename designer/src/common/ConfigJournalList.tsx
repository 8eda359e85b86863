import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ErrorBox, Pager, Spinner, fmtDate } from './ui';

/** One row of a configuration journal as the server shows it (staff accounts, coins): who, when, what, before → after. */
export interface ConfigJournalRow {
  id: number | string;
  at: string;
  actor: string;
  action: string;
  before: unknown;
  after: unknown;
}

export interface ConfigJournalPage<T> {
  items: T[];
  total: number | string;
  pageSize: number | string;
}

const PAGE = 20;

/**
 * A configuration journal: one text filter, a paged table When / Who / subject / Action / Changes (newest first, as
 * the server pages it). Shared by the staff accounts and the coin configuration, whose journals have the same shape
 * on the server (ChangeJournal); each names its subject column, its filter and how a before → after reads.
 */
export function ConfigJournalList<T extends ConfigJournalRow>({
  label, testId, queryKey, filterLabel, filterTestId, filterWidth, subjectHeader, subject, changes, load,
}: {
  /** Accessible name of the section and table. */
  label: string;
  testId: string;
  queryKey: readonly unknown[];
  filterLabel: string;
  filterTestId: string;
  filterWidth: number;
  subjectHeader: string;
  subject: (row: T) => string;
  changes: (before: Record<string, unknown> | null, after: Record<string, unknown> | null) => string[];
  /** The page for the filter as typed (the caller trims and normalises it). */
  load: (filter: string, page: number, pageSize: number) => Promise<ConfigJournalPage<T>>;
}) {
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(1);
  const q = useQuery({ queryKey: [...queryKey, filter, page], queryFn: () => load(filter, page, PAGE) });
  return (
    <section aria-label={label}>
      <div className="filters row">
        <label>{filterLabel} <input value={filter} onChange={(e) => { setFilter(e.target.value); setPage(1); }} style={{ width: filterWidth }} data-testid={filterTestId} /></label>
      </div>
      <ErrorBox error={q.error} />
      {q.isLoading ? <Spinner small /> : (
        <>
          <table className="table compact" data-testid={testId} aria-label={label}>
            <thead><tr><th>When</th><th>Who</th><th>{subjectHeader}</th><th>Action</th><th>Changes</th></tr></thead>
            <tbody>
              {q.data?.items.map((j) => (
                <tr key={String(j.id)}>
                  <td>{fmtDate(j.at)}</td><td>{j.actor}</td><td>{subject(j)}</td><td>{j.action}</td>
                  <td>{changes(j.before as Record<string, unknown> | null, j.after as Record<string, unknown> | null).join('; ')}</td>
                </tr>
              ))}
              {q.data?.items.length === 0 && <tr><td colSpan={5} className="empty">Nothing matches.</td></tr>}
            </tbody>
          </table>
          {q.data && <Pager page={page} pageSize={Number(q.data.pageSize)} total={Number(q.data.total)} onPage={setPage} />}
        </>
      )}
    </section>
  );
}
