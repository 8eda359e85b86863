import type { ImpactReport } from '../api/models';
import { Badge, fmtDate } from '../common/ui';
import { IMPACT_LABELS, impactKind, sortImpact, summarizeImpact } from '../lib/impact';

/** The impact preview's answer: which recent instances the draft would treat differently, and where they part. */
export function ImpactPanel({ report }: { report: ImpactReport }) {
  const items = sortImpact(report.items);
  return (
    <div className="impact" data-testid="impact-panel">
      <p role="status" data-testid="impact-summary">{summarizeImpact(report)}</p>
      {items.length > 0 && (
        <table className="table" data-testid="impact-table">
          <caption className="sr-only">Recent instances of {report.definitionId} replayed against the draft</caption>
          <thead>
            <tr>
              <th scope="col">Instance</th>
              <th scope="col">Now</th>
              <th scope="col">With the draft</th>
              <th scope="col">First different step</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => {
              const kind = IMPACT_LABELS[impactKind(i.impact)];
              const step = i.firstDivergentStep;
              return (
                <tr key={i.instanceId} data-testid="impact-row" data-impact={i.impact}>
                  <td>
                    <code title={i.instanceId}>{i.correlationId ?? i.instanceId.slice(0, 8)}</code>
                    <div className="muted small">v{i.version} · {fmtDate(i.createdAt)}</div>
                  </td>
                  <td>{i.businessStatus ?? i.status}</td>
                  <td>
                    <Badge tone={kind.tone} title={kind.explain}>{kind.label}</Badge>
                    {i.draft && impactKind(i.impact) === 'outcomeChanged' && <div className="small">→ {i.draft.businessStatus ?? i.draft.status}</div>}
                  </td>
                  <td className="small">
                    {step ? (
                      <>
                        <div><strong>{step.activityId ?? `entry ${step.index + 1}`}</strong>{step.instance > 0 && ` (in ${step.definitionId})`}</div>
                        <div>now: {step.recorded}</div>
                        <div>draft: {step.draft}</div>
                      </>
                    ) : null}
                    {i.reason && <div className="muted">{i.reason}</div>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
