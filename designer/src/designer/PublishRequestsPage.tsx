import { useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../auth';
import { Badge, ErrorBox, Modal, Notice, Spinner, fmtDate } from '../common/ui';
import { canApproveDefinitions, mayApprovePublishRequest } from '../lib/access';
import { diffDefinitions, mergedForDiff, showValue } from '../lib/diff';
import { edgeId } from '../lib/graph';
import { Link } from '../router';
import type { FieldChange, ImpactReport, PublishRequestDetail, SectionDiff } from '../api/models';
import { approvePublishRequest, getPublishRequest, listPublishRequests, previewRequestImpact, rejectPublishRequest, useActivities } from './api';
import { ImpactPanel } from './ImpactPanel';

type Located = { id: string; nonce: number } | null;
import { FlowCanvas } from './FlowCanvas';
import type { Decorations } from './FlowCanvas';
import { useReadableDefinition } from './readable';

const show = (v: unknown) => showValue(v, 400);

/** Reviewers' view: pending publish requests, each with its validation result and diff; approve or reject (four eyes). */
export function PublishRequestsPage() {
  const { me } = useAuth();
  const [status, setStatus] = useState('Pending');
  const [selected, setSelected] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['publish-requests', status], queryFn: () => listPublishRequests(status || undefined) });
  return (
    <div className="page publish-requests" data-testid="publish-requests-page">
      <div className="row spread">
        <h2>Publish requests</h2>
        <label className="small">Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="publish-requests-status" aria-label="Status">
            <option value="Pending">Pending</option>
            <option value="Approved">Approved</option>
            <option value="Rejected">Rejected</option>
            <option value="">All</option>
          </select>
        </label>
      </div>
      {!canApproveDefinitions(me) && <Notice kind="info">You can follow requests here; approving needs the right definitions:approve.</Notice>}
      {list.isLoading && <Spinner label="Loading requests…" />}
      <ErrorBox error={list.error} />
      {list.data && (
        <table className="table" data-testid="publish-requests-table">
          <thead><tr><th>Definition</th><th>Submitted</th><th>By</th><th>Note</th><th>Base</th><th>Status</th><th /></tr></thead>
          <tbody>
            {list.data.items.map((r) => (
              <tr key={r.id} data-testid={`publish-request-row-${r.definitionId}`} className={r.id === selected ? 'selected' : ''}>
                <td className="mono">{r.definitionId}</td>
                <td>{fmtDate(r.submittedAt)}</td>
                <td>{r.submittedBy}</td>
                <td>{r.note}</td>
                <td>{r.baseVersion ? `v${r.baseVersion}` : '—'}{r.stale && <> <Badge tone="red" title="The published version moved since; approval will be refused">stale</Badge></>}</td>
                <td><Badge tone={r.status === 'Pending' ? 'amber' : r.status === 'Approved' ? 'green' : 'red'}>{r.status}</Badge></td>
                <td className="right"><button className="btn btn-sm" onClick={() => setSelected(r.id)} data-testid={`review-${r.definitionId}`}>Review</button></td>
              </tr>
            ))}
            {list.data.items.length === 0 && <tr><td colSpan={7} className="muted">No requests.</td></tr>}
          </tbody>
        </table>
      )}
      {selected && <RequestReview key={selected} requestId={selected} me={me} />}
    </div>
  );
}

function RequestReview({ requestId, me }: { requestId: string; me: ReturnType<typeof useAuth>['me'] }) {
  const qc = useQueryClient();
  const detail = useQuery({ queryKey: ['publish-request', requestId], queryFn: () => getPublishRequest(requestId) });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<string | null>(null);
  // clicking an activity in the diff selects and centres it on the canvas below (issue 14)
  const [located, setLocated] = useState<Located>(null);
  const [impact, setImpact] = useState<ImpactReport | null>(null);
  const [impactBusy, setImpactBusy] = useState(false);
  const runImpact = async () => {
    setImpactBusy(true);
    setError(null);
    try {
      setImpact(await previewRequestImpact(requestId));
    } catch (e) {
      setError(e);
    } finally {
      setImpactBusy(false);
    }
  };
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['publish-requests'] });
    void qc.invalidateQueries({ queryKey: ['publish-request', requestId] });
    void qc.invalidateQueries({ queryKey: ['definitions'] });
  };
  const act = async (fn: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    try {
      setNotice(await fn());
      refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (detail.isLoading) return <Spinner label="Loading the request…" />;
  if (detail.error || !detail.data) return <ErrorBox error={detail.error} />;
  const d = detail.data;
  const r = d.request;
  const own = r.submittedBy === me?.username;
  const may = mayApprovePublishRequest(me, r);
  return (
    <section className="card publish-review" data-testid="publish-review">
      <div className="row spread">
        <h3>
          <Link to={`/designer/definitions/${encodeURIComponent(r.definitionId)}`}>{r.definitionId}</Link>{' '}
          <span className="muted small">v{d.publishedVersion ?? '—'} → new version · hash <span className="mono">{r.contentHash.slice(0, 12)}</span></span>
        </h3>
        <div className="actions">
          <button className="btn btn-primary" disabled={!may || busy || !d.validation.valid} onClick={() => act(async () => `Approved: published version ${(await approvePublishRequest(r.id)).version}.`)}
            data-testid="approve-request" title={own ? 'Four eyes: you submitted this request, another analyst must approve it.' : undefined}>Approve</button>{' '}
          <button className="btn" disabled={!canApproveDefinitions(me) || r.status !== 'Pending' || busy} onClick={() => setRejecting('')} data-testid="reject-request">Reject…</button>
        </div>
      </div>
      <p className="small">
        Submitted by <strong data-testid="request-submitter">{r.submittedBy}</strong> {fmtDate(r.submittedAt)} · status <strong data-testid="request-status">{r.status}</strong>
        {r.decidedBy && <> · decided by {r.decidedBy} {fmtDate(r.decidedAt)}{r.decisionReason && <>: “{r.decisionReason}”</>}</>}
      </p>
      {r.note && <p className="note" data-testid="request-note">“{r.note}”</p>}
      {own && r.status === 'Pending' && <Notice kind="info" testId="four-eyes-hint">You submitted this request; another analyst must approve it (four eyes).</Notice>}
      {r.stale && <Notice kind="warning">The published version moved since this request was submitted; approving is refused. Reject it and resubmit.</Notice>}
      {notice && <Notice kind="success" testId="review-notice" onClose={() => setNotice(null)}>{notice}</Notice>}
      <ErrorBox error={error} />
      <h4>Validation (re-run now)</h4>
      {d.validation.valid
        ? <p className="ok small" data-testid="request-validation">No problems found.</p>
        : <ul className="plain" data-testid="request-validation">{d.validation.errors.map((e, i) => <li key={i}><span className="mono">{e.path}</span> {e.message}</li>)}</ul>}
      <h4>Changes</h4>
      <ServerDiff detail={d} onLocate={(id) => setLocated({ id, nonce: Date.now() })} />
      <VisualDiff detail={d} located={located} />
      <h4>Impact on recent instances</h4>
      {!impact && (
        <button className="btn btn-sm" onClick={() => void runImpact()} disabled={impactBusy} data-testid="request-impact">
          {impactBusy ? 'Replaying…' : 'Preview the impact'}
        </button>
      )}
      {impact && <div data-testid="request-impact-report"><ImpactPanel report={impact} /></div>}
      {rejecting !== null && (
        <Modal title="Reject the publish request" onClose={() => setRejecting(null)} testId="reject-dialog"
          footer={<>
            <button className="btn" onClick={() => setRejecting(null)}>Cancel</button>
            <button className="btn btn-danger" disabled={!rejecting.trim()} data-testid="reject-submit"
              onClick={() => { const reason = rejecting; setRejecting(null); void act(async () => { await rejectPublishRequest(r.id, reason); return 'Rejected.'; }); }}>Reject</button>
          </>}>
          <label className="form">Reason (required)
            <textarea value={rejecting} onChange={(e) => setRejecting(e.target.value)} maxLength={2000} rows={3} data-testid="reject-reason" aria-label="Reason" />
          </label>
        </Modal>
      )}
    </section>
  );
}

/** The server's structured diff: per section, added / removed / changed with old → new values. */
function ServerDiff({ detail, onLocate }: { detail: PublishRequestDetail; onLocate: (activityId: string) => void }) {
  const diff = detail.diff;
  if (diff.isEmpty) return <p className="muted small">No differences.</p>;
  const sections: [string, SectionDiff][] = [['Activities', diff.activities], ['Connections', diff.connections], ['Variables', diff.variables], ['Inputs', diff.inputs]];
  const label = (n: unknown) => {
    const o = n as Record<string, unknown>;
    return String(o.id ?? o.name ?? `${o.source}:${o.outcome} → ${o.target}`);
  };
  return (
    <div className="server-diff" data-testid="request-diff">
      {sections.filter(([, s]) => s.added.length + s.removed.length + s.changed.length > 0).map(([name, s]) => (
        <div key={name}>
          <h5>{name}</h5>
          <ul className="plain diff-list">
            {s.added.map((a, i) => <li key={`a${i}`} className="diff-added">+ <Entry name={label(a)} activity={name === 'Activities'} onLocate={onLocate} /></li>)}
            {s.removed.map((a, i) => <li key={`r${i}`} className="diff-removed">− <Entry name={label(a)} activity={name === 'Activities'} onLocate={onLocate} /></li>)}
            {s.changed.map((c) => (
              <li key={c.key} className="diff-changed" data-testid={`request-diff-entry-${c.key}`}>~ <Entry name={c.key} activity={name === 'Activities'} onLocate={onLocate} /><Fields fields={c.fields} /></li>
            ))}
          </ul>
        </div>
      ))}
      {diff.definition.length > 0 && <div><h5>Flow settings</h5><Fields fields={diff.definition} /></div>}
    </div>
  );
}

/** An activity's entry is a button that locates it on the canvas; other entries are text. */
function Entry({ name, activity, onLocate }: { name: string; activity: boolean; onLocate: (id: string) => void }) {
  if (!activity) return <strong>{name}</strong>;
  return (
    <button className="link diff-locate" onClick={() => onLocate(name)} data-testid={`request-locate-${name}`} title="Show it on the canvas">
      <strong>{name}</strong>
    </button>
  );
}

function Fields({ fields }: { fields: FieldChange[] }) {
  return (
    <table className="table compact mono small">
      <tbody>
        {fields.map((f) => (
          <tr key={f.field} data-testid={`diff-field-${f.field}`}><th scope="row">{f.field}</th><td className="diff-removed">{show(f.old)}</td><td aria-hidden>→</td><td className="diff-added">{show(f.new)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

/** The same visual diff as "Versions & diff": the published flow against the snapshot, changes coloured on the canvas. */
function VisualDiff({ detail, located }: { detail: PublishRequestDetail; located: Located }) {
  const activities = useActivities();
  const descriptors = useMemo(() => Object.fromEntries((activities.data ?? []).map((a) => [a.type, a])), [activities.data]);
  const empty = useMemo(() => ({ ...detail.definition, activities: [], connections: [] }), [detail.definition]);
  const from = detail.published ?? empty;
  const diff = useMemo(() => diffDefinitions(from, detail.definition), [from, detail.definition]);
  const merged = useReadableDefinition(useMemo(() => mergedForDiff(from, detail.definition), [from, detail.definition]));
  const decorations: Decorations = useMemo(() => {
    const kinds = new Map(diff.activities.map((a) => [a.id, a.kind]));
    const ck = new Map(diff.connections.map((c) => [edgeId(c.connection), c.kind]));
    return {
      nodeClass: (id) => (kinds.get(id) && kinds.get(id) !== 'same' ? `diff-${kinds.get(id)}` : undefined),
      nodeBadge: (id) => (kinds.get(id) && kinds.get(id) !== 'same' ? kinds.get(id) : undefined),
      edgeClass: (c) => (ck.get(edgeId(c)) && ck.get(edgeId(c)) !== 'same' ? `edge-diff-${ck.get(edgeId(c))}` : undefined),
    };
  }, [diff]);
  const selection = useMemo(() => ({ nodes: located ? [located.id] : [], edges: [] }), [located]);
  if (!merged || !activities.data) return null;
  return (
    <div className="versions-canvas review-canvas" style={{ height: 420 }}>
      <FlowCanvas definition={merged} descriptors={descriptors} decorations={decorations} selection={selection} focus={located} testId="request-diff-canvas" fitKey={detail.request.id} />
    </div>
  );
}

