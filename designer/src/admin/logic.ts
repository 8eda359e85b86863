// Staff accounts on the admin screen: the form's draft, the body it sends, and what the journal shows.
import type { Caller } from '../lib/access';

export const MANAGE_USERS = 'users:manage';

/** The rights a stored account may hold (users:manage only ever comes from configuration; ADR 21). */
export const GRANTABLE_RIGHTS = [
  'submit', 'workorders:approve', 'definitions:edit', 'definitions:approve', 'incidents:retry', 'instances:cancel',
  'wd:export', 'wd:create', 'sandbox', 'fiat:configure', 'crypto:configure',
] as const;

/** The CRM manual's WD permissions 1–5 (manual 003, "WD Statuses Matrix"). */
export const WD_PERMISSIONS: [number, string][] = [
  [1, 'Request documents'], [2, 'Reject WD request'], [3, 'Pass to department'], [4, 'Approve WD request'], [5, 'WD request mass update'],
];

export const canManageUsers = (me: (Caller & { isSystem?: boolean }) | undefined) => !!me && !me.isSystem && me.rights.includes(MANAGE_USERS);

export interface AccountLike {
  username: string; displayName: string | null; role: string | null; departments: string[]; allDepartments: boolean;
  wdPermissions: number[]; taskPermissions: string[]; rights: string[]; enabled: boolean;
}

export interface StaffDraft {
  username: string; displayName: string; role: string; departments: string; allDepartments: boolean;
  wdPermissions: number[]; taskPermissions: string; rights: string[]; enabled: boolean;
}

const list = (text: string) => text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);

export function staffDraft(a?: AccountLike): StaffDraft {
  return {
    username: a?.username ?? '', displayName: a?.displayName ?? '', role: a?.role ?? '', departments: (a?.departments ?? []).join(', '),
    allDepartments: a?.allDepartments ?? false, wdPermissions: [...(a?.wdPermissions ?? [])], taskPermissions: (a?.taskPermissions ?? []).join(', '),
    rights: (a?.rights ?? []).filter((r) => r !== MANAGE_USERS), enabled: a?.enabled ?? true,
  };
}

/** The body of a create (rowVersion null) or an edit; the server checks every field again. */
export function staffBody(d: StaffDraft, rowVersion: number | null): { body: Record<string, unknown> | null; errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {};
  if (rowVersion === null && !d.username.trim()) errors.username = ['A user name is required (as the identity provider spells it).'];
  if (Object.keys(errors).length) return { body: null, errors };
  const body: Record<string, unknown> = {
    displayName: d.displayName.trim() || null, role: d.role.trim() || null, departments: list(d.departments), allDepartments: d.allDepartments,
    wdPermissions: [...d.wdPermissions].sort(), taskPermissions: list(d.taskPermissions), rights: d.rights, enabled: d.enabled,
  };
  if (rowVersion === null) body.username = d.username.trim();
  else body.rowVersion = rowVersion;
  return { body, errors };
}

/** A right the manager may tick: one they hold, or one the account already has (keeping it is no grant). */
export const mayGrant = (me: Caller | undefined, right: string, current: string[]) => current.includes(right) || (!!me && me.rights.includes(right));

/** "field: before → after" for each field a journal entry changed (all fields for a creation). */
export function staffChanges(before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null | undefined): string[] {
  if (!after) return [];
  const skip = new Set(['rowVersion', 'updatedAt', 'updatedBy', 'source']);
  const show = (v: unknown) => (Array.isArray(v) ? `[${v.join(', ')}]` : v === null || v === undefined ? '∅' : String(v));
  return Object.keys(after).filter((k) => !skip.has(k) && JSON.stringify(before?.[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${show(before?.[k])} → ${show(after[k])}`);
}
