import type { Position, WorkflowDefinition } from '../api/models';

/** The smallest box an activity node takes on the canvas (see .activity-node in styles.css). */
export const MIN_NODE = { width: 200, height: 80 };

/**
 * True when the stored positions cannot be read as a diagram: an activity without a position, or two activities
 * whose boxes overlap (e.g. a flow file written by hand with positions closer than a node is wide).
 */
export function isCrowded(def: Pick<WorkflowDefinition, 'activities'>, box: { width: number; height: number } = MIN_NODE): boolean {
  const placed: Position[] = [];
  for (const a of def.activities) {
    if (!a.position) return true;
    placed.push(a.position);
  }
  for (let i = 0; i < placed.length; i++) {
    for (let j = i + 1; j < placed.length; j++) {
      if (Math.abs(placed[i].x - placed[j].x) < box.width && Math.abs(placed[i].y - placed[j].y) < box.height) return true;
    }
  }
  return false;
}

/** The definition with the given positions (activities not in `positions` keep theirs). */
export function withPositions<D extends WorkflowDefinition>(def: D, positions: Record<string, Position>): D {
  return { ...def, activities: def.activities.map((a) => (positions[a.id] ? { ...a, position: positions[a.id] } : a)) };
}
