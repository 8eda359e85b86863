import type { JournalEntry } from '../api/models';
import { fmtDate } from './ui';

const show = (v: unknown) => (v === null || v === undefined ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Journal entries as a timeline: who, role, IP, action, comment and field changes. */
export function JournalTimeline({ entries, activityName }: { entries: JournalEntry[]; activityName?: (id: string) => string }) {
  if (!entries.length) return <p className="muted small">No entries.</p>;
  return (
    <ol className="timeline" data-testid="journal">
      {entries.map((j) => (
        <li key={j.sequence} className={`kind-${(j.kind ?? '').toLowerCase()} ${j.actor ? 'kind-action' : ''}`}>
          <div className="when">{fmtDate(j.timestamp)} · #{j.sequence}</div>
          <div className="what">
            {j.action ?? j.kind}
            {j.activityId && <span className="muted"> · {activityName?.(j.activityId) ?? j.activityId}</span>}
            {j.outcome && j.outcome !== j.action && <span className="muted"> → {j.outcome}</span>}
          </div>
          {j.actor && <div className="small">by <strong>{j.actor.userId}</strong>{j.actor.role && ` (${j.actor.role})`}{j.actor.ipAddress && <span className="muted"> from {j.actor.ipAddress}</span>}</div>}
          {j.comment && <div className="small">“{j.comment}”</div>}
          {j.message && !j.actor && <div className="small muted">{j.message}</div>}
          {j.changes?.length > 0 && (
            <div className="changes">
              {j.changes.map((c, i) => <div key={i}><code>{c.name}{c.path ?? ''}</code>: {show(c.before)} → <strong>{show(c.after)}</strong></div>)}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}
