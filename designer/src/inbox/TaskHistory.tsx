import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get } from '../api/client';
import type { JournalEntry, Paged } from '../api/models';
import { ErrorBox, Spinner, fmtDate } from '../common/ui';
import { JournalTimeline } from '../common/Journal';
import { businessHistory } from './history';

const PAGE = 500;

/** The whole journal, oldest first: the first page and, for a long one, its last page (the latest entries matter most). */
export async function loadJournal(instanceId: string): Promise<{ entries: JournalEntry[]; total: number }> {
  const url = (page: number) => `/api/instances/${encodeURIComponent(instanceId)}/journal?pageSize=${PAGE}&page=${page}`;
  const first = await get<Paged<JournalEntry>>(url(1));
  if (first.total <= first.items.length) return { entries: first.items, total: first.total };
  const last = await get<Paged<JournalEntry>>(url(Math.ceil(first.total / PAGE)));
  return { entries: [...first.items, ...last.items], total: first.total };
}

/**
 * The task card's history in business words, newest first. Its query key starts with 'journal' and the task page
 * invalidates it after every action, claim and comment, so what was just done shows without a reload.
 */
export function TaskHistory({ instanceId }: { instanceId: string }) {
  const journal = useQuery({ queryKey: ['journal', instanceId], queryFn: () => loadJournal(instanceId) });
  const [details, setDetails] = useState(false);
  const items = journal.data ? businessHistory(journal.data.entries).reverse() : [];
  return (
    <section className="card" aria-labelledby={`history-${instanceId}`} data-testid="task-history">
      <div className="row spread">
        <h4 id={`history-${instanceId}`}>History</h4>
        <label className="check small"><input type="checkbox" checked={details} onChange={(e) => setDetails(e.target.checked)} data-testid="history-details" /> Technical details</label>
      </div>
      {journal.isLoading && <Spinner small label="Loading the history…" />}
      <ErrorBox error={journal.error} title="The history could not be loaded" />
      {journal.data && !details && (
        <ol className="timeline" data-testid="history">
          {items.map((h) => (
            <li key={h.key} className={`history-${h.kind}`} data-testid="history-item" data-kind={h.kind}>
              <div className="when">{fmtDate(h.at)}</div>
              <div className="what">{h.text}{h.quote && <> <q>{h.quote}</q></>}</div>
            </li>
          ))}
          {items.length === 0 && <li className="muted small">Nothing has happened yet.</li>}
        </ol>
      )}
      {journal.data && details && <JournalTimeline entries={[...journal.data.entries].reverse()} />}
    </section>
  );
}
