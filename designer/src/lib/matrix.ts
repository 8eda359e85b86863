import type { MatrixRow } from '../api/models';

/** "wd:3" → "3", "approve-work-orders" stays as is. */
export function shortPermission(p: string | null | undefined): string {
  if (!p) return '';
  const m = /^[A-Za-z-]+:(.+)$/.exec(p);
  return m ? m[1] : p;
}

/** "CS / 3" like the CRM manual; "CS" without permission, "3" without department, "—" without both. */
export function formatBy(department: string | null | undefined, permission: string | null | undefined): string {
  const p = shortPermission(permission);
  if (department && p) return `${department} / ${p}`;
  return department || p || '—';
}

/** "New (CS)", "Rejected", "—". */
export function formatState(status: string | null | undefined, department: string | null | undefined): string {
  if (status && department) return `${status} (${department})`;
  return status || (department ? `(${department})` : '—');
}

export interface MatrixLine {
  from: string;
  action: string;
  actionName: string;
  by: string;
  to: string;
  condition: string;
}

export function formatMatrix(rows: MatrixRow[]): MatrixLine[] {
  return rows.map((r) => ({
    from: formatState(r.fromStatus, r.fromDepartment),
    action: r.actionDisplayName || r.action,
    actionName: r.action,
    by: formatBy(r.department, r.permission),
    to: formatState(r.toStatus, r.toDepartment),
    condition: r.condition ?? '',
  }));
}

/** Groups consecutive lines with the same "from" state, for rowspans. */
export function groupByFrom(lines: MatrixLine[]): { from: string; lines: MatrixLine[] }[] {
  const groups: { from: string; lines: MatrixLine[] }[] = [];
  const index = new Map<string, number>();
  for (const l of lines) {
    const i = index.get(l.from);
    if (i === undefined) {
      index.set(l.from, groups.length);
      groups.push({ from: l.from, lines: [l] });
    } else groups[i].lines.push(l);
  }
  return groups;
}
