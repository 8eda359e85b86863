import { describe, expect, it } from 'vitest';
import { amounts, describeWindows, fieldKey, isPendingChange, isStale, journalChanges, mayApprove, parseBanks, pendingChanges, priorityOf, ruleBody, ruleDraft, splitErrors, tri, triValue } from './logic';
import type { Errors } from './logic';

const draft = (p: Partial<ReturnType<typeof ruleDraft>> = {}) => ({ ...ruleDraft(), channelId: 'ICBC-001-FPS', singleLimit: '50000', customerDailyLimit: '100000', ...p });

describe('withdrawal rule form', () => {
  it('sends amounts as the decimal text typed, never through a double', () => {
    const { body, errors } = ruleBody(draft({ singleLimit: '1,234,567,890,123,456.12345678', customerDailyLimit: '0.1' }));
    expect(errors).toEqual({});
    expect(body?.singleLimit).toBe('1234567890123456.12345678');
    expect(body?.customerDailyLimit).toBe('0.1');
  });

  it('a scheduled policy needs a packing cron; the others never send the one left in the box', () => {
    expect(ruleBody(draft({ policy: 'TimedPacking', packingCron: ' ' })).errors.packingCron).toHaveLength(1);
    expect(ruleBody(draft({ policy: 'BatchAuto', packingCron: '0 0 16 ? * *' })).body?.packingCron).toBe('0 0 16 ? * *');
    expect(ruleBody(draft({ policy: 'ManualPacking', packingCron: '0 0 16 ? * *' })).body?.packingCron).toBeNull();
  });

  it('names every bad field at once and builds no body', () => {
    const { body, errors } = ruleBody(draft({ channelId: '', singleLimit: '12.123456789', customerDailyLimit: '', priority: '1.5', windows: [{ days: [], from: '', to: '17:00' }] }));
    expect(body).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(['channelId', 'customerDailyLimit', 'priority', 'serviceWindows[0].from', 'singleLimit']);
  });

  it('service windows keep the week order, supported banks drop blanks and repeats', () => {
    const { body } = ruleBody(draft({ windows: [{ days: ['Fri', 'Mon'], from: '22:00', to: '02:00' }], banks: ' HSBC \n\nhsbc\nBank of China (Hong Kong)\n' }));
    expect(body?.serviceWindows).toEqual([{ days: ['Mon', 'Fri'], from: '22:00', to: '02:00' }]);
    expect(body?.supportedBanks).toEqual(['HSBC', 'Bank of China (Hong Kong)']);
  });

  it('an edit starts from the stored rule, amounts as exact text', () => {
    const d = ruleDraft({ channelId: 'C', policy: 'TimedPacking', packingCron: '0 0 16 ? * *', singleLimit: 1e-7, customerDailyLimit: '500000.50', serviceWindows: [{ days: null, from: '09:00', to: '17:30' }], supportedBanks: ['A', 'B'], priority: 5, enabled: false });
    expect(d).toMatchObject({ singleLimit: '0.0000001', customerDailyLimit: '500000.5', banks: 'A\nB', priority: '5', enabled: false, windows: [{ days: [], from: '09:00', to: '17:30' }] });
  });
});

describe('server problems on the form', () => {
  it('a field error lands on the field that shows it; the rest stays visible above the form', () => {
    const shown = (k: string) => k === 'singleLimit' || k === 'supportedBanks' || k.startsWith('serviceWindows[');
    const errors: Errors = { '$.singleLimit': ['too big'], 'supportedBanks[3]': ['empty'], 'supportedBanks[5]': ['long'], 'serviceWindows[0].from': ['bad'], other: ['x'] };
    expect(splitErrors(errors, shown)).toEqual({
      byField: { singleLimit: ['too big'], supportedBanks: ['empty', 'long'], 'serviceWindows[0].from': ['bad'] },
      rest: { other: ['x'] },
    });
    expect(fieldKey('/policy')).toBe('policy');
  });

  it('only a 409 naming rowVersion is "changed by someone else"', () => {
    expect(isStale({ errors: { rowVersion: ['changed'] } })).toBe(true);
    expect(isStale({ errors: null })).toBe(false);
    expect(isStale(undefined)).toBe(false);
  });
});

describe('small parsers', () => {
  it('priority is a whole number up to a million', () => {
    expect(priorityOf(' 10 ')).toBe(10);
    expect(typeof priorityOf('-1')).toBe('string');
    expect(typeof priorityOf('1000001')).toBe('string');
  });

  it('amounts: optional ones may stay empty (null), required ones may not, more than 8 decimals is refused', () => {
    const errors: Errors = {};
    expect(amounts({ fee: '', limit: '', alert: '1.123456789' }, ['limit'], errors)).toEqual({ fee: null, limit: null, alert: null });
    expect(Object.keys(errors).sort()).toEqual(['alert', 'limit']);
    expect(amounts({ fee: '-1' }, [], {})).toEqual({ fee: null });
  });

  it('tri-state conditions round-trip', () => {
    for (const v of [true, false, null]) expect(triValue(tri(v))).toBe(v);
  });

  it('windows read as the manual speaks', () => {
    expect(describeWindows([])).toBe('always open');
    expect(describeWindows([{ days: ['Mon'], from: '09:00', to: '17:00' }, { days: [], from: '22:00', to: '02:00' }])).toBe('Mon 09:00–17:00; every day 22:00–02:00');
    expect(parseBanks('')).toEqual([]);
  });
});

describe('journal before → after', () => {
  it('lists only the fields that changed, without the bookkeeping', () => {
    expect(journalChanges({ limit: 100, alertThreshold: 10, rowVersion: 1, updatedAt: 'a' }, { limit: 200, alertThreshold: 10, rowVersion: 2, updatedAt: 'b' }))
      .toEqual([{ field: 'limit', before: '100', after: '200' }]);
  });

  it('a creation shows what it wrote, a deletion what it removed, lists as JSON', () => {
    expect(journalChanges(null, { id: 'C1', supportedBanks: ['A'] })).toEqual([
      { field: 'id', before: '—', after: 'C1' }, { field: 'supportedBanks', before: '—', after: '["A"]' },
    ]);
    expect(journalChanges({ enabled: true }, null)).toEqual([{ field: 'enabled', before: 'true', after: '—' }]);
  });
});

describe('pending changes (four eyes)', () => {
  const pending = { id: 'a1', entity: 'Settings', entityKey: 'settings', action: 'Edit', summary: 'direct billing approval off', proposedBy: 'supervisor1', status: 'Pending' };

  it('tells a 202 pending change from the row a 200 returns', () => {
    expect(isPendingChange(pending)).toBe(true);
    expect(isPendingChange({ ...pending, status: 'Approved' })).toBe(false);
    expect(isPendingChange({ directBillingNeedsApproval: false, defaultReviewKind: 'AutoSubmit', rowVersion: 3 })).toBe(false);
    expect(isPendingChange({ bankAccountId: 'ICBC-001', limit: 5, rowVersion: 2 })).toBe(false);
    expect(isPendingChange(undefined)).toBe(false);
  });

  it('lists the fields the request changes, before → after, without row bookkeeping or the reason', () => {
    expect(pendingChanges(
      { bankAccountId: 'ICBC-001', limit: 1000000, alertThreshold: 100000, rowVersion: 4, updatedAt: 'x' },
      { bankAccountId: 'ICBC-001', limit: '2000000.5', alertThreshold: '100000', reason: 'month end', rowVersion: 4 },
    )).toEqual([{ field: 'limit', before: '1000000', after: '2000000.5' }]);
    expect(pendingChanges({ limit: 10 }, { delta: '5', reason: 'x', rowVersion: 1 })).toEqual([{ field: 'delta', before: '—', after: '5' }]);
    expect(pendingChanges({ enabled: true }, null)).toEqual([]);
  });

  it('offers Approve to another configurer only, while the change is pending', () => {
    expect(mayApprove(pending, { username: 'supervisor2' }, true)).toBe(true);
    expect(mayApprove(pending, { username: 'Supervisor1' }, true)).toBe(false);
    expect(mayApprove(pending, { username: 'maker1' }, false)).toBe(false);
    expect(mayApprove({ ...pending, status: 'Rejected' }, { username: 'supervisor2' }, true)).toBe(false);
    expect(mayApprove(pending, undefined, true)).toBe(false);
  });
});

describe('per-currency second-approval thresholds', () => {
  it('reads one "CCY amount" a line as decimal text, upper-cased, and shows them back sorted', async () => {
    const { parseThresholds, thresholdsText } = await import('./logic');
    const errors: Errors = {};
    const map = parseThresholds(' usd 10,000.5 \n\nHKD: 0.12345678\n', errors);
    expect(errors).toEqual({});
    expect(map).toEqual({ USD: '10000.5', HKD: '0.12345678' });
    expect(thresholdsText({ USD: 10000.5, HKD: '3000' })).toBe('HKD 3000\nUSD 10000.5');
  });

  it('names each bad line: no code, a bad amount, a currency twice', async () => {
    const { parseThresholds } = await import('./logic');
    const errors: Errors = {};
    parseThresholds('10000\nUSD lots\nUSD 1\nusd 2', errors);
    expect(errors.secondApprovalThresholds).toEqual([
      'Line 1: write a currency code and an amount, e.g. "USD 10000".',
      'Line 2: write a currency code and an amount, e.g. "USD 10000".',
      'Line 4: USD is given twice.',
    ]);
  });
});
