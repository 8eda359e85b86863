import { useEffect, useState } from 'react';
import { post } from '../api/client';
import type { ExpressionCheckResult } from '../api/models';
import { useDefinition } from './store';

/** Expression input with debounced POST /api/expressions/check; shows the inferred type or the first errors. */
// `label` names the input when no <label> wraps it; `extraVariables` are in scope besides the flow's (e.g. `value` in a
// form field's validation).
export function ExpressionField({ value, onChange, placeholder, testId, multiline, label, extraVariables }: { value: string; onChange: (v: string) => void; placeholder?: string; testId?: string; multiline?: boolean; label?: string; extraVariables?: Record<string, string> }) {
  const def = useDefinition();
  const [result, setResult] = useState<ExpressionCheckResult | null>(null);
  const [checking, setChecking] = useState(false);
  const vars = JSON.stringify({ ...Object.fromEntries((def?.variables ?? []).map((v) => [v.name, v.type])), ...extraVariables });

  useEffect(() => {
    if (!value.trim()) {
      setResult(null);
      return;
    }
    let cancelled = false;
    const t = setTimeout(async () => {
      setChecking(true);
      try {
        const r = await post<ExpressionCheckResult>('/api/expressions/check', { expression: value, variables: JSON.parse(vars) });
        if (!cancelled) setResult(r);
      } catch {
        if (!cancelled) setResult(null);
      } finally {
        if (!cancelled) setChecking(false);
      }
    }, 400);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [value, vars]);

  const invalid = result && !result.valid;
  const props = {
    className: `mono ${invalid ? 'invalid' : result?.valid ? 'valid' : ''}`,
    value,
    placeholder,
    spellCheck: false,
    'data-testid': testId,
    'aria-label': label,
    'aria-invalid': invalid || undefined,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  return (
    <div className="expr-field">
      {multiline ? <textarea rows={2} {...props} /> : <input {...props} />}
      <div className="expr-status" data-testid={testId ? `${testId}-status` : undefined}>
        {checking && <span className="muted">checking…</span>}
        {!checking && result?.valid && <span className="ok">✓ {result.type}</span>}
        {!checking && invalid && (
          <span className="err">
            {result!.errors.slice(0, 2).map((e, i) => (
              <span key={i}>
                at {e.position + 1}: {e.message}{' '}
              </span>
            ))}
          </span>
        )}
      </div>
    </div>
  );
}
