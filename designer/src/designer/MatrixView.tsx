import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ErrorBox, Spinner, StatusBadge } from '../common/ui';
import { formatMatrix, groupByFrom } from '../lib/matrix';
import { getMatrix, useVersions } from './api';

/** The flow's status matrix like the CRM manual: from → action (department / permission) → to. */
export function MatrixView({ definitionId }: { definitionId: string }) {
  const versions = useVersions(definitionId);
  const [version, setVersion] = useState<number | null>(null);
  const matrix = useQuery({ queryKey: ['matrix', definitionId, version], queryFn: () => getMatrix(definitionId, version) });
  const groups = groupByFrom(formatMatrix(matrix.data?.rows ?? []));
  return (
    <div className="page matrix-page" data-testid="matrix-view">
      <div className="row spread">
        <h3>Status matrix</h3>
        <label className="inline">
          Version{' '}
          <select value={version ?? ''} onChange={(e) => setVersion(e.target.value ? Number(e.target.value) : null)} data-testid="matrix-version">
            <option value="">published</option>
            {(versions.data ?? []).map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}
          </select>
        </label>
      </div>
      <p className="muted small">Status is the last approval reached; the department is who holds the request. “CS / 3” = the CS department with permission 3.</p>
      {matrix.isLoading && <Spinner label="Loading the matrix…" />}
      <ErrorBox error={matrix.error} />
      {matrix.data && (
        <table className="table matrix" data-testid="matrix-table">
          <thead>
            <tr>
              <th>From status (department)</th>
              <th>Action</th>
              <th>By / permission</th>
              <th>To status (department)</th>
              <th>Condition</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) =>
              g.lines.map((l, i) => {
                return (
                  <tr key={`${g.from}-${i}`} className={i === 0 ? 'group-start' : ''}>
                    {i === 0 && (
                      <td rowSpan={g.lines.length} className="from-cell">
                        <StatusBadge status={g.from} />
                      </td>
                    )}
                    <td>
                      <strong>{l.action}</strong>
                      {l.action !== l.actionName && <div className="mono muted small">{l.actionName}</div>}
                    </td>
                    <td className="by">{l.by}</td>
                    <td><StatusBadge status={l.to} /></td>
                    <td className="mono small">{l.condition}</td>
                  </tr>
                );
              }),
            )}
            {groups.length === 0 && (
              <tr><td colSpan={5} className="muted">No user task actions in this version.</td></tr>
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}
