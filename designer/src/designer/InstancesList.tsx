import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { get, qs } from '../api/client';
import type { Incident, InstanceSummary, Paged } from '../api/models';
import { isOpenIncident } from '../lib/access';
import { ErrorBox, Pager, Spinner, StatusBadge, fmtDate } from '../common/ui';
import { Link, navigate, useLocation } from '../router';

export function InstancesList() {
  const { search } = useLocation();
  const [definitionId, setDefinitionId] = useState(search.get('definitionId') ?? '');
  const [status, setStatus] = useState('');
  const [correlationId, setCorrelationId] = useState('');
  const [page, setPage] = useState(1);
  const q = useQuery({ queryKey: ['instances', definitionId, status, correlationId, page], queryFn: () => get<Paged<InstanceSummary>>(`/api/instances${qs({ definitionId, status, correlationId, page, pageSize: 25 })}`), placeholderData: keepPreviousData });
  const inc = useQuery({ queryKey: ['incidents'], queryFn: () => get<Paged<Incident>>('/api/incidents?pageSize=100') });
  const openIncidents = (inc.data?.items ?? []).filter(isOpenIncident);
  return (
    <div className="page" data-testid="instances-page">
      <h2>Instances</h2>
      {openIncidents.length > 0 && (
        <div className="alert alert-warning" data-testid="incident-banner">
          <span>{openIncidents.length} open incident{openIncidents.length > 1 ? 's' : ''}: {openIncidents.slice(0, 3).map((i) => <Link key={i.id} to={`/designer/instances/${encodeURIComponent(i.instanceId)}`}> {i.activityId} ({i.message}) </Link>)}</span>
        </div>
      )}
      <div className="filters">
        <label>Definition<input value={definitionId} onChange={(e) => { setDefinitionId(e.target.value.trim()); setPage(1); }} data-testid="instances-definition" /></label>
        <label>Status
          <select value={status} onChange={(e) => { setStatus(e.target.value); setPage(1); }}>
            <option value="">Any</option>
            {['Running', 'Cancelling', 'Completed', 'Faulted', 'Cancelled'].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>Correlation id<input value={correlationId} onChange={(e) => { setCorrelationId(e.target.value.trim()); setPage(1); }} /></label>
        {q.isFetching && <Spinner small />}
      </div>
      <ErrorBox error={q.error} />
      {q.data && (
        <>
          <table className="table" data-testid="instances-table">
            <thead><tr><th>Instance</th><th>Definition</th><th>Status</th><th>Business status</th><th>Department</th><th>Correlation</th><th>Updated</th></tr></thead>
            <tbody>
              {q.data.items.map((i) => (
                <tr key={i.id} className="clickable" onClick={() => navigate(`/designer/instances/${encodeURIComponent(i.id)}`)} data-testid={`instance-row-${i.id}`}>
                  <td className="mono">{i.id}</td>
                  <td>{i.definitionId} <span className="muted">v{i.version}</span></td>
                  <td><StatusBadge status={i.status} /></td>
                  <td><StatusBadge status={i.businessStatus} /></td>
                  <td>{i.department ?? '—'}</td>
                  <td className="mono small">{i.correlationId ?? '—'}</td>
                  <td className="small">{fmtDate(i.updatedAt)}</td>
                </tr>
              ))}
              {q.data.items.length === 0 && <tr><td colSpan={7} className="empty">No instances match.</td></tr>}
            </tbody>
          </table>
          <Pager page={q.data.page} pageSize={q.data.pageSize} total={q.data.total} onPage={setPage} />
        </>
      )}
    </div>
  );
}
