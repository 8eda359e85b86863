import { describe, expect, it } from 'vitest';
import { diffDefinitions, fieldValue, mergedForDiff, showValue, stable } from './diff';
import { wd } from './fixtures';

describe('diffDefinitions', () => {
  it('reports nothing for equal definitions (key order and positions ignored)', () => {
    const a = wd();
    const b = wd();
    b.activities[1].position = { x: 999, y: 999 };
    b.activities[1].inputs = { actions: b.activities[1].inputs.actions, department: 'CS', status: 'New' };
    const d = diffDefinitions(a, b);
    expect(d.counts).toEqual({ added: 0, removed: 0, changed: 0, connectionsAdded: 0, connectionsRemoved: 0 });
    expect(d.settings).toEqual([]);
  });
  it('finds added, removed and changed activities and connections', () => {
    const a = wd();
    const b = wd();
    b.activities = b.activities.filter((x) => x.id !== 'rejected');
    b.activities.push({ id: 'ret', type: 'UserTask', inputs: {} });
    b.activities[1].inputs = { ...b.activities[1].inputs, department: 'Retention' };
    b.connections = [b.connections[0], { source: 'cs', outcome: 'PassToRetention', target: 'ret' }];
    const d = diffDefinitions(a, b);
    expect(d.activities.find((x) => x.id === 'ret')?.kind).toBe('added');
    expect(d.activities.find((x) => x.id === 'rejected')?.kind).toBe('removed');
    expect(d.activities.find((x) => x.id === 'cs')).toMatchObject({ kind: 'changed', fields: ['inputs.department'] });
    expect(d.counts).toMatchObject({ added: 1, removed: 1, changed: 1, connectionsAdded: 1, connectionsRemoved: 2 });
    const merged = mergedForDiff(a, b);
    expect(merged.activities.map((x) => x.id)).toEqual(['start', 'cs', 'done', 'ret', 'rejected']);
    expect(merged.connections).toHaveLength(4);
  });
  it('reports flow-level setting changes', () => {
    const b = wd();
    b.interrupts = [];
    expect(diffDefinitions(wd(), b).settings).toEqual(['interrupts']);
  });
  it('stable() sorts keys', () => {
    expect(stable({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
  });
});

describe('fieldValue and showValue (old → new values in the diff, issue 14)', () => {
  const a = { id: 'r', type: 'UserTask', displayName: 'Review', inputs: { department: 'CS', actions: [{ name: 'Approve' }] } } as unknown as import('../api/models').ActivityDef;
  it('reads the fields changedFields names', () => {
    expect(fieldValue(a, 'type')).toBe('UserTask');
    expect(fieldValue(a, 'displayName')).toBe('Review');
    expect(fieldValue(a, 'inputs.department')).toBe('CS');
    expect(fieldValue(a, 'inputs.missing')).toBeUndefined();
    expect(fieldValue(undefined, 'type')).toBeUndefined();
  });
  it('shows text as is, the rest as JSON, nothing as a dash, and cuts long values', () => {
    expect(showValue('CS')).toBe('CS');
    expect(showValue([{ name: 'Approve' }])).toBe('[{"name":"Approve"}]');
    expect(showValue(undefined)).toBe('—');
    expect(showValue('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
