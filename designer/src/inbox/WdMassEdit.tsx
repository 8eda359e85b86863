import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { MassEditResult } from '../api/models';
import { ErrorBox, Modal } from '../common/ui';
import { MASS_EDIT_DEPARTMENTS, MASS_EDIT_MAX, massEditSummary } from '../lib/wdcreate';
import { massEditWd } from './api';

/**
 * Mass edit (permission wd:5): the WD requests picked in the grid go to Dealing or Backoffice after a confirmation;
 * the server moves each one in its own step and answers per request, which is shown row by row (a refused one says why).
 */
export function WdMassEdit({ ids, labels, onClose, onDone }: { ids: string[]; labels: Record<string, string>; onClose: () => void; onDone: () => void }) {
  const qc = useQueryClient();
  const [department, setDepartment] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [results, setResults] = useState<MassEditResult[] | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResults(await massEditWd(ids, department));
      onDone();
      await Promise.all([qc.invalidateQueries({ queryKey: ['tasks'] }), qc.invalidateQueries({ queryKey: ['wd'] })]);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const tooMany = ids.length > MASS_EDIT_MAX;
  return (
    <Modal title="Mass edit WD requests" onClose={onClose} testId="wd-mass-dialog"
      footer={<>
        <button className="btn btn-ghost" onClick={onClose}>{results ? 'Close' : 'Cancel'}</button>
        {!results && <button className="btn btn-primary" disabled={busy || !department || tooMany} onClick={() => void run()} data-testid="wd-mass-confirm">{busy ? 'Moving…' : `Move ${ids.length} request${ids.length === 1 ? '' : 's'}${department ? ` to ${department}` : ''}`}</button>}
      </>}>
      <ErrorBox error={error} title="Mass edit failed" />
      {tooMany && <p className="alert alert-warning">At most {MASS_EDIT_MAX} requests at once; {ids.length} are selected.</p>}
      {!results && (
        <label>Move to department
          <select value={department} onChange={(e) => setDepartment(e.target.value)} data-testid="wd-mass-department">
            <option value="">— choose —</option>
            {MASS_EDIT_DEPARTMENTS.map((d) => <option key={d}>{d}</option>)}
          </select>
        </label>
      )}
      {results && <p className="strong" role="status" data-testid="wd-mass-summary">{massEditSummary(results)}</p>}
      <table className="table compact" data-testid="wd-mass-rows">
        <thead><tr><th>Request</th><th>Result</th><th>Status</th><th>Department</th></tr></thead>
        <tbody>
          {(results ?? ids.map((id) => ({ id, ok: false, error: null, status: null, department: null }) as MassEditResult)).map((r) => (
            <tr key={r.id} data-testid="wd-mass-row" data-id={r.id} data-ok={results ? String(r.ok) : undefined}>
              <td className="small">{labels[r.id] ?? r.id}<div className="muted mono small">{r.id}</div></td>
              <td>{results ? (r.ok ? <span className="badge badge-green">moved</span> : <span className="small" data-testid="wd-mass-error">{r.error}</span>) : <span className="muted">selected</span>}</td>
              <td>{r.status ?? ''}</td>
              <td>{r.department ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
