import type { Problem } from '../api/models';

const STATUS_WORDS: Record<number, string> = {
  0: 'The server cannot be reached.',
  400: 'The request was not understood.',
  401: 'Your session has expired. Please sign in again.',
  403: 'You are not permitted to do this.',
  404: 'It was not found. It may have been removed.',
  409: 'This is not possible in the current state, or someone else changed it meanwhile.',
  422: 'Some values are not valid.',
  500: 'The server ran into a problem. Please try again later.',
};

export interface ErrorLike { status?: number; problem?: Problem; message?: string }

/** Turns a problem+json (or any error) into human sentences, never raw codes. */
export function describeProblem(err: unknown): { summary: string; details: string[] } {
  const e = (err ?? {}) as ErrorLike;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const p: Problem = e.problem ?? {};
  const details: string[] = [];
  for (const [field, messages] of Object.entries(p.errors ?? {})) {
    for (const m of messages ?? []) details.push(field ? `${humanField(field)}: ${m}` : m);
  }
  let summary = p.detail || p.title || '';
  if (!summary || /^\d+$/.test(summary)) {
    summary = (status !== undefined && STATUS_WORDS[status]) || (status !== undefined && status >= 500 ? STATUS_WORDS[500] : '') || e.message || 'Something went wrong.';
  }
  return { summary, details };
}

export function humanField(field: string): string {
  if (field.startsWith('/')) return field;
  if (field === '$' || field === '') return 'Request';
  return field.replace(/^\$\./, '');
}
