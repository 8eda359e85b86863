import { useState } from 'react';
import type { Assignment, Case, InputDescriptor, TaskActionDef } from '../api/models';
import { ExpressionField } from './ExpressionField';
import { ActionFormEditor } from './FormEditor';

// `label` is the control's accessible name in business words ("Title of CS review"): the visible label sits in a
// sibling element, not a <label> around the control.
interface EditorProps<T> { input: InputDescriptor; value: T | undefined; onChange: (v: T | undefined) => void; testId: string; label: string }

const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
export const isDuration = (s: string) => ISO_DURATION.test(s);

function TextEditor({ input, value, onChange, testId, label }: EditorProps<string>) {
  if (input.options?.length)
    return (
      <select aria-label={label} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)} data-testid={testId}>
        <option value="">—</option>
        {input.options.map((o) => <option key={o}>{o}</option>)}
      </select>
    );
  return <input aria-label={label} value={value ?? ''} onChange={(e) => onChange(e.target.value)} data-testid={testId} />;
}

function NumberEditor({ value, onChange, testId, label }: EditorProps<number>) {
  return <input aria-label={label} type="number" value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} data-testid={testId} />;
}

function BooleanEditor({ value, onChange, testId, label }: EditorProps<boolean>) {
  return <input aria-label={label} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />;
}

function DurationEditor({ value, onChange, testId, label }: EditorProps<string>) {
  const v = value ?? '';
  return (
    <div>
      <input aria-label={label} aria-invalid={(v && !isDuration(v)) || undefined} className={`mono ${v && !isDuration(v) ? 'invalid' : ''}`} placeholder="PT4H, P2D" value={v} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
      {v && !isDuration(v) && <div className="field-error">Use an ISO 8601 duration such as PT4H or P2D.</div>}
    </div>
  );
}

function CronEditor({ value, onChange, testId, label }: EditorProps<string>) {
  const v = value ?? '';
  const parts = v.trim().split(/\s+/).filter(Boolean).length;
  return (
    <div>
      <input aria-label={label} className="mono" placeholder="0 0 9 ? * MON-FRI" value={v} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
      {v && (parts < 6 || parts > 7) && <div className="field-error">A Quartz cron has 6 or 7 fields (sec min hour day month weekday [year]).</div>}
    </div>
  );
}

function StringListEditor({ value, onChange, testId, label }: EditorProps<string[]>) {
  const [text, setText] = useState((value ?? []).join('\n'));
  return (
    <textarea
      aria-label={`${label} (one per line)`}
      rows={3}
      value={text}
      placeholder="one per line"
      onChange={(e) => {
        setText(e.target.value);
        onChange(e.target.value.split('\n').map((s) => s.trim()).filter(Boolean));
      }}
      data-testid={testId}
    />
  );
}

/**
 * A reorderable list of rows. `itemName` names a row in business words ("action Approve", "case HighAmount") for its
 * move and remove buttons; `addLabel` is the add button's whole text ("Add action").
 */
function ListShell<T,>({ items, onChange, make, render, addLabel, itemName, testId }: { items: T[]; onChange: (v: T[]) => void; make: () => T; render: (item: T, set: (v: T) => void, i: number) => React.ReactNode; addLabel: string; itemName: (item: T, i: number) => string; testId: string }) {
  const move = (i: number, d: number) => {
    const j = i + d;
    if (j < 0 || j >= items.length) return;
    const next = [...items];
    [next[i], next[j]] = [next[j], next[i]];
    onChange(next);
  };
  return (
    <div className="list-editor" data-testid={testId}>
      {items.map((it, i) => {
        const name = itemName(it, i);
        return (
          <div className="list-row" key={i} role="group" aria-label={name}>
            <div className="list-row-body">{render(it, (v) => onChange(items.map((x, k) => (k === i ? v : x))), i)}</div>
            <div className="list-row-tools">
              <button className="icon" title="Move up" aria-label={`Move ${name} up`} onClick={() => move(i, -1)} disabled={i === 0}>↑</button>
              <button className="icon" title="Move down" aria-label={`Move ${name} down`} onClick={() => move(i, 1)} disabled={i === items.length - 1}>↓</button>
              <button className="icon danger" title="Remove" aria-label={`Remove ${name}`} onClick={() => onChange(items.filter((_, k) => k !== i))} data-testid={`${testId}-remove-${i}`}>×</button>
            </div>
          </div>
        );
      })}
      <button className="btn btn-sm" onClick={() => onChange([...items, make()])} data-testid={`${testId}-add`}>{addLabel}</button>
    </div>
  );
}

function AssignmentsEditor({ value, onChange, testId, label }: EditorProps<Assignment[]>) {
  const nameOf = (a: Assignment, i: number) => (a.name ? `assignment to ${a.name}` : `assignment ${i + 1}`);
  return (
    <ListShell
      items={value ?? []}
      onChange={onChange}
      make={() => ({ name: '', value: '' })}
      addLabel={`Add assignment to ${label}`}
      itemName={nameOf}
      testId={testId}
      render={(a, set, i) => (
        <>
          <input placeholder="variable" aria-label={`Variable of ${nameOf(a, i)}`} value={a.name} onChange={(e) => set({ ...a, name: e.target.value })} data-testid={`${testId}-${i}-name`} />
          <ExpressionField value={a.value} onChange={(v) => set({ ...a, value: v })} placeholder="expression" label={`Value of ${nameOf(a, i)}`} testId={`${testId}-${i}-value`} />
        </>
      )}
    />
  );
}

function CasesEditor({ value, onChange, testId }: EditorProps<Case[]>) {
  const nameOf = (c: Case, i: number) => (c.name ? `case ${c.name}` : `case ${i + 1}`);
  return (
    <ListShell
      items={value ?? []}
      onChange={onChange}
      make={() => ({ name: '', condition: '' })}
      addLabel="Add case"
      itemName={nameOf}
      testId={testId}
      render={(c, set, i) => (
        <>
          <input placeholder="outcome name" aria-label={`Outcome name of ${nameOf(c, i)}`} value={c.name} onChange={(e) => set({ ...c, name: e.target.value })} data-testid={`${testId}-${i}-name`} />
          <ExpressionField value={c.condition} onChange={(v) => set({ ...c, condition: v })} placeholder="condition" label={`Condition of ${nameOf(c, i)}`} testId={`${testId}-${i}-condition`} />
        </>
      )}
    />
  );
}

/** UserTask actions table: name, display name, permission, guard (+ message), required fields. */
export function ActionsEditor({ value, onChange, testId }: EditorProps<TaskActionDef[]>) {
  const items = value ?? [];
  const nameOf = (a: TaskActionDef, i: number) => `action ${a.displayName || a.name || i + 1}`;
  return (
    <ListShell
      items={items}
      onChange={onChange}
      make={(): TaskActionDef => ({ name: `Action${items.length + 1}`, displayName: `Action ${items.length + 1}` })}
      addLabel="Add action"
      itemName={nameOf}
      testId={testId}
      render={(a, set, i) => {
        const who = nameOf(a, i);
        return (
          <div className="action-grid">
            <label>Name<input className="mono" aria-label={`Name of ${who}`} value={a.name} onChange={(e) => set({ ...a, name: e.target.value })} data-testid={`${testId}-${i}-name`} /></label>
            <label>Display name<input aria-label={`Display name of ${who}`} value={a.displayName ?? ''} onChange={(e) => set({ ...a, displayName: e.target.value })} data-testid={`${testId}-${i}-displayName`} /></label>
            <label>Permission<input className="mono" aria-label={`Permission needed for ${who}`} placeholder="wd:3" value={a.permission ?? ''} onChange={(e) => set({ ...a, permission: e.target.value || undefined })} data-testid={`${testId}-${i}-permission`} /></label>
            <label>Required fields<input aria-label={`Required fields of ${who}`} placeholder="comment, fee" value={(a.requiredFields ?? []).join(', ')} onChange={(e) => set({ ...a, requiredFields: e.target.value.split(',').map((s) => s.trim()).filter(Boolean) })} data-testid={`${testId}-${i}-requiredFields`} /></label>
            <div className="wide"><span className="small">Guard</span><ExpressionField value={a.guard ?? ''} onChange={(v) => set({ ...a, guard: v || undefined })} placeholder="e.g. openTrades > 0" label={`Guard of ${who} (when it is offered)`} testId={`${testId}-${i}-guard`} /></div>
            <label className="wide">Guard message<input aria-label={`Guard message of ${who}`} value={a.guardMessage ?? ''} placeholder="why the action is not offered" onChange={(e) => set({ ...a, guardMessage: e.target.value || undefined })} data-testid={`${testId}-${i}-guardMessage`} /></label>
            <ActionFormEditor action={a} onChange={set} testId={`${testId}-${i}`} />
          </div>
        );
      }}
    />
  );
}

function DefinitionRefEditor({ value, onChange, testId, definitions, label }: EditorProps<string> & { definitions: string[] }) {
  return (
    <>
      <input aria-label={label} list="definition-ids" value={value ?? ''} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
      <datalist id="definition-ids">{definitions.map((d) => <option key={d} value={d} />)}</datalist>
    </>
  );
}

/** The editor for one input of an activity; `label` names its control(s) (the visible label is beside it). */
export function InputEditor({ input, value, onChange, testId, definitions, label }: { input: InputDescriptor; value: unknown; onChange: (v: unknown) => void; testId: string; definitions: string[]; label: string }) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const p = { input, onChange: onChange as (v: any) => void, testId, label };
  switch (input.kind) {
    case 'number': return <NumberEditor {...p} value={value as number} />;
    case 'boolean': return <BooleanEditor {...p} value={value as boolean} />;
    case 'expression': return <ExpressionField value={(value as string) ?? ''} onChange={onChange} testId={testId} label={label} multiline />;
    case 'duration': return <DurationEditor {...p} value={value as string} />;
    case 'cron': return <CronEditor {...p} value={value as string} />;
    case 'stringList': return <StringListEditor {...p} value={value as string[]} />;
    case 'assignments': return <AssignmentsEditor {...p} value={value as Assignment[]} />;
    case 'cases': return <CasesEditor {...p} value={value as Case[]} />;
    case 'actions': return <ActionsEditor {...p} value={value as TaskActionDef[]} />;
    case 'definition': return <DefinitionRefEditor {...p} value={value as string} definitions={definitions} />;
    case 'text':
    default: return <TextEditor {...p} value={value as string} />;
  }
}
