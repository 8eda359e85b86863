import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ErrorBox, Spinner, StatusBadge } from '../common/ui';
import { formatMatrix, groupByFrom } from '../lib/matrix';
import { getDraftMatrix, getMatrix, useVersions } from './api';
import { useDefinition, useDesigner, useDirty } from './store';

/** The select's value for the editor's definition (the draft, unsaved changes included). */
const EDITOR = 'editor';

/** The flow's status matrix like the CRM manual: from → action (department / permission) → to. */
export function MatrixView({ definitionId }: { definitionId: string }) {
  const versions = useVersions(definitionId);
  const def = useDefinition();
  const loadedFrom = useDesigner((s) => s.loadedFrom);
  const dirty = useDirty();
  // A draft (or unsaved edits) opens on its own matrix: that is what the analyst is about to publish (issue 14).
  const [choice, setChoice] = useState<string>(() => (loadedFrom?.isDraft || dirty ? EDITOR : ''));
  const editor = choice === EDITOR;
  const matrix = useQuery({
    queryKey: ['matrix', definitionId, choice, editor ? def : null],
    queryFn: () => (editor && def ? getDraftMatrix(def) : getMatrix(definitionId, choice ? Number(choice) : null)),
    enabled: !editor || !!def,
  });
  const groups = groupByFrom(formatMatrix(matrix.data?.rows ?? []));
  return (
    <div className="page matrix-page" data-testid="matrix-view">
      <div className="row spread">
        <h3>Status matrix</h3>
        <label className="inline">
          Version{' '}
          <select value={choice} onChange={(e) => setChoice(e.target.value)} data-testid="matrix-version">
            <option value={EDITOR}>{loadedFrom?.isDraft || dirty ? 'Draft (as in the editor)' : 'Editor (as in the editor)'}</option>
            <option value="">published{loadedFrom?.publishedVersion ? ` (v${loadedFrom.publishedVersion})` : ''}</option>
            {(versions.data ?? []).map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}
          </select>
        </label>
      </div>
      <p className="small" data-testid="matrix-source">
        {editor ? 'Showing the draft as it is in the editor, unsaved changes included.' : choice ? `Showing v${choice}.` : 'Showing the published version.'}
      </p>
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
