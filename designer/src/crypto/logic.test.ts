import { describe, expect, it } from 'vitest';
import { coinBody, coinDraft, journalChanges } from './logic';

const draft = (p: Partial<ReturnType<typeof coinDraft>> = {}) => ({ ...coinDraft(), coin: 'btc', network: 'BTC', decimals: '8', minWithdrawal: '0.001', maxWithdrawal: '10', withdrawalFee: '0.0002', requiredConfirmations: '3', ...p });

describe('coin form', () => {
  it('sends amounts as the decimal text typed, upper-cases the key', () => {
    const { body, errors } = coinBody(draft({ decimals: '18', minWithdrawal: '0.000000000000000001', maxWithdrawal: '1,000' }), 4);
    expect(errors).toEqual({});
    expect(body).toMatchObject({ coin: 'BTC', network: 'BTC', decimals: 18, minWithdrawal: '0.000000000000000001', maxWithdrawal: '1000', rowVersion: 4 });
  });

  it('refuses an amount finer than the coin, naming the field', () => {
    expect(coinBody(draft({ minWithdrawal: '0.000000001' })).errors.minWithdrawal).toEqual(['At most 8 decimals for this coin.']);
    expect(coinBody(draft({ decimals: '0', withdrawalFee: '0.5' })).errors.withdrawalFee).toHaveLength(1);
  });

  it('refuses bad keys, decimals and confirmations', () => {
    const { errors } = coinBody(draft({ coin: 'B', network: 'bad net', decimals: '19', requiredConfirmations: '0' }));
    expect(Object.keys(errors).sort()).toEqual(['coin', 'decimals', 'network', 'requiredConfirmations']);
  });

  it('shows a server row as plain decimal text', () => {
    const d = coinDraft({ coin: 'ETH', network: 'ERC20', decimals: 18, minWithdrawal: 1e-7, maxWithdrawal: 200, withdrawalFee: '0.002', requiredConfirmations: 12, depositEnabled: true, withdrawalEnabled: false, rowVersion: 1 });
    expect([d.minWithdrawal, d.maxWithdrawal, d.withdrawalFee, d.withdrawalEnabled]).toEqual(['0.0000001', '200', '0.002', false]);
  });
});

describe('coin journal', () => {
  it('lists the changed fields of an edit, not the version stamp', () => {
    expect(journalChanges({ minWithdrawal: 0.01, rowVersion: 1, decimals: 8 }, { minWithdrawal: 0.02, rowVersion: 2, decimals: 8 })).toEqual(['minWithdrawal: 0.01 → 0.02']);
    expect(journalChanges(null, { minWithdrawal: 1 })).toEqual([]);
  });
});

describe('coin amounts are read as text', () => {
  it('keeps an 18-decimal amount exact where JSON.parse would round it', async () => {
    const { numbersAsText } = await import('../api/client');
    const json = '[{"coin":"ETH","maxWithdrawal":123456789.123456789012345678,"withdrawalFee":0.000000000000000001,"decimals":18,"rowVersion":3}]';
    expect(String(JSON.parse(json)[0].maxWithdrawal)).not.toBe('123456789.123456789012345678');
    const coin = JSON.parse(numbersAsText(json, ['minWithdrawal', 'maxWithdrawal', 'withdrawalFee']))[0];
    expect(coin.maxWithdrawal).toBe('123456789.123456789012345678');
    expect(coin.withdrawalFee).toBe('0.000000000000000001');
    expect(coin.decimals).toBe(18);
    expect(coin.rowVersion).toBe(3);
  });

  it('leaves other keys, nested journal values and escaped text alone', async () => {
    const { numbersAsText } = await import('../api/client');
    const json = '{"items":[{"before":{"maxWithdrawal": 1.5},"reason":"set \\"maxWithdrawal\\": 2","total":7}]}';
    const parsed = JSON.parse(numbersAsText(json, ['maxWithdrawal']));
    expect(parsed.items[0].before.maxWithdrawal).toBe('1.5');
    expect(parsed.items[0].reason).toBe('set "maxWithdrawal": 2');
    expect(parsed.items[0].total).toBe(7);
  });
});
