// Pure helpers of the expression editor (no CodeMirror here, so the main bundle and the tests stay light).
//
// Positions follow the server's one convention (POST /api/expressions/check, POST /api/definitions/validate):
// `line` and `column` count from 1 and are what people read; `offset` and `length` count UTF-16 code units from 0 in
// the expression's text as stored in the definition. The editor's document joins lines with "\n" whatever the stored
// text used, so ranges in the editor are computed from line and column, never from the offset.
import type { components } from '../api/schema';

export type SourcePosition = components['schemas']['SourcePosition'];
export type ExpressionDiagnostic = components['schemas']['ExpressionDiagnosticView'];
export type ScopeEntry = components['schemas']['ScopeEntry'];
export type FunctionInfo = components['schemas']['FunctionDescriptor'];

/** How a place is written everywhere in the designer: "column 9" on the first line, "line 2, column 3" below it. */
export function formatPosition(at: Pick<SourcePosition, 'line' | 'column'>): string {
  return at.line === 1 ? `column ${at.column}` : `line ${at.line}, column ${at.column}`;
}

/** "column 9: Unexpected '>'" — one message, one place. */
export function describeDiagnostic(d: ExpressionDiagnostic): string {
  return `${formatPosition(d.at)}: ${d.message}`;
}

export interface EditorRange {
  from: number;
  to: number;
  message: string;
}

/** Splits like the server and CodeMirror do: at "\r\n", "\r" or "\n". */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/**
 * Maps server diagnostics to ranges of an editor document whose lines are `lines` joined by one-character breaks.
 * A zero-length problem (the expression ends too early) stays a point at its place; ranges never leave the document.
 */
export function toEditorRanges(diagnostics: readonly ExpressionDiagnostic[], lines: readonly string[]): EditorRange[] {
  const starts: number[] = [];
  let total = 0;
  for (const line of lines) {
    starts.push(total);
    total += line.length + 1;
  }
  const docLength = Math.max(0, total - 1);
  return diagnostics.map((d) => {
    const lineIndex = Math.min(Math.max(d.at.line, 1), lines.length) - 1;
    const lineText = lines[lineIndex] ?? '';
    const from = Math.min(starts[lineIndex] + Math.min(Math.max(d.at.column - 1, 0), lineText.length), docLength);
    const to = Math.min(from + Math.max(d.at.length, 0), docLength);
    return { from, to, message: d.message };
  });
}

/**
 * The JSON pointer of an expression field in the definition, from the activity's index and the field's test id
 * (the property panel names fields `input-<input>[-<item>-<key>]`, a form field's check
 * `input-actions-<j>-field-<k>-validation`). Null when the id does not follow that scheme.
 */
export function expressionPath(testId: string | undefined, activityIndex: number): string | null {
  if (!testId || activityIndex < 0) return null;
  const m = /^input-([A-Za-z][A-Za-z0-9_]*)(?:-(\d+)(?:-field-(\d+)-validation|-([A-Za-z]+)))?$/.exec(testId);
  if (!m) return null;
  const [, input, item, field, key] = m;
  let path = `/activities/${activityIndex}/inputs/${input}`;
  if (item !== undefined) path += `/${item}`;
  if (field !== undefined) return `${path}/fields/${field}/validation/expression`;
  if (key !== undefined) path += `/${key}`;
  return path;
}

export type TokenKind = 'number' | 'string' | 'atom' | 'keyword' | 'function' | 'variable' | 'property' | 'operator' | 'bracket' | 'punctuation' | 'invalid';

const KEYWORDS = new Set(['and', 'or', 'not', 'in']);
const ATOMS = new Set(['true', 'false', 'null']);

/**
 * Reads one token of the expression language at `pos` of `text` (the lexer's rules: numbers without exponent, quoted
 * text with backslash escapes, names of letters, digits and '_'). `after` is the previous token, to tell a field name
 * after '.' from a variable. Returns the token's end and kind, or null at white space.
 */
export function readToken(text: string, pos: number, after: TokenKind | '.' | null, functions: ReadonlySet<string>): { end: number; kind: TokenKind } | null {
  const c = text[pos];
  if (/\s/.test(c)) return null;
  const rest = text.slice(pos);
  let m: RegExpExecArray | null;
  if ((m = /^\d+(\.\d+)?/.exec(rest))) return { end: pos + m[0].length, kind: 'number' };
  if (c === "'" || c === '"') {
    let i = pos + 1;
    while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
    return { end: Math.min(i + 1, text.length), kind: 'string' };
  }
  if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
    const word = m[0];
    const end = pos + word.length;
    if (after === '.') return { end, kind: 'property' };
    if (KEYWORDS.has(word)) return { end, kind: 'keyword' };
    if (ATOMS.has(word)) return { end, kind: 'atom' };
    if (functions.has(word) && /^\s*\(/.test(text.slice(end))) return { end, kind: 'function' };
    return { end, kind: 'variable' };
  }
  if ((m = /^(\?\?|&&|\|\||==|!=|<=|>=|[+\-*/%<>!?:])/.exec(rest))) return { end: pos + m[0].length, kind: 'operator' };
  if ('()[]'.includes(c)) return { end: pos + 1, kind: 'bracket' };
  if (c === ',' || c === '.') return { end: pos + 1, kind: 'punctuation' };
  return { end: pos + 1, kind: 'invalid' };
}

/** The word being typed before `pos` and whether it follows a '.', for the autocomplete. */
export function wordBefore(text: string, pos: number): { from: number; word: string; afterDot: boolean } {
  let from = pos;
  while (from > 0 && /[A-Za-z0-9_]/.test(text[from - 1])) from--;
  return { from, word: text.slice(from, pos), afterDot: from > 0 && text[from - 1] === '.' };
}

export interface CompletionItem {
  label: string;
  type: 'variable' | 'function' | 'keyword' | 'constant';
  detail: string;
  info?: string;
  apply?: string;
}

/** What the autocomplete offers: the names in scope at the field (from the server's check) and the server's functions. */
export function completionItems(scope: readonly ScopeEntry[], functions: readonly FunctionInfo[]): CompletionItem[] {
  const kindLabel: Record<string, string> = { variable: 'variable', output: 'activity output', input: 'start input', context: 'given here' };
  return [
    ...scope.map((s): CompletionItem => ({ label: s.name, type: 'variable', detail: `${s.type} · ${kindLabel[s.kind] ?? s.kind}`, info: s.detail ?? undefined })),
    ...functions.map((f): CompletionItem => ({ label: f.name, type: 'function', detail: f.signature, info: f.description, apply: `${f.name}(` })),
    ...['true', 'false', 'null'].map((k): CompletionItem => ({ label: k, type: 'constant', detail: 'value' })),
    ...['and', 'or', 'not', 'in'].map((k): CompletionItem => ({ label: k, type: 'keyword', detail: 'operator' })),
  ];
}
