import { describe, expect, it } from 'vitest';
import { canConfirmTag, cardSums, clampPage, chequeNumberErrors, importRowErrors, itemErrors, packGroup, recordErrors } from './logic';

const problem = (errors: Record<string, string[]>) => ({ status: 422, problem: { status: 422, errors } });

describe('recordErrors', () => {
  it('names each refused record by its place in the request', () => {
    const r = recordErrors(problem({ 'records[1]': ['above the single limit'], 'records[2]': ['a', 'b'], records: ['mixed'] }), ['FW1', 'FW2', 'FW3']);
    expect(r.byRecord).toEqual({ FW2: ['above the single limit'], FW3: ['a', 'b'] });
    expect(r.general).toEqual(['mixed']);
  });
  it('keeps an index outside the request as a general message', () => {
    expect(recordErrors(problem({ 'records[5]': ['x'] }), ['FW1']).general).toEqual(['x']);
    expect(recordErrors(new Error('offline'), ['FW1'])).toEqual({ byRecord: {}, general: [] });
  });
});

describe('importRowErrors', () => {
  it('sorts per row and field and keeps file-level errors first', () => {
    expect(importRowErrors(problem({ 'rows[3].amount': ['not a number'], 'rows[1]': ['7 fields, 4 expected'], header: ['no entry_id'] }))).toEqual([
      { row: 0, field: 'header', message: 'no entry_id' },
      { row: 1, field: null, message: '7 fields, 4 expected' },
      { row: 3, field: 'amount', message: 'not a number' },
    ]);
  });
});

describe('packGroup', () => {
  const r = (recordNo: string, channel: string | null, currency: string, status = 'Withdrawal Pending') => ({ recordNo, channel, currency, status });
  it('accepts one channel and currency', () => {
    expect(packGroup([r('A', 'C1', 'USD'), r('B', 'C1', 'USD')])).toEqual({ channel: 'C1', currency: 'USD' });
  });
  it('refuses an empty selection, mixed groups, records not pending and records without a channel', () => {
    expect(packGroup([])).toEqual({ error: 'Select the records to pack.' });
    expect(packGroup([r('A', 'C1', 'USD'), r('B', 'C2', 'USD')])).toHaveProperty('error', expect.stringContaining('C1 / USD, C2 / USD'));
    expect(packGroup([r('A', 'C1', 'USD', 'Paying')])).toHaveProperty('error', expect.stringContaining('A is Paying'));
    expect(packGroup([r('A', null, 'USD')])).toEqual({ error: 'The records have no channel yet.' });
  });
});

describe('cardSums', () => {
  it('shows each currency apart with its own minor units, never one total', () => {
    expect(cardSums([{ currency: 'HKD', amount: 100.3 }, { currency: 'JPY', amount: '1500' }, { currency: 'USD', amount: '0.1' }])).toBe('100.30 HKD · 1,500 JPY · 0.10 USD');
    expect(cardSums([])).toBe('—');
    expect(cardSums(undefined)).toBe('—');
  });
  it('keeps digits a double would lose', () => {
    expect(cardSums([{ currency: 'USD', amount: '12345678901234567.89' }])).toBe('12,345,678,901,234,567.89 USD');
  });
});

describe('cheque numbers', () => {
  it('need 1 to 20 digits and differ from each other', () => {
    expect(chequeNumberErrors({ A: '000123', B: '12a', C: '000123', D: '1'.repeat(21), E: '' })).toEqual({
      B: 'A cheque number is 1 to 20 digits.', C: 'Also given to A.', D: 'A cheque number is 1 to 20 digits.', E: 'A cheque number is 1 to 20 digits.',
    });
  });
  it('server errors land on the record of the item', () => {
    expect(itemErrors(problem({ 'items[1].chequeNo': ['already used by FW9'], 'items[0].recordNo': ['not printed yet'] }), ['FW1', 'FW2'])).toEqual({ FW1: 'not printed yet', FW2: 'already used by FW9' });
  });
});

describe('canConfirmTag', () => {
  it('is for someone other than the tagger, while the tag waits', () => {
    expect(canConfirmTag({ matchStatus: 'PendingConfirmation', taggedBy: 'checker1' }, 'checker2')).toBe(true);
    expect(canConfirmTag({ matchStatus: 'PendingConfirmation', taggedBy: 'checker1' }, 'checker1')).toBe(false);
    expect(canConfirmTag({ matchStatus: 'Matched', taggedBy: 'checker1' }, 'checker2')).toBe(false);
  });
});

describe('clampPage', () => {
  it('keeps a page that still exists and moves back from one that no longer does', () => {
    expect(clampPage(2, 150, 50)).toBe(2);
    expect(clampPage(3, 100, 50)).toBe(2);
    expect(clampPage(4, 0, 50)).toBe(1);
    expect(clampPage(1, 101, 100)).toBe(1);
  });
});
