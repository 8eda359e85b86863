// Start triggers (ADR 9) as the flow panel edits them: an entry is either an event trigger or a cron trigger, never
// both; the server refuses a mix, so the editor keeps only the fields of the chosen kind.
import type { StartTriggerDef } from '../api/models';

export type TriggerKind = 'event' | 'cron';

export const triggerKind = (t: StartTriggerDef): TriggerKind => (t.cron !== undefined && t.event === undefined ? 'cron' : 'event');

/** The same trigger as the other kind: its id and input mapping stay, the other kind's fields go. */
export function withKind(t: StartTriggerDef, kind: TriggerKind): StartTriggerDef {
  const { event: _e, correlation: _c, cron: _r, timeZone: _z, ...rest } = t;
  return kind === 'event' ? { ...rest, event: t.event ?? '', correlation: t.correlation ?? '' } : { ...rest, cron: t.cron ?? '', timeZone: t.timeZone ?? 'UTC' };
}

/** Sets (or, when blank, removes) the expression that fills start input `name`. */
export function withInput(t: StartTriggerDef, name: string, expression: string): StartTriggerDef {
  const input = { ...(t.input ?? {}) };
  if (expression.trim()) input[name] = expression;
  else delete input[name];
  const { input: _old, ...rest } = t;
  return Object.keys(input).length ? { ...rest, input } : rest;
}

export const newTrigger = (kind: TriggerKind): StartTriggerDef => withKind({}, kind);
