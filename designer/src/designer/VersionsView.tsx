import { useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../auth';
import { canApproveDefinitions } from '../lib/access';
import { Badge, ErrorBox, Spinner, fmtDate } from '../common/ui';
import { diffDefinitions, mergedForDiff } from '../lib/diff';
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
  // Suspension refuses new starts of a version; instances already on it continue.
  const toggleSuspension = async (version: number, suspended: boolean) => {
    setActionError(null);
    try {
      if (suspended) await resumeVersion(definitionId, version);
      else {
        const reason = window.prompt(`Why suspend v${version} for new starts?`);
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
                    <button className="btn btn-sm btn-ghost" onClick={() => void toggleSuspension(v.version, v.suspended)} data-testid={`toggle-suspend-${v.version}`}>
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
            <div className="muted small">Connections: +{diff.counts.connectionsAdded} / −{diff.counts.connectionsRemoved}{diff.settings.length ? ` · flow settings changed: ${diff.settings.join(', ')}` : ''}</div>
            <ul className="plain diff-list">
              {diff.activities.filter((a) => a.kind !== 'same').map((a) => (
                <li key={a.id} className={`diff-${a.kind}`}>
                  <strong>{a.after?.displayName || a.before?.displayName || a.id}</strong> <span className="muted">{a.kind}</span>
                  {a.fields.length > 0 && <div className="mono small">{a.fields.join(', ')}</div>}
                </li>
              ))}
            </ul>
          </div>
        )}
      </aside>
      <div className="versions-canvas">
        {(fromQ.isLoading || toQ.isLoading) && <Spinner label="Loading versions…" />}
        <ErrorBox error={fromQ.error || toQ.error} />
        {merged && <FlowCanvas definition={merged} descriptors={descriptors} decorations={decorations} testId="diff-canvas" fitKey={`${from}-${to}`} />}
      </div>
    </div>
  );
}
