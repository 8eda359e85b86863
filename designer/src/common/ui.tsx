import { useId, useRef } from 'react';
import type { ReactNode } from 'react';
import { describeProblem } from '../lib/problem';
import { formatMoney } from '../lib/money';
import { useFocusTrap } from './useFocusTrap';

export function Spinner({ label, small }: { label?: string; small?: boolean }) {
  return (
    <span className={small ? 'spinner small' : 'spinner'} role="status" data-testid="spinner">
      <span className="spinner-ring" aria-hidden />
      {label && <span className="spinner-label">{label}</span>}
    </span>
  );
}

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const { summary, details } = describeProblem(error);
  return (
    <div className="alert alert-error" role="alert" data-testid="error">
      {title && <strong>{title}: </strong>}
      {summary}
      {details.length > 0 && (
        <ul>
          {details.map((d, i) => (
            <li key={i}>{d}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ kind = 'info', children, onClose, testId }: { kind?: 'info' | 'success' | 'warning' | 'error'; children: ReactNode; onClose?: () => void; testId?: string }) {
  return (
    <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={testId ?? 'notice'}>
      <span>{children}</span>
      {onClose && (
        <button className="link close" onClick={onClose} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}

export function Badge({ children, tone, title, testId }: { children: ReactNode; tone?: string; title?: string; testId?: string }) {
  return (
    <span className={`badge ${tone ? `badge-${tone}` : ''}`} title={title} data-testid={testId}>
      {children}
    </span>
  );
}

const FINAL_BAD = /reject|cancel|fault|fail|error/i;
const FINAL_GOOD = /complete|approved|finished|done|published/i;
const WAIT = /await|wait|suspend|running|forward/i;

/** Colour for a status string (workflow or business status). */
export function statusTone(raw: string | null | undefined): string {
  if (!raw) return 'grey';
  const s = raw.replace(/\s*\(.*\)\s*$/, '');
  if (/partially/i.test(s)) return 'amber';
  if (FINAL_BAD.test(s)) return 'red';
  if (/^new$/i.test(s) || /open/i.test(s)) return 'blue';
  if (FINAL_GOOD.test(s)) return 'green';
  if (WAIT.test(s)) return 'amber';
  return 'violet';
}

export function StatusBadge({ status, testId }: { status: string | null | undefined; testId?: string }) {
  return (
    <Badge tone={statusTone(status)} testId={testId}>
      {status || '—'}
    </Badge>
  );
}

/**
 * A modal dialog: focus is trapped inside while it is open and returns to where it was afterwards; Escape, the ×
 * and a click on the backdrop close it (useFocusTrap).
 */
export function Modal({ title, children, onClose, footer, testId }: { title: string; children: ReactNode; onClose: () => void; footer?: ReactNode; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useFocusTrap(ref, onClose);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={testId ?? 'modal'} ref={ref}>
        <div className="modal-head">
          <h3 id={titleId}>{title}</h3>
          <button className="link close" onClick={onClose} aria-label="Close">
            ×
          </button>
        </div>
        <div className="modal-body">{children}</div>
        {footer && <div className="modal-foot">{footer}</div>}
      </div>
    </div>
  );
}

export function fmtDate(s: string | null | undefined): string {
  if (!s) return '—';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** An amount on the digits (lib/money's formatMoney): never through toLocaleString's double, which rounded past 8 places. */
export function fmtMoney(n: number | string | null | undefined, currency?: string): string {
  if (n === null || n === undefined) return '—';
  return formatMoney(n, currency);
}

export function Pager({ page, pageSize, total, onPage }: { page: number; pageSize: number; total: number; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <div className="pager" data-testid="pager">
      <button className="btn btn-sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ‹ Prev
      </button>
      <span>
        Page {page} of {pages} · {total} total
      </span>
      <button className="btn btn-sm" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next ›
      </button>
    </div>
  );
}
