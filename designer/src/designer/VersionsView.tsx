import { useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../auth';
import { canApproveDefinitions } from '../lib/access';
import { Badge, ErrorBox, Modal, Spinner, fmtDate } from '../common/ui';
import { diffDefinitions, fieldValue, mergedForDiff, showValue } from '../lib/diff';
import { edgeId } from '../lib/graph';
import { getVersion, resumeVersion, suspendVersion, useVersions } from './api';
import { FlowCanvas } from './FlowCanvas';
import { useReadableDefinition } from './readable';
import type { Decorations } from './FlowCanvas';
import { useDefinition, useDesigner } from './store';

const CURRENT = -1;

/** Version history and a visual diff between two versions (or a version and the current editor state). */
export function VersionsView({ definitionId }: { definitionId: string }) {
  const versions = useVersions(definitionId);
  const current = useDefinition();
  const descriptors = useDesigner((s) => s.descriptors);
  const list = useMemo(() => [...(versions.data ?? [])].sort((a, b) => b.version - a.version), [versions.data]);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number>(CURRENT);
  const { me } = useAuth();
  const qc = useQueryClient();
  const [actionError, setActionError] = useState<unknown>(null);
  // the version whose suspension reason is being asked for (a dialog with a focus trap, not window.prompt)
  const [suspending, setSuspending] = useState<{ version: number; reason: string } | null>(null);
  // clicking a diff entry selects and centres its activity on the diff canvas (issue 14)
  const [located, setLocated] = useState<{ id: string; nonce: number } | null>(null);
  const locate = (id: string) => setLocated({ id, nonce: Date.now() });
  const selection = useMemo(() => ({ nodes: located ? [located.id] : [], edges: [] }), [located]);
  // Suspension refuses new starts of a version; instances already on it continue.
  const toggleSuspension = async (version: number, suspended: boolean, reason?: string) => {
    setActionError(null);
    try {
      if (suspended) await resumeVersion(definitionId, version);
      else {
        if (!reason?.trim()) return;
        await suspendVersion(definitionId, version, reason);
      }
      void qc.invalidateQueries({ queryKey: ['versions', definitionId] });
    } catch (e) {
      setActionError(e);
    }
  };
  useEffect(() => {
    if (from === null && list.length) setFrom(list[0].version);
  }, [list, from]);

  const fromQ = useQuery({ queryKey: ['version', definitionId, from], queryFn: () => getVersion(definitionId, from), enabled: from !== null && from !== CURRENT, staleTime: Infinity });
  const toQ = useQuery({ queryKey: ['version', definitionId, to], queryFn: () => getVersion(definitionId, to), enabled: to !== CURRENT, staleTime: Infinity });
  const fromDef = from === CURRENT ? current : fromQ.data?.definition;
  const toDef = to === CURRENT ? current : toQ.data?.definition;
  const diff = useMemo(() => (fromDef && toDef ? diffDefinitions(fromDef, toDef) : null), [fromDef, toDef]);
  const mergedStored = useMemo(() => (fromDef && toDef ? mergedForDiff(fromDef, toDef) : null), [fromDef, toDef]);
  const merged = useReadableDefinition(mergedStored);

  const decorations: Decorations = useMemo(() => {
    const kinds = new Map(diff?.activities.map((a) => [a.id, a.kind]) ?? []);
    const ck = new Map(diff?.connections.map((c) => [edgeId(c.connection), c.kind]) ?? []);
    return {
      nodeClass: (id) => (kinds.get(id) && kinds.get(id) !== 'same' ? `diff-${kinds.get(id)}` : undefined),
      nodeBadge: (id) => (kinds.get(id) && kinds.get(id) !== 'same' ? kinds.get(id) : undefined),
      edgeClass: (c) => (ck.get(edgeId(c)) && ck.get(edgeId(c)) !== 'same' ? `edge-diff-${ck.get(edgeId(c))}` : undefined),
    };
  }, [diff]);

  const option = (v: number) => (v === CURRENT ? 'Current editor' : `v${v}`);
  return (
    <div className="versions-page" data-testid="versions-view">
      <aside className="versions-list">
        <h4>Version history</h4>
        {versions.isLoading && <Spinner small />}
        <ErrorBox error={versions.error || actionError} />
        <table className="table compact" data-testid="versions-table">
          <thead><tr><th>Version</th><th>Published</th><th>By</th><th /></tr></thead>
          <tbody>
            {list.map((v) => (
              <tr key={v.version} data-testid={`version-row-${v.version}`} className={v.version === from || v.version === to ? 'selected' : ''}>
                <td><Badge tone="green">v{v.version}</Badge></td>
                <td>{fmtDate(v.publishedAt)}</td>
                <td>{v.publishedBy}</td>
                <td>
                  {v.suspended && <Badge tone="red" title={`${v.suspendedBy}: ${v.suspendReason}`} testId={`suspended-${v.version}`}>suspended</Badge>}
                  {canApproveDefinitions(me) && (
                    <button className="btn btn-sm btn-ghost" onClick={() => (v.suspended ? void toggleSuspension(v.version, true) : setSuspending({ version: v.version, reason: '' }))} data-testid={`toggle-suspend-${v.version}`}>
                      {v.suspended ? 'Resume' : 'Suspend'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {!versions.isLoading && list.length === 0 && <tr><td colSpan={4} className="muted">Never published.</td></tr>}
          </tbody>
        </table>
        <h4>Compare</h4>
        <div className="compare">
          <label>From
            <select value={from ?? ''} onChange={(e) => setFrom(Number(e.target.value))} data-testid="diff-from">
              {list.map((v) => <option key={v.version} value={v.version}>{option(v.version)}</option>)}
              <option value={CURRENT}>{option(CURRENT)}</option>
            </select>
          </label>
          <label>To
            <select value={to} onChange={(e) => setTo(Number(e.target.value))} data-testid="diff-to">
              <option value={CURRENT}>{option(CURRENT)}</option>
              {list.map((v) => <option key={v.version} value={v.version}>{option(v.version)}</option>)}
            </select>
          </label>
        </div>
        {diff && (
          <div className="diff-summary" data-testid="diff-summary">
            <div className="legend">
              <span className="lg added">{diff.counts.added} added</span>
              <span className="lg removed">{diff.counts.removed} removed</span>
              <span className="lg changed">{diff.counts.changed} changed</span>
            </div>
            <div className="muted small">Connections: +{diff.counts.connectionsAdded} / −{diff.counts.connectionsRemoved}</div>
            {diff.settings.length > 0 && (
              <table className="table compact mono small diff-values" data-testid="diff-settings">
                <caption className="muted">Flow settings</caption>
                <tbody>
                  {diff.settings.map((k) => (
                    <tr key={k}><th scope="row">{k}</th><td className="diff-removed">{showValue((fromDef as Record<string, unknown> | null | undefined)?.[k])}</td><td aria-hidden>→</td><td className="diff-added">{showValue((toDef as Record<string, unknown> | null | undefined)?.[k])}</td></tr>
                  ))}
                </tbody>
              </table>
            )}
            <ul className="plain diff-list">
              {diff.activities.filter((a) => a.kind !== 'same').map((a) => (
                <li key={a.id} className={`diff-${a.kind}${located?.id === a.id ? ' located' : ''}`} data-testid={`diff-entry-${a.id}`}>
                  <button className="link diff-locate" onClick={() => locate(a.id)} data-testid={`locate-${a.id}`} title="Show it on the canvas">
                    <strong>{a.after?.displayName || a.before?.displayName || a.id}</strong>
                  </button>{' '}
                  <span className="muted">{a.kind}</span>
                  {a.fields.length > 0 && (
                    <table className="table compact mono small diff-values">
                      <tbody>
                        {a.fields.map((f) => (
                          <tr key={f} data-testid={`diff-value-${a.id}-${f}`}>
                            <th scope="row">{f}</th>
                            <td className="diff-removed">{showValue(fieldValue(a.before, f))}</td>
                            <td aria-hidden>→</td>
                            <td className="diff-added">{showValue(fieldValue(a.after, f))}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </li>
              ))}
            </ul>
          </div>
        )}
      </aside>
      <div className="versions-canvas">
        {(fromQ.isLoading || toQ.isLoading) && <Spinner label="Loading versions…" />}
        <ErrorBox error={fromQ.error || toQ.error} />
        {merged && <FlowCanvas definition={merged} descriptors={descriptors} decorations={decorations} selection={selection} focus={located} testId="diff-canvas" fitKey={`${from}-${to}`} />}
      </div>
      {suspending && (
        <Modal title={`Suspend v${suspending.version} for new starts`} onClose={() => setSuspending(null)} testId="suspend-dialog"
          footer={<>
            <button className="btn" onClick={() => setSuspending(null)}>Cancel</button>
            <button className="btn btn-danger" disabled={!suspending.reason.trim()} data-testid="suspend-submit"
              onClick={() => { const { version, reason } = suspending; setSuspending(null); void toggleSuspension(version, false, reason); }}>Suspend</button>
          </>}>
          <p className="small">New instances of v{suspending.version} are refused until it is resumed; instances already running continue.</p>
          <label className="form">Reason (required)
            <textarea value={suspending.reason} onChange={(e) => setSuspending({ ...suspending, reason: e.target.value })} maxLength={1000} rows={3} data-testid="suspend-reason" />
          </label>
        </Modal>
      )}
    </div>
  );
}
