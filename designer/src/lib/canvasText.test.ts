import { describe, expect, it } from 'vitest';
import { edgeName, findNodes, humanize } from './canvasText';
import { wd } from './fixtures';

describe('canvas words', () => {
  it('reads ids as words', () => {
    expect(humanize('PassToRetention')).toBe('Pass to retention');
    expect(humanize('BackToCS')).toBe('Back to CS');
    expect(humanize('end_rejected')).toBe('End rejected');
  });
  it('names an edge by action and activity names, not ids', () => {
    const def = wd();
    expect(edgeName(def, { source: 'cs', outcome: 'PassToRetention', target: 'done' })).toBe('Pass → Done (from CS)');
    expect(edgeName(def, { source: 'start', outcome: 'Done', target: 'cs' })).toBe('Done → CS (from Start)');
  });
  it('finds nodes by name or id, exact and prefix matches first', () => {
    const def = wd();
    def.activities[2].displayName = 'Completed';
    def.activities[3].displayName = 'Rejected after CS';
    expect(findNodes(def, 'cs').map((n) => n.id)).toEqual(['cs', 'rejected']);
    expect(findNodes(def, '  ')).toEqual([]);
  });
});
