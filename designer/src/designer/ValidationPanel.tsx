import { pointerTarget } from '../lib/pointer';
import { formatPosition } from './expressionDiagnostics';
import { useDefinition, useDesigner } from './store';

export function ValidationPanel({ onValidate }: { onValidate: () => void }) {
  const def = useDefinition();
  const errors = useDesigner((s) => s.validation);
  const focusNode = useDesigner((s) => s.focusNode);
  const select = useDesigner((s) => s.select);
  if (!def) return null;
  return (
    <div className="panel-section" data-testid="validation-panel">
      <div className="row spread">
        <h4>Validation</h4>
        <button className="btn btn-sm" onClick={onValidate} data-testid="validate-now">Validate now</button>
      </div>
      {errors === null && <p className="muted small">Not validated yet. Publishing validates first.</p>}
      {errors && errors.length === 0 && <p className="ok-text" data-testid="validation-ok">✓ No problems found.</p>}
      {errors && errors.length > 0 && (
        <ul className="error-list">
          {errors.map((e, i) => {
            const t = pointerTarget(e.path, def, e.activityId);
            const act = t.activityId ? def.activities.find((a) => a.id === t.activityId) : undefined;
            return (
              <li key={i}>
                <button
                  className="error-item"
                  data-testid={`validation-error-${i}`}
                  onClick={() => {
                    if (t.activityId) focusNode(t.activityId);
                    else select({ nodes: [], edges: [] });
                  }}
                >
                  <span className="error-where">{act ? act.displayName || act.id : t.section === 'definition' ? 'Flow' : t.section}</span>
                  {/* an expression's problem: its place in the one format the expression field uses too */}
                  <span className="error-msg" data-line={e.at?.line} data-column={e.at?.column}>{e.at ? `${formatPosition(e.at)}: ${e.message}` : e.message}</span>
                  {e.path && <code className="error-path">{e.path}</code>}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
