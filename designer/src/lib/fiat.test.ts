import { describe, expect, it } from 'vitest';
import { bulkSummary, canConfigureFiat, canOperateFiat, canReadFiatConfig, emptyRecordFilters, orderCards, recordQuery } from './fiat';

const me = (rights: string[]) => ({ username: 'u', rights });

describe('fiat rights', () => {
  it('Operations staff operate and read; only fiat:configure edits', () => {
    expect(canOperateFiat(me(['submit']))).toBe(true);
    expect(canOperateFiat(me(['workorders:approve']))).toBe(true);
    expect(canOperateFiat(me(['fiat:configure']))).toBe(false);
    expect(canReadFiatConfig(me(['fiat:configure']))).toBe(true);
    expect(canReadFiatConfig(me(['wd:export']))).toBe(false);
    expect(canConfigureFiat(me(['submit']))).toBe(false);
    expect(canConfigureFiat(undefined)).toBe(false);
  });
});

describe('orderCards', () => {
  it('follows the manual, unknown statuses after, in the order given', () => {
    const cards = ['Completed', 'Pending Review', 'Paying', 'Pending Submission', 'Awaiting Batch', 'Withdrawal Pending'].map((status) => ({ status }));
    expect(orderCards(cards).map((c) => c.status)).toEqual(['Pending Submission', 'Withdrawal Pending', 'Paying', 'Completed', 'Pending Review', 'Awaiting Batch']);
  });
});

describe('recordQuery', () => {
  it('leaves empty filters out and turns days into the whole day in the local zone', () => {
    expect(recordQuery(emptyRecordFilters)).toBe('');
    const q = new URLSearchParams(recordQuery({ ...emptyRecordFilters, recordNo: ' FW1 ', createdFrom: '2026-12-01', createdTo: '2026-12-02' }, { page: 2 }));
    expect(q.get('recordNo')).toBe('FW1');
    expect(q.get('createdFrom')).toBe(new Date(2026, 11, 1).toISOString());
    expect(new Date(q.get('createdTo')!).getTime()).toBe(new Date(2026, 11, 3).getTime() - 1);
    expect(q.get('page')).toBe('2');
    expect(q.has('status')).toBe(false);
  });
  it('sends the paid range as whole days and amounts as canonical decimal text', () => {
    const q = new URLSearchParams(recordQuery({ ...emptyRecordFilters, paidFrom: '2026-12-01', paidTo: '2026-12-01', amountFrom: '1,000.50', amountTo: '12345678901234567.89', batchId: 'FB1', reconciliation: 'Unmatch' }));
    expect(q.get('paidFrom')).toBe(new Date(2026, 11, 1).toISOString());
    expect(new Date(q.get('paidTo')!).getTime()).toBe(new Date(2026, 11, 2).getTime() - 1);
    expect(q.get('amountFrom')).toBe('1000.5');
    expect(q.get('amountTo')).toBe('12345678901234567.89');
    expect([q.get('batchId'), q.get('reconciliation')]).toEqual(['FB1', 'Unmatch']);
    expect(new URLSearchParams(recordQuery({ ...emptyRecordFilters, amountFrom: 'ten' })).get('amountFrom')).toBe('ten');
  });
});

describe('bulkSummary', () => {
  it('counts and explains refusals', () => {
    const s = bulkSummary([
      { record: 'A', ok: true, status: 200, businessStatus: 'Withdrawal Pending' },
      { record: 'B', ok: false, status: 403, error: 'Four eyes' },
    ]);
    expect(s).toEqual({ ok: 1, failed: 1, lines: ['A: Withdrawal Pending', 'B: refused (403) — Four eyes'] });
  });
});
