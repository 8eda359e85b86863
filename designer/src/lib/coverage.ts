import type { ConnectionDef } from '../api/models';

export interface Coverage {
  runs: number;
  /** activity id → number of runs that visited it */
  activities: Record<string, number>;
  /** "source\u0000outcome" → number of runs that took it */
  outcomes: Record<string, number>;
}

export const emptyCoverage = (): Coverage => ({ runs: 0, activities: {}, outcomes: {} });
export const outcomeKey = (source: string, outcome: string) => `${source}\u0000${outcome}`;

/** Adds one run's visits. A run is counted once per activity/outcome however often it looped. */
export function accumulate(cov: Coverage, visited: string[], traversed: ConnectionDef[], newRun: boolean): Coverage {
  const activities = { ...cov.activities };
  const outcomes = { ...cov.outcomes };
  for (const a of new Set(visited)) activities[a] = (activities[a] ?? 0) + 1;
  for (const k of new Set(traversed.map((c) => outcomeKey(c.source, c.outcome)))) outcomes[k] = (outcomes[k] ?? 0) + 1;
  return { runs: cov.runs + (newRun ? 1 : 0), activities, outcomes };
}

/**
 * Merges the visits of a step into the coverage of the current run: only what is new since the
 * previous view of the same run counts, so resuming a run does not double-count it.
 */
export function accumulateStep(cov: Coverage, prevVisited: string[], prevTraversed: ConnectionDef[], visited: string[], traversed: ConnectionDef[]): Coverage {
  const pv = new Set(prevVisited);
  const pt = new Set(prevTraversed.map((c) => outcomeKey(c.source, c.outcome)));
  return accumulate(
    cov,
    visited.filter((a) => !pv.has(a)),
    traversed.filter((c) => !pt.has(outcomeKey(c.source, c.outcome))),
    false,
  );
}

export interface CoverageSummary {
  activitiesVisited: number;
  activitiesTotal: number;
  outcomesVisited: number;
  outcomesTotal: number;
  missedActivities: string[];
  missedOutcomes: { source: string; outcome: string }[];
}

export function summarize(cov: Coverage, activityIds: string[], outcomesByActivity: Record<string, string[]>): CoverageSummary {
  const missedActivities = activityIds.filter((a) => !cov.activities[a]);
  const missedOutcomes: { source: string; outcome: string }[] = [];
  let total = 0;
  for (const a of activityIds) {
    for (const o of outcomesByActivity[a] ?? []) {
      total++;
      if (!cov.outcomes[outcomeKey(a, o)]) missedOutcomes.push({ source: a, outcome: o });
    }
  }
  return {
    activitiesVisited: activityIds.length - missedActivities.length,
    activitiesTotal: activityIds.length,
    outcomesVisited: total - missedOutcomes.length,
    outcomesTotal: total,
    missedActivities,
    missedOutcomes,
  };
}
