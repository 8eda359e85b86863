/**
 * What an operator typed into an action's dialog, kept in sessionStorage per task and action until the action
 * succeeds: a stale 409, a 401 (the session expired, the page may be replaced by the sign-in form) or a closed dialog
 * never throws the text away. `pending` says why a submit did not go through, so the task page reopens the dialog
 * with the text and says so.
 */
export interface ActionDraft {
  comment: string;
  values: Record<string, string>;
  pending?: 'expired' | 'stale' | null;
  /** Who changed the task, for a stale submit (the server's changedBy). */
  changedBy?: string | null;
}

const PREFIX = 'inbox.draft.';
const key = (taskId: string, action: string) => `${PREFIX}${taskId}.${action}`;

export function loadDraft(taskId: string, action: string): ActionDraft | null {
  try {
    const raw = sessionStorage.getItem(key(taskId, action));
    if (!raw) return null;
    const d = JSON.parse(raw) as Partial<ActionDraft>;
    return { comment: typeof d.comment === 'string' ? d.comment : '', values: d.values && typeof d.values === 'object' ? d.values : {}, pending: d.pending ?? null, changedBy: d.changedBy ?? null };
  } catch {
    return null;
  }
}

export function saveDraft(taskId: string, action: string, draft: ActionDraft) {
  const empty = !draft.comment && Object.values(draft.values).every((v) => !v);
  try {
    if (empty && !draft.pending) sessionStorage.removeItem(key(taskId, action));
    else sessionStorage.setItem(key(taskId, action), JSON.stringify(draft));
  } catch {
    // storage full or disabled: the dialog still holds the text while it is open
  }
}

export function markDraft(taskId: string, action: string, pending: ActionDraft['pending'], changedBy?: string | null) {
  const d = loadDraft(taskId, action);
  if (d) saveDraft(taskId, action, { ...d, pending, changedBy: changedBy ?? null });
}

export function clearDraft(taskId: string, action: string) {
  try { sessionStorage.removeItem(key(taskId, action)); } catch { /* nothing kept */ }
}

/** The action of this task whose submit did not go through (expired session or stale card), if any. */
export function pendingAction(taskId: string): { action: string; draft: ActionDraft } | null {
  try {
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i);
      if (!k?.startsWith(`${PREFIX}${taskId}.`)) continue;
      const action = k.slice(`${PREFIX}${taskId}.`.length);
      const draft = loadDraft(taskId, action);
      if (draft?.pending) return { action, draft };
    }
  } catch { /* no storage */ }
  return null;
}

/** "This task changed since you opened it (by you in another tab / by bo1)." */
export function staleMessage(changedBy: string | null | undefined, me: string | null | undefined): string {
  const who = !changedBy ? '' : changedBy === me ? ' (by you in another tab)' : ` (by ${changedBy})`;
  return `This task changed since you opened it${who}. The card was refreshed; your text is kept — check it and submit again.`;
}

export const EXPIRED_MESSAGE = 'Your session expired before this was sent. Sign in again and submit — your text is kept.';
