import { useState } from 'react';
import type { ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { ErrorBox, Notice } from '../common/ui';
import { fieldErrors } from '../lib/forms';
import { isPendingChange, isStale, splitErrors } from './config/logic';

/**
 * Runs a change: a weakening change answered 202 (four eyes, ADR 15) says it waits for a second configurer and returns
 * nothing, so the form stays open while the list keeps showing the stored value; a 422's field messages go next to their fields (`fields` names them, or tells which problem keys a
 * shown field takes), a 409 naming rowVersion (someone changed the row since it was read) refreshes the configuration
 * and says so, anything else (another 409 such as a duplicate) shows in the error box.
 */
export function useChange(fields: string[] | ((key: string) => boolean), refresh: string[] = ['fiat-config']) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [byField, setByField] = useState<Record<string, string[]>>({});
  const [stale, setStale] = useState(false);
  const [pending, setPending] = useState<string | null>(null);
  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    setByField({});
    setStale(false);
    setPending(null);
    try {
      const r = await fn();
      for (const key of refresh) await qc.invalidateQueries({ queryKey: [key] });
      if (isPendingChange(r)) {
        setPending(r.summary);
        return undefined;
      }
      return r;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && isStale(e.problem)) {
        setStale(true);
        for (const key of refresh) await qc.invalidateQueries({ queryKey: [key] });
      } else if (e instanceof ApiError && e.status === 422) {
        const split = typeof fields === 'function' ? splitErrors(e.problem.errors, fields) : fieldErrors(e.problem.errors, fields);
        setByField(split.byField);
        if (Object.keys(split.rest).length || !Object.keys(split.byField).length) setError(new ApiError(422, { ...e.problem, errors: split.rest }));
      } else setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  const status = (
    <>
      {pending !== null && (
        <Notice kind="info" testId="fiat-pending-notice">
          Waiting for a second configurer's approval: {pending}. Nothing has changed yet; the change is listed under Pending changes.
        </Notice>
      )}
      {stale && <Notice kind="warning" testId="fiat-stale">This was changed by someone else since you opened it. Reload: the latest values are shown now; check them and try again.</Notice>}
      <ErrorBox error={error} />
    </>
  );
  return { run, busy, byField, status };
}

/** A labelled input with the server's messages for it underneath (aria-describedby links them). */
export function Field({ label, name, errors, children, testId }: { label: string; name: string; errors: Record<string, string[]>; children: (a: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode; testId?: string }) {
  const id = `f-${testId ?? name}`;
  const msgs = errors[name] ?? [];
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': msgs.length > 0, 'aria-describedby': msgs.length ? `${id}-err` : undefined })}
      {msgs.length > 0 && <span className="field-error" id={`${id}-err`} data-testid={`error-${testId ?? name}`}>{msgs.join(' ')}</span>}
    </div>
  );
}
