import { useId, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import type { FormFieldView, TaskAction } from '../api/models';
import { ErrorBox, Modal, Notice, Spinner } from '../common/ui';
import { buildSubmission, commentMode, fieldErrors, fieldLabel, fieldType, formFields } from '../lib/forms';
import { loadDraft, saveDraft } from './drafts';

export interface ActionBody { comment?: string; data?: Record<string, unknown> }

/**
 * The dialog of a task action (the WD card's tasks included), rendered from the action's form: one input per field
 * with the server's checks, the comment as the action's mode says, the server's 422 messages at their fields.
 * `context` holds values the checks may need besides the fields (the request's currency for `currencyInput`).
 * What is typed is kept per task and action (drafts.ts) until the action succeeds; `notice` says why a submit did
 * not go through (a stale card, an expired session) above the kept text.
 */
export function ActionDialog({ taskId, action, busy, error, notice, context, onClose, onSubmit }: {
  taskId: string;
  action: TaskAction;
  busy: boolean;
  error: unknown;
  notice?: string | null;
  context?: Record<string, unknown>;
  onClose: () => void;
  onSubmit: (body: ActionBody) => void;
}) {
  const fields = formFields(action);
  const mode = commentMode(action);
  const [kept] = useState(() => loadDraft(taskId, action.name));
  const [values, setValues] = useState<Record<string, string>>(() => kept?.values ?? {});
  const [comment, setComment] = useState(() => kept?.comment ?? '');
  const [tried, setTried] = useState(false);
  // server messages are shown until the field they name is edited
  const [edited, setEdited] = useState<{ error: unknown; names: Set<string> }>({ error: null, names: new Set() });
  const formRef = useRef<HTMLFormElement>(null);
  const ids = useId();

  const submission = buildSubmission(action, values, comment, context);
  const problem = error instanceof ApiError && error.status === 422 ? error.problem : null;
  const server = fieldErrors(problem?.errors, fields.map((f) => f.name));
  const touched = edited.error === error ? edited.names : new Set<string>();
  const serverAt = (name: string) => (touched.has(name) ? [] : server.byField[name] ?? []);
  const clientAt = (name: string) => (tried || (name === 'comment' ? comment !== '' : (values[name] ?? '') !== '') ? submission.errors[name] : undefined);
  const rest = problem ? { status: 422, problem: { ...problem, errors: server.rest } } : error;

  const change = (name: string, v: string) => {
    setEdited({ error, names: new Set([...touched, name]) });
    const next = name === 'comment' ? { comment: v, values } : { comment, values: { ...values, [name]: v } };
    setComment(next.comment);
    setValues(next.values);
    saveDraft(taskId, action.name, next);
  };
  const send = () => {
    setTried(true);
    if (Object.keys(submission.errors).length) {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    onSubmit({ comment: submission.comment, data: submission.data });
  };

  return (
    <Modal
      title={action.displayName || action.name}
      onClose={onClose}
      testId="action-dialog"
      footer={
        <>
          <button className="btn" onClick={onClose} disabled={busy} data-testid="action-cancel">Cancel</button>
          <button className="btn btn-primary" disabled={busy} onClick={send} data-testid="action-submit">
            {busy ? <Spinner small label="Submitting…" /> : 'Submit'}
          </button>
        </>
      }
    >
      <form className="form" ref={formRef} noValidate onSubmit={(e) => { e.preventDefault(); send(); }} data-testid="action-form">
        {notice && <div className="alert alert-warning" role="alert" data-testid="action-dialog-notice">{notice}</div>}
        {!notice && kept && (kept.comment || Object.values(kept.values).some(Boolean)) && (
          <Notice testId="action-draft-restored">Restored what you typed earlier.</Notice>
        )}
        {fields.length > 0 && <p className="muted small">Fields marked <span className="req" aria-hidden>*</span> are required.</p>}
        {fields.map((f, i) => (
          <FieldInput
            key={f.name}
            id={`${ids}-f${i}`}
            field={f}
            value={values[f.name] ?? ''}
            onChange={(v) => change(f.name, v)}
            errors={[...(clientAt(f.name) ? [clientAt(f.name)!] : []), ...serverAt(f.name)]}
            autoFocus={i === 0}
          />
        ))}
        {mode !== 'none' && (
          <div className="form-field">
            <label htmlFor={`${ids}-comment`}>
              {mode === 'required' ? <>Comment <span className="req" aria-hidden>*</span></> : 'Comment (optional)'}
            </label>
            <textarea
              id={`${ids}-comment`}
              rows={mode === 'required' ? 3 : 2}
              value={comment}
              required={mode === 'required'}
              aria-invalid={!!clientAt('comment') || serverAt('comment').length > 0}
              aria-describedby={clientAt('comment') || serverAt('comment').length ? `${ids}-comment-err` : undefined}
              onChange={(e) => change('comment', e.target.value)}
              data-testid="field-comment"
              autoFocus={fields.length === 0}
            />
            <FieldErrors id={`${ids}-comment-err`} name="comment" errors={[...(clientAt('comment') ? [clientAt('comment')!] : []), ...serverAt('comment')]} />
          </div>
        )}
        <ErrorBox error={rest} />
        {/* Enter in a text input submits the form */}
        <button type="submit" hidden tabIndex={-1} aria-hidden />
      </form>
    </Modal>
  );
}

function FieldErrors({ id, name, errors }: { id: string; name: string; errors: string[] }) {
  if (!errors.length) return null;
  return (
    <div id={id} className="field-error" role="alert" data-testid={`field-error-${name}`}>
      {errors.map((e, i) => <div key={i}>{e}</div>)}
    </div>
  );
}

function FieldInput({ id, field, value, onChange, errors, autoFocus }: { id: string; field: FormFieldView; value: string; onChange: (v: string) => void; errors: string[]; autoFocus?: boolean }) {
  const type = fieldType(field);
  const describedBy = [errors.length ? `${id}-err` : '', field.description ? `${id}-desc` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    required: !!field.required,
    'aria-invalid': errors.length > 0,
    'aria-describedby': describedBy,
    'data-testid': `field-${field.name}`,
    'data-field-type': type,
    className: errors.length ? 'invalid' : undefined,
    autoFocus,
  };
  let input;
  if (type === 'boolean')
    input = (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </select>
    );
  else if (field.enum?.length && type !== 'datetime')
    input = (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        {field.enum.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    );
  else if (type === 'number')
    // text, not type=number: the digits are checked and sent as typed, without a float in between
    input = <input {...common} type="text" inputMode="decimal" autoComplete="off" className={`mono ${common.className ?? ''}`} value={value} onChange={(e) => onChange(e.target.value)} />;
  else if (type === 'datetime') input = <input {...common} type="datetime-local" value={value} onChange={(e) => onChange(e.target.value)} />;
  else if ((field.maxLength ?? 0) > 200) input = <textarea {...common} rows={3} value={value} onChange={(e) => onChange(e.target.value)} />;
  else input = <input {...common} type="text" value={value} onChange={(e) => onChange(e.target.value)} />;
  return (
    <div className="form-field" data-field={field.name}>
      <label htmlFor={id}>
        {fieldLabel(field)}
        {field.required && <> <span className="req" aria-hidden>*</span></>}
      </label>
      {input}
      {field.description && <div id={`${id}-desc`} className="muted small">{field.description}</div>}
      <FieldErrors id={`${id}-err`} name={field.name} errors={errors} />
    </div>
  );
}
