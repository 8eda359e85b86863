import { describe, expect, it } from 'vitest';
import { connect, copySelection, insertOnConnection, newActivity, paste, removeActivities, renameActivity, renameOutcome, setInput, slug, uniqueId } from './defops';
import { descriptors, wd } from './fixtures';

const ut = descriptors.find((d) => d.type === 'UserTask');

describe('definition operations', () => {
  it('makes unique slug ids', () => {
    expect(slug('UserTask')).toBe('user-task');
    expect(uniqueId(['user-task', 'user-task-2'], 'UserTask')).toBe('user-task-3');
  });
  it('creates activities with default inputs and a first action', () => {
    const a = newActivity(wd(), 'UserTask', ut, { x: 1.2, y: 2 });
    expect(a.id).toBe('user-task');
    expect(a.inputs.actions).toEqual([{ name: 'Continue', displayName: 'Continue' }]);
    const t = newActivity(wd(), 'Timer', descriptors.find((d) => d.type === 'Timer'), { x: 0, y: 0 });
    expect(t.inputs.duration).toBe('PT1H');
  });
  it('inserts an activity on a connection', () => {
    const def = wd();
    const a = newActivity(def, 'UserTask', ut, { x: 0, y: 0 });
    const out = insertOnConnection(def, def.connections[0], { ...a, position: undefined }, ut);
    expect(out.connections).toContainEqual({ source: 'start', outcome: 'Done', target: 'user-task' });
    expect(out.connections).toContainEqual({ source: 'user-task', outcome: 'Continue', target: 'cs' });
    expect(out.connections.find((c) => c.source === 'start' && c.target === 'cs')).toBeUndefined();
    // takes the target's place; the target and everything below move down one row
    expect(out.activities.find((x) => x.id === 'user-task')?.position).toEqual({ x: 0, y: 100 });
    expect(out.activities.find((x) => x.id === 'cs')?.position).toEqual({ x: 0, y: 270 });
    expect(out.activities.find((x) => x.id === 'start')?.position).toEqual({ x: 0, y: 0 });
  });
  it('takes the target\'s place in a left-to-right flow and moves its column and those after it right', () => {
    const def = wd();
    def.activities = def.activities.map((x, i) => ({ ...x, position: { x: i * 350, y: 40 } }));
    const a = newActivity(def, 'UserTask', ut, { x: 0, y: 0 });
    const out = insertOnConnection(def, def.connections[0], { ...a, position: undefined }, ut); // start → cs
    expect(out.activities.find((x) => x.id === 'user-task')?.position).toEqual({ x: 350, y: 40 });
    expect(out.activities.map((x) => x.position?.x)).toEqual([0, 700, 1050, 1400, 350]);
  });
  it('inserts at the midpoint when the target is not below the source', () => {
    const def = wd();
    const a = newActivity(def, 'UserTask', ut, { x: 0, y: 0 });
    const back = { source: 'rejected', outcome: 'Done', target: 'cs' };
    const out = insertOnConnection({ ...def, connections: [...def.connections, back] }, back, { ...a, position: undefined }, ut);
    expect(out.activities.find((x) => x.id === 'user-task')?.position).toEqual({ x: 100, y: 150 });
  });
  it('keeps one connection per outcome', () => {
    const out = connect(wd(), { source: 'cs', outcome: 'Reject', target: 'done' });
    expect(out.connections.filter((c) => c.source === 'cs' && c.outcome === 'Reject')).toEqual([{ source: 'cs', outcome: 'Reject', target: 'done' }]);
  });
  it('removes activities with their connections', () => {
    const out = removeActivities(wd(), ['cs']);
    expect(out.activities.map((a) => a.id)).toEqual(['start', 'done', 'rejected']);
    expect(out.connections).toEqual([]);
  });
  it('renames ids and outcomes everywhere', () => {
    const out = renameActivity(wd(), 'rejected', 'closed');
    expect(out.connections[2].target).toBe('closed');
    expect(out.interrupts?.[0].target).toBe('closed');
    expect(renameActivity(wd(), 'cs', 'done')).toEqual(wd());
    expect(renameOutcome(wd(), 'cs', 'Reject', 'Decline').connections[2].outcome).toBe('Decline');
  });
  it('copies and pastes with fresh ids and internal connections only', () => {
    const def = wd();
    const clip = copySelection(def, ['cs', 'done']);
    expect(clip.connections).toEqual([{ source: 'cs', outcome: 'PassToRetention', target: 'done' }]);
    const { def: out, ids } = paste(def, clip, { x: 40, y: 40 });
    expect(ids).toEqual(['cs-2', 'done-2']);
    expect(out.connections).toContainEqual({ source: 'cs-2', outcome: 'PassToRetention', target: 'done-2' });
    expect(out.activities.find((a) => a.id === 'cs-2')?.position).toEqual({ x: 40, y: 140 });
  });
  it('sets and clears inputs', () => {
    expect(setInput(wd(), 'cs', 'dueIn', 'PT4H').activities[1].inputs.dueIn).toBe('PT4H');
    expect('status' in setInput(wd(), 'cs', 'status', '').activities[1].inputs).toBe(false);
  });
});
