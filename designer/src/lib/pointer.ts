import type { WorkflowDefinition } from '../api/models';

export function parsePointer(pointer: string): string[] {
  if (!pointer || pointer === '/') return [];
  const p = pointer.startsWith('#') ? pointer.slice(1) : pointer;
  return p.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export interface PointerTarget {
  activityId: string | null;
  /** the input name when the pointer goes into /activities/N/inputs/<name> */
  input: string | null;
  connectionIndex: number | null;
  section: 'activity' | 'connection' | 'variables' | 'inputs' | 'interrupts' | 'definition';
}

/** Maps a JSON pointer from a validation error (`/activities/3/inputs/actions/0/guard`) to the node it concerns. */
export function pointerTarget(pointer: string, def: WorkflowDefinition, activityId?: string | null): PointerTarget {
  const parts = parsePointer(pointer);
  const [head, idx, sub, input] = parts;
  if (head === 'activities' && idx !== undefined) {
    const i = Number(idx);
    const act = Number.isInteger(i) ? def.activities[i] : def.activities.find((a) => a.id === idx);
    return { activityId: act?.id ?? activityId ?? null, input: sub === 'inputs' ? input ?? null : null, connectionIndex: null, section: 'activity' };
  }
  if (head === 'connections' && idx !== undefined) {
    const i = Number(idx);
    const c = def.connections[i];
    const field = sub;
    const id = c ? (field === 'target' ? c.target : c.source) : null;
    return { activityId: activityId ?? id, input: null, connectionIndex: Number.isInteger(i) ? i : null, section: 'connection' };
  }
  if (head === 'interrupts' && idx !== undefined) {
    const t = def.interrupts?.[Number(idx)]?.target ?? null;
    return { activityId: activityId ?? (sub === 'target' ? t : null), input: null, connectionIndex: null, section: 'interrupts' };
  }
  if (head === 'variables' || head === 'inputs') {
    return { activityId: activityId ?? null, input: null, connectionIndex: null, section: head };
  }
  return { activityId: activityId ?? null, input: null, connectionIndex: null, section: 'definition' };
}
