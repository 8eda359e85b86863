import { describe, expect, it } from 'vitest';
import { completionItems, describeDiagnostic, expressionPath, formatPosition, readToken, splitLines, toEditorRanges, wordBefore, type ExpressionDiagnostic } from './expressionDiagnostics';

const diag = (line: number, column: number, offset: number, length: number, message = 'm'): ExpressionDiagnostic => ({ message, at: { line, column, offset, length } });

describe('positions', () => {
  it('are written one way: column on the first line, line and column below it', () => {
    expect(formatPosition({ line: 1, column: 9 })).toBe('column 9');
    expect(formatPosition({ line: 2, column: 3 })).toBe('line 2, column 3');
    expect(describeDiagnostic(diag(1, 9, 8, 1, "Unexpected '>'"))).toBe("column 9: Unexpected '>'");
  });
});

describe('toEditorRanges', () => {
  it('maps a 1-based column on the first line to the 0-based range of the squiggle', () => {
    // "requestedAmount > frobnicator": the server reports column 19, offset 18, length 11
    const text = 'requestedAmount > frobnicator';
    const [r] = toEditorRanges([diag(1, 19, 18, 11, "Unknown variable 'frobnicator'")], splitLines(text));
    expect(r).toEqual({ from: 18, to: 29, message: "Unknown variable 'frobnicator'" });
    expect(text.slice(r.from, r.to)).toBe('frobnicator');
  });

  it('uses line and column, not the offset, when the stored text has \\r\\n (the editor joins lines with \\n)', () => {
    const stored = 'amount > 1 &&\r\n  ghost';
    // the server counts the stored text: ghost is at offset 17, line 2 column 3
    const lines = splitLines(stored);
    const [r] = toEditorRanges([diag(2, 3, 17, 5)], lines);
    const doc = lines.join('\n');
    expect(doc.slice(r.from, r.to)).toBe('ghost');
    expect(r.from).toBe(16);
  });

  it('keeps a zero-length problem at the end as a point inside the document', () => {
    const [r] = toEditorRanges([diag(1, 9, 8, 0)], splitLines('amount >'));
    expect(r).toEqual({ from: 8, to: 8, message: 'm' });
  });

  it('clamps places beyond the text (the text changed meanwhile) and lengths that run past the end', () => {
    const lines = splitLines('ab');
    expect(toEditorRanges([diag(5, 40, 100, 3)], lines)[0]).toEqual({ from: 2, to: 2, message: 'm' });
    expect(toEditorRanges([diag(1, 2, 1, 10)], lines)[0]).toEqual({ from: 1, to: 2, message: 'm' });
  });

  it('maps several problems independently', () => {
    const rs = toEditorRanges([diag(1, 1, 0, 5), diag(2, 1, 7, 3)], splitLines('amout\r\nnam'));
    expect(rs.map((r) => [r.from, r.to])).toEqual([[0, 5], [6, 9]]);
  });
});

describe('expressionPath', () => {
  it('derives the JSON pointer of the field from the activity and the test id', () => {
    expect(expressionPath('input-condition', 3)).toBe('/activities/3/inputs/condition');
    expect(expressionPath('input-actions-0-guard', 5)).toBe('/activities/5/inputs/actions/0/guard');
    expect(expressionPath('input-cases-2-condition', 1)).toBe('/activities/1/inputs/cases/2/condition');
    expect(expressionPath('input-assignments-1-value', 4)).toBe('/activities/4/inputs/assignments/1/value');
    expect(expressionPath('input-actions-1-field-2-validation', 6)).toBe('/activities/6/inputs/actions/1/fields/2/validation/expression');
  });
  it('is null without an activity or for other ids', () => {
    expect(expressionPath('input-condition', -1)).toBeNull();
    expect(expressionPath(undefined, 2)).toBeNull();
    expect(expressionPath('trigger-0-correlation', 2)).toBeNull();
  });
});

describe('tokens and completion', () => {
  const fns = new Set(['len', 'addDays']);
  const kinds = (text: string) => {
    const out: string[] = [];
    let last: Parameters<typeof readToken>[2] = null;
    for (let i = 0; i < text.length;) {
      const t = readToken(text, i, last, fns);
      if (!t) { i++; continue; }
      out.push(`${text.slice(i, t.end)}:${t.kind}`);
      last = text.slice(i, t.end) === '.' ? '.' : t.kind;
      i = t.end;
    }
    return out;
  };
  it('reads the language the way the server lexes it', () => {
    expect(kinds("len(a.b) >= 12.50 and not x in ['a\\'b', null]")).toEqual([
      'len:function', '(:bracket', 'a:variable', '.:punctuation', 'b:property', '):bracket', '>=:operator', '12.50:number',
      'and:keyword', 'not:keyword', 'x:variable', 'in:keyword', '[:bracket', "'a\\'b':string", ',:punctuation', 'null:atom', ']:bracket',
    ]);
    // a name that is a function but not called is a variable; unknown characters are marked invalid
    expect(kinds('len # x')).toEqual(['len:variable', '#:invalid', 'x:variable']);
  });
  it('finds the word being typed and whether it follows a dot', () => {
    expect(wordBefore('amount > req', 12)).toEqual({ from: 9, word: 'req', afterDot: false });
    expect(wordBefore('account.fr', 10)).toEqual({ from: 8, word: 'fr', afterDot: true });
  });
  it('offers the scope with its origin and the server functions with their signatures', () => {
    const items = completionItems(
      [{ name: 'requestedAmount', type: 'number', kind: 'input', detail: 'start input' }, { name: 'freeMargin', type: 'number', kind: 'output', detail: 'written by Load account' }],
      [{ name: 'addDays', signature: 'addDays(date, days)', description: 'Date plus days', minArguments: 2, maxArguments: 2 }],
    );
    expect(items.find((i) => i.label === 'requestedAmount')).toMatchObject({ type: 'variable', detail: 'number · start input' });
    expect(items.find((i) => i.label === 'freeMargin')).toMatchObject({ detail: 'number · activity output', info: 'written by Load account' });
    expect(items.find((i) => i.label === 'addDays')).toMatchObject({ type: 'function', detail: 'addDays(date, days)', apply: 'addDays(' });
  });
});
