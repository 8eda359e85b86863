import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import type { TaskAction, TaskDetail } from '../api/models';
import { useAuth } from '../auth';
import { Badge, ErrorBox, Notice, Spinner, StatusBadge, fmtDate } from '../common/ui';
import { needsDialog } from '../lib/forms';
import { ActionDialog } from './ActionDialog';
import type { ActionBody } from './ActionDialog';
import { Link } from '../router';
import { claimTask, completeTask, getInstance, getTask, getWd, unclaimTask } from './api';
import { WdCard } from './WdCard';
import { GenericRecord } from './GenericRecord';
import { TaskHistory } from './TaskHistory';
import { EXPIRED_MESSAGE, clearDraft, markDraft, pendingAction, staleMessage } from './drafts';

/** A 409 because the instance moved on since the card was read (not "not available in this state"). */
const isStale = (e: ApiError) => e.status === 409 && (!!e.problem.errors?.expectedVersion || /changed underneath/i.test(e.problem.title ?? ''));
const changedByOf = (e: ApiError) => {
  const v = (e.problem as Record<string, unknown>).changedBy;
  return typeof v === 'string' ? v : null;
};

export function TaskPage({ taskId }: { taskId: string }) {
  const qc = useQueryClient();
  const { me } = useAuth();
  const task = useQuery({ queryKey: ['task', taskId], queryFn: () => getTask(taskId) });
  const t = task.data?.task;
  const actions = task.data?.actions ?? [];
  const isWd = t?.subjectType === 'wd-request' && !!t.subjectId;
  const wd = useQuery({ queryKey: ['wd', t?.subjectId], queryFn: () => getWd(t!.subjectId!), enabled: isWd, retry: false });
  // Without the WD card (e.g. a server without /api/wd-requests) the task shows its instance like any other record.
  const wdMissing = isWd && wd.error instanceof ApiError && wd.error.status === 404;
  const inst = useQuery({ queryKey: ['instance', t?.instanceId], queryFn: () => getInstance(t!.instanceId), enabled: !!t && (!isWd || wdMissing) });
  const [dialog, setDialog] = useState<TaskAction | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<{ kind: 'success' | 'warning'; text: string } | null>(null);
  const [dialogNotice, setDialogNotice] = useState<string | null>(null);
  const openDialog = (a: TaskAction | null, why: string | null = null) => {
    setDialog(a);
    setDialogNotice(why);
    if (!a) setError(null);
  };

  // A submit that did not go through (the session expired and the page was replaced by the sign-in form, or the
  // card was stale) reopens its dialog with the kept text once the task is back, and says why.
  const [resumed, setResumed] = useState(false);
  useEffect(() => {
    if (resumed || !task.data) return;
    setResumed(true);
    const pending = pendingAction(taskId);
    if (!pending) return;
    markDraft(taskId, pending.action, null);
    const a = task.data.actions.find((x) => x.name === pending.action && x.available !== false);
    const why = pending.draft.pending === 'expired' ? EXPIRED_MESSAGE.replace('Sign in again and submit', 'You are signed in again: submit') : staleMessage(pending.draft.changedBy, me?.username);
    if (a) openDialog(a, why);
    else setNotice({ kind: 'warning', text: `${why} This action is no longer available here; what you typed: “${pending.draft.comment}”` });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [task.data, resumed]);

  const refresh = async () => {
    await Promise.all([
      qc.invalidateQueries({ queryKey: ['task', taskId] }),
      qc.invalidateQueries({ queryKey: ['wd'] }),
      qc.invalidateQueries({ queryKey: ['wd-audit'] }),
      qc.invalidateQueries({ queryKey: ['instance'] }),
      qc.invalidateQueries({ queryKey: ['tasks'] }),
      qc.invalidateQueries({ queryKey: ['journal'] }),
    ]);
  };

  const handleError = async (e: unknown) => {
    if (e instanceof ApiError && e.status === 409) {
      setNotice({ kind: 'warning', text: isStale(e) ? staleMessage(changedByOf(e), me?.username) : e.message });
      setError(null);
      await refresh();
    } else setError(e);
  };

  // body: what the action's form produced — only its declared fields, numbers as JSON numbers (lib/forms)
  const submit = async (action: TaskAction, body: ActionBody) => {
    setBusy(action.displayName || action.name);
    setError(null);
    setNotice(null);
    try {
      await completeTask(taskId, {
        action: action.name,
        comment: body.comment,
        data: body.data,
        // the instance as this card showed it: if someone else acted meanwhile the server answers 409
        expectedVersion: task.data?.instanceVersion,
      });
      clearDraft(taskId, action.name);
      openDialog(null);
      setNotice({ kind: 'success', text: `Done: ${action.displayName || action.name}.` });
      await refresh();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        // The text is in sessionStorage already; if the sign-in form replaces this page, it comes back after it.
        markDraft(taskId, action.name, 'expired');
        setDialogNotice(EXPIRED_MESSAGE);
        setError(null);
      } else if (e instanceof ApiError && e.status === 409) {
        const why = isStale(e) ? staleMessage(changedByOf(e), me?.username) : e.message;
        markDraft(taskId, action.name, 'stale', isStale(e) ? changedByOf(e) : null);
        setError(null);
        await refresh();
        const fresh = qc.getQueryData<TaskDetail>(['task', taskId]);
        const still = fresh?.actions.find((a) => a.name === action.name && a.available !== false);
        markDraft(taskId, action.name, null);
        if (still) openDialog(still, why);
        else {
          openDialog(null);
          setNotice({ kind: 'warning', text: `${why} “${action.displayName || action.name}” is no longer available.` });
        }
      } else setError(e);
    } finally {
      setBusy(null);
    }
  };

  const claim = async (un: boolean) => {
    setBusy(un ? 'Releasing…' : 'Claiming…');
    setError(null);
    try {
      await (un ? unclaimTask(taskId) : claimTask(taskId));
      await refresh();
    } catch (e) { await handleError(e); } finally { setBusy(null); }
  };

  if (task.isLoading) return <div className="center-page"><Spinner label="Loading the task…" /></div>;
  if (task.error) return <div className="page"><ErrorBox error={task.error} title="The task could not be opened" /><Link to="/inbox">‹ Back to the inbox</Link></div>;
  if (!t) return null;
  const status = t.status.toLowerCase();
  const open = status === 'open';
  const available = actions.filter((a) => a.available !== false);
  const unavailable = actions.filter((a) => a.available === false);

  return (
    <div className="page" data-testid="task-page" data-task-status={status}>
      <div className="row spread">
        <div>
          <Link to="/inbox">‹ Inbox</Link>
          <h2 style={{ marginTop: 6 }} data-testid="task-title">{t.title}</h2>
          <div className="row small">
            <StatusBadge status={t.businessStatus} testId="task-business-status" />
            <Badge>{t.department ?? '—'}</Badge>
            <Badge tone={open ? 'blue' : 'grey'} testId="task-status">{t.status}</Badge>
            {t.overdue && <Badge tone="red">overdue</Badge>}
            <span className="muted">due {fmtDate(t.dueAt)} · created {fmtDate(t.createdAt)} · {t.definitionId} v{t.definitionVersion}</span>
          </div>
        </div>
        {(task.isFetching || wd.isFetching) && <Spinner small label="Refreshing…" />}
      </div>
      {notice && <Notice kind={notice.kind} onClose={() => setNotice(null)} testId={notice.kind === 'warning' ? 'stale-notice' : 'action-notice'}>{notice.text}</Notice>}
      {/* while the dialog is open it shows the error itself, at the fields */}
      <ErrorBox error={dialog ? null : error} />
      <div className="task-layout">
        <div>
          {isWd && wd.isLoading && <Spinner label="Loading the request…" />}
          {isWd && !wdMissing && <ErrorBox error={wd.error} title="The request could not be loaded" />}
          {isWd && wd.data && <WdCard card={wd.data} />}
          {(!isWd || wdMissing) && inst.isLoading && <Spinner label="Loading the record…" />}
          {(!isWd || wdMissing) && <ErrorBox error={inst.error} />}
          {(!isWd || wdMissing) && inst.data && <GenericRecord task={t} instance={inst.data} />}
          <TaskHistory instanceId={t.instanceId} />
        </div>
        <aside className="card" data-testid="task-actions">
          <h4>Actions</h4>
          {!open && <p className="muted">This task is {t.status}. <Link to="/inbox">Back to the inbox</Link></p>}
          {open && (
            <div className="row small" style={{ marginBottom: 10 }}>
              <span>Assignee: <strong data-testid="task-assignee">{t.assignee ?? 'nobody'}</strong></span>
              {t.assignee === me?.username ? (
                <button className="btn btn-sm" onClick={() => claim(true)} disabled={!!busy} data-testid="unclaim">Release</button>
              ) : !t.assignee ? (
                <button className="btn btn-sm" onClick={() => claim(false)} disabled={!!busy} data-testid="claim">Claim</button>
              ) : null}
            </div>
          )}
          {open && (
            <div className="action-bar">
              {available.map((a) => (
                <button
                  key={a.name}
                  className={`btn ${/reject/i.test(a.name) ? 'btn-danger' : 'btn-primary'}`}
                  disabled={!!busy}
                  data-testid={`action-${a.name}`}
                  data-action={a.name}
                  onClick={() => (needsDialog(a) ? openDialog(a) : submit(a, {}))}
                >
                  {busy === (a.displayName || a.name) ? <Spinner small label="Working…" /> : a.displayName || a.name}
                  {needsDialog(a) ? <span className="small" aria-hidden>…</span> : null}
                </button>
              ))}
              {available.length === 0 && <p className="muted small" data-testid="no-actions">You cannot act on this task now.</p>}
              {unavailable.map((a) => (
                <div key={a.name}>
                  <button className="btn" disabled title={a.reason ?? 'Not available'} data-testid={`action-${a.name}`} data-action={a.name} aria-disabled>
                    {a.displayName || a.name}
                  </button>
                  {a.reason && <div className="action-reason">{a.reason}</div>}
                </div>
              ))}
            </div>
          )}
        </aside>
      </div>
      {dialog && (
        <ActionDialog
          key={`${dialog.name}-${dialogNotice ?? ''}`}
          taskId={taskId}
          action={dialog}
          busy={!!busy}
          error={error}
          notice={dialogNotice}
          context={wd.data ? { currency: wd.data.currency } : undefined}
          onClose={() => openDialog(null)}
          onSubmit={(body) => submit(dialog, body)}
        />
      )}
    </div>
  );
}

export type { TaskDetail };
