// Building blocks shared by the configuration screens: the add/edit form card, row buttons, yes/no checks, Enable/Disable.
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { Badge, Spinner } from '../../common/ui';
import { Field, useChange } from '../forms';
import type { Errors } from './logic';

export type Change = ReturnType<typeof useChange>;

/** Which form is open: none, a new row, or an edit of (or copy from) a row, named by its key. */
export type Mode = { kind: 'add' } | { kind: 'edit' | 'copy'; key: string } | null;

export function useMode() {
  const [mode, setMode] = useState<Mode>(null);
  return { mode, add: () => setMode({ kind: 'add' }), edit: (key: string) => setMode({ kind: 'edit', key }), copy: (key: string) => setMode({ kind: 'copy', key }), close: () => setMode(null) };
}

/**
 * A section's rows, which form is open and the row it edits or copies (looked up in the latest list, so that a save
 * after a 409's reload sends the reloaded rowVersion), and the change run by the row buttons.
 */
export function useRows<T>(q: UseQueryResult<T[]>, keyOf: (row: T) => string) {
  const m = useMode();
  const rowChange = useChange(['rowVersion']);
  const rows = q.data ?? [];
  const mode = m.mode;
  const current = mode && mode.kind !== 'add' ? rows.find((r) => keyOf(r) === mode.key) : undefined;
  return { rows, m, rowChange, current };
}

/** A form in a card: title, the change's notices (stale, errors), fields, Save and Cancel. */
export function FormCard({ title, testId, change, onSubmit, onCancel, submitLabel = 'Save', children }: {
  title: string; testId: string; change: Change; onSubmit: () => void; onCancel: () => void; submitLabel?: string; children: ReactNode;
}) {
  return (
    <form className="card" aria-label={title} data-testid={testId} onSubmit={(e) => { e.preventDefault(); onSubmit(); }} style={{ marginTop: 12 }}>
      <h3>{title}</h3>
      {change.status}
      <div className="row wrap" style={{ alignItems: 'flex-start', flexWrap: 'wrap' }}>{children}</div>
      <div className="row" style={{ marginTop: 10 }}>
        <button className="btn btn-primary" type="submit" disabled={change.busy}>{submitLabel}</button>
        <button className="btn btn-ghost" type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

/** A labelled checkbox (its label is its accessible name). */
export function Check({ label, checked, onChange, id }: { label: string; checked: boolean; onChange: (v: boolean) => void; id?: string }) {
  return <label className="check"><input type="checkbox" id={id} checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}</label>;
}

export const yes = (b: boolean | null | undefined) => (b ? 'Yes' : 'No');

export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return <Badge tone={enabled ? 'green' : 'grey'}>{enabled ? 'Enabled' : 'Disabled'}</Badge>;
}

/** Edit / Delete / Copy / Enable–Disable buttons of a row, each named after the row it acts on. */
export function RowButtons({ what, onEdit, onDelete, onCopy, toggle, busy }: {
  what: string; onEdit?: () => void; onDelete?: () => void; onCopy?: () => void; toggle?: { enabled: boolean; run: () => void }; busy?: boolean;
}) {
  return (
    <span className="row">
      {onEdit && <button type="button" className="btn btn-sm" onClick={onEdit} aria-label={`Edit ${what}`}>Edit</button>}
      {onCopy && <button type="button" className="btn btn-sm btn-ghost" onClick={onCopy} aria-label={`Copy ${what}`}>Copy</button>}
      {toggle && (
        <button type="button" className="btn btn-sm" disabled={busy} onClick={toggle.run} aria-label={`${toggle.enabled ? 'Disable' : 'Enable'} ${what}`}>
          {toggle.enabled ? 'Disable' : 'Enable'}
        </button>
      )}
      {onDelete && (
        <button type="button" className="btn btn-sm btn-ghost" disabled={busy}
          onClick={() => { if (window.confirm(`Delete ${what}?`)) onDelete(); }} aria-label={`Delete ${what}`}>Delete</button>
      )}
    </span>
  );
}

/** The table of a section with its loading state, the list's error and the changes' notices above it. */
export function Listing({ label, testId, loading, head, children, empty, notices }: {
  label: string; testId: string; loading: boolean; head: string[]; children: ReactNode; empty: boolean; notices?: ReactNode;
}) {
  if (loading) return <Spinner label={`Loading ${label.toLowerCase()}…`} />;
  return (
    <>
      {notices}
      <table className="table compact" data-testid={testId} aria-label={label}>
        <thead><tr>{head.map((h) => <th key={h}>{h === '' ? <span className="sr-only">Actions</span> : h}</th>)}</tr></thead>
        <tbody>
          {children}
          {empty && <tr><td colSpan={head.length} className="empty">Nothing configured yet.</td></tr>}
        </tbody>
      </table>
    </>
  );
}

/**
 * A form's typed values, the client's own field messages and the server's (the client's win while they stand), and
 * `accept(problems)`: records the client's findings and says whether the form may be sent.
 */
export function useDraft<V extends object>(initial: V, fields: string[] | ((key: string) => boolean)) {
  const [v, setV] = useState(initial);
  const [local, setLocal] = useState<Errors>({});
  const change = useChange(fields);
  const accept = (problems: Errors) => { setLocal(problems); return Object.keys(problems).length === 0; };
  return { v, set: (p: Partial<V>) => setV({ ...v, ...p }), change, errors: { ...change.byField, ...local }, accept };
}

/** An amount typed as decimal text (the screens never turn it into a number). */
export function AmountField({ label, name, value, onChange, errors, placeholder }: { label: string; name: string; value: string; onChange: (v: string) => void; errors: Errors; placeholder?: string }) {
  return <Field label={label} name={name} errors={errors}>{(a) => <input {...a} inputMode="decimal" value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />}</Field>;
}

/** Picks one of the accounts offered (those without a row yet). */
export function AccountSelect({ label, value, onChange, accounts, errors }: { label: string; value: string; onChange: (v: string) => void; accounts: string[]; errors: Errors }) {
  return (
    <Field label={label} name="bankAccountId" errors={errors}>
      {(a) => <select {...a} value={value} onChange={(e) => onChange(e.target.value)}><option value="">Choose…</option>{accounts.map((x) => <option key={x}>{x}</option>)}</select>}
    </Field>
  );
}
