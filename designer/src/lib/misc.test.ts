import { describe, expect, it } from 'vitest';
import { parsePointer, pointerTarget } from './pointer';
import { accumulate, accumulateStep, emptyCoverage, outcomeKey, summarize } from './coverage';
import { canRedo, canUndo, commit, initHistory, redo, replace, undo } from './history';
import { formatBy, formatMatrix, formatState, groupByFrom, shortPermission } from './matrix';
import { describeProblem } from './problem';
import { autoLayout } from './layout';
import { wd } from './fixtures';
import type { MatrixRow } from '../api/models';

describe('JSON pointer → node', () => {
  it('parses escaped pointers', () => {
    expect(parsePointer('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
    expect(parsePointer('')).toEqual([]);
  });
  it('maps activity, connection, interrupt and flow-level pointers', () => {
    const def = wd();
    expect(pointerTarget('/activities/1/inputs/actions/0/guard', def)).toMatchObject({ activityId: 'cs', input: 'actions', section: 'activity' });
    expect(pointerTarget('/connections/2/target', def)).toMatchObject({ activityId: 'rejected', connectionIndex: 2 });
    expect(pointerTarget('/connections/1', def)).toMatchObject({ activityId: 'cs' });
    expect(pointerTarget('/interrupts/0/target', def)).toMatchObject({ activityId: 'rejected', section: 'interrupts' });
    expect(pointerTarget('/variables/0/name', def)).toMatchObject({ activityId: null, section: 'variables' });
    expect(pointerTarget('/activities/99', def, 'done')).toMatchObject({ activityId: 'done' });
    expect(pointerTarget('#/activities/0', def).activityId).toBe('start');
  });
});

describe('coverage', () => {
  it('accumulates runs, counting each activity once per run', () => {
    let c = accumulate(emptyCoverage(), ['start', 'cs', 'cs'], [{ source: 'start', outcome: 'Done', target: 'cs' }], true);
    c = accumulate(c, ['start'], [], true);
    expect(c.runs).toBe(2);
    expect(c.activities).toEqual({ start: 2, cs: 1 });
    expect(c.outcomes[outcomeKey('start', 'Done')]).toBe(1);
  });
  it('adds only new visits when a run is resumed', () => {
    const t1 = [{ source: 'start', outcome: 'Done', target: 'cs' }];
    let c = accumulate(emptyCoverage(), ['start', 'cs'], t1, true);
    c = accumulateStep(c, ['start', 'cs'], t1, ['start', 'cs', 'done'], [...t1, { source: 'cs', outcome: 'PassToRetention', target: 'done' }]);
    expect(c.activities).toEqual({ start: 1, cs: 1, done: 1 });
    expect(c.runs).toBe(1);
    const s = summarize(c, ['start', 'cs', 'done', 'rejected'], { start: ['Done'], cs: ['PassToRetention', 'Reject'], done: [], rejected: [] });
    expect(s).toMatchObject({ activitiesVisited: 3, activitiesTotal: 4, outcomesVisited: 2, outcomesTotal: 3, missedActivities: ['rejected'] });
    expect(s.missedOutcomes).toEqual([{ source: 'cs', outcome: 'Reject' }]);
  });
});

describe('undo/redo history', () => {
  it('commits, undoes, redoes and clears redo on a new commit', () => {
    let h = initHistory(1);
    h = commit(h, 2);
    h = commit(h, 3);
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(h.present).toBe(2);
    expect(canRedo(h)).toBe(true);
    h = redo(h);
    expect(h.present).toBe(3);
    h = undo(undo(h));
    expect(h.present).toBe(1);
    expect(undo(h)).toBe(h);
    h = commit(h, 5);
    expect(h.future).toEqual([]);
    expect(redo(h)).toBe(h);
  });
  it('replace does not add an entry, same value does not commit, limit trims', () => {
    let h = commit(initHistory('a'), 'b');
    h = replace(h, 'c');
    expect(h.past).toEqual(['a']);
    expect(commit(h, 'c')).toBe(h);
    let g = initHistory(0);
    for (let i = 1; i <= 10; i++) g = commit(g, i, 3);
    expect(g.past).toEqual([7, 8, 9]);
  });
});

describe('matrix formatting', () => {
  it('formats department / permission like the manual', () => {
    expect(shortPermission('wd:3')).toBe('3');
    expect(formatBy('CS', 'wd:3')).toBe('CS / 3');
    expect(formatBy(null, 'wd:4')).toBe('4');
    expect(formatBy(null, null)).toBe('—');
    expect(formatState('New', 'CS')).toBe('New (CS)');
    expect(formatState('Rejected', null)).toBe('Rejected');
  });
  it('maps and groups rows', () => {
    const rows: MatrixRow[] = [
      { fromStatus: 'New', fromDepartment: 'CS', action: 'PassToRetention', actionDisplayName: 'Pass to Retention', department: 'CS', permission: 'wd:3', toStatus: 'ApprovedByCS', toDepartment: 'Retention', condition: null },
      { fromStatus: 'New', fromDepartment: 'CS', action: 'RejectAndClose', actionDisplayName: '', department: 'CS', permission: 'wd:2', toStatus: 'Rejected', toDepartment: null, condition: 'x' },
      { fromStatus: 'AwaitingDocs', fromDepartment: 'CS', action: 'A', actionDisplayName: 'A', department: 'CS', permission: null, toStatus: 'AwaitingDocs', toDepartment: null, condition: null },
    ];
    const lines = formatMatrix(rows);
    expect(lines[0]).toEqual({ from: 'New (CS)', action: 'Pass to Retention', actionName: 'PassToRetention', by: 'CS / 3', to: 'ApprovedByCS (Retention)', condition: '' });
    expect(lines[1].action).toBe('RejectAndClose');
    expect(groupByFrom(lines).map((g) => g.lines.length)).toEqual([2, 1]);
  });
});

describe('problem details in words', () => {
  it('prefers detail and lists field errors', () => {
    const r = describeProblem({ status: 422, problem: { title: 'Invalid', detail: 'The definition is invalid', errors: { '/activities/1/inputs/status': ['is required'] } } });
    expect(r.summary).toBe('The definition is invalid');
    expect(r.details).toEqual(['/activities/1/inputs/status: is required']);
  });
  it('falls back to words for a bare status', () => {
    expect(describeProblem({ status: 403, problem: {} }).summary).toBe('You are not permitted to do this.');
    expect(describeProblem({ status: 503, problem: {} }).summary).toMatch(/server/);
  });
});

describe('auto layout', () => {
  it('places nodes left to right in layers', async () => {
    const pos = await autoLayout(wd());
    expect(Object.keys(pos)).toHaveLength(4);
    expect(pos.start.x).toBeLessThan(pos.cs.x);
    expect(pos.cs.x).toBeLessThan(pos.done.x);
  });
});
