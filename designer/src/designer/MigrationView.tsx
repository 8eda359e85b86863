import { useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../auth';
import { canApproveDefinitions, canEditDefinitions } from '../lib/access';
import { Badge, ErrorBox, Notice, Spinner, StatusBadge, fmtDate } from '../common/ui';
import type { InstanceMigration, InstanceMigrationPreview } from '../api/models';
import { approveMigration, getVersion, listMigrations, previewMigration, rejectMigration, submitMigration, useVersions } from './api';

/**
 * Moving running instances to another version (ADR 12): choose the versions, map every activity instances wait at
 * that the target lacks, preview what each instance would do, submit; another analyst applies or rejects it.
 */
export function MigrationView({ definitionId }: { definitionId: string }) {
  const { me } = useAuth();
  const qc = useQueryClient();
  const versions = useVersions(definitionId);
  const list = useMemo(() => [...(versions.data ?? [])].sort((a, b) => b.version - a.version), [versions.data]);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  const [preview, setPreview] = useState<InstanceMigrationPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    if (list.length >= 2 && from === null && to === null) {
      setTo(list[0].version);
      setFrom(list[1].version);
    }
  }, [list, from, to]);
  // A preview describes one choice of versions and mapping; any change makes it stale.
  useEffect(() => setPreview(null), [from, to, mapping]);

  const target = useQuery({
    queryKey: ['version', definitionId, to],
    queryFn: () => getVersion(definitionId, to),
    enabled: to !== null,
    staleTime: Infinity,
  });
  const targetActivities = useMemo(() => (target.data?.definition.activities ?? []).map((a) => ({ id: a.id, label: a.displayName || a.id, type: a.type })), [target.data]);
  const requests = useQuery({ queryKey: ['migrations', definitionId], queryFn: () => listMigrations(definitionId) });

  const request = () => ({ fromVersion: from!, toVersion: to!, mapping, note: note.trim() || null });
  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await what();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const doPreview = () => run(async () => setPreview(await previewMigration(definitionId, request())));
  const doSubmit = () => run(async () => {
    const submitted = await submitMigration(definitionId, request());
    setMessage(`Submitted: ${submitted.instanceIds.length} instance(s) from v${submitted.fromVersion} to v${submitted.toVersion}. Another analyst applies it.`);
    setPreview(null);
    void qc.invalidateQueries({ queryKey: ['migrations', definitionId] });
  });
  const decide = (m: InstanceMigration, approve: boolean) => run(async () => {
    if (approve) {
      if (!window.confirm(`Move ${m.instanceIds.length} instance(s) of ${definitionId} from v${m.fromVersion} to v${m.toVersion}?`)) return;
      const done = await approveMigration(m.id);
      const moved = done.results?.filter((r) => r.outcome === 'Migrated' || r.outcome === 'AlreadyMigrated').length ?? 0;
      setMessage(`${done.status}: ${moved} of ${done.results?.length ?? 0} instance(s) moved.`);
    } else {
      const reason = window.prompt('Why reject this migration?');
      if (!reason?.trim()) return;
      await rejectMigration(m.id, reason);
    }
    void qc.invalidateQueries({ queryKey: ['migrations', definitionId] });
  });

  if (versions.isLoading) return <Spinner label="Loading versions…" />;
  if (list.length < 2) return <div className="migration-page"><Notice>Instances move between published versions; {definitionId} has {list.length} version.</Notice></div>;
  const canEdit = canEditDefinitions(me) && !me?.isSystem;
  const versionSelect = (label: string, value: number | null, set: (v: number) => void, testId: string) => (
    <label>{label}
      <select value={value ?? ''} onChange={(e) => set(Number(e.target.value))} data-testid={testId}>
        {list.map((v) => <option key={v.version} value={v.version}>v{v.version}{v.suspended ? ' (suspended)' : ''}</option>)}
      </select>
    </label>
  );
  const waits = preview ? [...new Set([...preview.unmapped, ...Object.keys(mapping)])].sort() : Object.keys(mapping);

  return (
    <div className="migration-page" data-testid="migration-view">
      <section className="migration-new">
        <h4>Move running instances</h4>
        {canEdit ? (
          <>
            <div className="compare">
              {versionSelect('From', from, setFrom, 'migration-from')}
              {versionSelect('To', to, setTo, 'migration-to')}
            </div>
            {waits.length > 0 && (
              <table className="table compact" data-testid="migration-mapping">
                <caption className="muted small">Activities instances wait at that v{to} does not have: map each to an activity of v{to}.</caption>
                <thead><tr><th scope="col">Waits at (v{from})</th><th scope="col">Moves to (v{to})</th></tr></thead>
                <tbody>
                  {waits.map((source) => (
                    <tr key={source}>
                      <td className="mono">{source}</td>
                      <td>
                        <select aria-label={`Target of ${source}`} value={mapping[source] ?? ''} data-testid={`map-${source}`}
                          onChange={(e) => setMapping((m) => {
                            const next = { ...m };
                            if (e.target.value) next[source] = e.target.value;
                            else delete next[source];
                            return next;
                          })}>
                          <option value="">— choose —</option>
                          {targetActivities.map((a) => <option key={a.id} value={a.id}>{a.label} ({a.type})</option>)}
                        </select>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <label className="block">Note for the reviewer
              <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} rows={2} data-testid="migration-note" />
            </label>
            <div className="row gap">
              <button className="btn" disabled={busy || from === null || to === null || from === to} onClick={() => void doPreview()} data-testid="migration-preview">Preview</button>
              <button className="btn btn-primary" disabled={busy || !preview || preview.ready === 0} onClick={() => void doSubmit()} data-testid="migration-submit">
                Submit {preview ? `${preview.ready + preview.refused} instance(s)` : ''}
              </button>
            </div>
          </>
        ) : (
          <Notice>Preparing a migration needs the right definitions:edit.</Notice>
        )}
        {busy && <Spinner small />}
        <ErrorBox error={error} />
        {message && <Notice kind="success" onClose={() => setMessage(null)} testId="migration-message">{message}</Notice>}
        {preview && (
          <div data-testid="migration-preview-result">
            <p>
              <Badge tone="green">{preview.ready} ready</Badge> <Badge tone={preview.refused ? 'red' : undefined}>{preview.refused} refused</Badge>
              {preview.more && <span className="muted small"> More instances are on v{preview.fromVersion} than one migration takes; submit another after this one.</span>}
            </p>
            <table className="table compact">
              <thead><tr><th scope="col">Instance</th><th scope="col">Status</th><th scope="col">Moves</th><th scope="col">Problems / notes</th></tr></thead>
              <tbody>
                {preview.instances.map((i) => (
                  <tr key={i.instanceId} className={i.ready ? '' : 'row-refused'} data-testid={`plan-${i.instanceId}`}>
                    <td className="mono small">{i.instanceId.slice(0, 8)}</td>
                    <td>{i.ready ? <Badge tone="green">ready</Badge> : <Badge tone="red">refused</Badge>} <span className="muted small">{i.businessStatus}</span></td>
                    <td className="small">{i.moves.map((m) => `${m.kind}: ${m.from}${m.from === m.to ? '' : ` → ${m.to}`}`).join('; ')}</td>
                    <td className="small">{[...i.problems, ...i.notes].join(' ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="migration-requests">
        <h4>Migrations of {definitionId}</h4>
        {requests.isLoading && <Spinner small />}
        <ErrorBox error={requests.error} />
        <table className="table compact" data-testid="migration-requests">
          <thead><tr><th scope="col">Versions</th><th scope="col">Instances</th><th scope="col">Status</th><th scope="col">Submitted</th><th scope="col"><span className="sr-only">Decision</span></th></tr></thead>
          <tbody>
            {(requests.data?.items ?? []).map((m) => (
              <tr key={m.id} data-testid={`migration-${m.id}`}>
                <td>v{m.fromVersion} → v{m.toVersion}{Object.keys(m.mapping).length > 0 && <div className="mono small">{Object.entries(m.mapping).map(([a, b]) => `${a} → ${b}`).join(', ')}</div>}</td>
                <td>{m.instanceIds.length}{m.results && <div className="muted small">{m.results.filter((r) => r.outcome === 'Migrated' || r.outcome === 'AlreadyMigrated').length} moved</div>}</td>
                <td><StatusBadge status={m.status} />{m.note && <div className="muted small">{m.note}</div>}</td>
                <td className="small">{m.submittedBy}<div className="muted">{fmtDate(m.submittedAt)}</div></td>
                <td>
                  {canApproveDefinitions(me) && m.status === 'Pending' && m.submittedBy !== me?.username && (
                    <div className="row gap">
                      <button className="btn btn-sm btn-primary" disabled={busy} onClick={() => void decide(m, true)} data-testid={`approve-migration-${m.id}`}>Apply</button>
                      <button className="btn btn-sm" disabled={busy} onClick={() => void decide(m, false)} data-testid={`reject-migration-${m.id}`}>Reject</button>
                    </div>
                  )}
                  {m.status === 'Pending' && m.submittedBy === me?.username && <span className="muted small">Another analyst applies it.</span>}
                </td>
              </tr>
            ))}
            {!requests.isLoading && (requests.data?.items.length ?? 0) === 0 && <tr><td colSpan={5} className="muted">No migrations yet.</td></tr>}
          </tbody>
        </table>
      </section>
    </div>
  );
}
