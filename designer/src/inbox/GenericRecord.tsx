import type { InstanceDetail, Task } from '../api/models';
import { StatusBadge, fmtDate } from '../common/ui';

/** The task's instance record for flows other than WD requests (the task page shows its history below). */
export function GenericRecord({ task, instance }: { task: Task; instance: InstanceDetail }) {
  return (
    <div data-testid="generic-record">
      <div className="card">
        <h3>{task.definitionId} <span className="muted mono small">{instance.id}</span></h3>
        <div className="kv">
          <div><span className="k">Status</span><span className="v"><StatusBadge status={instance.status} /></span></div>
          <div><span className="k">Business status</span><span className="v"><StatusBadge status={instance.businessStatus} /></span></div>
          <div><span className="k">Department</span><span className="v">{instance.department ?? '—'}</span></div>
          <div><span className="k">Correlation</span><span className="v mono">{instance.correlationId ?? '—'}</span></div>
          <div><span className="k">Started</span><span className="v">{fmtDate(instance.createdAt)}</span></div>
        </div>
      </div>
      <div className="card">
        <h4>Data</h4>
        <table className="table compact">
          <tbody>
            {Object.entries(instance.variables ?? {}).map(([k, v]) => (
              <tr key={k}><td className="mono">{k}</td><td>{typeof v === 'object' ? <code>{JSON.stringify(v)}</code> : String(v ?? '—')}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
