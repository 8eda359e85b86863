// Action forms (ADR 7) on the client: which fields an action's dialog shows, the same checks the server makes
// (except the validation expression, which only the server evaluates), and the request body with only declared fields.
import type { CommentMode, FieldType, FormFieldDef, FormFieldView, InputDef, TaskActionDef, VariableDef, WorkflowDefinition } from '../api/models';
import { compareDecimal, decimalOfNumber, formatDecimal, parseDecimal, scaleOf, toJsonNumber } from './decimal';
import type { Decimal } from './decimal';
import currencyTable from './currencies.json';

const CURRENCIES: Record<string, number> = currencyTable;

/** A field as the dialog checks it: the server's view of it, or the definition's field. */
export type FieldSpec = FormFieldView;

/** What the dialog needs of an action: the task detail's view or the definition's action. */
export interface ActionForm {
  name: string;
  requiredFields?: string[] | null;
  fields?: FieldSpec[] | null;
  comment?: CommentMode | null;
}

export const FIELD_TYPES: FieldType[] = ['string', 'number', 'boolean', 'datetime'];
export const COMMENT_MODES: CommentMode[] = ['required', 'optional', 'none'];

/** The comment mode; legacy `requiredFields: ["comment"]` means required. */
export function commentMode(a: ActionForm): CommentMode {
  if (a.comment === 'required' || a.comment === 'optional' || a.comment === 'none') return a.comment;
  return a.requiredFields?.includes('comment') ? 'required' : 'optional';
}

/** True when the action declares a form (then only its fields are accepted, whatever `requiredFields` says). */
export const hasForm = (a: ActionForm) => Array.isArray(a.fields) && a.fields.length > 0;

/**
 * The fields the dialog shows. With `fields`, exactly those. Without, the legacy `requiredFields` other than the
 * comment, as before: `fee` and amounts are non-negative numbers, the rest required text.
 */
export function formFields(a: ActionForm): FieldSpec[] {
  if (hasForm(a)) return a.fields!;
  return (a.requiredFields ?? [])
    .filter((f) => f !== 'comment')
    .map((f): FieldSpec => (f === 'fee' || /amount/i.test(f) ? { name: f, type: 'number', required: true, minimum: 0 } : { name: f, type: 'string', required: true }));
}

/** Whether taking the action needs the dialog (anything to type); otherwise a click submits it, as before. */
export function needsDialog(a: ActionForm): boolean {
  return formFields(a).length > 0 || commentMode(a) === 'required' || a.comment === 'optional';
}

// The server lists the type as text; the definition's schema limits it to these four.
export const fieldType = (f: FieldSpec): FieldType => (f.type ?? 'string') as FieldType;
export const fieldLabel = (f: FieldSpec) => f.label || f.name;

/**
 * Decimals of an amount in `code`: ISO 4217 minor units (JPY 0, USD 2, BHD 3) or 8 for the coins the flows know; null
 * for any other code. The table is the server's own (`Currencies`), copied into currencies.json and kept equal by a
 * server test, so the dialog and the server accept the same amounts (the browser's Intl gives BTC 2 and any made-up
 * code 2).
 */
export function currencyScale(code: unknown): number | null {
  if (typeof code !== 'string' || !Object.hasOwn(CURRENCIES, code)) return null;
  return CURRENCIES[code];
}

/** True for a code the server's `format: "currency"` accepts: an upper-case ISO 4217 code or a known coin. */
export const isKnownCurrency = (code: string) => currencyScale(code) !== null;

/** A .NET pattern as a JS regex matching the whole text; null when JS cannot compile it (the server still checks). */
export function wholeMatch(pattern: string): RegExp | null {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    try { return new RegExp(`^(?:${pattern})$`); } catch { return null; }
  }
}

const bound = (n: number | null | undefined): Decimal | null => (typeof n === 'number' ? decimalOfNumber(n) : null);
const show = (n: number) => formatDecimal(decimalOfNumber(n)!);

export type FieldValue = { ok: true; value: unknown } | { ok: false; error: string } | { ok: true; value: undefined };

/**
 * Checks what was typed into a field and converts it to the JSON value sent. `raw` is the input's text ("" when
 * empty; "true"/"false" for booleans; datetime-local text). `context` holds sibling values (for `currencyInput`).
 * An empty optional field yields `value: undefined` (not sent).
 */
export function checkField(f: FieldSpec, raw: string, context: Record<string, unknown> = {}): FieldValue {
  const label = fieldLabel(f);
  const type = fieldType(f);
  const text = type === 'string' ? raw : raw.trim();
  if (text === '') return f.required ? { ok: false, error: `${label} is required.` } : { ok: true, value: undefined };
  // As the server: spaces alone do not answer a required text (an optional one keeps them).
  if (f.required && text.trim() === '') return { ok: false, error: `${label} is required.` };
  switch (type) {
    case 'boolean':
      if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
      return { ok: false, error: `${label} must be yes or no.` };
    case 'datetime': {
      // datetime-local gives the wall time without a zone: the browser's zone applies, sent as ISO 8601 UTC
      const t = Date.parse(text);
      if (Number.isNaN(t)) return { ok: false, error: `${label} must be a date and time.` };
      return { ok: true, value: new Date(t).toISOString() };
    }
    case 'number': {
      const d = parseDecimal(text);
      if (!d) return { ok: false, error: `${label} must be a number such as 12.50 (digits and one decimal point).` };
      const min = bound(f.minimum);
      const max = bound(f.maximum);
      const exMin = bound(f.exclusiveMinimum);
      if (min && compareDecimal(d, min) < 0) return { ok: false, error: `${label} must be at least ${show(f.minimum!)}.` };
      if (exMin && compareDecimal(d, exMin) <= 0) return { ok: false, error: `${label} must be more than ${show(f.exclusiveMinimum!)}.` };
      if (max && compareDecimal(d, max) > 0) return { ok: false, error: `${label} must be at most ${show(f.maximum!)}.` };
      const scales = [f.scale, f.currencyInput ? currencyScale(context[f.currencyInput]) : null].filter((s): s is number => typeof s === 'number');
      const scale = scales.length ? Math.min(...scales) : null;
      if (scale !== null && scaleOf(d) > scale)
        return { ok: false, error: scale === 0 ? `${label} must be a whole number.` : `${label} may have at most ${scale} decimal place${scale === 1 ? '' : 's'}.` };
      const n = toJsonNumber(d);
      if (n === null) return { ok: false, error: `${label} has too many digits to be sent exactly.` };
      return { ok: true, value: n };
    }
    case 'string':
    default:
      return checkText(f, text);
  }
}

function checkText(f: FieldSpec, shown: string): FieldValue {
  const label = fieldLabel(f);
  if (typeof f.minLength === 'number' && shown.length < f.minLength) return { ok: false, error: `${label} needs at least ${f.minLength} characters.` };
  if (typeof f.maxLength === 'number' && shown.length > f.maxLength) return { ok: false, error: `${label} may have at most ${f.maxLength} characters.` };
  if (f.enum?.length && !f.enum.includes(shown)) return { ok: false, error: `${label} must be one of ${f.enum.join(', ')}.` };
  if (f.format === 'currency' && !isKnownCurrency(shown))
    return { ok: false, error: `${label} must be a currency code such as USD (upper case) or a known coin such as BTC.` };
  if (f.pattern) {
    const re = wholeMatch(f.pattern);
    if (re && !re.test(shown)) return { ok: false, error: `${label} does not have the expected format.` };
  }
  return { ok: true, value: shown };
}

export interface Submission {
  comment?: string;
  data?: Record<string, unknown>;
  /** Messages by field name ("comment" for the comment); empty when the submission may be sent. */
  errors: Record<string, string>;
}

/**
 * The body of the action from what was typed: only the action's fields go into `data` (numbers as JSON numbers),
 * empty optional ones are left out, the comment only when the mode allows one.
 */
export function buildSubmission(a: ActionForm, values: Record<string, string>, commentText: string, context: Record<string, unknown> = {}): Submission {
  const errors: Record<string, string> = {};
  const data: Record<string, unknown> = {};
  const fields = formFields(a);
  const siblings = { ...context, ...Object.fromEntries(fields.map((f) => [f.name, values[f.name]])) };
  for (const f of fields) {
    const r = checkField(f, values[f.name] ?? '', siblings);
    if (!r.ok) errors[f.name] = r.error;
    else if (r.value !== undefined) data[f.name] = r.value;
  }
  const mode = commentMode(a);
  const comment = mode === 'none' ? undefined : commentText.trim() ? commentText : undefined;
  if (mode === 'required' && !comment) errors.comment = 'A comment is required.';
  return { comment, data: Object.keys(data).length ? data : undefined, errors };
}

/**
 * A 422's `errors` by field: keys such as "data.fee", "$.data.fee", "/data/fee" or "fee" are matched to the action's
 * fields (and "comment"); the rest stay for the dialog's general error box.
 */
export function fieldErrors(errors: Record<string, string[]> | undefined, names: string[]): { byField: Record<string, string[]>; rest: Record<string, string[]> } {
  const byField: Record<string, string[]> = {};
  const rest: Record<string, string[]> = {};
  const known = new Set([...names, 'comment']);
  for (const [key, msgs] of Object.entries(errors ?? {})) {
    const k = key.replace(/^\$\.?/, '').replace(/^\//, '').replace(/^data[./]/i, '');
    const name = known.has(k) ? k : [...known].find((n) => n.toLowerCase() === k.toLowerCase());
    if (name) byField[name] = [...(byField[name] ?? []), ...msgs];
    else rest[key] = msgs;
  }
  return { byField, rest };
}

// ---- designer: the action's form in the definition

/** Sets a property of an object, removing it when empty, so an action without forms keeps exactly its JSON. */
export function setProp<T extends object, K extends keyof T>(o: T, key: K, value: T[K] | undefined): T {
  const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  if (empty) {
    if (!(key in o)) return o;
    const next = { ...o };
    delete next[key];
    return next;
  }
  return { ...o, [key]: value };
}

export type FormIssue = { field?: number; property?: string; message: string };

const IDENT = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** The variables a field may write and why it may not: read-only or unknown (when it names one explicitly). */
export function fieldTarget(f: FormFieldDef, variables: VariableDef[]): { variable?: VariableDef; problem?: string } {
  const name = f.variable || f.name;
  const v = variables.find((x) => x.name === name);
  if (f.variable && !v) return { problem: `It targets the variable "${f.variable}", which the flow does not declare.` };
  if (v?.readOnly) return { variable: v, problem: `It writes "${v.name}", which is read-only (owned by activities).` };
  return { variable: v };
}

/** Combinations the server would refuse or that can never be satisfied, for inline flags in the action editor. */
export function checkActionForm(action: TaskActionDef, def: Pick<WorkflowDefinition, 'variables' | 'activities'> | null): FormIssue[] {
  const issues: FormIssue[] = [];
  const variables = def?.variables ?? [];
  const names = new Set<string>();
  (action.fields ?? []).forEach((f, i) => {
    const add = (property: string, message: string) => issues.push({ field: i, property, message });
    if (!IDENT.test(f.name ?? '')) add('name', 'A field name starts with a letter and has letters, digits or _.');
    else if (names.has(f.name)) add('name', `Another field is named "${f.name}".`);
    else if (f.name === 'comment') add('name', 'The comment has its own setting; name the field differently.');
    names.add(f.name);
    const t = fieldTarget(f, variables);
    if (t.problem) add('variable', t.problem);
    const type = fieldType(f);
    if (t.variable && t.variable.type !== 'any' && t.variable.type !== type) add('variable', `The variable "${t.variable.name}" is a ${t.variable.type}, the field a ${type}.`);
    const numeric = ['minimum', 'maximum', 'exclusiveMinimum', 'scale', 'currencyInput'] as const;
    const textual = ['minLength', 'maxLength', 'pattern'] as const;
    if (type !== 'number') for (const p of numeric) if (f[p] !== undefined) add(p, `${p} applies to numbers only.`);
    if (type !== 'string') for (const p of textual) if (f[p] !== undefined) add(p, `${p} applies to text only.`);
    const lt = (a?: number, b?: number) => typeof a === 'number' && typeof b === 'number' && compareDecimal(decimalOfNumber(a)!, decimalOfNumber(b)!) > 0;
    if (lt(f.minimum, f.maximum)) add('maximum', 'The minimum is greater than the maximum.');
    if (typeof f.exclusiveMinimum === 'number' && typeof f.maximum === 'number' && !lt(f.maximum, f.exclusiveMinimum)) add('exclusiveMinimum', 'No value is above the exclusive minimum and within the maximum.');
    if (lt(f.minLength, f.maxLength)) add('maxLength', 'The minimum length is greater than the maximum length.');
    if (typeof f.scale === 'number' && (!Number.isInteger(f.scale) || f.scale < 0 || f.scale > 18)) add('scale', 'Decimal places are a whole number from 0 to 18.');
    if (f.pattern && !wholeMatch(f.pattern)) add('pattern', 'The pattern is not a valid regular expression.');
    if (f.enum && f.enum.some((e) => e === '')) add('enum', 'An allowed value is empty.');
    if (f.enum && type === 'number' && f.enum.some((e) => !parseDecimal(e))) add('enum', 'An allowed value is not a number.');
    if (f.enum && (type === 'boolean' || type === 'datetime')) add('enum', 'Allowed values apply to text and numbers.');
    if (f.validation && !f.validation.expression?.trim()) add('validation', 'The validation needs an expression (or remove it).');
  });
  const userTasks = new Set((def?.activities ?? []).filter((a) => a.type === 'UserTask').map((a) => a.id));
  for (const d of action.differentFrom ?? [])
    if (d !== '@starter' && !userTasks.has(d)) issues.push({ property: 'differentFrom', message: `"${d}" is not a user task of this flow.` });
  if (action.comment !== undefined && !COMMENT_MODES.includes(action.comment)) issues.push({ property: 'comment', message: 'The comment is required, optional or none.' });
  if (action.scopes?.some((s) => !s.trim())) issues.push({ property: 'scopes', message: 'A scope is empty.' });
  return issues;
}

// ---- dry run: a sample start input that meets the inputs' constraints

const SAMPLE_TEXT = ['sample', 'SAMPLE', 'Sample1', 'S1', 's'];

/** A value for a start input that its declared constraints accept (enum, currency, pattern, length, bounds). */
export function sampleInputValue(i: InputDef, numbers: number[] = [100, 1, 0]): unknown {
  switch (i.type) {
    case 'number': {
      const fits = (n: number) => {
        const d = decimalOfNumber(n)!;
        const b = (x?: number) => (typeof x === 'number' ? decimalOfNumber(x) : null);
        const min = b(i.minimum), max = b(i.maximum), ex = b(i.exclusiveMinimum);
        return (!min || compareDecimal(d, min) >= 0) && (!max || compareDecimal(d, max) <= 0) && (!ex || compareDecimal(d, ex) > 0);
      };
      return [...numbers, i.minimum, i.maximum].find((n): n is number => typeof n === 'number' && fits(n)) ?? 100;
    }
    case 'boolean': return false;
    case 'datetime': return new Date().toISOString();
    case 'list': return [];
    case 'object': return {};
    case 'any': return null;
    case 'string':
    default: {
      if (i.enum?.length) return i.enum[0];
      if (i.format === 'currency') return 'USD';
      const re = i.pattern ? wholeMatch(i.pattern) : null;
      const ok = (t: string) => (!re || re.test(t)) && t.length >= (i.minLength ?? 0);
      const cut = (t: string) => (typeof i.maxLength === 'number' ? t.slice(0, i.maxLength) : t);
      return SAMPLE_TEXT.map(cut).find(ok) ?? cut('sample');
    }
  }
}

/** The dry run's starting input: every start input with a value its constraints accept. */
export function sampleInput(inputs: InputDef[] | undefined): Record<string, unknown> {
  return Object.fromEntries((inputs ?? []).map((i) => [i.name, sampleInputValue(i)]));
}

/** A dry-run step's body for an action: sample values for its required fields (0 for amounts), a comment when needed. */
export function dryRunBody(a: ActionForm, typed: string): { comment?: string; data?: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  for (const f of formFields(a)) {
    if (!f.required) continue;
    const type = fieldType(f);
    const spec: InputDef = { name: f.name, type, minimum: f.minimum ?? undefined, maximum: f.maximum ?? undefined, exclusiveMinimum: f.exclusiveMinimum ?? undefined,
      minLength: f.minLength ?? undefined, maxLength: f.maxLength ?? undefined, pattern: f.pattern ?? undefined, enum: f.enum ?? undefined, format: f.format ?? undefined };
    data[f.name] = type === 'boolean' ? false : sampleInputValue(spec, [0, 1, 100]);
  }
  const mode = commentMode(a);
  const comment = mode === 'none' ? undefined : typed || (mode === 'required' ? 'dry run' : undefined);
  return { comment, data: Object.keys(data).length ? data : undefined };
}
