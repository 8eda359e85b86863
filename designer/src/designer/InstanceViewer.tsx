import { useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../api/client';
import type { InstanceDetail, JournalEntry, Paged } from '../api/models';
import { Badge, ErrorBox, Spinner, StatusBadge, fmtDate } from '../common/ui';
import { JournalTimeline } from '../common/Journal';
import { Link } from '../router';
import { getVersion, useActivities } from './api';
import { FlowCanvas } from './FlowCanvas';
import { useReadableDefinition } from './readable';
import type { Decorations } from './FlowCanvas';
import { descriptorMap } from '../lib/graph';
import { canRetryIncidents, isOpenIncident, waitsBesideTasks } from '../lib/access';
import { useAuth } from '../auth';

/** One instance on its own version's diagram: visited activities, current waits, journal, incidents. */
export function InstanceViewer({ instanceId }: { instanceId: string }) {
  const qc = useQueryClient();
  const { me } = useAuth();
  const inst = useQuery({ queryKey: ['instance', instanceId], queryFn: () => get<InstanceDetail>(`/api/instances/${encodeURIComponent(instanceId)}`) });
  const journal = useQuery({ queryKey: ['journal', instanceId], queryFn: () => get<Paged<JournalEntry>>(`/api/instances/${encodeURIComponent(instanceId)}/journal?pageSize=500`) });
  const def = useQuery({ queryKey: ['version', inst.data?.definitionId, inst.data?.version], queryFn: () => getVersion(inst.data!.definitionId, inst.data!.version), enabled: !!inst.data, staleTime: Infinity });
  const acts = useActivities();
  const diagram = useReadableDefinition(def.data?.definition);
  const descriptors = useMemo(() => descriptorMap(acts.data ?? []), [acts.data]);
  const [retrying, setRetrying] = useState<string | null>(null);
  const [retryError, setRetryError] = useState<unknown>(null);

  const decorations: Decorations = useMemo(() => {
    const d = inst.data;
    const visited = new Set(d?.visitedActivities ?? []);
    const waiting = new Set([...(d?.openTasks.map((t) => t.activityId) ?? []), ...(d?.waits.map((w) => w.activityId) ?? [])]);
    const failing = new Set((d?.incidents ?? []).filter(isOpenIncident).map((i) => i.activityId));
    const traversed = new Set((journal.data?.items ?? []).filter((j) => j.outcome && j.activityId).map((j) => `${j.activityId}\u0000${j.outcome}`));
    return {
      nodeClass: (id) => [failing.has(id) ? 'has-error' : '', waiting.has(id) ? 'is-waiting' : visited.has(id) ? 'is-visited' : ''].join(' '),
      nodeBadge: (id) => (failing.has(id) ? 'incident' : waiting.has(id) ? 'waiting here' : undefined),
      edgeClass: (c) => (traversed.has(`${c.source}\u0000${c.outcome}`) && visited.has(c.target) ? 'edge-traversed' : undefined),
    };
  }, [inst.data, journal.data]);

  const retry = async (id: string) => {
    setRetrying(id);
    setRetryError(null);
    try {
      await post(`/api/incidents/${encodeURIComponent(id)}/retry`);
      await qc.invalidateQueries({ queryKey: ['instance', instanceId] });
      await qc.invalidateQueries({ queryKey: ['journal', instanceId] });
      await qc.invalidateQueries({ queryKey: ['incidents'] });
    } catch (e) { setRetryError(e); } finally { setRetrying(null); }
  };

  if (inst.isLoading) return <div className="center-page"><Spinner label="Loading the instance…" /></div>;
  if (inst.error) return <div className="page"><ErrorBox error={inst.error} title="The instance could not be loaded" /><Link to="/designer/instances">Back to instances</Link></div>;
  const d = inst.data!;
  const waits = waitsBesideTasks(d.waits, d.openTasks);
  const focusNodes = [...new Set([...d.incidents.filter(isOpenIncident).map((i) => i.activityId), ...d.openTasks.map((t) => t.activityId), ...d.waits.map((w) => w.activityId)])];
  const mayRetry = canRetryIncidents(me);
  const name = (id: string) => def.data?.definition.activities.find((a) => a.id === id)?.displayName || id;
  return (
    <div className="designer" data-testid="instance-viewer">
      <div className="toolbar">
        <Link to="/designer/instances" className="back">‹ Instances</Link>
        <div className="title">
          <h2 className="mono">{d.id}</h2>
          <span>{d.definitionId}</span> <Badge tone="green" testId="instance-version">v{d.version}</Badge>
          <StatusBadge status={d.status} testId="instance-status" /> <StatusBadge status={d.businessStatus} />
          {d.department && <Badge>{d.department}</Badge>}
        </div>
        <div className="actions">
          {(inst.isFetching || journal.isFetching) && <Spinner small />}
          <button className="btn btn-sm" onClick={() => { void inst.refetch(); void journal.refetch(); }}>Refresh</button>
        </div>
      </div>
      <div className="instance-layout">
        <div style={{ position: 'relative', minHeight: 0 }}>
          {(def.isLoading || (def.data && !diagram)) && <Spinner label="Loading the diagram…" />}
          <ErrorBox error={def.error} />
          {diagram && <FlowCanvas definition={diagram} descriptors={descriptors} decorations={decorations} testId="instance-canvas" fitKey={d.id} fitNodes={focusNodes} />}
        </div>
        <aside className="instance-side">
          <div className="panel-section">
            <h4>Overview</h4>
            <div className="kv">
              <div><span className="k">Correlation</span><span className="v mono">{d.correlationId ?? '—'}</span></div>
              <div><span className="k">Created</span><span className="v">{fmtDate(d.createdAt)}</span></div>
              <div><span className="k">Updated</span><span className="v">{fmtDate(d.updatedAt)}</span></div>
            </div>
          </div>
          {(d.openTasks.length > 0 || waits.length > 0) && (
            <div className="panel-section" data-testid="instance-waits">
              <h4>Waiting at</h4>
              <ul className="plain">
                {d.openTasks.map((t) => <li key={t.id}><Badge tone="amber">task</Badge> <Link to={`/inbox/tasks/${encodeURIComponent(t.id)}`}>{t.title}</Link> <span className="muted small">{t.department} · due {fmtDate(t.dueAt)}</span></li>)}
                {waits.map((w) => <li key={w.bookmarkId}><Badge tone="violet">{w.kind}</Badge> at {name(w.activityId)} {w.eventName && <code>{w.eventName}</code>} {w.dueAt && <span className="muted small">due {fmtDate(w.dueAt)}</span>}</li>)}
              </ul>
            </div>
          )}
          <div className="panel-section" data-testid="incidents">
            <h4>Incidents</h4>
            <ErrorBox error={retryError} title="Retry failed" />
            {d.incidents.length === 0 && <p className="muted small">None.</p>}
            {d.incidents.map((i) => (
              <div key={i.id} className="list-row" data-testid={`incident-${i.id}`}>
                <div className="list-row-body">
                  <div className="row spread"><strong>{name(i.activityId)}</strong> <StatusBadge status={isOpenIncident(i) ? 'Failed' : 'Resolved'} testId={`incident-status-${i.id}`} /></div>
                  <div className="small">{i.message}</div>
                  <div className="muted small">{i.attempts} attempts · {fmtDate(i.createdAt)}</div>
                  {isOpenIncident(i) && !mayRetry && <div className="muted small">Retrying needs the incidents:retry right (e.g. supervisor1).</div>}
                  {isOpenIncident(i) && mayRetry && (
                    <button className="btn btn-sm" onClick={() => retry(i.id)} disabled={retrying === i.id} data-testid={`retry-${i.id}`}>
                      {retrying === i.id ? <Spinner small label="Retrying…" /> : 'Retry'}
                    </button>
                  )}
                </div>
              </div>
            ))}
          </div>
          <div className="panel-section">
            <h4>Variables</h4>
            <pre className="json-view">{JSON.stringify(d.variables, null, 2)}</pre>
          </div>
          <div className="panel-section">
            <h4>Journal</h4>
            {journal.isLoading && <Spinner small />}
            <ErrorBox error={journal.error} />
            {journal.data && <JournalTimeline entries={journal.data.items} activityName={name} />}
          </div>
        </aside>
      </div>
    </div>
  );
}
