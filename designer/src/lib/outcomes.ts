import type { ActivityDef, ActivityDescriptor, Case, TaskActionDef } from '../api/models';

function names(value: unknown, key: 'name' | null): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const v of value) {
    const n = key && v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : v;
    if (typeof n === 'string' && n.trim() !== '') out.push(n.trim());
  }
  return out;
}

const truthy = (v: unknown) => v === true || v === 'true';

/**
 * The outcomes an activity can leave through, in handle order:
 * dynamic ones derived from its inputs (UserTask actions, Switch cases + Default, Fork branches,
 * CallWorkflow outcomes), then the descriptor's static outcomes. `Escalated` only when `escalate` is on.
 */
export function deriveOutcomes(activity: Pick<ActivityDef, 'inputs'>, descriptor: ActivityDescriptor | undefined): string[] {
  const inputs = activity.inputs ?? {};
  const result: string[] = [];
  const add = (n: string) => { if (!result.includes(n)) result.push(n); };
  const dyn = descriptor?.dynamicOutcomes ?? null;
  switch (dyn) {
    case 'actions':
      names(inputs.actions as TaskActionDef[], 'name').forEach(add);
      break;
    case 'cases':
      names(inputs.cases as Case[], 'name').forEach(add);
      add('Default');
      break;
    case 'branches':
      names(inputs.branches, null).forEach(add);
      break;
    case 'outcomes':
      names(inputs.outcomes, null).forEach(add);
      break;
    default:
      break;
  }
  const hasEscalate = descriptor?.inputs.some((i) => i.name === 'escalate') ?? false;
  for (const o of descriptor?.outcomes ?? []) {
    if (o === 'Escalated' && hasEscalate && !truthy(inputs.escalate)) continue;
    add(o);
  }
  if (hasEscalate && truthy(inputs.escalate)) add('Escalated');
  return result;
}

/** Outcomes used by connections that the activity no longer offers (shown as broken handles). */
export function orphanOutcomes(activityId: string, derived: string[], connections: { source: string; outcome: string }[]): string[] {
  const out: string[] = [];
  for (const c of connections) {
    if (c.source === activityId && !derived.includes(c.outcome) && !out.includes(c.outcome)) out.push(c.outcome);
  }
  return out;
}
