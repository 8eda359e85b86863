import { describe, expect, it } from 'vitest';
import type { ActivityDescriptor } from '../api/models';
import { paletteGroups } from './palette';

const d = (type: string, category: string, displayName = type): ActivityDescriptor =>
  ({ type, category, displayName, inputs: [], outputs: [], outcomes: [], dynamicOutcomes: null, isWaitState: false }) as ActivityDescriptor;

describe('palette order', () => {
  const all = [d('CheckCoinWithdrawal', 'Crypto', 'Check coin withdrawal'), d('SetVariables', 'Data', 'Set variables'), d('SetStatus', 'Data', 'Set status'), d('End', 'Flow'), d('Start', 'Flow'), d('Decision', 'Flow'), d('UserTask', 'Human', 'User task'), d('Timer', 'Time'), d('LoadTradingAccount', 'Withdrawals', 'Load trading account'), d('SendBankPayout', 'Fiat', 'Send bank payout')];
  it('puts User task first, common steps before the rare ones, business families last', () => {
    const groups = paletteGroups(all);
    expect(groups.map(([c]) => c)).toEqual(['Human', 'Flow', 'Data', 'Time', 'Crypto', 'Fiat', 'Withdrawals']);
    expect(groups[0][1][0].type).toBe('UserTask');
    expect(groups[1][1].map((x) => x.type)).toEqual(['Decision', 'End', 'Start']);
    expect(groups[2][1].map((x) => x.type)).toEqual(['SetStatus', 'SetVariables']);
  });
  it('filters by name, type or family', () => {
    expect(paletteGroups(all, 'fiat').map(([c]) => c)).toEqual(['Fiat']);
    expect(paletteGroups(all, 'status').flatMap(([, l]) => l.map((x) => x.type))).toEqual(['SetStatus']);
  });
});
