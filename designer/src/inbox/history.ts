import type { JournalEntry } from '../api/models';

/** One line of a task card's history in business words. */
export interface HistoryItem {
  key: string;
  at: string;
  text: string;
  /** A comment's own words, shown quoted under the line. */
  quote?: string;
  kind: 'action' | 'comment' | 'waiting' | 'event' | 'end';
}

/** Past-tense phrases for the shipped flows' actions; anything else is its name in words. */
const PHRASES: Record<string, string> = {
  Approve: 'Approved',
  Reject: 'Rejected',
  RejectAndClose: 'Rejected and closed',
  RequestDocuments: 'Documents requested',
  Complete: 'Completed',
  Submit: 'Submitted',
  Resubmit: 'Resubmitted',
  Delete: 'Deleted',
  Cancel: 'Cancelled',
  Verify: 'Verified',
  Retry: 'Retried',
  Edit: 'Edited',
  Release: 'Released',
  Refund: 'Refund requested',
  RequestRefund: 'Refund requested',
  DirectBilling: 'Sent to direct billing',
  SetSuccessful: 'Set as successful',
  SetFailed: 'Set as failed',
  MarkFailed: 'Marked failed',
  Repayment: 'Repayment requested',
  AddComment: 'Commented',
};

/** "PassToDealing" → "Sent to Dealing", "BackToCS" → "Sent back to CS", else the name in words ("MarkPaid" → "Mark paid"). */
export function actionPhrase(action: string): string {
  if (PHRASES[action]) return PHRASES[action];
  const pass = /^(?:PassTo|ForwardTo|SendTo)(.+)$/.exec(action);
  if (pass) return `Sent to ${pass[1]}`;
  const back = /^BackTo(.+)$/.exec(action);
  if (back) return `Sent back to ${back[1]}`;
  const words = action.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1).toLowerCase() : action;
}

/** Who a person is in the history; the engine's own workers are not people. */
const person = (j: JournalEntry): string | null => {
  const u = j.actor?.userId;
  return u && u !== 'worker' && u !== 'system' && u !== 'timer' ? u : null;
};

/** "WD Approved by CS (Retention)" → "Retention": the WD tasks' titles end with the department that holds them. */
const titleDepartment = (message?: string | null) => /\(([^()]+)\)\s*$/.exec(message ?? '')?.[1] ?? null;

/**
 * The journal (oldest first) as the history operators read: who did what ("Sent to Dealing by cs1"), their comments
 * ("Comment by cs1: …"), who holds the work now ("Waiting for Backoffice"), and how it ended. The engine's own steps
 * (ActivityEntered, ActivitySuspended, ActivityCompleted, jobs finishing, event deliveries) are left out.
 */
export function businessHistory(entries: readonly JournalEntry[]): HistoryItem[] {
  const items: HistoryItem[] = [];
  let department: string | null = null;
  for (const j of entries) {
    for (const c of j.changes ?? []) if (c.name === 'department' && typeof c.after === 'string') department = c.after;
    const who = person(j);
    const by = who ? ` by ${who}` : '';
    const key = `${j.sequence}`;
    const at = j.timestamp;
    const comment = j.comment?.trim();
    switch (j.kind) {
      case 'InstanceStarted':
        items.push({ key, at, text: `Created${by}`, kind: 'event' });
        if (comment) items.push({ key: `${key}c`, at, text: `Comment${by}:`, quote: comment, kind: 'comment' });
        break;
      case 'TaskCompleted':
        items.push({ key, at, text: `${actionPhrase(j.action ?? j.outcome ?? 'Done')}${by}`, kind: 'action' });
        if (comment) items.push({ key: `${key}c`, at, text: `Comment${by}:`, quote: comment, kind: 'comment' });
        break;
      case 'VariablesUpdated':
        if (j.action === 'AddComment' && comment) items.push({ key, at, text: `Comment${by}:`, quote: comment, kind: 'comment' });
        else if (who) {
          items.push({ key, at, text: `${actionPhrase(j.action ?? 'Edit')}${by}`, kind: 'action' });
          if (comment) items.push({ key: `${key}c`, at, text: `Comment${by}:`, quote: comment, kind: 'comment' });
        }
        break;
      case 'TaskOpened': {
        const dept = department ?? titleDepartment(j.message);
        items.push({ key, at, text: dept ? `Waiting for ${dept}` : `Waiting: ${j.message ?? 'a task'}`, kind: 'waiting' });
        break;
      }
      case 'TaskClaimed':
        items.push({ key, at, text: `Claimed${by}`, kind: 'event' });
        break;
      case 'TaskUnclaimed':
        items.push({ key, at, text: `Released${by}`, kind: 'event' });
        break;
      case 'TaskOverdue':
        items.push({ key, at, text: 'Overdue: the time to act ran out', kind: 'event' });
        break;
      case 'TimerFired':
        items.push({ key, at, text: 'Time limit reached', kind: 'event' });
        break;
      case 'EventReceived':
      case 'Interrupted':
      case 'Note':
      case 'InstanceMigrated':
      case 'LateResult':
        if (j.message) items.push({ key, at, text: j.message, kind: 'event' });
        break;
      case 'JobFailed':
        items.push({ key, at, text: j.message ?? 'An outside call failed', kind: 'event' });
        break;
      case 'IncidentRetried':
        items.push({ key, at, text: `Retried${by}`, kind: 'event' });
        break;
      case 'InstanceCancelling':
        items.push({ key, at, text: `Cancelling${by}: waiting for an outside call`, kind: 'event' });
        break;
      case 'InstanceCancelled':
        items.push({ key, at, text: `Cancelled${by}`, quote: comment || undefined, kind: 'end' });
        break;
      case 'InstanceFaulted':
        items.push({ key, at, text: 'Stopped by an error', quote: j.message ?? undefined, kind: 'end' });
        break;
      case 'InstanceCompleted':
        items.push({ key, at, text: j.outcome ? `Finished: ${actionPhrase(j.outcome)}` : 'Finished', kind: 'end' });
        break;
      default:
        // ActivityEntered/Completed/Suspended, JobCompleted, EventDelivered, TimerIgnored, StatusChanged,
        // CallCancelRequested, TaskCancelled: how the engine got there, not what happened to the request.
        break;
    }
  }
  return items;
}
