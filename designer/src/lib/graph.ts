import type { ActivityDef, ActivityDescriptor, ConnectionDef, WorkflowDefinition } from '../api/models';
import { deriveOutcomes, orphanOutcomes } from './outcomes';

export interface ActivityNodeData extends Record<string, unknown> {
  activity: ActivityDef;
  descriptor?: ActivityDescriptor;
  outcomes: string[];
  orphans: string[];
}

export interface GraphNode {
  id: string;
  type: 'activity';
  position: { x: number; y: number };
  data: ActivityNodeData;
}

export interface GraphEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  label?: string;
}

export const edgeId = (c: ConnectionDef) => `${c.source}\u2192${c.outcome}\u2192${c.target}`;

export function edgeToConnection(e: { source: string; sourceHandle?: string | null; target: string }): ConnectionDef {
  return { source: e.source, outcome: e.sourceHandle ?? 'Done', target: e.target };
}

export function descriptorMap(descriptors: ActivityDescriptor[]): Record<string, ActivityDescriptor> {
  return Object.fromEntries(descriptors.map((d) => [d.type, d]));
}

/** Definition JSON → flowchart nodes (one per activity) and edges (one per connection, handle = outcome). */
export function definitionToGraph(def: WorkflowDefinition, descriptors: Record<string, ActivityDescriptor>): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = def.activities.map((a, i) => {
    const d = descriptors[a.type];
    const outcomes = deriveOutcomes(a, d);
    return {
      id: a.id,
      type: 'activity',
      position: a.position ?? { x: 0, y: i * 120 },
      data: { activity: a, descriptor: d, outcomes, orphans: orphanOutcomes(a.id, outcomes, def.connections) },
    };
  });
  const edges: GraphEdge[] = def.connections.map((c) => ({
    id: edgeId(c),
    source: c.source,
    sourceHandle: c.outcome,
    target: c.target,
    label: c.outcome,
  }));
  return { nodes, edges };
}

/** Flowchart → definition JSON: activities keep their order and content, positions come from the nodes. */
export function graphToDefinition(base: WorkflowDefinition, nodes: { id: string; position: { x: number; y: number }; data: { activity: ActivityDef } }[], edges: { source: string; sourceHandle?: string | null; target: string }[]): WorkflowDefinition {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const order = base.activities.map((a) => a.id).filter((id) => byId.has(id));
  for (const n of nodes) if (!order.includes(n.id)) order.push(n.id);
  const activities = order.map((id) => {
    const n = byId.get(id)!;
    return { ...n.data.activity, id, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } };
  });
  const seen = new Set<string>();
  const connections: ConnectionDef[] = [];
  for (const e of edges) {
    const c = edgeToConnection(e);
    const k = `${c.source}\u0000${c.outcome}`;
    if (seen.has(k) || !byId.has(c.source) || !byId.has(c.target)) continue;
    seen.add(k);
    connections.push(c);
  }
  return { ...base, activities, connections };
}
