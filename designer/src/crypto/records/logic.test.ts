import { describe, expect, it } from 'vitest';
import { canReadCryptoRecords, cryptoQuery, emptyCryptoFilters, groupAmount, progressPercent, progressText, statusesOf } from './logic';

describe('canReadCryptoRecords', () => {
  it.each([
    [{ rights: [], departments: ['Operations'] }, true],
    [{ rights: ['workorders:approve'], departments: [] }, true],
    [{ rights: ['submit'] }, true],
    [{ rights: [], departments: ['CS', 'Backoffice'], allDepartments: true }, true],
    [{ rights: ['wd:export'], departments: ['Backoffice'] }, false],
    [{ rights: ['definitions:edit'], departments: [] }, false],
    [{ rights: ['submit'], isSystem: true }, false],
    [undefined, false],
  ])('%j → %s', (me, expected) => expect(canReadCryptoRecords(me)).toBe(expected));
});

describe('cryptoQuery', () => {
  it('leaves empty filters out, trims, upper-cases the coin and turns days into the whole local day', () => {
    expect(cryptoQuery(emptyCryptoFilters)).toBe('');
    const q = new URLSearchParams(cryptoQuery({ ...emptyCryptoFilters, recordNo: ' CW-1 ', coin: 'btc', status: 'Credited', createdFrom: '2026-12-01', createdTo: '2026-12-02' }, { page: 2, pageSize: 20 }));
    expect(q.get('recordNo')).toBe('CW-1');
    expect(q.get('coin')).toBe('BTC');
    expect(q.get('status')).toBe('Credited');
    expect(q.get('createdFrom')).toBe(new Date(2026, 11, 1).toISOString());
    expect(q.get('createdTo')).toBe(new Date(new Date(2026, 11, 3).getTime() - 1).toISOString());
    expect(q.get('page')).toBe('2');
    expect(q.has('customer')).toBe(false);
  });
  it('sends a malformed day as typed so the server names it', () => {
    expect(new URLSearchParams(cryptoQuery({ ...emptyCryptoFilters, createdFrom: '1 Dec' })).get('createdFrom')).toBe('1 Dec');
  });
});

describe('groupAmount', () => {
  it.each([
    ['123456789.12345678', '123,456,789.12345678'],
    ['0.100000000000000000', '0.100000000000000000'],
    ['1000', '1,000'],
    ['-1234.5', '-1,234.5'],
    ['', '—'],
    [null, '—'],
    ['abc', 'abc'],
  ])('%s → %s', (text, expected) => expect(groupAmount(text)).toBe(expected));
});

describe('confirmation progress', () => {
  it.each([
    [0, 3, 0], [1, 3, 33], [2, 3, 66], [3, 3, 100], [5, 3, 100], [0, 0, 100], [-1, 3, 0],
  ])('%i of %i → %i%%', (seen, required, pct) => expect(progressPercent(seen, required)).toBe(pct));
  it('names the count, or a dash before the transaction exists', () => {
    expect(progressText({ txid: 'tx', seen: 2, required: 3 })).toBe('2 / 3 confirmations');
    expect(progressText({ txid: 'tx', seen: 7, required: 1 })).toBe('1 / 1 confirmation');
    expect(progressText({ txid: null, seen: 0, required: 3 })).toBe('—');
  });
});

describe('statuses', () => {
  it('are the manuals\' names per kind', () => {
    expect(statusesOf('deposits')).toContain('Wallet Address Under Verification');
    expect(statusesOf('withdrawals')).toContain('Awaiting Confirmations');
    expect(statusesOf('withdrawals')).not.toContain('Credited');
  });
});
