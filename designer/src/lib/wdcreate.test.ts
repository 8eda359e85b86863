import { describe, expect, it } from 'vitest';
import { canCommentWd, canCreateWd, canMassEditWd, checkWdCreate, emptyWdCreateDraft, massEditSummary, toggleSelection, wdCreateBody, wdRequestIdOf } from './wdcreate';

const filled = { customerId: ' C-1 ', tradingAccount: ' TA1 ', requestedAmount: '1,250.50', currency: 'usd', comment: ' please ' };

describe('new WD request form', () => {
  it.each([
    ['100', undefined],
    ['1,250.50', undefined],
    ['0.1', undefined],
    ['', 'Enter the amount.'],
    ['abc', 'must be a number'],
    ['-5', 'must be a number'],
    ['1e5', 'must be a number'],
    ['1.123456789', 'must be a number'],
  ])('amount %s', (amount, message) => {
    const errors = checkWdCreate({ ...filled, requestedAmount: amount });
    if (message === undefined) expect(errors.requestedAmount).toBeUndefined();
    else expect(errors.requestedAmount?.[0]).toContain(message);
  });
  it('requires every field of the route', () => {
    expect(Object.keys(checkWdCreate(emptyWdCreateDraft())).sort()).toEqual(['comment', 'customerId', 'requestedAmount', 'tradingAccount']);
    expect(checkWdCreate(filled)).toEqual({});
  });
  it('sends the amount as decimal text, never through a float', () => {
    expect(wdCreateBody(filled)).toEqual({ customerId: 'C-1', tradingAccount: 'TA1', requestedAmount: '1250.5', currency: 'USD', comment: 'please' });
    // 17 significant digits survive as text (a double would round them)
    expect(wdCreateBody({ ...filled, requestedAmount: '123456789012345.67' }).requestedAmount).toBe('123456789012345.67');
    expect(wdCreateBody(filled, 'ui-1')).toHaveProperty('correlationId', 'ui-1');
  });
  it('offers create to wd:create only, comments until final', () => {
    expect(canCreateWd(undefined)).toBe(false);
    expect(canCreateWd({ rights: ['wd:export'], permissions: ['wd:5'] })).toBe(false);
    expect(canCreateWd({ rights: ['wd:create'] })).toBe(true);
    expect(canCommentWd({ final: false })).toBe(true);
    expect(canCommentWd({ final: true })).toBe(false);
    expect(canCommentWd(undefined)).toBe(false);
  });
});

describe('mass edit helpers', () => {
  it('is for permission wd:5 only', () => {
    expect(canMassEditWd({ permissions: ['wd:1', 'wd:2', 'wd:3', 'wd:4'], rights: ['wd:create', 'wd:export'] })).toBe(false);
    expect(canMassEditWd({ permissions: ['wd:5'] })).toBe(true);
    expect(canMassEditWd(undefined)).toBe(false);
  });
  it('finds the WD request of a grid row', () => {
    expect(wdRequestIdOf({ definitionId: 'wd-request', subjectType: 'wd-request', subjectId: 'a' })).toBe('a');
    expect(wdRequestIdOf({ definitionId: 'fiat-withdrawal', subjectType: 'fiat', subjectId: 'a' })).toBeNull();
    expect(wdRequestIdOf({ definitionId: 'wd-request', subjectId: null })).toBeNull();
  });
  it('toggles and summarises', () => {
    expect(toggleSelection(['a', 'b'], 'a')).toEqual(['b']);
    expect(toggleSelection(['b'], 'a')).toEqual(['b', 'a']);
    expect(massEditSummary([{ ok: true }, { ok: true }])).toBe('2 moved');
    expect(massEditSummary([{ ok: true }, { ok: false }])).toBe('1 moved, 1 refused');
    expect(massEditSummary([{ ok: false }])).toBe('1 refused');
  });
});
