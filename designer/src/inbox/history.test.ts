import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../api/models';
import { actionPhrase, businessHistory } from './history';
import { staleMessage } from './drafts';

let seq = 0;
const entry = (kind: string, extra: Partial<JournalEntry> = {}): JournalEntry => ({
  sequence: ++seq, timestamp: '2026-12-02T10:00:00Z', kind, activityId: null, activityType: null, outcome: null,
  actor: { userId: 'cs1', role: 'CS', ipAddress: null }, action: null, comment: null, changes: [], message: null, ...extra,
} as JournalEntry);

describe('businessHistory', () => {
  it('speaks business: who sent it where, their comment, who holds it now; engine steps left out', () => {
    const items = businessHistory([
      entry('InstanceStarted', { message: 'wd-request v1' }),
      entry('ActivityEntered'),
      entry('TaskOpened', { message: 'WD New (CS)', changes: [{ name: 'department', before: null, after: 'CS' }] }),
      entry('ActivitySuspended'),
      entry('TaskCompleted', { action: 'PassToDealing', comment: 'checked the documents' }),
      entry('ActivityCompleted'),
      entry('JobCompleted', { actor: { userId: 'worker', role: null, ipAddress: null }, message: 'Load trading account finished: Done' }),
      entry('TaskOpened', { message: 'WD Approved by CS (Dealing)', actor: { userId: 'worker', role: null, ipAddress: null }, changes: [{ name: 'department', before: 'CS', after: 'Dealing' }] }),
      entry('VariablesUpdated', { action: 'AddComment', comment: 'customer called' }),
    ]);
    expect(items.map((i) => (i.quote ? `${i.text} ${i.quote}` : i.text))).toEqual([
      'Created by cs1',
      'Waiting for CS',
      'Sent to Dealing by cs1',
      'Comment by cs1: checked the documents',
      'Waiting for Dealing',
      'Comment by cs1: customer called',
    ]);
    expect(items.some((i) => /Activity|Job/.test(i.text))).toBe(false);
  });

  it('takes the department from a WD title when the entry names none', () => {
    expect(businessHistory([entry('TaskOpened', { message: 'WD Approved by Dealing (Backoffice)' })])[0].text).toBe('Waiting for Backoffice');
  });

  it('names actions in past tense', () => {
    expect(actionPhrase('PassToRetention')).toBe('Sent to Retention');
    expect(actionPhrase('BackToCS')).toBe('Sent back to CS');
    expect(actionPhrase('Approve')).toBe('Approved');
    expect(actionPhrase('MarkPaid')).toBe('Mark paid');
  });
});

describe('staleMessage', () => {
  it('tells the same user in another tab from a colleague', () => {
    expect(staleMessage('cs1', 'cs1')).toContain('This task changed since you opened it (by you in another tab)');
    expect(staleMessage('bo1', 'cs1')).toContain('This task changed since you opened it (by bo1)');
    expect(staleMessage(null, 'cs1')).toContain('This task changed since you opened it.');
  });
});
