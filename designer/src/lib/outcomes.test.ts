import { describe, expect, it } from 'vitest';
import { deriveOutcomes, orphanOutcomes } from './outcomes';
import { descriptors } from './fixtures';

const d = (t: string) => descriptors.find((x) => x.type === t);

describe('deriveOutcomes', () => {
  it('uses static outcomes', () => {
    expect(deriveOutcomes({ inputs: {} }, d('Start'))).toEqual(['Done']);
    expect(deriveOutcomes({ inputs: {} }, d('End'))).toEqual([]);
  });
  it('derives UserTask outcomes from action names, Escalated only when escalate is on', () => {
    const inputs = { actions: [{ name: 'Approve' }, { name: 'Reject' }, { name: '' }] };
    expect(deriveOutcomes({ inputs }, d('UserTask'))).toEqual(['Approve', 'Reject']);
    expect(deriveOutcomes({ inputs: { ...inputs, escalate: true } }, d('UserTask'))).toEqual(['Approve', 'Reject', 'Escalated']);
  });
  it('derives Switch cases plus Default, Fork branches', () => {
    expect(deriveOutcomes({ inputs: { cases: [{ name: 'Big', condition: 'a > 1' }] } }, d('Switch'))).toEqual(['Big', 'Default']);
    expect(deriveOutcomes({ inputs: { branches: ['A', 'B', 'A'] } }, d('Fork'))).toEqual(['A', 'B']);
  });
  it('handles CallWorkflow outcomes and unknown descriptors', () => {
    const call = { ...descriptors[0], type: 'CallWorkflow', outcomes: [], dynamicOutcomes: 'outcomes' as const };
    expect(deriveOutcomes({ inputs: { outcomes: ['Ok', 'Failed'] } }, call)).toEqual(['Ok', 'Failed']);
    expect(deriveOutcomes({ inputs: {} }, undefined)).toEqual([]);
  });
  it('finds connections whose outcome is gone', () => {
    expect(orphanOutcomes('cs', ['Approve'], [{ source: 'cs', outcome: 'Old' }, { source: 'cs', outcome: 'Approve' }, { source: 'x', outcome: 'Y' }])).toEqual(['Old']);
  });
});
