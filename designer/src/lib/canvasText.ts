import type { ConnectionDef, TaskActionDef, WorkflowDefinition } from '../api/models';

/** "PassToRetention" → "Pass to retention", "bo_cs" → "Bo cs": an id read as words when nothing better is written. */
export function humanize(id: string): string {
  const words = id
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .trim()
    .split(/\s+/);
  return words.map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : /^[A-Z\d]+$/.test(w) ? w : w.toLowerCase())).join(' ');
}

/** An activity as people call it: its display name, else its id in words. */
export function activityName(def: Pick<WorkflowDefinition, 'activities'>, id: string): string {
  const a = def.activities.find((x) => x.id === id);
  return a?.displayName?.trim() || humanize(id);
}

/** An outcome as people call it: a user-task action's display name, else the outcome in words. */
export function outcomeName(def: Pick<WorkflowDefinition, 'activities'>, source: string, outcome: string): string {
  const a = def.activities.find((x) => x.id === source);
  const actions = a?.inputs?.actions;
  if (Array.isArray(actions)) {
    const action = (actions as TaskActionDef[]).find((x) => x && x.name === outcome);
    if (action?.displayName?.trim()) return action.displayName.trim();
  }
  return humanize(outcome);
}

/** An edge's accessible name: "Approve → Completed (from Backoffice review)". */
export function edgeName(def: Pick<WorkflowDefinition, 'activities'>, c: ConnectionDef): string {
  return `${outcomeName(def, c.source, c.outcome)} → ${activityName(def, c.target)} (from ${activityName(def, c.source)})`;
}

/** Activities whose name or id contains the text (case-insensitive): names that start with it first, then in flow order. */
export function findNodes(def: Pick<WorkflowDefinition, 'activities'>, text: string): { id: string; name: string }[] {
  const q = text.trim().toLowerCase();
  if (!q) return [];
  const hits = def.activities
    .map((a, i) => ({ id: a.id, name: a.displayName || a.id, i }))
    .filter((a) => a.name.toLowerCase().includes(q) || a.id.toLowerCase().includes(q));
  const rank = (a: { name: string; id: string }) => (a.name.toLowerCase() === q || a.id.toLowerCase() === q ? 0 : a.name.toLowerCase().startsWith(q) ? 1 : 2);
  return hits.sort((a, b) => rank(a) - rank(b) || a.i - b.i).map(({ id, name }) => ({ id, name }));
}
