// Who may do what in the UI, from GET /api/auth/me (the server enforces the same rights; the UI only hides or
// explains what would be refused), plus small status helpers for the real server's capitalized values.

export interface Caller {
  username: string;
  rights: string[];
  isSystem?: boolean;
}

export const RIGHTS = {
  editDefinitions: 'definitions:edit',
  approveDefinitions: 'definitions:approve',
  retryIncidents: 'incidents:retry',
  cancelInstances: 'instances:cancel',
  manageWebhooks: 'webhooks:manage',
} as const;

const has = (me: Caller | undefined, right: string) => !!me && (me.isSystem === true || me.rights.includes(right));

/** May edit, validate and publish definitions (the designer). */
export const canEditDefinitions = (me: Caller | undefined) => has(me, RIGHTS.editDefinitions);
/** May review other analysts' publish requests, and suspend or resume versions. */
export const canApproveDefinitions = (me: Caller | undefined) => !!me && !me.isSystem && me.rights.includes(RIGHTS.approveDefinitions);
/** Four eyes: nobody approves what they submitted themselves (the server refuses it too). */
export const mayApprovePublishRequest = (me: Caller | undefined, request: { submittedBy: string; status: string }) =>
  canApproveDefinitions(me) && request.status === 'Pending' && request.submittedBy !== me?.username;
/** May retry incidents. */
export const canRetryIncidents = (me: Caller | undefined) => has(me, RIGHTS.retryIncidents);
/** Sees the designer area (definitions, instances): analysts, and whoever operates instances (retry, cancel). */
export const canSeeDesignerArea = (me: Caller | undefined) =>
  canEditDefinitions(me) || canRetryIncidents(me) || has(me, RIGHTS.cancelInstances);

/** May manage systems' webhook subscriptions and see and resend their deliveries. */
export const canManageWebhooks = (me: Caller | undefined) => has(me, RIGHTS.manageWebhooks);

/** Incident statuses are "Open" / "Resolved" on the server (the mock used lower case). */
export const isOpenIncident = (i: { status: string }) => i.status.toLowerCase() !== 'resolved';

/** A task's own status ("Open", "Completed", "Cancelled") in lower case, for comparisons and test ids. */
export const taskStatus = (t: { status: string }) => t.status.toLowerCase();

/** The waits to list beside the open tasks: a task's own bookmark (kind "Task") is the task itself. */
export function waitsBesideTasks<W extends { kind: string; activityId: string }>(waits: W[], openTasks: { activityId: string }[]): W[] {
  const taskAt = new Set(openTasks.map((t) => t.activityId));
  return waits.filter((w) => !(w.kind.toLowerCase() === 'task' && taskAt.has(w.activityId)));
}
