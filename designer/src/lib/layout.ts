import ELK from 'elkjs/lib/elk.bundled.js';
import type { Position, WorkflowDefinition } from '../api/models';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 96;

const elk = new ELK();

/** Layered top-down layout of the flowchart; returns a position per activity id. */
export async function autoLayout(def: WorkflowDefinition, sizes: Record<string, { width: number; height: number }> = {}): Promise<Record<string, Position>> {
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '50',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.edgeRouting': 'ORTHOGONAL',
    },
    children: def.activities.map((a) => ({ id: a.id, width: sizes[a.id]?.width ?? NODE_WIDTH, height: sizes[a.id]?.height ?? NODE_HEIGHT })),
    edges: def.connections
      .filter((c) => c.source !== c.target)
      .map((c, i) => ({ id: `e${i}`, sources: [c.source], targets: [c.target] })),
  };
  const out = await elk.layout(graph);
  const result: Record<string, Position> = {};
  for (const c of out.children ?? []) result[c.id] = { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) };
  return result;
}
