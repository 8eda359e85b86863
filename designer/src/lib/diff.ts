import type { ActivityDef, ConnectionDef, WorkflowDefinition } from '../api/models';

export type ChangeKind = 'added' | 'removed' | 'changed' | 'same';

export interface ActivityChange { id: string; kind: ChangeKind; fields: string[]; before?: ActivityDef; after?: ActivityDef }
export interface ConnectionChange { connection: ConnectionDef; kind: 'added' | 'removed' | 'same' }
export interface DefinitionDiff {
  activities: ActivityChange[];
  connections: ConnectionChange[];
  settings: string[];
  counts: { added: number; removed: number; changed: number; connectionsAdded: number; connectionsRemoved: number };
}

/** Stable JSON: sorted keys, so that key order does not count as a change. */
export function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

function changedFields(a: ActivityDef, b: ActivityDef): string[] {
  const fields: string[] = [];
  if (a.type !== b.type) fields.push('type');
  if ((a.displayName ?? '') !== (b.displayName ?? '')) fields.push('displayName');
  const keys = new Set([...Object.keys(a.inputs ?? {}), ...Object.keys(b.inputs ?? {})]);
  for (const k of [...keys].sort()) if (stable(a.inputs?.[k]) !== stable(b.inputs?.[k])) fields.push(`inputs.${k}`);
  return fields; // positions are layout, not behaviour
}

const ckey = (c: ConnectionDef) => `${c.source}\u0000${c.outcome}\u0000${c.target}`;

/** What changed from `from` to `to`: activities by id, connections by (source, outcome, target). */
export function diffDefinitions(from: WorkflowDefinition, to: WorkflowDefinition): DefinitionDiff {
  const before = new Map(from.activities.map((a) => [a.id, a]));
  const after = new Map(to.activities.map((a) => [a.id, a]));
  const activities: ActivityChange[] = [];
  for (const a of to.activities) {
    const b = before.get(a.id);
    if (!b) activities.push({ id: a.id, kind: 'added', fields: [], after: a });
    else {
      const fields = changedFields(b, a);
      activities.push({ id: a.id, kind: fields.length ? 'changed' : 'same', fields, before: b, after: a });
    }
  }
  for (const b of from.activities) if (!after.has(b.id)) activities.push({ id: b.id, kind: 'removed', fields: [], before: b });

  const fromKeys = new Set(from.connections.map(ckey));
  const toKeys = new Set(to.connections.map(ckey));
  const connections: ConnectionChange[] = [
    ...to.connections.map((c) => ({ connection: c, kind: fromKeys.has(ckey(c)) ? ('same' as const) : ('added' as const) })),
    ...from.connections.filter((c) => !toKeys.has(ckey(c))).map((c) => ({ connection: c, kind: 'removed' as const })),
  ];
  const settings: string[] = [];
  for (const k of ['name', 'description', 'variables', 'inputs', 'interrupts'] as const) {
    if (stable(from[k] ?? (k === 'name' || k === 'description' ? '' : [])) !== stable(to[k] ?? (k === 'name' || k === 'description' ? '' : []))) settings.push(k);
  }
  return {
    activities,
    connections,
    settings,
    counts: {
      added: activities.filter((a) => a.kind === 'added').length,
      removed: activities.filter((a) => a.kind === 'removed').length,
      changed: activities.filter((a) => a.kind === 'changed').length,
      connectionsAdded: connections.filter((c) => c.kind === 'added').length,
      connectionsRemoved: connections.filter((c) => c.kind === 'removed').length,
    },
  };
}

/** A definition to draw the diff on: the newer version plus the removed activities/connections of the older one. */
export function mergedForDiff(from: WorkflowDefinition, to: WorkflowDefinition): WorkflowDefinition {
  const ids = new Set(to.activities.map((a) => a.id));
  const keys = new Set(to.connections.map(ckey));
  return {
    ...to,
    activities: [...to.activities, ...from.activities.filter((a) => !ids.has(a.id))],
    connections: [...to.connections, ...from.connections.filter((c) => !keys.has(ckey(c)))],
  };
}

/** The value of one of `changedFields`' names ('type', 'displayName', 'inputs.<name>') in an activity. */
export function fieldValue(a: ActivityDef | undefined, field: string): unknown {
  if (!a) return undefined;
  if (field === 'type') return a.type;
  if (field === 'displayName') return a.displayName;
  if (field.startsWith('inputs.')) return a.inputs?.[field.slice('inputs.'.length)];
  return undefined;
}

/** A value as the diff shows it: text as is, anything else as compact JSON, cut at `max` characters; — for none. */
export function showValue(v: unknown, max = 160): string {
  const text = v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
