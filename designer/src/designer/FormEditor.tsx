import { useEffect, useState } from 'react';
import type { CommentMode, FieldType, FormFieldDef, TaskActionDef, VariableDef } from '../api/models';
import { formatDecimal, decimalOfNumber, parseDecimal, toJsonNumber } from '../lib/decimal';
import { FIELD_TYPES, checkActionForm, fieldType, setProp } from '../lib/forms';
import type { FormIssue } from '../lib/forms';
import { ExpressionField } from './ExpressionField';
import { useDefinition } from './store';

const COMMENT_LABELS: Record<CommentMode, string> = { required: 'required', optional: 'optional', none: 'none (no comment box)' };
/** The expression checker's type for `value` in a field's validation. */
const VALUE_TYPE: Record<FieldType, string> = { string: 'string', number: 'number', boolean: 'boolean', datetime: 'datetime' };

function Issues({ issues, testId }: { issues: FormIssue[]; testId: string }) {
  if (!issues.length) return null;
  return <div className="field-error" role="alert" data-testid={testId}>{issues.map((x, i) => <div key={i}>{x.message}</div>)}</div>;
}

/** A number from the definition edited as decimal text (no float arithmetic); invalid text is shown, not stored. */
function DecimalInput({ label, value, onChange, testId, integer, invalid }: { label: string; value: number | undefined; onChange: (v: number | undefined) => void; testId: string; integer?: boolean; invalid?: boolean }) {
  const shown = value === undefined ? '' : formatDecimal(decimalOfNumber(value)!);
  const [text, setText] = useState(shown);
  useEffect(() => {
    // follow undo/redo, but not while the text is an unfinished form of the same value
    const d = parseDecimal(text);
    if (!(d && value !== undefined && toJsonNumber(d) === value) && !(text === '' && value === undefined)) setText(shown);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  const d = parseDecimal(text);
  const bad = text.trim() !== '' && (!d || toJsonNumber(d) === null || (integer && (d.frac !== '' || d.negative)));
  return (
    <label>
      {label}
      <input
        className={`mono ${bad || invalid ? 'invalid' : ''}`}
        inputMode={integer ? 'numeric' : 'decimal'}
        value={text}
        aria-invalid={bad || invalid}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (t.trim() === '') return onChange(undefined);
          const p = parseDecimal(t);
          const n = p ? toJsonNumber(p) : null;
          if (p && n !== null && !(integer && (p.frac !== '' || p.negative))) onChange(n);
        }}
        data-testid={testId}
      />
      {bad && <span className="field-error">{integer ? 'A whole number, 0 or more.' : 'A number such as 12.5 (at most 15 digits).'}</span>}
    </label>
  );
}

/** Allowed values, one input per value. */
function EnumEditor({ value, onChange, testId, fieldName }: { value: string[] | undefined; onChange: (v: string[] | undefined) => void; testId: string; fieldName: string }) {
  const items = value ?? [];
  return (
    <fieldset className="wide" data-testid={testId}>
      <legend>Allowed values</legend>
      {items.length === 0 && <p className="muted small">Any value (add values to offer a choice).</p>}
      {items.map((v, i) => (
        <div className="row" key={i}>
          <input
            aria-label={`Allowed value ${i + 1} of ${fieldName || 'the field'}`}
            value={v}
            onChange={(e) => onChange(items.map((x, k) => (k === i ? e.target.value : x)))}
            data-testid={`${testId}-${i}`}
          />
          <button type="button" className="icon danger" aria-label={`Remove allowed value ${v || i + 1} of ${fieldName || 'the field'}`} title="Remove" onClick={() => { const next = items.filter((_, k) => k !== i); onChange(next.length ? next : undefined); }}>×</button>
        </div>
      ))}
      <button type="button" className="btn btn-sm" onClick={() => onChange([...items, ''])} data-testid={`${testId}-add`}>Add an allowed value to {fieldName || 'the field'}</button>
    </fieldset>
  );
}

function FieldEditor({ field, index, count, variables, issues, onChange, onMove, onRemove, testId }: {
  field: FormFieldDef; index: number; count: number; variables: VariableDef[]; issues: FormIssue[];
  onChange: (f: FormFieldDef) => void; onMove: (d: number) => void; onRemove: () => void; testId: string;
}) {
  const set = <K extends keyof FormFieldDef>(k: K, v: FormFieldDef[K] | undefined) => onChange(setProp(field, k, v));
  const type = fieldType(field);
  const at = (p: string) => issues.filter((x) => x.property === p);
  const err = (p: string) => <Issues issues={at(p)} testId={`${testId}-error-${p}`} />;
  const who = field.name || `field ${index + 1}`;
  const known = variables.some((v) => v.name === field.variable);
  return (
    <div className="form-field-card" data-testid={testId} role="group" aria-label={`Form field ${who}`}>
      <div className="form-field-grid">
        <label>Field name<input className={`mono ${at('name').length ? 'invalid' : ''}`} value={field.name} onChange={(e) => onChange({ ...field, name: e.target.value })} data-testid={`${testId}-name`} />{err('name')}</label>
        <label>
          Type
          <select value={type} onChange={(e) => set('type', e.target.value as FieldType)} data-testid={`${testId}-type`}>
            {FIELD_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label>Label<input value={field.label ?? ''} onChange={(e) => set('label', e.target.value)} data-testid={`${testId}-label`} /></label>
        <label className="check"><input type="checkbox" checked={!!field.required} onChange={(e) => set('required', e.target.checked || undefined)} data-testid={`${testId}-required`} />Required</label>
        <label className="wide">Description<input value={field.description ?? ''} onChange={(e) => set('description', e.target.value)} data-testid={`${testId}-description`} /></label>
        <label className="wide">
          Writes the variable
          <select className={at('variable').length ? 'invalid' : ''} value={field.variable ?? ''} onChange={(e) => set('variable', e.target.value)} data-testid={`${testId}-variable`}>
            <option value="">(the variable named like the field, if declared)</option>
            {field.variable && !known && <option value={field.variable}>{field.variable} (not declared)</option>}
            {variables.map((v) => <option key={v.name} value={v.name}>{v.name} ({v.type}{v.readOnly ? ', read-only' : ''})</option>)}
          </select>
          {err('variable')}
        </label>
        {type === 'number' && (
          <>
            <div><DecimalInput label="Minimum" value={field.minimum} onChange={(v) => set('minimum', v)} testId={`${testId}-minimum`} invalid={at('minimum').length > 0} />{err('minimum')}</div>
            <div><DecimalInput label="Maximum" value={field.maximum} onChange={(v) => set('maximum', v)} testId={`${testId}-maximum`} invalid={at('maximum').length > 0} />{err('maximum')}</div>
            <div><DecimalInput label="Exclusive minimum" value={field.exclusiveMinimum} onChange={(v) => set('exclusiveMinimum', v)} testId={`${testId}-exclusiveMinimum`} invalid={at('exclusiveMinimum').length > 0} />{err('exclusiveMinimum')}</div>
            <div><DecimalInput label="Decimal places (scale)" integer value={field.scale} onChange={(v) => set('scale', v)} testId={`${testId}-scale`} invalid={at('scale').length > 0} />{err('scale')}</div>
            <label className="wide">
              Currency from (field or variable holding the ISO code)
              <input className="mono" value={field.currencyInput ?? ''} onChange={(e) => set('currencyInput', e.target.value)} data-testid={`${testId}-currencyInput`} />
            </label>
          </>
        )}
        {type === 'string' && (
          <>
            <div><DecimalInput label="Minimum length" integer value={field.minLength} onChange={(v) => set('minLength', v)} testId={`${testId}-minLength`} invalid={at('minLength').length > 0} />{err('minLength')}</div>
            <div><DecimalInput label="Maximum length" integer value={field.maxLength} onChange={(v) => set('maxLength', v)} testId={`${testId}-maxLength`} invalid={at('maxLength').length > 0} />{err('maxLength')}</div>
            <label className="wide">Pattern (regular expression, whole text)<input className={`mono ${at('pattern').length ? 'invalid' : ''}`} value={field.pattern ?? ''} onChange={(e) => set('pattern', e.target.value)} data-testid={`${testId}-pattern`} />{err('pattern')}</label>
          </>
        )}
        {/* Text only, as the validator rules; a stray enum on another type stays visible so it can be removed. */}
        {(type === 'string' || field.enum) && (
          <>
            <EnumEditor value={field.enum} onChange={(v) => set('enum', v)} testId={`${testId}-enum`} fieldName={field.name} />
            {err('enum')}
          </>
        )}
        <div className="wide">
          <div className="small" id={`${testId}-validation-label`}>Validation (checked by the server; <code>value</code> is the field’s value)</div>
          <ExpressionField
            value={field.validation?.expression ?? ''}
            label={`Validation expression of ${who}`}
            extraVariables={{ value: VALUE_TYPE[type] }}
            placeholder="e.g. value < requestedAmount"
            onChange={(v) => set('validation', v || field.validation?.message ? { ...(field.validation ?? {}), expression: v } : undefined)}
            testId={`${testId}-validation`}
          />
          <label>
            Message when the expression is false
            <input
              value={field.validation?.message ?? ''}
              onChange={(e) => {
                const expression = field.validation?.expression ?? '';
                const message = e.target.value || undefined;
                set('validation', expression || message ? setProp<{ expression: string; message?: string }, 'message'>({ expression }, 'message', message) : undefined);
              }}
              data-testid={`${testId}-validationMessage`}
            />
          </label>
          {err('validation')}
        </div>
      </div>
      <div className="form-field-tools">
        <button type="button" className="icon" aria-label={`Move field ${who} up`} title="Move up" disabled={index === 0} onClick={() => onMove(-1)}>↑</button>
        <button type="button" className="icon" aria-label={`Move field ${who} down`} title="Move down" disabled={index === count - 1} onClick={() => onMove(1)}>↓</button>
        <button type="button" className="btn btn-sm btn-danger" onClick={onRemove} data-testid={`${testId}-remove`}>Remove field {field.name}</button>
      </div>
    </div>
  );
}

/** The action's form (fields), comment mode, system scopes and four-eyes rule (ADR 7), with inline problems. */
export function ActionFormEditor({ action, onChange, testId }: { action: TaskActionDef; onChange: (a: TaskActionDef) => void; testId: string }) {
  const def = useDefinition();
  const fields = action.fields ?? [];
  const actionName = action.displayName || action.name || 'the action';
  const issues = checkActionForm(action, def);
  const variables = def?.variables ?? [];
  const userTasks = (def?.activities ?? []).filter((x) => x.type === 'UserTask');
  const different = action.differentFrom ?? [];
  const unknownDifferent = different.filter((d) => d !== '@starter' && !userTasks.some((u) => u.id === d));
  const [scopesText, setScopesText] = useState((action.scopes ?? []).join(', '));
  useEffect(() => {
    if (scopesText.split(',').map((s) => s.trim()).filter(Boolean).join(',') !== (action.scopes ?? []).join(',')) setScopesText((action.scopes ?? []).join(', '));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [action.scopes]);
  const setFields = (next: FormFieldDef[]) => onChange(setProp(action, 'fields', next));
  const move = (i: number, d: number) => {
    const j = i + d;
    if (j < 0 || j >= fields.length) return;
    const next = [...fields];
    [next[i], next[j]] = [next[j], next[i]];
    setFields(next);
  };
  const toggle = (id: string, on: boolean) => onChange(setProp(action, 'differentFrom', on ? [...different.filter((x) => x !== id), id] : different.filter((x) => x !== id)));
  const declared = fields.length > 0 || action.comment || action.scopes?.length || different.length;
  const summary = [
    `${fields.length} field${fields.length === 1 ? '' : 's'}`,
    action.comment ? `comment ${action.comment}` : null,
    action.scopes?.length ? `${action.scopes.length} scope${action.scopes.length === 1 ? '' : 's'}` : null,
    different.length ? 'four eyes' : null,
  ].filter(Boolean).join(' · ');
  return (
    <details className="form-editor wide" open={!!declared || undefined} data-testid={`${testId}-form`}>
      <summary data-testid={`${testId}-form-toggle`}>
        Form and rules <span className="muted small">({summary})</span>
        {issues.length > 0 && <span className="field-error"> — {issues.length} problem{issues.length === 1 ? '' : 's'}</span>}
      </summary>
      <label>
        Comment
        <select value={action.comment ?? ''} onChange={(e) => onChange(setProp(action, 'comment', (e.target.value || undefined) as CommentMode | undefined))} data-testid={`${testId}-comment`}>
          <option value="">default ({action.requiredFields?.includes('comment') ? 'required: listed in required fields' : 'optional'})</option>
          {(Object.keys(COMMENT_LABELS) as CommentMode[]).map((m) => <option key={m} value={m}>{COMMENT_LABELS[m]}</option>)}
        </select>
      </label>
      <Issues issues={issues.filter((x) => x.property === 'comment')} testId={`${testId}-error-comment`} />
      <label>
        System scopes (API keys holding one may take the action; comma-separated)
        <input
          className="mono"
          value={scopesText}
          onChange={(e) => {
            setScopesText(e.target.value);
            onChange(setProp(action, 'scopes', e.target.value.split(',').map((s) => s.trim()).filter(Boolean)));
          }}
          data-testid={`${testId}-scopes`}
        />
      </label>
      <fieldset data-testid={`${testId}-differentFrom`}>
        <legend>Four eyes: the actor must differ from</legend>
        <div className="check-list">
          <label className="check"><input type="checkbox" checked={different.includes('@starter')} onChange={(e) => toggle('@starter', e.target.checked)} data-testid={`${testId}-differentFrom-@starter`} />the starter (@starter)</label>
          {userTasks.map((u) => (
            <label className="check" key={u.id}>
              <input type="checkbox" checked={different.includes(u.id)} onChange={(e) => toggle(u.id, e.target.checked)} data-testid={`${testId}-differentFrom-${u.id}`} />
              the actor of {u.displayName ? `${u.displayName} (${u.id})` : u.id}
            </label>
          ))}
          {unknownDifferent.map((id) => (
            <label className="check" key={id}>
              <input type="checkbox" checked onChange={() => toggle(id, false)} />
              {id} (not a user task)
            </label>
          ))}
        </div>
        <Issues issues={issues.filter((x) => x.property === 'differentFrom')} testId={`${testId}-error-differentFrom`} />
      </fieldset>
      <fieldset>
        <legend>Form fields</legend>
        {fields.length === 0 && (
          <p className="muted small">
            No fields: the action accepts no data{action.requiredFields?.some((f) => f !== 'comment') ? ` except the legacy required fields (${action.requiredFields.filter((f) => f !== 'comment').join(', ')})` : ''}.
          </p>
        )}
        {fields.map((f, i) => (
          <FieldEditor
            key={i}
            field={f}
            index={i}
            count={fields.length}
            variables={variables}
            issues={issues.filter((x) => x.field === i)}
            onChange={(nf) => setFields(fields.map((x, k) => (k === i ? nf : x)))}
            onMove={(d) => move(i, d)}
            onRemove={() => setFields(fields.filter((_, k) => k !== i))}
            testId={`${testId}-field-${i}`}
          />
        ))}
        <button type="button" className="btn btn-sm" onClick={() => setFields([...fields, { name: `field${fields.length + 1}`, type: 'string' }])} data-testid={`${testId}-field-add`}>
          Add field to {actionName}
        </button>
      </fieldset>
    </details>
  );
}
