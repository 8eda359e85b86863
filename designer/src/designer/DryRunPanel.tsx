import { useState } from 'react';
import { RawJson, post } from '../api/client';
import type { DryRunAction, DryRunResponse, DryRunResume, WaitView, WorkflowDefinition } from '../api/models';
import { ErrorBox, Spinner, StatusBadge, fmtDate } from '../common/ui';
import { dryRunBody, sampleInput } from '../lib/forms';
import { summarize } from '../lib/coverage';
import { deriveOutcomes } from '../lib/outcomes';
import { controlFor, parseObject, resultOutcomes, resumeFor, sampleOutputs, waitLabel, withRawJson } from '../lib/dryrun';
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
  // `raw`: JSON the analyst typed for the resume (outputs or payload), sent as typed (withRawJson)
  const step = async (resume: DryRunResume, label: string, raw?: { key: 'outputs' | 'payload'; text: string }) => {
    if (!dry) return false;
    setBusy(`${label}…`);
    setError(null);
    try {
      const body = { definition: def, state: dry.response.state, resume };
      const r = await post<DryRunResponse>('/api/dry-run/resume', raw ? new RawJson(withRawJson(body, ['resume', raw.key], raw.text)) : body);
      setDryRun(r, label);
      setComment('');
      return true;
    } catch (e) { setError(e); return false; } finally { setBusy(null); }
  };

  const view = dry?.response.view;
  const outcomesBy = Object.fromEntries(def.activities.map((a) => [a.id, deriveOutcomes(a, descriptors[a.type])]));
  const cov = coverage ? summarize(coverage, def.activities.map((a) => a.id), outcomesBy) : null;
  const pct = (a: number, b: number) => (b ? Math.round((100 * a) / b) : 0);

  return (
    <div data-testid="dryrun-panel">
      <div className="panel-section">
        <h4>Sample input</h4>
        <textarea className="mono" rows={5} value={input} onChange={(e) => setInput(e.target.value)} aria-label="Sample input (JSON)" data-testid="dryrun-input" />
        <div className="row">
          <button className="btn btn-sm btn-primary" onClick={start} disabled={!!busy} data-testid="dryrun-start">{dry ? 'Restart run' : 'Start dry run'}</button>
          {dry && <button className="btn btn-sm" onClick={() => setDryRun(null)}>Clear the run</button>}
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
              <WaitRow key={w.bookmarkId} wait={w} def={def} busy={!!busy} onStep={step} />
            ))}
            {view.openTasks.length === 0 && view.waits.length === 0 && <p className="muted small">Nothing is waiting: the run has finished.</p>}
          </div>
          <div className="panel-section">
            <h4>Send an event</h4>
            <div className="row">
              <input placeholder="event name" aria-label="Event name to send" list="dry-events" value={eventName} onChange={(e) => setEventName(e.target.value)} data-testid="dryrun-event-name" />
              <datalist id="dry-events">{(def.interrupts ?? []).map((i) => <option key={i.event} value={i.event} />)}</datalist>
              <button className="btn btn-sm" disabled={!eventName || !!busy} onClick={() => { let p: unknown; try { p = payload ? JSON.parse(payload) : undefined; } catch { p = payload; } void step({ kind: 'event', eventName, payload: p }, `Event ${eventName}`); }} data-testid="dryrun-send-event">Send</button>
            </div>
            <input className="mono" placeholder='payload JSON (optional)' aria-label="Payload of the event (JSON, optional)" value={payload} onChange={(e) => setPayload(e.target.value)} />
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

/**
 * One wait of the run and how to resume it: fire a timer, send the awaited event (with a payload), or report the
 * result of an outside call or a child flow (its outcome and outputs) — the run never stops at an outside call.
 */
function WaitRow({ wait: w, def, busy, onStep }: { wait: WaitView; def: WorkflowDefinition; busy: boolean; onStep: (r: DryRunResume, label: string, raw?: { key: 'outputs' | 'payload'; text: string }) => Promise<boolean> }) {
  const descriptors = useDesigner((s) => s.descriptors);
  const activity = def.activities.find((a) => a.id === w.activityId);
  const descriptor = activity ? descriptors[activity.type] : undefined;
  const name = activity?.displayName || w.activityId;
  const control = controlFor(w.kind);
  const outcomes = resultOutcomes(activity, descriptor, def.connections, w.kind);
  const [outcome, setOutcome] = useState(outcomes[0]);
  const [json, setJson] = useState(() => (control === 'result' && w.kind === 'Job' ? sampleOutputs(descriptor?.outputs) : ''));
  const [problem, setProblem] = useState<string | null>(null);
  const what = control === 'send' ? 'The payload' : 'The outputs';
  const send = (resume: DryRunResume, label: string, key: 'outputs' | 'payload') => {
    const check = parseObject(json, what);
    if (!check.ok) return setProblem(check.message);
    setProblem(null);
    void onStep(resume, label, { key, text: json });
  };
  return (
    <div className="list-row dry-wait" data-testid={`dryrun-wait-${w.activityId}`} data-kind={w.kind}>
      <div className="list-row-body">
        <span>
          <strong>{waitLabel(w.kind)}</strong> at {name} {w.eventName && <code>{w.eventName}</code>} {w.dueAt && <span className="muted small">due {fmtDate(w.dueAt)}</span>}
        </span>
        {control === 'fire' && (
          <div className="dry-actions">
            <button className="btn btn-sm" disabled={busy} onClick={() => void onStep(resumeFor(w), `Fire timer at ${name}`)} data-testid="dryrun-fire-timer">Fire timer at {name}</button>
          </div>
        )}
        {control === 'send' && (
          <>
            <label className="small">
              Payload of {w.eventName} (JSON object, optional)
              <textarea className="mono" rows={2} value={json} onChange={(e) => setJson(e.target.value)} aria-invalid={!!problem || undefined} data-testid={`dryrun-payload-${w.activityId}`} />
            </label>
            <div className="dry-actions">
              <button className="btn btn-sm" disabled={busy} onClick={() => send(resumeFor(w), `Send ${w.eventName}`, 'payload')} data-testid={`dryrun-send-${w.activityId}`}>Send {w.eventName}</button>
            </div>
          </>
        )}
        {control === 'result' && (
          <>
            <label className="small">
              {w.kind === 'Job' ? 'Result of the outside call' : 'How the child flow ended'}
              <select value={outcome} onChange={(e) => setOutcome(e.target.value)} data-testid={`dryrun-outcome-${w.activityId}`}>
                {outcomes.map((o) => <option key={o} value={o}>{o}</option>)}
              </select>
            </label>
            <label className="small">
              {w.kind === 'Job' ? 'Outputs it returns (JSON object)' : 'Variables of the child (JSON object, optional)'}
              <textarea className="mono" rows={4} value={json} onChange={(e) => setJson(e.target.value)} aria-invalid={!!problem || undefined} data-testid={`dryrun-outputs-${w.activityId}`} />
            </label>
            <div className="dry-actions">
              <button className="btn btn-sm btn-primary" disabled={busy} onClick={() => send(resumeFor(w, outcome), `${name} → ${outcome}`, 'outputs')} data-testid={`dryrun-continue-${w.activityId}`}>
                Continue with {outcome}
              </button>
            </div>
          </>
        )}
        {problem && <div className="field-error" role="alert" data-testid={`dryrun-json-error-${w.activityId}`}>{problem}</div>}
      </div>
    </div>
  );
}
