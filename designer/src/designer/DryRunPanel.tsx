import { useState } from 'react';
import { post } from '../api/client';
import type { DryRunAction, DryRunResponse, DryRunResume } from '../api/models';
import { ErrorBox, Spinner, StatusBadge, fmtDate } from '../common/ui';
import { dryRunBody, sampleInput } from '../lib/forms';
import { summarize } from '../lib/coverage';
import { deriveOutcomes } from '../lib/outcomes';
import { useDefinition, useDesigner } from './store';

// values the inputs' constraints accept (a currency input gets USD, an enum its first value), so a dry run starts
function sample(def: ReturnType<typeof useDefinition>): string {
  return JSON.stringify(sampleInput(def?.inputs), null, 2);
}

/** Runs the editor's definition without touching real data, step by step. */
export function DryRunPanel() {
  const def = useDefinition();
  const dry = useDesigner((s) => s.dryRun);
  const setDryRun = useDesigner((s) => s.setDryRun);
  const coverage = useDesigner((s) => s.coverage[s.definitionId ?? ''] ?? null);
  const showCoverage = useDesigner((s) => s.showCoverage);
  const descriptors = useDesigner((s) => s.descriptors);
  const [input, setInput] = useState(() => sample(def));
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [comment, setComment] = useState('');
  const [eventName, setEventName] = useState('');
  const [payload, setPayload] = useState('');
  if (!def) return null;

  const start = async () => {
    let parsed: unknown;
    try { parsed = JSON.parse(input || '{}'); } catch { setError({ problem: { detail: 'The sample input is not valid JSON.' } }); return; }
    setBusy('Starting…');
    setError(null);
    try {
      const r = await post<DryRunResponse>('/api/dry-run/start', { definition: def, input: parsed });
      setDryRun(r, 'Started', true);
    } catch (e) { setError(e); } finally { setBusy(null); }
  };
  const step = async (resume: DryRunResume, label: string) => {
    if (!dry) return;
    setBusy(`${label}…`);
    setError(null);
    try {
      const r = await post<DryRunResponse>('/api/dry-run/resume', { definition: def, state: dry.response.state, resume });
      setDryRun(r, label);
      setComment('');
    } catch (e) { setError(e); } finally { setBusy(null); }
  };

  const view = dry?.response.view;
  const outcomesBy = Object.fromEntries(def.activities.map((a) => [a.id, deriveOutcomes(a, descriptors[a.type])]));
  const cov = coverage ? summarize(coverage, def.activities.map((a) => a.id), outcomesBy) : null;
  const pct = (a: number, b: number) => (b ? Math.round((100 * a) / b) : 0);

  return (
    <div data-testid="dryrun-panel">
      <div className="panel-section">
        <h4>Sample input</h4>
        <textarea className="mono" rows={5} value={input} onChange={(e) => setInput(e.target.value)} data-testid="dryrun-input" />
        <div className="row">
          <button className="btn btn-sm btn-primary" onClick={start} disabled={!!busy} data-testid="dryrun-start">{dry ? 'Restart run' : 'Start dry run'}</button>
          {dry && <button className="btn btn-sm" onClick={() => setDryRun(null)}>Clear</button>}
          {busy && <Spinner small label={busy} />}
        </div>
        <p className="muted small">Uses the editor’s current (unsaved) definition. No real data is touched.</p>
        <ErrorBox error={error} />
      </div>
      {view && (
        <>
          <div className="panel-section" data-testid="dryrun-state">
            <div className="row spread">
              <h4>State</h4>
              <span className="row"><StatusBadge status={view.status} testId="dryrun-status" /> <StatusBadge status={view.businessStatus} /> {view.department && <span className="badge">{view.department}</span>}</span>
            </div>
            {view.openTasks.map((t) => (
              <div key={t.taskId} className="list-row" data-testid={`dryrun-task-${t.activityId}`}>
                <div className="list-row-body">
                  <strong>{t.title}</strong>
                  <input placeholder="comment (optional)" aria-label="Comment for the dry-run action" value={comment} onChange={(e) => setComment(e.target.value)} />
                  <div className="dry-actions">
                    {t.actions.map((a) => (
                      <button key={a.name} className="btn btn-sm" disabled={!!busy} data-testid={`dryrun-action-${a.name}`}
                        onClick={() => step({ kind: 'action', taskId: t.taskId, action: a.name, ...dryRunBody(a as DryRunAction, comment) }, a.displayName || a.name)}>
                        {a.displayName || a.name}
                      </button>
                    ))}
                  </div>
                </div>
              </div>
            ))}
            {view.waits.map((w) => (
              <div key={w.bookmarkId} className="list-row" data-testid={`dryrun-wait-${w.activityId}`}>
                <div className="list-row-body">
                  <span><strong>{w.kind}</strong> at {def.activities.find((a) => a.id === w.activityId)?.displayName || w.activityId} {w.eventName && <code>{w.eventName}</code>} {w.dueAt && <span className="muted small">due {fmtDate(w.dueAt)}</span>}</span>
                  <div className="dry-actions">
                    {w.kind === 'timer' && <button className="btn btn-sm" onClick={() => step({ kind: 'timer', bookmarkId: w.bookmarkId }, 'Fire timer')} data-testid="dryrun-fire-timer">Fire timer</button>}
                    {w.kind === 'event' && <button className="btn btn-sm" onClick={() => step({ kind: 'event', eventName: w.eventName ?? undefined, bookmarkId: w.bookmarkId }, `Send ${w.eventName}`)}>Send {w.eventName}</button>}
                    {w.kind === 'job' && (outcomesBy[w.activityId] ?? ['Done']).map((o) => (
                      <button key={o} className="btn btn-sm" onClick={() => step({ kind: 'job', bookmarkId: w.bookmarkId, outcome: o }, `Job → ${o}`)}>Job → {o}</button>
                    ))}
                  </div>
                </div>
              </div>
            ))}
            {view.openTasks.length === 0 && view.waits.length === 0 && <p className="muted small">Nothing is waiting: the run has finished.</p>}
          </div>
          <div className="panel-section">
            <h4>Send an event</h4>
            <div className="row">
              <input placeholder="event name" list="dry-events" value={eventName} onChange={(e) => setEventName(e.target.value)} data-testid="dryrun-event-name" />
              <datalist id="dry-events">{(def.interrupts ?? []).map((i) => <option key={i.event} value={i.event} />)}</datalist>
              <button className="btn btn-sm" disabled={!eventName || !!busy} onClick={() => { let p: unknown; try { p = payload ? JSON.parse(payload) : undefined; } catch { p = payload; } void step({ kind: 'event', eventName, payload: p }, `Event ${eventName}`); }} data-testid="dryrun-send-event">Send</button>
            </div>
            <input className="mono" placeholder='payload JSON (optional)' value={payload} onChange={(e) => setPayload(e.target.value)} />
          </div>
          <div className="panel-section">
            <h4>Variables</h4>
            <pre className="json-view">{JSON.stringify(view.variables, null, 2)}</pre>
          </div>
          <div className="panel-section">
            <h4>Journal</h4>
            <ol className="timeline small">
              {view.journal.slice(-12).map((j) => (
                <li key={j.sequence} className={`kind-${j.kind.toLowerCase()}`}>
                  <div className="what">{j.kind}{j.activityId ? ` · ${j.activityId}` : ''}{j.outcome ? ` → ${j.outcome}` : ''}</div>
                  {j.message && <div className="muted">{j.message}</div>}
                </li>
              ))}
            </ol>
          </div>
        </>
      )}
      {cov && coverage && (
        <div className="panel-section" data-testid="coverage">
          <div className="row spread">
            <h4>Coverage over {coverage.runs} run{coverage.runs === 1 ? '' : 's'}</h4>
            <label className="check small"><input type="checkbox" checked={showCoverage} onChange={(e) => useDesigner.getState().setShowCoverage(e.target.checked)} data-testid="coverage-toggle" /> show on canvas</label>
          </div>
          <div className="small">Activities {cov.activitiesVisited}/{cov.activitiesTotal} ({pct(cov.activitiesVisited, cov.activitiesTotal)}%)</div>
          <div className="coverage-bar"><span style={{ width: `${pct(cov.activitiesVisited, cov.activitiesTotal)}%` }} /></div>
          <div className="small">Outcomes {cov.outcomesVisited}/{cov.outcomesTotal} ({pct(cov.outcomesVisited, cov.outcomesTotal)}%)</div>
          <div className="coverage-bar"><span style={{ width: `${pct(cov.outcomesVisited, cov.outcomesTotal)}%` }} /></div>
          {cov.missedOutcomes.length > 0 && (
            <details>
              <summary className="small">Not yet taken ({cov.missedOutcomes.length})</summary>
              <ul className="plain small">{cov.missedOutcomes.map((m) => <li key={`${m.source}-${m.outcome}`}><code>{m.source}</code> → {m.outcome}</li>)}</ul>
            </details>
          )}
          <button className="btn btn-sm" onClick={() => useDesigner.getState().resetCoverage()}>Reset coverage</button>
        </div>
      )}
    </div>
  );
}
