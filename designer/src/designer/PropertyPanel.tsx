import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ActivityDef, ConnectionDef, InputDef, InterruptDef, StartTriggerDef, VariableDef, VariableType, WorkflowDefinition } from '../api/models';
import { newTrigger, triggerKind, withInput, withKind } from '../lib/triggers';
import type { TriggerKind } from '../lib/triggers';
import { insertOnConnection, newActivity, removeConnections, renameActivity, renameOutcome, setInput, updateActivity } from '../lib/defops';
import { edgeId } from '../lib/graph';
import { setProp } from '../lib/forms';
import { deriveOutcomes } from '../lib/outcomes';
import { listDefinitions } from './api';
import { InputEditor } from './editors';
import { useDefinition, useDesigner } from './store';

const TYPES: VariableType[] = ['string', 'number', 'boolean', 'datetime', 'list', 'object', 'any'];

export function PropertyPanel() {
  const def = useDefinition();
  const selection = useDesigner((s) => s.selection);
  if (!def) return null;
  if (selection.nodes.length === 1) {
    const a = def.activities.find((x) => x.id === selection.nodes[0]);
    if (a) return <ActivityProperties key={a.id} activity={a} def={def} />;
  }
  if (selection.nodes.length > 1)
    return (
      <div className="panel-section" data-testid="multi-selection">
        <h4>{selection.nodes.length} activities selected</h4>
        <p className="muted small">Ctrl+C / Ctrl+V to copy and paste them, Delete to remove them.</p>
        <button className="btn btn-sm btn-danger" onClick={() => useDesigner.getState().deleteSelection()}>Delete selection</button>
      </div>
    );
  if (selection.edges.length === 1) {
    const c = def.connections.find((x) => edgeId(x) === selection.edges[0]);
    if (c) return <ConnectionProperties key={selection.edges[0]} connection={c} def={def} />;
  }
  return <FlowProperties def={def} />;
}

/** Renames connections when an action/case name changes at the same position. */
function withOutcomeRenames(d: WorkflowDefinition, id: string, before: unknown, after: unknown): WorkflowDefinition {
  if (!Array.isArray(before) || !Array.isArray(after) || before.length !== after.length) return d;
  let next = d;
  for (let i = 0; i < after.length; i++) {
    const o = (before[i] as { name?: string })?.name;
    const n = (after[i] as { name?: string })?.name;
    if (o && n && o !== n && !after.some((x: { name?: string }, k: number) => k !== i && x?.name === o)) next = renameOutcome(next, id, o, n);
  }
  return next;
}

function ActivityProperties({ activity, def }: { activity: ActivityDef; def: WorkflowDefinition }) {
  const apply = useDesigner((s) => s.apply);
  const descriptor = useDesigner((s) => s.descriptors[activity.type]);
  const defs = useQuery({ queryKey: ['definitions', 'ids'], queryFn: () => listDefinitions(1, 500), staleTime: 60_000 });
  const [idDraft, setIdDraft] = useState(activity.id);
  useEffect(() => setIdDraft(activity.id), [activity.id]);
  const idTaken = idDraft !== activity.id && def.activities.some((a) => a.id === idDraft);
  const outcomes = deriveOutcomes(activity, descriptor);
  const wired = new Map(def.connections.filter((c) => c.source === activity.id).map((c) => [c.outcome, c.target]));
  const known = new Set(descriptor?.inputs.map((i) => i.name) ?? []);
  const extra = Object.keys(activity.inputs ?? {}).filter((k) => !known.has(k));

  return (
    <div className="props" data-testid="activity-properties">
      <div className="panel-section">
        <div className="props-type">{descriptor?.displayName ?? activity.type} <span className="muted small">{descriptor?.category}</span></div>
        {descriptor?.description && <p className="muted small">{descriptor.description}</p>}
        <label>
          Display name
          <input value={activity.displayName ?? ''} onChange={(e) => apply((d) => updateActivity(d, activity.id, { displayName: e.target.value }))} data-testid="prop-displayName" />
        </label>
        <label>
          Id
          <input
            className={`mono ${idTaken || !/^[A-Za-z0-9_-]+$/.test(idDraft) ? 'invalid' : ''}`}
            value={idDraft}
            onChange={(e) => setIdDraft(e.target.value)}
            onBlur={() => {
              if (!idTaken && /^[A-Za-z0-9_-]+$/.test(idDraft) && idDraft !== activity.id) {
                apply((d) => renameActivity(d, activity.id, idDraft));
                useDesigner.getState().select({ nodes: [idDraft], edges: [] });
              } else setIdDraft(activity.id);
            }}
            data-testid="prop-id"
          />
          {idTaken && <span className="field-error">Another activity already has this id.</span>}
        </label>
      </div>
      <div className="panel-section">
        <h4>Inputs</h4>
        {(descriptor?.inputs ?? []).map((input) => (
          <div className={`field field-${input.kind}`} key={input.name}>
            <div className="field-label" title={input.description}>
              {input.displayName || input.name}
              {input.required && <span className="req">*</span>}
              <span className="kind">{input.kind}</span>
            </div>
            <InputEditor
              input={input}
              value={activity.inputs?.[input.name]}
              definitions={(defs.data?.items ?? []).map((d) => d.id)}
              testId={`input-${input.name}`}
              onChange={(v) => apply((d) => withOutcomeRenames(setInput(d, activity.id, input.name, v), activity.id, activity.inputs?.[input.name], v))}
            />
            {input.description && <div className="muted small">{input.description}</div>}
          </div>
        ))}
        {extra.length > 0 && (
          <div className="field">
            <div className="field-label">Other inputs (not in the descriptor)</div>
            {extra.map((k) => (
              <div key={k} className="extra-input">
                <code>{k}</code> = <code>{JSON.stringify(activity.inputs[k])}</code>
                <button className="icon danger" onClick={() => apply((d) => setInput(d, activity.id, k, undefined))}>×</button>
              </div>
            ))}
          </div>
        )}
      </div>
      <div className="panel-section">
        <h4>Outcomes</h4>
        {outcomes.length === 0 && <p className="muted small">This activity ends the flow.</p>}
        <table className="mini-table">
          <tbody>
            {outcomes.map((o) => (
              <tr key={o}>
                <td className="mono">{o}</td>
                <td>→</td>
                <td>
                  <select
                    value={wired.get(o) ?? ''}
                    data-testid={`wire-${o}`}
                    onChange={(e) =>
                      apply((d) => {
                        const rest = d.connections.filter((c) => !(c.source === activity.id && c.outcome === o));
                        return { ...d, connections: e.target.value ? [...rest, { source: activity.id, outcome: o, target: e.target.value }] : rest };
                      })
                    }
                  >
                    <option value="">(not connected)</option>
                    {def.activities.map((a) => <option key={a.id} value={a.id}>{a.displayName || a.id}</option>)}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {descriptor && descriptor.outputs.length > 0 && (
        <div className="panel-section">
          <h4>Outputs</h4>
          <ul className="plain">{descriptor.outputs.map((o) => <li key={o.name}><code>{o.name}</code> <span className="muted">{o.type}</span></li>)}</ul>
        </div>
      )}
      <div className="panel-section">
        <button className="btn btn-sm btn-danger" onClick={() => useDesigner.getState().deleteSelection()} data-testid="delete-activity">Delete activity</button>
      </div>
    </div>
  );
}

function ConnectionProperties({ connection, def }: { connection: ConnectionDef; def: WorkflowDefinition }) {
  const descriptors = useDesigner((s) => s.descriptors);
  const apply = useDesigner((s) => s.apply);
  const types = Object.values(descriptors).filter((d) => d.type !== 'Start');
  const [type, setType] = useState(descriptors.UserTask ? 'UserTask' : types[0]?.type ?? '');
  const name = (id: string) => def.activities.find((a) => a.id === id)?.displayName || id;
  const insert = () => {
    const d = descriptors[type];
    const a = newActivity(def, type, d, { x: 0, y: 0 });
    const placed = { ...a, position: undefined };
    apply((x) => insertOnConnection(x, connection, placed, d));
    useDesigner.getState().select({ nodes: [a.id], edges: [] });
  };
  return (
    <div className="props" data-testid="connection-properties">
      <div className="panel-section">
        <h4>Connection</h4>
        <p>
          <strong>{name(connection.source)}</strong> — <code>{connection.outcome}</code> → <strong>{name(connection.target)}</strong>
        </p>
      </div>
      <div className="panel-section">
        <h4>Insert a stage on this connection</h4>
        <div className="row">
          <select value={type} onChange={(e) => setType(e.target.value)} data-testid="insert-type">
            {types.map((d) => <option key={d.type} value={d.type}>{d.displayName}</option>)}
          </select>
          <button className="btn btn-sm btn-primary" onClick={insert} data-testid="insert-on-connection">Insert</button>
        </div>
        <p className="muted small">The new activity takes this outcome; its first outcome continues to {name(connection.target)}.</p>
      </div>
      <div className="panel-section">
        <button className="btn btn-sm btn-danger" onClick={() => apply((d) => removeConnections(d, [connection]))} data-testid="delete-connection">Delete connection</button>
      </div>
    </div>
  );
}

function FlowProperties({ def }: { def: WorkflowDefinition }) {
  const apply = useDesigner((s) => s.apply);
  const set = (patch: Partial<WorkflowDefinition>) => apply((d) => ({ ...d, ...patch }));
  return (
    <div className="props" data-testid="flow-properties">
      <div className="panel-section">
        <h4>Flow</h4>
        <label>Name<input value={def.name} onChange={(e) => set({ name: e.target.value })} data-testid="flow-name" /></label>
        <label>Description<textarea rows={2} value={def.description ?? ''} onChange={(e) => set({ description: e.target.value })} /></label>
        <p className="muted small">Select an activity or connection to edit it. Shift-drag to select several.</p>
      </div>
      <VariablesEditor title="Variables" items={def.variables ?? []} onChange={(variables) => set({ variables })} withDefault withReadOnly testId="variables" />
      <VariablesEditor title="Start inputs" items={(def.inputs ?? []) as VariableDef[]} onChange={(inputs) => set({ inputs: inputs as InputDef[] })} withRequired testId="inputs" />
      <InterruptsEditor def={def} onChange={(interrupts) => set({ interrupts })} />
      <StartTriggersEditor def={def} onChange={(startTriggers) => set({ startTriggers: startTriggers.length ? startTriggers : undefined })} />
    </div>
  );
}

function VariablesEditor({ title, items, onChange, withDefault, withRequired, withReadOnly, testId }: { title: string; items: (VariableDef & { required?: boolean })[]; onChange: (v: (VariableDef & { required?: boolean })[]) => void; withDefault?: boolean; withRequired?: boolean; withReadOnly?: boolean; testId: string }) {
  const upd = (i: number, patch: Partial<VariableDef & { required?: boolean }>) => onChange(items.map((x, k) => (k === i ? { ...x, ...patch } : x)));
  return (
    <div className="panel-section" data-testid={`${testId}-editor`}>
      <h4>{title}</h4>
      <table className="mini-table edit-table">
        <thead>
          <tr><th>Name</th><th>Type</th>{withDefault && <th>Default</th>}{withRequired && <th>Req.</th>}{withReadOnly && <th title="read-only (owned by activities): no form field may write it">RO</th>}<th /></tr>
        </thead>
        <tbody>
          {items.map((v, i) => (
            <tr key={i}>
              <td><input className="mono" aria-label={`Name of ${title.toLowerCase()} row ${i + 1}`} value={v.name} onChange={(e) => upd(i, { name: e.target.value })} data-testid={`${testId}-${i}-name`} /></td>
              <td>
                <select aria-label={`Type of ${v.name || `row ${i + 1}`}`} value={v.type} onChange={(e) => upd(i, { type: e.target.value as VariableType })}>
                  {TYPES.map((t) => <option key={t}>{t}</option>)}
                </select>
              </td>
              {withDefault && (
                <td>
                  <input
                    className="mono"
                    aria-label={`Default of ${v.name || `row ${i + 1}`} (JSON)`}
                    defaultValue={v.default === undefined ? '' : JSON.stringify(v.default)}
                    placeholder="JSON"
                    onBlur={(e) => {
                      const t = e.target.value.trim();
                      if (!t) return upd(i, { default: undefined });
                      try { upd(i, { default: JSON.parse(t) }); } catch { upd(i, { default: t }); }
                    }}
                  />
                </td>
              )}
              {withRequired && <td><input type="checkbox" aria-label={`${v.name || `row ${i + 1}`} is required`} checked={!!v.required} onChange={(e) => upd(i, { required: e.target.checked })} /></td>}
              {withReadOnly && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${v.name || `row ${i + 1}`}: read-only (owned by activities)`}
                    title="read-only (owned by activities)"
                    checked={!!v.readOnly}
                    onChange={(e) => onChange(items.map((x, k) => (k === i ? setProp(x, 'readOnly', e.target.checked || undefined) : x)))}
                    data-testid={`${testId}-${i}-readOnly`}
                  />
                </td>
              )}
              <td><button className="icon danger" aria-label={`Remove ${v.name || `row ${i + 1}`}`} onClick={() => onChange(items.filter((_, k) => k !== i))}>×</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <button className="btn btn-sm" onClick={() => onChange([...items, { name: '', type: 'string' }])} data-testid={`${testId}-add`}>+ Add</button>
    </div>
  );
}

function InterruptsEditor({ def, onChange }: { def: WorkflowDefinition; onChange: (v: InterruptDef[]) => void }) {
  const items = def.interrupts ?? [];
  const upd = (i: number, patch: Partial<InterruptDef>) => onChange(items.map((x, k) => (k === i ? { ...x, ...patch } : x)));
  return (
    <div className="panel-section" data-testid="interrupts-editor">
      <h4>Interrupts</h4>
      <p className="muted small">When the event arrives for the instance’s correlation id, open tasks and waits are cancelled and the flow continues at the target.</p>
      {items.map((it, i) => (
        <div className="list-row" key={i}>
          <div className="list-row-body">
            <input className="mono" placeholder="event name" value={it.event} onChange={(e) => upd(i, { event: e.target.value })} />
            <select value={it.target} onChange={(e) => upd(i, { target: e.target.value })} aria-label={`Target of interrupt ${i + 1}`}>
              <option value="">(target)</option>
              {def.activities.map((a) => <option key={a.id} value={a.id}>{a.displayName || a.id}</option>)}
            </select>
            <input placeholder="description" value={it.displayName ?? ''} onChange={(e) => upd(i, { displayName: e.target.value })} />
          </div>
          <div className="list-row-tools"><button className="icon danger" onClick={() => onChange(items.filter((_, k) => k !== i))}>×</button></div>
        </div>
      ))}
      <button className="btn btn-sm" onClick={() => onChange([...items, { event: '', target: '' }])}>+ Interrupt</button>
    </div>
  );
}

/** What starts an instance besides a caller (ADR 9): an event (with a correlation expression) or a cron schedule. */
function StartTriggersEditor({ def, onChange }: { def: WorkflowDefinition; onChange: (v: StartTriggerDef[]) => void }) {
  const items = def.startTriggers ?? [];
  const inputs = def.inputs ?? [];
  const upd = (i: number, next: StartTriggerDef) => onChange(items.map((x, k) => (k === i ? next : x)));
  return (
    <div className="panel-section" data-testid="triggers-editor">
      <h4>Start triggers</h4>
      <p className="muted small">The published version starts once per event (its correlation id from the expression) or once per cron tick, on one node. Inputs are expressions over <code>event</code> or <code>tick</code>.</p>
      {items.map((t, i) => {
        const kind = triggerKind(t);
        const n = i + 1;
        return (
          <div className="list-row" key={i} data-testid={`trigger-${i}`}>
            <div className="list-row-body">
              <select aria-label={`Kind of trigger ${n}`} value={kind} onChange={(e) => upd(i, withKind(t, e.target.value as TriggerKind))} data-testid={`trigger-${i}-kind`}>
                <option value="event">event</option>
                <option value="cron">cron</option>
              </select>
              {kind === 'event' ? (
                <>
                  <input className="mono" aria-label={`Event of trigger ${n}`} placeholder="event name" value={t.event ?? ''} onChange={(e) => upd(i, { ...t, event: e.target.value })} data-testid={`trigger-${i}-event`} />
                  <input className="mono" aria-label={`Correlation expression of trigger ${n}`} placeholder="correlation, e.g. event.reference" value={t.correlation ?? ''} onChange={(e) => upd(i, { ...t, correlation: e.target.value })} data-testid={`trigger-${i}-correlation`} />
                </>
              ) : (
                <>
                  <input className="mono" aria-label={`Cron of trigger ${n} (Quartz)`} placeholder="0 0 9 ? * MON-FRI" value={t.cron ?? ''} onChange={(e) => upd(i, { ...t, cron: e.target.value })} data-testid={`trigger-${i}-cron`} />
                  <input className="mono" aria-label={`Time zone of trigger ${n}`} placeholder="UTC" value={t.timeZone ?? ''} onChange={(e) => upd(i, { ...t, timeZone: e.target.value })} data-testid={`trigger-${i}-timezone`} />
                </>
              )}
              {inputs.map((input) => (
                <input key={input.name} className="mono" aria-label={`Input ${input.name} of trigger ${n}`} placeholder={`${input.name} = expression`}
                  value={t.input?.[input.name] ?? ''} onChange={(e) => upd(i, withInput(t, input.name, e.target.value))} />
              ))}
            </div>
            <div className="list-row-tools"><button className="icon danger" aria-label={`Remove trigger ${n}`} onClick={() => onChange(items.filter((_, k) => k !== i))}>×</button></div>
          </div>
        );
      })}
      <div className="row">
        <button className="btn btn-sm" onClick={() => onChange([...items, newTrigger('event')])} data-testid="trigger-add-event">+ Event trigger</button>
        <button className="btn btn-sm" onClick={() => onChange([...items, newTrigger('cron')])} data-testid="trigger-add-cron">+ Cron trigger</button>
      </div>
    </div>
  );
}
