// Pieces the operations screens share: the tabs between them, a bulk answer per record, a dialog asking for a reason.
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Modal, Notice } from '../../common/ui';
import { bulkSummary } from '../../lib/fiat';
import { Link, useLocation } from '../../router';

export const OPS_TABS = [
  { to: '/inbox/fiat/withdrawals', label: 'Records', testId: 'ops-tab-records' },
  { to: '/inbox/fiat/ops/batches', label: 'Batches', testId: 'ops-tab-batches' },
  { to: '/inbox/fiat/ops/exceptions', label: 'Exceptions', testId: 'ops-tab-exceptions' },
  { to: '/inbox/fiat/ops/bills', label: 'Withdrawal bills', testId: 'ops-tab-bills' },
  { to: '/inbox/fiat/ops/cheques', label: 'Check Printing', testId: 'ops-tab-cheques' },
] as const;

/** The operations area's tabs, in the order of the work (records → batches → exceptions → bills → cheques). */
export function OpsNav() {
  const { path } = useLocation();
  return (
    <nav className="tabs ops-tabs" aria-label="Withdrawal operations" data-testid="ops-nav">
      {OPS_TABS.map((t) => {
        const active = path.startsWith(t.to);
        return <Link key={t.to} to={t.to} className={`tab${active ? ' active' : ''}`} aria-current={active ? 'page' : undefined} data-testid={t.testId}>{t.label}</Link>;
      })}
    </nav>
  );
}

type Bulk = { record: string; ok: boolean; status: number; error?: string | null; businessStatus?: string | null };

/** "Resolve: 2 done, 1 refused" with one line per record (its status code and the server's reason). */
export function BulkResults({ action, list, onClose, testId }: { action: string; list: Bulk[]; onClose: () => void; testId: string }) {
  const s = bulkSummary(list);
  return (
    <Notice kind={s.failed ? 'warning' : 'success'} onClose={onClose} testId={testId}>
      {action}: {s.ok} done, {s.failed} refused.
      <ul>{s.lines.map((l) => <li key={l}>{l}</li>)}</ul>
    </Notice>
  );
}

/** A dialog with one required text (a reason or comment) and a confirm button; nothing is sent without the text. */
export function ReasonDialog({ title, label, confirm, busy, error, onCancel, onConfirm, testId, children, optional }: {
  title: string; label: string; confirm: string; busy?: boolean; error?: ReactNode; onCancel: () => void; onConfirm: (text: string) => void;
  testId: string; children?: ReactNode; optional?: boolean;
}) {
  const [text, setText] = useState('');
  const [missing, setMissing] = useState(false);
  const inputId = `${testId}-text`;
  return (
    <Modal title={title} onClose={onCancel} testId={testId}
      footer={<>
        <button className="btn btn-ghost" onClick={onCancel}>Cancel</button>
        <button className="btn btn-primary" disabled={busy} data-testid={`${testId}-confirm`}
          onClick={() => (text.trim() || optional ? onConfirm(text.trim()) : setMissing(true))}>{confirm}</button>
      </>}>
      {children}
      <div className="field">
        <label className="field-label" htmlFor={inputId}>{label}{optional ? '' : ' (required)'}</label>
        <textarea id={inputId} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={missing}
          aria-describedby={missing ? `${inputId}-err` : undefined} />
        {missing && <span className="field-error" id={`${inputId}-err`}>This is required.</span>}
      </div>
      {error}
    </Modal>
  );
}

/**
 * A bulk action on records: runs it, keeps the per-record answer, leaves the refused records selected and refreshes
 * the records and cards. A whole-request failure (422, 403) is kept as `error`.
 */
export function useBulkAction<R extends Bulk>(setSelected: (records: string[]) => void) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [results, setResults] = useState<{ action: string; list: R[] } | null>(null);
  const run = async (action: string, call: () => Promise<R[]>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      const list = await call();
      setResults({ action, list });
      setSelected(list.filter((r) => !r.ok).map((r) => r.record));
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
      await qc.invalidateQueries({ queryKey: ['fiat-records'] });
      await qc.invalidateQueries({ queryKey: ['fiat-cards'] });
    }
  };
  return { busy, error, setError, results, setResults, run };
}
