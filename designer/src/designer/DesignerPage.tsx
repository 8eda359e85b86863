import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ConnectionDef } from '../api/models';
import { ErrorBox, Modal, Notice, Spinner, Badge } from '../common/ui';
import { useUnsavedChangesGuard } from '../common/UnsavedChanges';
import { PublishDialog } from './PublishDialog';
import { editingLabel } from './editingLabel';
import { Link } from '../router';
import { connect, addActivity, newActivity, setPositions } from '../lib/defops';
import { laneLayout, nodeSize, overlapping } from '../lib/layout';
import { edgeId } from '../lib/graph';
import { outcomeKey } from '../lib/coverage';
import { pointerTarget } from '../lib/pointer';
import { getEditable, previewImpact, problemToValidation, saveDraft, submitForPublishing, useActivities, validateDefinition } from './api';
import { ImpactPanel } from './ImpactPanel';
import type { ImpactReport } from '../api/models';
import { useCanRedo, useCanUndo, useDefinition, useDesigner, useDirty } from './store';
import { FlowCanvas } from './FlowCanvas';
import type { Decorations, EditHandlers } from './FlowCanvas';
import { Palette } from './Palette';
import { PropertyPanel } from './PropertyPanel';
import { ValidationPanel } from './ValidationPanel';
import { DryRunPanel } from './DryRunPanel';
import { VersionsView } from './VersionsView';
import { MigrationView } from './MigrationView';
import { MatrixView } from './MatrixView';

type View = 'flow' | 'matrix' | 'versions' | 'migrate';
type Side = 'properties' | 'validation' | 'dryrun';

export function DesignerPage({ definitionId }: { definitionId: string }) {
  const qc = useQueryClient();
  const activities = useActivities();
  const loaded = useQuery({ queryKey: ['editable', definitionId], queryFn: () => getEditable(definitionId), staleTime: Infinity, gcTime: 0 });
  const s = useDesigner();
  const def = useDefinition();
  const dirty = useDirty();
  const canUndo = useCanUndo();
  const canRedo = useCanRedo();
  const [view, setView] = useState<View>('flow');
  const [side, setSide] = useState<Side>('properties');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<{ kind: 'success' | 'warning' | 'info'; text: string } | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [impact, setImpact] = useState<ImpactReport | null>(null);

  useEffect(() => {
    if (activities.data) s.setDescriptors(activities.data);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [activities.data]);
  useEffect(() => {
    const data = loaded.data;
    // the layout needs the activity descriptors (node sizes); without them (an error) the flow opens as stored
    const list = activities.data ?? (activities.isError ? [] : null);
    if (!data || !list) return;
    let live = true;
    const from = { version: data.version ?? null, isDraft: data.version === null, publishedVersion: data.publishedVersion ?? null };
    const def = data.definition;
    // A flow whose boxes overlap as stored (hand-written files, the shipped wd-request) opens laid out in lanes. That is
    // a view, not an edit: nothing is unsaved; the positions are stored with the next save of the draft.
    const ds = Object.fromEntries(list.map((d) => [d.type, d]));
    if (overlapping(def, (a) => nodeSize(a, ds[a.type], def.connections)))
      void laneLayout(def, ds).then(
        (l) => live && s.load(setPositions(def, l.positions), from),
        () => live && s.load(def, from),
      );
    else s.load(def, from);
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loaded.data, activities.data, activities.isError]);

  // keyboard: undo/redo/copy/paste outside text fields
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      if (view !== 'flow') return;
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const k = e.key.toLowerCase();
      if (k === 'z' && !e.shiftKey) { e.preventDefault(); useDesigner.getState().undo(); }
      else if ((k === 'z' && e.shiftKey) || k === 'y') { e.preventDefault(); useDesigner.getState().redo(); }
      else if (k === 'c') useDesigner.getState().copy();
      else if (k === 'v') { e.preventDefault(); useDesigner.getState().paste(); }
      else if (k === 's') { e.preventDefault(); void save(); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const edit: EditHandlers = useMemo(
    () => ({
      onMove: (positions) => useDesigner.getState().apply((d) => setPositions(d, positions), true),
      onDragStart: () => useDesigner.getState().checkpoint(),
      onConnect: (c: ConnectionDef) => useDesigner.getState().apply((d) => connect(d, c)),
      onDelete: (nodes, edges) => {
        useDesigner.getState().select({ nodes, edges });
        useDesigner.getState().deleteSelection();
      },
      onDropActivity: (type, position) => addAt(type, position),
      onSelect: (partial) => {
        useDesigner.getState().select(partial);
        const { nodes, edges } = useDesigner.getState().selection;
        if (nodes.length || edges.length) setSide('properties');
      },
    }),
    [],
  );

  function addAt(type: string, position: { x: number; y: number }) {
    const st = useDesigner.getState();
    const d = st.history?.present;
    if (!d) return;
    const a = newActivity(d, type, st.descriptors[type], position);
    st.apply((x) => addActivity(x, a));
    st.select({ nodes: [a.id], edges: [] });
    setSide('properties');
  }
  const addCentered = (type: string) => {
    const d = useDesigner.getState().history?.present;
    const maxY = Math.max(0, ...(d?.activities.map((a) => a.position?.y ?? 0) ?? [0]));
    addAt(type, { x: 0, y: maxY + 160 });
  };

  const decorations: Decorations = useMemo(() => {
    const errorIds = new Set((s.validation ?? []).map((v) => (def ? pointerTarget(v.path, def, (v as { activityId?: string }).activityId).activityId : null)).filter(Boolean) as string[]);
    const view = s.dryRun?.response.view;
    const visited = new Set(view?.visitedActivities ?? []);
    const waiting = new Set([...(view?.openTasks.map((t) => t.activityId) ?? []), ...(view?.waits.map((w) => w.activityId) ?? [])]);
    const traversed = new Set((view?.traversedConnections ?? []).map((c) => edgeId(c)));
    const cov = s.showCoverage ? s.coverage[definitionId] : undefined;
    return {
      nodeClass: (id) => {
        const c: string[] = [];
        if (errorIds.has(id)) c.push('has-error');
        if (waiting.has(id)) c.push('is-waiting');
        else if (visited.has(id)) c.push('is-visited');
        if (cov) c.push(cov.activities[id] ? 'is-covered' : 'is-uncovered');
        return c.join(' ');
      },
      nodeBadge: (id) => (cov ? `${cov.activities[id] ?? 0}/${cov.runs}` : waiting.has(id) ? 'waiting' : undefined),
      edgeClass: (c) => {
        if (cov) return cov.outcomes[outcomeKey(c.source, c.outcome)] ? 'edge-covered' : 'edge-uncovered';
        return traversed.has(edgeId(c)) ? 'edge-traversed' : undefined;
      },
    };
  }, [s.validation, s.dryRun, s.showCoverage, s.coverage, def, definitionId]);

  const save = useCallback(async () => {
    const d = useDesigner.getState().history?.present;
    if (!d) return false;
    setBusy('Saving draft…');
    setError(null);
    // the previous save's notice goes, so what is shown is always this save's outcome
    setNotice(null);
    try {
      // Drafts are saved with their problems (issue 14); the answer lists them and publishing waits until they are fixed.
      const r = await saveDraft(d);
      useDesigner.getState().markSaved(d);
      // what is saved is now the draft, based on the published version (the header says so)
      useDesigner.setState((st) => ({ loadedFrom: { version: null, isDraft: true, publishedVersion: st.loadedFrom?.publishedVersion ?? null } }));
      useDesigner.getState().setValidation(r.errors);
      if (r.valid) setNotice({ kind: 'success', text: 'Draft saved.' });
      else {
        setSide('validation');
        setNotice({ kind: 'warning', text: `Draft saved with ${r.errors.length} problem${r.errors.length === 1 ? '' : 's'} (listed under Validation); fix them before publishing.` });
      }
      void qc.invalidateQueries({ queryKey: ['definitions'] });
      return true;
    } catch (e) {
      // only a document of the wrong shape is refused
      const v = problemToValidation(e);
      if (v) {
        useDesigner.getState().setValidation(v);
        setSide('validation');
        setNotice({ kind: 'warning', text: 'The draft was not saved: its structure is broken (listed under Validation).' });
      } else setError(e);
      return false;
    } finally {
      setBusy(null);
    }
  }, [qc]);

  const validate = async () => {
    const d = useDesigner.getState().history?.present;
    if (!d) return false;
    setBusy('Validating…');
    setError(null);
    try {
      const r = await validateDefinition(d);
      useDesigner.getState().setValidation(r.errors ?? []);
      setSide('validation');
      return r.valid;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(null);
    }
  };

  // Publishing is a request: the saved draft is snapshotted and another analyst approves it (ADR 7). Confirmed in
  // PublishDialog; resolves to null when submitted, else to the error the dialog shows (e.g. identical content, 409).
  // The server decides validity: an invalid draft is saved, then the submission is refused with its problems listed.
  const doPublish = async (note: string): Promise<unknown> => {
    if (dirty || s.loadedFrom?.isDraft === false) {
      if (!(await save())) {
        setPublishing(false);
        return null;
      }
    }
    setBusy('Submitting…');
    setError(null);
    try {
      const r = await submitForPublishing(definitionId, note);
      setPublishing(false);
      setNotice({
        kind: 'success',
        text: `Submitted for publishing (request ${r.id.slice(0, 8)}); it awaits approval by another analyst. v${r.baseVersion ?? '—'} stays in use until then.`,
      });
      void qc.invalidateQueries({ queryKey: ['publish-requests'] });
      return null;
    } catch (e) {
      const v = problemToValidation(e);
      if (v) {
        useDesigner.getState().setValidation(v);
        setSide('validation');
        setNotice({ kind: 'warning', text: `Not submitted for publishing: the draft has ${v.length} problem${v.length === 1 ? '' : 's'}, listed under Validation.` });
      }
      return e;
    } finally {
      setBusy(null);
    }
  };

  // The preview replays recent instances against the saved draft, so unsaved edits are saved first.
  const doImpact = async () => {
    if (dirty || s.loadedFrom?.isDraft === false) {
      if (!(await save())) return;
    }
    setBusy('Replaying recent instances…');
    try {
      setImpact(await previewImpact(definitionId));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const layout = async () => {
    const d = useDesigner.getState().history?.present;
    if (!d) return;
    setBusy('Arranging…');
    try {
      const { positions } = await laneLayout(d, useDesigner.getState().descriptors);
      // an edit (undoable, saved with the draft), but only when a box actually moves: arranging an arranged flow changes nothing
      useDesigner.getState().apply((x) =>
        x.activities.every((a) => !positions[a.id] || (a.position?.x === positions[a.id].x && a.position?.y === positions[a.id].y)) ? x : setPositions(x, positions),
      );
    } finally {
      setBusy(null);
    }
  };

  const leaveGuard = useUnsavedChangesGuard(dirty, save, `“${def?.name || definitionId}”`);

  if (loaded.isLoading || activities.isLoading) return <div className="center-page"><Spinner label="Loading the definition…" /></div>;
  if (loaded.error) return <div className="page"><ErrorBox error={loaded.error} title="The definition could not be loaded" /><Link to="/designer">Back to definitions</Link></div>;
  if (!def || s.definitionId !== definitionId) return <div className="center-page"><Spinner /></div>;

  const errorCount = s.validation?.length ?? 0;
  return (
    <div className="designer" data-testid="designer">
      {leaveGuard}
      <div className="toolbar">
        <Link to="/designer" className="back">‹ Definitions</Link>
        <div className="title">
          <h2 data-testid="definition-name" title={def.name ? `${def.name} (${def.id})` : def.id}>{def.name || def.id}</h2>
          <span className="muted small">{def.id}</span>
          {(() => {
            const l = editingLabel(s.loadedFrom);
            return <Badge tone={l.tone} title={l.title} testId="editing-version">{l.text}</Badge>;
          })()}
          {dirty && <Badge tone="violet" testId="unsaved">unsaved changes</Badge>}
        </div>
        <div className="tabs">
          {(['flow', 'matrix', 'versions', 'migrate'] as View[]).map((v) => (
            <button key={v} className={view === v ? 'tab active' : 'tab'} onClick={() => setView(v)} data-testid={`view-${v}`} title={v === 'flow' ? 'Flowchart' : v === 'matrix' ? 'Status matrix' : v === 'versions' ? 'Versions & diff' : 'Migrate instances'}>
              {v === 'flow' ? 'Flowchart' : v === 'matrix' ? 'Matrix' : v === 'versions' ? 'Versions' : 'Migrate'}
            </button>
          ))}
        </div>
        <div className="actions">
          {busy && <Spinner small label={busy} />}
          {view === 'flow' && (
            <>
              <button className="btn btn-sm" onClick={s.undo} disabled={!canUndo} title="Undo (Ctrl+Z)" aria-label="Undo" data-testid="undo">↶</button>
              <button className="btn btn-sm" onClick={s.redo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" aria-label="Redo" data-testid="redo">↷</button>
              {def && overlapping(def, (a) => nodeSize(a, s.descriptors[a.type], def.connections)) && <span className="muted small" data-testid="crowded-hint" title="Some activities overlap on the canvas: Auto layout arranges them">Overlapping →</span>}
              <button className="btn btn-sm" onClick={layout} disabled={!!busy} data-testid="auto-layout" title="Arrange left to right in department lanes">Auto layout</button>
              <button className="btn btn-sm" onClick={validate} disabled={!!busy} data-testid="validate">Validate</button>
            </>
          )}
          <button className="btn btn-sm" onClick={save} disabled={!!busy || !dirty} data-testid="save-draft">Save draft</button>
          <button className="btn btn-sm" onClick={doImpact} disabled={!!busy} data-testid="impact" title="Which recent instances would the draft treat differently?">Impact…</button>
          <button className="btn btn-sm btn-primary" onClick={() => setPublishing(true)} disabled={!!busy} data-testid="publish" title="Submit for approval by another analyst">Publish…</button>
        </div>
      </div>
      {publishing && (
        <PublishDialog definition={def} basedOn={s.loadedFrom?.publishedVersion ?? null} onClose={() => setPublishing(false)} onSubmit={doPublish} />
      )}
      {impact && (
        <Modal title="Impact of the draft on recent instances" onClose={() => setImpact(null)} testId="impact-dialog"
          footer={<button className="btn" onClick={() => setImpact(null)}>Close</button>}>
          <ImpactPanel report={impact} />
        </Modal>
      )}
      {notice && <Notice kind={notice.kind} onClose={() => setNotice(null)} testId="designer-notice">{notice.text}</Notice>}
      <ErrorBox error={error} />
      {view === 'flow' && (
        <div className="designer-body">
          <Palette descriptors={activities.data ?? []} onAdd={addCentered} />
          <FlowCanvas definition={def} descriptors={s.descriptors} decorations={decorations} edit={edit} selection={s.selection} focus={s.focus} fitKey={definitionId} />
          <aside className="side-panel">
            <div className="tabs side-tabs">
              <button className={side === 'properties' ? 'tab active' : 'tab'} onClick={() => setSide('properties')} data-testid="side-properties">Properties</button>
              <button className={side === 'validation' ? 'tab active' : 'tab'} onClick={() => setSide('validation')} data-testid="side-validation">
                Validation {s.validation && <Badge tone={errorCount ? 'red' : 'green'}>{errorCount}</Badge>}
              </button>
              <button className={side === 'dryrun' ? 'tab active' : 'tab'} onClick={() => setSide('dryrun')} data-testid="side-dryrun">Dry run</button>
            </div>
            <div className="side-body">
              {side === 'properties' && <PropertyPanel />}
              {side === 'validation' && <ValidationPanel onValidate={validate} />}
              {side === 'dryrun' && <DryRunPanel />}
            </div>
          </aside>
        </div>
      )}
      {view === 'matrix' && <MatrixView definitionId={definitionId} />}
      {view === 'versions' && <VersionsView definitionId={definitionId} />}
      {view === 'migrate' && <MigrationView definitionId={definitionId} />}
    </div>
  );
}
