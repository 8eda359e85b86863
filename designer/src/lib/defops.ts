import type { ActivityDef, ActivityDescriptor, ConnectionDef, Position, WorkflowDefinition } from '../api/models';
import { deriveOutcomes } from './outcomes';

export function slug(s: string): string {
  const base = s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return base || 'activity';
}

export function uniqueId(existing: Iterable<string>, base: string): string {
  const taken = new Set(existing);
  const b = slug(base);
  if (!taken.has(b)) return b;
  for (let i = 2; ; i++) if (!taken.has(`${b}-${i}`)) return `${b}-${i}`;
}

/** Initial inputs for a new activity: descriptor defaults, plus a first action for task-like activities. */
export function defaultInputs(d: ActivityDescriptor | undefined): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const i of d?.inputs ?? []) {
    if (i.defaultValue !== undefined && i.defaultValue !== null) inputs[i.name] = structuredClone(i.defaultValue);
    else if (i.kind === 'actions') inputs[i.name] = [{ name: 'Continue', displayName: 'Continue' }];
  }
  return inputs;
}

export function newActivity(def: WorkflowDefinition, type: string, d: ActivityDescriptor | undefined, position: Position): ActivityDef {
  return {
    id: uniqueId(def.activities.map((a) => a.id), type),
    type,
    displayName: d?.displayName ?? type,
    inputs: defaultInputs(d),
    position: { x: Math.round(position.x), y: Math.round(position.y) },
  };
}

export function addActivity(def: WorkflowDefinition, activity: ActivityDef): WorkflowDefinition {
  return { ...def, activities: [...def.activities, activity] };
}

export function removeActivities(def: WorkflowDefinition, ids: string[]): WorkflowDefinition {
  const gone = new Set(ids);
  return {
    ...def,
    activities: def.activities.filter((a) => !gone.has(a.id)),
    connections: def.connections.filter((c) => !gone.has(c.source) && !gone.has(c.target)),
  };
}

export const sameConnection = (a: ConnectionDef, b: ConnectionDef) => a.source === b.source && a.outcome === b.outcome && a.target === b.target;

export function removeConnections(def: WorkflowDefinition, conns: ConnectionDef[]): WorkflowDefinition {
  return { ...def, connections: def.connections.filter((c) => !conns.some((x) => sameConnection(x, c))) };
}

/** One outcome has at most one connection: connecting an outcome again re-targets it. */
export function connect(def: WorkflowDefinition, c: ConnectionDef): WorkflowDefinition {
  const others = def.connections.filter((x) => !(x.source === c.source && x.outcome === c.outcome));
  return { ...def, connections: [...others, c] };
}

export const INSERT_GAP = 170;
/** one column of the left-to-right layout: a node (240) and the gap between columns (src/lib/layout.ts) */
export const INSERT_GAP_X = 350;

/** Puts a new activity on an existing connection: source -outcome-> new -firstOutcome-> old target. */
export function insertOnConnection(def: WorkflowDefinition, conn: ConnectionDef, activity: ActivityDef, d: ActivityDescriptor | undefined): WorkflowDefinition {
  const src = def.activities.find((a) => a.id === conn.source)?.position;
  const tgt = def.activities.find((a) => a.id === conn.target)?.position;
  let base = def;
  let position = activity.position;
  if (!position && tgt && src && tgt.x > src.x) {
    // left-to-right flow (the canvas's lane layout): the new stage takes the target's place, every activity from the
    // target's column rightwards moves one column right
    position = { x: tgt.x, y: tgt.y };
    base = { ...def, activities: def.activities.map((a) => (a.position && a.position.x >= tgt.x ? { ...a, position: { x: a.position.x + INSERT_GAP_X, y: a.position.y } } : a)) };
  } else if (!position && tgt && src && tgt.y > src.y) {
    // top-down flow: the new stage takes the target's place, everything from the target down moves one row
    position = { x: tgt.x, y: tgt.y };
    base = { ...def, activities: def.activities.map((a) => (a.position && a.position.y >= tgt.y ? { ...a, position: { x: a.position.x, y: a.position.y + INSERT_GAP } } : a)) };
  }
  position ??= src && tgt ? { x: Math.round((src.x + tgt.x) / 2), y: Math.round((src.y + tgt.y) / 2) } : { x: 0, y: 0 };
  const placed = { ...activity, position };
  const outcome = deriveOutcomes(placed, d)[0];
  let next = addActivity(removeConnections(base, [conn]), placed);
  next = connect(next, { source: conn.source, outcome: conn.outcome, target: placed.id });
  if (outcome) next = connect(next, { source: placed.id, outcome, target: conn.target });
  return next;
}

export function updateActivity(def: WorkflowDefinition, id: string, patch: Partial<ActivityDef>): WorkflowDefinition {
  return { ...def, activities: def.activities.map((a) => (a.id === id ? { ...a, ...patch } : a)) };
}

export function setInput(def: WorkflowDefinition, id: string, name: string, value: unknown): WorkflowDefinition {
  return {
    ...def,
    activities: def.activities.map((a) => {
      if (a.id !== id) return a;
      const inputs = { ...a.inputs };
      if (value === undefined || value === '') delete inputs[name];
      else inputs[name] = value;
      return { ...a, inputs };
    }),
  };
}

/** Renames an activity id and everything that points at it. */
export function renameActivity(def: WorkflowDefinition, from: string, to: string): WorkflowDefinition {
  if (from === to || def.activities.some((a) => a.id === to)) return def;
  const r = (id: string) => (id === from ? to : id);
  return {
    ...def,
    activities: def.activities.map((a) => (a.id === from ? { ...a, id: to } : a)),
    connections: def.connections.map((c) => ({ ...c, source: r(c.source), target: r(c.target) })),
    interrupts: def.interrupts?.map((i) => ({ ...i, target: r(i.target) })),
  };
}

/** Renames an outcome on its connection (e.g. when a UserTask action is renamed). */
export function renameOutcome(def: WorkflowDefinition, source: string, from: string, to: string): WorkflowDefinition {
  return { ...def, connections: def.connections.map((c) => (c.source === source && c.outcome === from ? { ...c, outcome: to } : c)) };
}

export interface Clipboard { activities: ActivityDef[]; connections: ConnectionDef[] }

export function copySelection(def: WorkflowDefinition, ids: string[]): Clipboard {
  const set = new Set(ids);
  return {
    activities: def.activities.filter((a) => set.has(a.id)).map((a) => structuredClone(a)),
    connections: def.connections.filter((c) => set.has(c.source) && set.has(c.target)).map((c) => ({ ...c })),
  };
}

/** Pastes with fresh ids, shifted by `offset`; returns the new ids. */
export function paste(def: WorkflowDefinition, clip: Clipboard, offset: Position): { def: WorkflowDefinition; ids: string[] } {
  const taken = def.activities.map((a) => a.id);
  const map = new Map<string, string>();
  const activities: ActivityDef[] = [];
  for (const a of clip.activities) {
    const id = uniqueId([...taken, ...map.values()], a.id.replace(/-\d+$/, ''));
    map.set(a.id, id);
    const p = a.position ?? { x: 0, y: 0 };
    activities.push({ ...structuredClone(a), id, position: { x: p.x + offset.x, y: p.y + offset.y } });
  }
  const connections = clip.connections.filter((c) => map.has(c.source) && map.has(c.target)).map((c) => ({ source: map.get(c.source)!, outcome: c.outcome, target: map.get(c.target)! }));
  return { def: { ...def, activities: [...def.activities, ...activities], connections: [...def.connections, ...connections] }, ids: activities.map((a) => a.id) };
}

export function setPositions(def: WorkflowDefinition, positions: Record<string, Position>): WorkflowDefinition {
  return {
    ...def,
    activities: def.activities.map((a) => (positions[a.id] ? { ...a, position: { x: Math.round(positions[a.id].x), y: Math.round(positions[a.id].y) } } : a)),
  };
}

export function newDefinition(id: string, name: string): WorkflowDefinition {
  return {
    id,
    name,
    description: '',
    variables: [],
    inputs: [],
    activities: [
      { id: 'start', type: 'Start', displayName: 'Start', inputs: {}, position: { x: 0, y: 0 } },
      { id: 'end', type: 'End', displayName: 'End', inputs: {}, position: { x: 0, y: 240 } },
    ],
    connections: [{ source: 'start', outcome: 'Done', target: 'end' }],
    interrupts: [],
  };
}
