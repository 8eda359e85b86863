import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { ApiError, get, post } from '../api/client';
import type { ExpressionCheckResult } from '../api/models';
import { completionItems, describeDiagnostic, expressionPath, type CompletionItem, type FunctionInfo, type ScopeEntry } from './expressionDiagnostics';
import type { ExpressionEditorHandle } from './expressionEditor';
import { useDefinition, useDesigner } from './store';

// The function table is the server's (GET /api/expressions/functions), fetched once per page.
let functionsPromise: Promise<FunctionInfo[]> | null = null;
function loadFunctions(): Promise<FunctionInfo[]> {
  functionsPromise ??= get<FunctionInfo[]>('/api/expressions/functions').catch(() => {
    functionsPromise = null;
    return [];
  });
  return functionsPromise;
}

// CodeMirror is loaded on first use, outside the main bundle.
let editorModule: Promise<typeof import('./expressionEditor')> | null = null;
const loadEditor = () => (editorModule ??= import('./expressionEditor'));

const CHECK_DELAY_MS = 350;

/**
 * Expression editor (CodeMirror 6): highlighting, autocomplete of the names in scope and the server's functions, and
 * the server's diagnostics as squiggles and one status line. The check is the server's (POST /api/expressions/check)
 * with the draft and the field's pointer, i.e. the scope and expected type Validate uses there.
 * `path` is the field's JSON pointer; without it, it is derived from the selected activity and `testId`. `label` is the
 * accessible name; `extraVariables` are only used when no pointer is known (then the flow's declarations are the scope).
 */
export function ExpressionField({ value, onChange, placeholder, testId, multiline, label, extraVariables, path }: {
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  testId?: string;
  multiline?: boolean;
  label?: string;
  extraVariables?: Record<string, string>;
  path?: string;
}) {
  const def = useDefinition();
  const selected = useDesigner((s) => (s.selection.nodes.length === 1 ? s.selection.nodes[0] : null));
  const activityIndex = selected && def ? def.activities.findIndex((a) => a.id === selected) : -1;
  const pointer = path ?? expressionPath(testId, activityIndex);
  const name = label ?? (placeholder ? `Expression (${placeholder})` : `Expression${testId ? ` ${testId.replace(/^input-/, '').replace(/-/g, ' ')}` : ''}`);
  const statusId = useId();

  const [result, setResult] = useState<ExpressionCheckResult | null>(null);
  const [unchecked, setUnchecked] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const [functions, setFunctions] = useState<FunctionInfo[]>([]);
  const [ready, setReady] = useState(false);

  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<ExpressionEditorHandle | null>(null);
  const latest = useRef({ value, onChange, def, completions: [] as CompletionItem[] });
  latest.current.value = value;
  latest.current.onChange = onChange;
  latest.current.def = def;

  // What decides the scope besides the pointer: the declarations. The whole draft is sent, but edits elsewhere on the
  // canvas do not re-check every field.
  const scopeKey = JSON.stringify([def?.variables ?? [], def?.inputs ?? [], pointer, extraVariables ?? null]);

  useEffect(() => {
    let alive = true;
    void loadFunctions().then((f) => alive && setFunctions(f));
    return () => {
      alive = false;
    };
  }, []);

  const completions = useMemo(() => completionItems(result?.scope ?? fallbackScope(def, extraVariables), functions), [result?.scope, functions, def, extraVariables]);
  latest.current.completions = completions;
  const functionNames = useMemo(() => new Set(functions.map((f) => f.name)), [functions]);

  useEffect(() => {
    let alive = true;
    void loadEditor().then((m) => {
      if (!alive || !host.current) return;
      editor.current = m.createExpressionEditor({
        parent: host.current,
        value: latest.current.value,
        label: name,
        placeholder,
        multiline,
        testId,
        describedBy: statusId,
        onChange: (v) => latest.current.onChange(v),
        completions: () => latest.current.completions,
        functions: functionNames,
      });
      setReady(true);
    });
    return () => {
      alive = false;
      editor.current?.destroy();
      editor.current = null;
    };
    // The editor is made once per field; later changes reach it through the handle.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => editor.current?.setValue(value), [value, ready]);
  useEffect(() => editor.current?.setFunctions(functionNames), [functionNames, ready]);

  useEffect(() => {
    let cancelled = false;
    const t = setTimeout(async () => {
      const d = latest.current.def;
      const body = pointer && d
        ? { expression: value, definition: d, path: pointer }
        : { expression: value, variables: Object.fromEntries(fallbackScope(d, extraVariables).map((s) => [s.name, s.type])) };
      setChecking(true);
      try {
        const r = await post<ExpressionCheckResult>('/api/expressions/check', body);
        if (cancelled) return;
        setResult(r);
        setUnchecked(null);
      } catch (e) {
        if (cancelled) return;
        setResult(null);
        // A draft the server cannot read yet (e.g. a half-made activity) is said so, not shown as an error here.
        setUnchecked(e instanceof ApiError && e.status === 422 ? (e.problem.detail ?? 'Cannot be checked yet.') : 'Not checked (the server did not answer).');
      } finally {
        if (!cancelled) setChecking(false);
      }
    }, CHECK_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
    // extraVariables and the draft are read through scopeKey / latest.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value, scopeKey]);

  const invalid = !!result && !result.valid;
  useEffect(() => {
    if (!editor.current) return;
    editor.current.setDiagnostics(value, result?.diagnostics ?? []);
    editor.current.setInvalid(invalid);
    // only when a new answer arrives; value is the text it was asked for
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result, ready]);

  return (
    <div className={`expr-field ${multiline ? 'multiline' : ''}`}>
      <div ref={host} className={`expr-editor mono ${invalid ? 'invalid' : result?.valid && value.trim() ? 'valid' : ''}`} data-testid={testId ? `${testId}-editor` : undefined}>
        {!ready && (
          // Until CodeMirror has loaded: a plain field with the same name, so nothing typed is lost.
          <input className="mono expr-fallback" aria-label={name} value={value} placeholder={placeholder} spellCheck={false} onChange={(e) => onChange(e.target.value)} />
        )}
      </div>
      <div className="expr-status" id={statusId} data-testid={testId ? `${testId}-status` : undefined} aria-live="polite">
        {checking && !result && <span className="muted">checking…</span>}
        {result?.valid && value.trim() && <span className="ok">✓ {result.type}</span>}
        {invalid && (
          <span className="err">
            {result!.diagnostics.slice(0, 3).map((d, i) => (
              <span key={i} className="expr-diagnostic" data-testid={testId ? `${testId}-diagnostic` : undefined} data-line={d.at.line} data-column={d.at.column}>
                {describeDiagnostic(d)}
                {i < Math.min(result!.diagnostics.length, 3) - 1 ? '; ' : ''}
              </span>
            ))}
            {result!.diagnostics.length > 3 && ` (+${result!.diagnostics.length - 3} more)`}
          </span>
        )}
        {unchecked && <span className="muted">{unchecked}</span>}
      </div>
    </div>
  );
}

/** When no pointer is known: the flow's variables and inputs (and the caller's extras) as the scope. */
function fallbackScope(def: ReturnType<typeof useDefinition>, extra?: Record<string, string>): ScopeEntry[] {
  return [
    ...(def?.variables ?? []).map((v) => ({ name: v.name, type: v.type ?? 'any', kind: 'variable', detail: null })),
    ...(def?.inputs ?? []).map((v) => ({ name: v.name, type: v.type ?? 'any', kind: 'input', detail: 'start input' })),
    ...Object.entries(extra ?? {}).map(([name, type]) => ({ name, type, kind: 'context', detail: null })),
  ];
}
