import type { ActivityDescriptor } from '../api/models';

/** Families in the order an analyst reaches for them: people first, then routing, data, waiting; business families after. */
const FAMILY_ORDER = ['human', 'user tasks', 'tasks', 'flow', 'data', 'time', 'timers', 'events'];
/** Within a family, the steps most flows use come first (then by name). */
const COMMON = ['UserTask', 'SetStatus', 'Decision', 'Switch', 'SetVariables', 'End', 'Timer', 'Delay', 'WaitForEvent', 'CallWorkflow', 'Fork', 'Join', 'WaitUntil', 'Cron', 'Start'];

const familyRank = (category: string) => {
  const i = FAMILY_ORDER.indexOf(category.toLowerCase());
  return i < 0 ? FAMILY_ORDER.length : i;
};
const commonRank = (type: string) => {
  const i = COMMON.indexOf(type);
  return i < 0 ? COMMON.length : i;
};

/**
 * The palette's groups: by family (category), User task and the common steps first, business families (Withdrawals,
 * Fiat, Crypto…) after them by name; `filter` matches name, type, family or description.
 */
export function paletteGroups(descriptors: ActivityDescriptor[], filter = ''): [string, ActivityDescriptor[]][] {
  const f = filter.trim().toLowerCase();
  const m = new Map<string, ActivityDescriptor[]>();
  for (const d of descriptors) {
    if (f && !`${d.displayName} ${d.type} ${d.category} ${d.description ?? ''}`.toLowerCase().includes(f)) continue;
    const cat = d.category || 'Other';
    if (!m.has(cat)) m.set(cat, []);
    m.get(cat)!.push(d);
  }
  for (const list of m.values()) list.sort((a, b) => commonRank(a.type) - commonRank(b.type) || a.displayName.localeCompare(b.displayName));
  return [...m.entries()].sort(([a], [b]) => familyRank(a) - familyRank(b) || (a === 'Other' ? 1 : 0) - (b === 'Other' ? 1 : 0) || a.localeCompare(b));
}
