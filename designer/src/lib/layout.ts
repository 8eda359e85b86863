import ELK from 'elkjs/lib/elk.bundled.js';
import type { ActivityDef, ActivityDescriptor, Position, WorkflowDefinition } from '../api/models';
import { deriveOutcomes } from './outcomes';

/** Every activity node is this wide (.activity-node in styles.css): outcome chips are stacked, never side by side. */
export const NODE_WIDTH = 240;
/** The lane bands' padding around their nodes, and the gap between two stacked nodes of one lane and column. */
export const LANE_PAD = 28;
const ROW_GAP = 36;
const LANE_GAP = 16;

type Size = { width: number; height: number };
type Descriptors = Record<string, ActivityDescriptor | undefined>;

/**
 * The box an activity node takes (see .activity-node and friends in styles.css): header, title, up to two summary lines
 * and one row per outcome chip. A little generous, so that a laid-out flow does not overlap once the nodes are measured.
 */
export function nodeSize(a: ActivityDef, descriptor: ActivityDescriptor | undefined, connections: { source: string; outcome: string }[] = []): Size {
  const outcomes = new Set(descriptor ? deriveOutcomes(a, descriptor) : []);
  for (const c of connections) if (c.source === a.id) outcomes.add(c.outcome);
  const inputs = a.inputs ?? {};
  const lines = Math.min(2, ['status', 'dueIn', 'duration', 'cron', 'eventName', 'event', 'definition'].filter((k) => typeof inputs[k] === 'string').length);
  return { width: NODE_WIDTH, height: 4 + 24 + 24 + lines * 17 + (outcomes.size ? 10 + outcomes.size * 24 : 0) + 8 };
}

/** A department name as written in an activity's `department` input (not an expression, which has no lane). */
function departmentOf(a: ActivityDef): string | null {
  const d = a.inputs?.department;
  if (typeof d !== 'string') return null;
  const t = d.trim();
  return /^[\p{L}\p{N}][\p{L}\p{N} &/_-]{0,39}$/u.test(t) ? t : null;
}

/**
 * The swimlane of every activity: its own `department` (user tasks, set-status steps), else that of the nearest
 * activity after it that has one (a "load account" step belongs to the task it prepares), else that of the nearest one
 * before it (an end belongs to whoever finished the request). Null for an activity linked to no department (just
 * added, say), and for every activity when no activity names a department: such a flow has no lanes.
 */
export function departmentLanes(def: Pick<WorkflowDefinition, 'activities' | 'connections'> & { interrupts?: WorkflowDefinition['interrupts'] }): Record<string, string | null> {
  const own = new Map(def.activities.map((a) => [a.id, departmentOf(a)]));
  const result: Record<string, string | null> = {};
  if (![...own.values()].some(Boolean)) {
    for (const a of def.activities) result[a.id] = null;
    return result;
  }
  const next = new Map<string, string[]>();
  const prev = new Map<string, string[]>();
  for (const c of def.connections) {
    if (!next.has(c.source)) next.set(c.source, []);
    next.get(c.source)!.push(c.target);
    if (!prev.has(c.target)) prev.set(c.target, []);
    prev.get(c.target)!.push(c.source);
  }
  const nearest = (id: string, links: Map<string, string[]>): string | null => {
    const seen = new Set([id]);
    let frontier = [id];
    while (frontier.length) {
      const following: string[] = [];
      for (const f of frontier)
        for (const n of links.get(f) ?? []) {
          if (seen.has(n)) continue;
          seen.add(n);
          const d = own.get(n);
          if (d) return d;
          following.push(n);
        }
      frontier = following;
    }
    return null;
  };
  // an activity connected to nothing with a department (e.g. one just added from the palette) is in no lane yet;
  // one only an interrupt leads to (the client's cancel) goes to the first department the flow names
  const first = [...own.values()].find(Boolean)!;
  const interrupted = new Set((def.interrupts ?? []).map((i) => i.target));
  for (const a of def.activities) result[a.id] = own.get(a.id) ?? nearest(a.id, next) ?? nearest(a.id, prev) ?? (interrupted.has(a.id) ? first : null);
  return result;
}

export interface LaneBand {
  name: string;
  /** flow coordinates of the band (nodes plus LANE_PAD) */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  positions: Record<string, Position>;
  /** top to bottom; empty when the flow names no department */
  lanes: LaneBand[];
}

const elk = new ELK();

/**
 * Layered left-to-right layout in department swimlanes. ELK's layered algorithm (one port per outcome, in chip order)
 * decides the columns and the order within them, Start alone in the first column; each lane then stacks its nodes of
 * one column top to bottom, so no two boxes overlap and a lane is one horizontal band. Lanes are ordered by when a
 * walk from Start first reaches them (Start's lane on top).
 */
export async function laneLayout(def: WorkflowDefinition, descriptors: Descriptors = {}, sizes: Record<string, Size> = {}): Promise<Layout> {
  const size = (a: ActivityDef): Size => {
    const est = nodeSize(a, descriptors[a.type], def.connections);
    const m = sizes[a.id];
    return { width: Math.max(est.width, m?.width ?? 0), height: Math.max(est.height, m?.height ?? 0) };
  };
  const ids = new Set(def.activities.map((a) => a.id));
  const hops = distancesFromStart(def);
  const box = new Map(def.activities.map((a) => [a.id, size(a)]));
  const portsOf = (a: ActivityDef): string[] => {
    const out = descriptors[a.type] ? deriveOutcomes(a, descriptors[a.type]) : [];
    for (const c of def.connections) if (c.source === a.id && !out.includes(c.outcome)) out.push(c.outcome);
    return out;
  };
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '110',
      'elk.spacing.nodeNode': String(ROW_GAP),
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST',
      'elk.edgeRouting': 'ORTHOGONAL',
    },
    children: def.activities.map((a) => {
      const b = box.get(a.id)!;
      const outs = portsOf(a);
      return {
        id: a.id,
        width: b.width,
        height: b.height,
        layoutOptions: {
          'elk.portConstraints': 'FIXED_ORDER',
          ...(a.type === 'Start' ? { 'elk.layered.layering.layerConstraint': 'FIRST_SEPARATE' } : {}),
          ...(a.type === 'End' ? { 'elk.layered.layering.layerConstraint': 'LAST' } : {}),
        },
        ports: [
          { id: `${a.id}::in`, width: 1, height: 1, layoutOptions: { 'elk.port.side': 'WEST', 'elk.port.index': '0' } },
          ...outs.map((o, i) => ({ id: `${a.id}::out::${o}`, width: 1, height: 1, layoutOptions: { 'elk.port.side': 'EAST', 'elk.port.index': String(i) } })),
        ],
      };
    }),
    edges: def.connections
      // edges back towards the start ("Back to CS") do not decide the columns: a flow reads forwards
      .filter((c) => c.source !== c.target && ids.has(c.source) && ids.has(c.target) && (hops.get(c.target) ?? 0) > (hops.get(c.source) ?? 0))
      .map((c, i) => ({ id: `e${i}`, sources: [`${c.source}::out::${c.outcome}`], targets: [`${c.target}::in`] }))
      // interrupt targets and other activities nothing leads to: after Start (a layout-only edge), not beside it
      .concat(orphansOfStart(def).map((id, i) => ({ id: `v${i}`, sources: [`${startOf(def)}::in`], targets: [`${id}::in`] }))),
  };
  const out = await elk.layout(graph);
  const placed = new Map((out.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));

  // columns: ELK's layers (nodes of one layer share x, all nodes being equally wide)
  const xs = [...new Set([...placed.values()].map((p) => Math.round(p.x)))].sort((a, b) => a - b);
  const column = (id: string) => xs.indexOf(Math.round(placed.get(id)!.x));

  const laneOf = departmentLanes(def);
  const laneName = (id: string) => laneOf[id] ?? '';
  // the order in which a walk from Start (connections in the order the definition lists them) first meets the lane
  const met = new Map([...hops.keys()].map((id, i) => [id, i]));
  const laneKey = new Map<string, [number, number, number]>();
  for (const a of def.activities) {
    const l = laneName(a.id);
    const k: [number, number, number] = [met.get(a.id) ?? Infinity, column(a.id), placed.get(a.id)!.y];
    const cur = laneKey.get(l);
    if (!cur || k[0] < cur[0] || (k[0] === cur[0] && (k[1] < cur[1] || (k[1] === cur[1] && k[2] < cur[2])))) laneKey.set(l, k);
  }
  const laneOrder = [...laneKey.entries()]
    .sort(([la, a], [lb, b]) => (la === '' ? 1 : 0) - (lb === '' ? 1 : 0) || a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
    .map(([l]) => l);

  // within a lane and column: ELK's top-to-bottom order, stacked
  const cells = new Map<string, ActivityDef[]>();
  for (const a of def.activities) {
    const k = `${laneName(a.id)}\u0000${column(a.id)}`;
    if (!cells.has(k)) cells.set(k, []);
    cells.get(k)!.push(a);
  }
  for (const list of cells.values()) list.sort((p, q) => placed.get(p.id)!.y - placed.get(q.id)!.y);

  const positions: Record<string, Position> = {};
  const lanes: LaneBand[] = [];
  const minX = xs[0] ?? 0;
  const maxX = Math.max(0, ...def.activities.map((a) => placed.get(a.id)!.x + box.get(a.id)!.width));
  let y = 0;
  for (const l of laneOrder) {
    let height = 0;
    for (const [k, list] of cells) {
      if (!k.startsWith(`${l}\u0000`)) continue;
      let cy = y + LANE_PAD;
      for (const a of list) {
        positions[a.id] = { x: Math.round(placed.get(a.id)!.x - minX), y: Math.round(cy) };
        cy += box.get(a.id)!.height + ROW_GAP;
      }
      height = Math.max(height, cy - ROW_GAP + LANE_PAD - y);
    }
    lanes.push({ name: l, x: -LANE_PAD, y, width: maxX - minX + 2 * LANE_PAD, height });
    y += height + LANE_GAP;
  }
  // activities in no lane are placed below the lanes, in a band without a name (not drawn)
  return { positions, lanes: lanes.filter((l) => l.name !== '') };
}

const startOf = (def: WorkflowDefinition) => def.activities.find((a) => a.type === 'Start')?.id ?? def.activities[0]?.id ?? '';

function orphansOfStart(def: WorkflowDefinition): string[] {
  const start = startOf(def);
  const reached = new Set(def.connections.filter((c) => c.source !== c.target).map((c) => c.target));
  return def.activities.filter((a) => a.id !== start && !reached.has(a.id)).map((a) => a.id);
}

/**
 * Connections followed from Start: how many steps each activity is from the start. Activities only an interrupt (or
 * nothing) leads to count as one step from the start, and what follows them from there.
 */
function distancesFromStart(def: WorkflowDefinition): Map<string, number> {
  const start = startOf(def);
  const dist = new Map([[start, 0]]);
  walk(def, dist, [start]);
  const seeds = orphansOfStart(def).filter((id) => !dist.has(id));
  for (const id of seeds) dist.set(id, 1);
  walk(def, dist, seeds);
  return dist;
}

function walk(def: WorkflowDefinition, dist: Map<string, number>, from: string[]) {
  let frontier = from;
  while (frontier.length) {
    const following: string[] = [];
    for (const f of frontier)
      for (const c of def.connections)
        if (c.source === f && !dist.has(c.target)) {
          dist.set(c.target, dist.get(f)! + 1);
          following.push(c.target);
        }
    frontier = following;
  }
}

/** Layered left-to-right positions (in lanes when the flow names departments), for callers that only want positions. */
export async function autoLayout(def: WorkflowDefinition, sizes: Record<string, Size> = {}, descriptors: Descriptors = {}): Promise<Record<string, Position>> {
  return (await laneLayout(def, descriptors, sizes)).positions;
}

/**
 * The lane bands as the nodes stand now (after a drag, an added activity…): each department's nodes' bounding box,
 * full width. Null when two departments' bands overlap — the positions are not arranged in lanes (Auto layout does).
 */
export function lanesFromPositions(def: WorkflowDefinition, sizes: (a: ActivityDef) => Size): LaneBand[] | null {
  const laneOf = departmentLanes(def);
  const boxes = new Map<string, { top: number; bottom: number }>();
  let minX = Infinity;
  let maxX = -Infinity;
  for (const a of def.activities) {
    const l = laneOf[a.id];
    if (l === null) continue;
    const p = a.position ?? { x: 0, y: 0 };
    const s = sizes(a);
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x + s.width);
    const b = boxes.get(l);
    boxes.set(l, { top: Math.min(b?.top ?? Infinity, p.y), bottom: Math.max(b?.bottom ?? -Infinity, p.y + s.height) });
  }
  const bands = [...boxes.entries()].sort(([, a], [, b]) => a.top - b.top);
  for (let i = 1; i < bands.length; i++) if (bands[i][1].top < bands[i - 1][1].bottom + 2) return null;
  const edges = bands.map(([, b]) => ({ top: b.top - LANE_PAD, bottom: b.bottom + LANE_PAD }));
  // nodes dragged close to the next lane: the two bands meet half-way instead of overlapping
  for (let i = 1; i < edges.length; i++)
    if (edges[i].top < edges[i - 1].bottom) edges[i].top = edges[i - 1].bottom = (bands[i][1].top + bands[i - 1][1].bottom) / 2;
  return bands.map(([name], i) => ({ name, x: minX - LANE_PAD, y: edges[i].top, width: maxX - minX + 2 * LANE_PAD, height: edges[i].bottom - edges[i].top }));
}

/** True when two activity boxes overlap (sizes as `size` says) or an activity has no position. */
export function overlapping(def: WorkflowDefinition, size: (a: ActivityDef) => Size): [string, string] | null {
  const list = def.activities.map((a) => ({ id: a.id, p: a.position, s: size(a) }));
  for (const a of list) if (!a.p) return [a.id, a.id];
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i];
      const b = list[j];
      if (a.p!.x < b.p!.x + b.s.width && b.p!.x < a.p!.x + a.s.width && a.p!.y < b.p!.y + b.s.height && b.p!.y < a.p!.y + a.s.height) return [a.id, b.id];
    }
  return null;
}
