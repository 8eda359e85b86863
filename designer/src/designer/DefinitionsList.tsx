import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge, ErrorBox, Modal, Spinner, fmtDate } from '../common/ui';
import { Link, navigate } from '../router';
import { newDefinition, slug } from '../lib/defops';
import { getEditable, listDefinitions, saveDraft } from './api';

export function DefinitionsList() {
  const q = useQuery({ queryKey: ['definitions', 'list'], queryFn: () => listDefinitions(1, 200) });
  const [dialog, setDialog] = useState<{ mode: 'create' | 'duplicate'; source?: string } | null>(null);
  return (
    <div className="page" data-testid="definitions-page">
      <div className="row spread">
        <h2>Workflow definitions</h2>
        <button className="btn btn-primary" onClick={() => setDialog({ mode: 'create' })} data-testid="create-definition">+ New definition</button>
      </div>
      {q.isLoading && <Spinner label="Loading definitions…" />}
      <ErrorBox error={q.error} />
      {q.data && (
        <table className="table" data-testid="definitions-table">
          <thead>
            <tr><th>Name</th><th>Id</th><th>Published</th><th>Latest</th><th>Draft</th><th>Updated</th><th /></tr>
          </thead>
          <tbody>
            {q.data.items.map((d) => (
              <tr key={d.id} data-testid={`definition-row-${d.id}`}>
                <td>
                  <Link to={`/designer/definitions/${encodeURIComponent(d.id)}`} className="strong" data-testid={`open-${d.id}`}>{d.name || d.id}</Link>
                  {d.description && <div className="muted small">{d.description}</div>}
                </td>
                <td className="mono">{d.id}</td>
                <td>{d.publishedVersion ? <Badge tone="green">v{d.publishedVersion}</Badge> : <span className="muted">—</span>}</td>
                <td>{d.latestVersion ? `v${d.latestVersion}` : '—'}</td>
                <td>{d.hasDraft ? <Badge tone="amber">draft</Badge> : ''}</td>
                <td>{fmtDate(d.updatedAt)}</td>
                <td className="right nowrap">
                  <Link className="btn btn-sm" to={`/designer/definitions/${encodeURIComponent(d.id)}`}>Open</Link>{' '}
                  <Link className="btn btn-sm" to={`/designer/instances?definitionId=${encodeURIComponent(d.id)}`}>Instances</Link>{' '}
                  <button className="btn btn-sm" onClick={() => setDialog({ mode: 'duplicate', source: d.id })} data-testid={`duplicate-${d.id}`}>Duplicate</button>
                </td>
              </tr>
            ))}
            {q.data.items.length === 0 && <tr><td colSpan={7} className="muted">No definitions yet. Create one.</td></tr>}
          </tbody>
        </table>
      )}
      {dialog && <CreateDialog mode={dialog.mode} source={dialog.source} onClose={() => setDialog(null)} />}
    </div>
  );
}

function CreateDialog({ mode, source, onClose }: { mode: 'create' | 'duplicate'; source?: string; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState(mode === 'duplicate' ? `Copy of ${source}` : '');
  const [id, setId] = useState(mode === 'duplicate' ? `${source}-copy` : '');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const validId = /^[a-z0-9][a-z0-9-_]*$/i.test(id);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      let def = newDefinition(id, name);
      if (mode === 'duplicate' && source) {
        const src = await getEditable(source);
        def = { ...structuredClone(src.definition), id, name, version: undefined };
      }
      await saveDraft(def);
      await qc.invalidateQueries({ queryKey: ['definitions'] });
      navigate(`/designer/definitions/${encodeURIComponent(id)}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title={mode === 'create' ? 'New definition' : `Duplicate ${source}`}
      onClose={onClose}
      testId="create-dialog"
      footer={
        <>
          <button className="btn" onClick={onClose}>Cancel</button>
          <button className="btn btn-primary" disabled={!name || !validId || busy} onClick={submit} data-testid="create-submit">
            {busy ? <Spinner small label="Creating…" /> : mode === 'create' ? 'Create' : 'Duplicate'}
          </button>
        </>
      }
    >
      <div className="form">
        <label>Name<input value={name} onChange={(e) => { setName(e.target.value); if (!touched) setId(slug(e.target.value)); }} data-testid="create-name" autoFocus /></label>
        <label>Id<input className={`mono ${id && !validId ? 'invalid' : ''}`} value={id} onChange={(e) => { setTouched(true); setId(e.target.value); }} data-testid="create-id" /></label>
        <ErrorBox error={error} />
      </div>
    </Modal>
  );
}
