// The CodeMirror 6 part of the expression field, loaded with a dynamic import so that the main bundle does not carry it.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type Completion, type CompletionContext } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { StreamLanguage, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view';
import { readToken, splitLines, toEditorRanges, wordBefore, type CompletionItem, type ExpressionDiagnostic, type TokenKind } from './expressionDiagnostics';

const STYLE: Record<TokenKind, string | null> = {
  number: 'number',
  string: 'string',
  atom: 'atom',
  keyword: 'keyword',
  function: 'variableName.function',
  variable: 'variableName',
  property: 'propertyName',
  operator: 'operator',
  bracket: 'bracket',
  punctuation: 'punctuation',
  invalid: 'invalid',
};

function language(functions: ReadonlySet<string>) {
  return StreamLanguage.define<{ last: TokenKind | '.' | null }>({
    name: 'approval-expression',
    startState: () => ({ last: null }),
    token(stream, state) {
      if (stream.eatSpace()) return null;
      const line = stream.string;
      const t = readToken(line, stream.pos, state.last, functions);
      if (!t) {
        stream.next();
        return null;
      }
      state.last = line.slice(stream.pos, t.end) === '.' ? '.' : t.kind;
      stream.pos = t.end;
      return STYLE[t.kind];
    },
  });
}

export interface EditorOptions {
  parent: HTMLElement;
  value: string;
  label: string;
  placeholder?: string;
  multiline?: boolean;
  testId?: string;
  describedBy?: string;
  onChange: (value: string) => void;
  completions: () => CompletionItem[];
  functions: ReadonlySet<string>;
}

export interface ExpressionEditorHandle {
  setValue(value: string): void;
  setDiagnostics(value: string, diagnostics: readonly ExpressionDiagnostic[]): void;
  setInvalid(invalid: boolean): void;
  setFunctions(functions: ReadonlySet<string>): void;
  destroy(): void;
}

export function createExpressionEditor(o: EditorOptions): ExpressionEditorHandle {
  let updating = false;
  const languageSlot = new Compartment();
  const attributes = new Compartment();
  const contentAttributes = (invalid: boolean) =>
    EditorView.contentAttributes.of({
      'aria-label': o.label,
      'aria-multiline': o.multiline ? 'true' : 'false',
      ...(o.testId ? { 'data-testid': o.testId } : {}),
      ...(o.describedBy ? { 'aria-describedby': o.describedBy } : {}),
      ...(invalid ? { 'aria-invalid': 'true' } : {}),
    });

  const complete = (ctx: CompletionContext) => {
    const text = ctx.state.doc.toString();
    const { from, word, afterDot } = wordBefore(text, ctx.pos);
    // After '.' the server knows no field names (objects are data), so nothing is offered.
    if (afterDot) return null;
    if (!word && !ctx.explicit) return null;
    const options: Completion[] = o.completions().map((c) => ({
      label: c.label,
      type: c.type,
      detail: c.detail,
      info: c.info,
      apply: c.apply,
    }));
    return { from, options, validFor: /^[A-Za-z0-9_]*$/ };
  };

  const view = new EditorView({
    parent: o.parent,
    state: EditorState.create({
      doc: o.value,
      extensions: [
        history(),
        closeBrackets(),
        languageSlot.of(language(o.functions)),
        syntaxHighlighting(defaultHighlightStyle),
        autocompletion({ override: [complete], activateOnTyping: true, icons: false }),
        o.placeholder ? placeholderExt(o.placeholder) : [],
        // Tab is left to the browser so that keyboard users can leave the field; Enter adds a line only when multiline.
        keymap.of([...closeBracketsKeymap, ...completionKeymap, ...historyKeymap, ...defaultKeymap.filter((k) => o.multiline || k.key !== 'Enter')]),
        o.multiline ? [] : EditorState.transactionFilter.of((tr) => (tr.newDoc.lines > 1 && tr.docChanged && tr.isUserEvent('input') ? [] : tr)),
        EditorView.lineWrapping,
        attributes.of(contentAttributes(false)),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && !updating) o.onChange(u.state.doc.toString());
        }),
      ],
    }),
  });

  return {
    setValue(value) {
      if (value === view.state.doc.toString()) return;
      // A value from outside (undo on the canvas, another field): replace without echoing it back as an edit.
      if (splitLines(value).join('\n') === view.state.doc.toString()) return;
      updating = true;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
      updating = false;
    },
    setDiagnostics(value, list) {
      // Only for the text they were computed for; a stale answer would mark the wrong characters.
      if (splitLines(value).join('\n') !== view.state.doc.toString()) return;
      const lines = Array.from({ length: view.state.doc.lines }, (_, i) => view.state.doc.line(i + 1).text);
      // The server's diagnostics are pushed in; there is no client-side linter that could disagree with them.
      const diagnostics: Diagnostic[] = toEditorRanges(list, lines).map((r) => ({ from: r.from, to: r.to, message: r.message, severity: 'error' }));
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    setInvalid(invalid) {
      view.dispatch({ effects: attributes.reconfigure(contentAttributes(invalid)) });
    },
    setFunctions(functions) {
      view.dispatch({ effects: languageSlot.reconfigure(language(functions)) });
    },
    destroy() {
      view.destroy();
    },
  };
}
