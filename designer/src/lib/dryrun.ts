// What the dry-run panel offers at each wait and what it sends back (issue 14: a job wait had no button because the
// panel compared the server's "Job" with 'job'). The kinds come from the OpenAPI document (WaitKind), so a kind the
// server adds fails the exhaustive switch below at compile time.
import type { ActivityDef, ActivityDescriptor, DryRunResume, OutputDescriptor, WaitKind, WaitView } from '../api/models';
import { deriveOutcomes } from './outcomes';

/** How the panel resumes a wait: fire it, send its event (payload), or report the outside call's / child flow's result. */
export type WaitControl = 'fire' | 'send' | 'result' | 'none';

export function controlFor(kind: WaitKind): WaitControl {
  switch (kind) {
    case 'Timer': return 'fire';
    case 'Event': return 'send';
    case 'Job':
    case 'Child': return 'result';
    // tasks are listed (and acted on) as open tasks, never as waits of a dry run
    case 'Task': return 'none';
    default: {
      const unknown: never = kind;
      throw new Error(`No dry-run control for the wait kind ${String(unknown)}`);
    }
  }
}

/** Business words for a wait, for the panel's heading. */
export function waitLabel(kind: WaitKind): string {
  switch (kind) {
    case 'Timer': return 'Timer';
    case 'Event': return 'Waiting for an event';
    case 'Job': return 'Outside call';
    case 'Child': return 'Child flow';
    case 'Task': return 'Task';
    default: {
      const unknown: never = kind;
      return String(unknown);
    }
  }
}

/**
 * The results an outside call or a child flow can end with: the activity's own outcomes (descriptor and dynamic
 * ones), then any outcome a connection leaves through; the first is the default.
 */
export function resultOutcomes(activity: Pick<ActivityDef, 'id' | 'inputs'> | undefined, descriptor: ActivityDescriptor | undefined, connections: { source: string; outcome: string }[], kind: WaitKind): string[] {
  const out: string[] = [];
  const add = (o: string) => { if (o && !out.includes(o)) out.push(o); };
  if (activity) deriveOutcomes(activity, descriptor).forEach(add);
  if (activity) connections.filter((c) => c.source === activity.id).forEach((c) => add(c.outcome));
  // what the engine falls back to when nothing is declared (the server checks the same list)
  if (out.length === 0) add(kind === 'Child' ? 'Completed' : 'Done');
  return out;
}

/** A starting point for the result's outputs: each output the activity declares with a neutral value of its type. */
export function sampleOutputs(outputs: OutputDescriptor[] | undefined): string {
  const value = (type: string): unknown => {
    const t = type.toLowerCase();
    if (t.startsWith('bool')) return false;
    if (/(number|decimal|int|long|double)/.test(t)) return 0;
    if (/(list|array|\[\])/.test(t)) return [];
    if (t === 'object' || t.startsWith('dict')) return {};
    if (t === 'string') return '';
    // "any" (lists, records): nothing to guess; the analyst types the value
    return null;
  };
  const o = Object.fromEntries((outputs ?? []).map((x) => [x.name, value(x.type)]));
  return JSON.stringify(o, null, 2);
}

/** `text` as a JSON object, or the reason it is not one (the panel shows it at the field). */
export function parseObject(text: string, what: string): { ok: true } | { ok: false; message: string } {
  if (!text.trim()) return { ok: true };
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) { return { ok: false, message: `${what} is not valid JSON: ${(e as Error).message}` }; }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, message: `${what} must be a JSON object such as {"name": "value"}.` };
  return { ok: true };
}

/** The resume for a wait, without the typed JSON (spliced in raw by `withRawJson`). */
export function resumeFor(w: Pick<WaitView, 'kind' | 'bookmarkId' | 'eventName'>, outcome?: string): DryRunResume {
  switch (controlFor(w.kind)) {
    case 'fire': return { kind: 'timer', bookmarkId: w.bookmarkId };
    case 'send': return { kind: 'event', bookmarkId: w.bookmarkId, eventName: w.eventName ?? undefined };
    case 'result': return { kind: w.kind === 'Child' ? 'child' : 'job', bookmarkId: w.bookmarkId, outcome };
    case 'none': throw new Error('A task is completed with one of its actions.');
  }
}

const HOLE = '\u0000raw-json\u0000';

/**
 * JSON text of `body` with `raw` (JSON the analyst typed) in place of the value at `path`, byte for byte: amounts such
 * as 0.123456789012345678 reach the server as typed instead of through a double. An empty `raw` leaves the key out.
 */
export function withRawJson(body: Record<string, unknown>, path: string[], raw: string): string {
  const copy = structuredClone(body) as Record<string, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  const last = path[path.length - 1];
  if (!raw.trim()) {
    delete at[last];
    return JSON.stringify(copy);
  }
  at[last] = HOLE;
  return JSON.stringify(copy).replace(JSON.stringify(HOLE), () => raw.trim());
}
