import { describe, expect, it } from 'vitest';
import { newTrigger, triggerKind, withInput, withKind } from './triggers';

describe('start triggers in the flow panel', () => {
  it('a new trigger has only the fields of its kind', () => {
    expect(newTrigger('event')).toEqual({ event: '', correlation: '' });
    expect(newTrigger('cron')).toEqual({ cron: '', timeZone: 'UTC' });
  });

  it('switching kind keeps the id and inputs and drops the other kind', () => {
    const t = { id: 'nightly', event: 'PaymentReceived', correlation: 'event.ref', input: { amount: 'event.amount' } };
    const cron = withKind(t, 'cron');
    expect(cron).toEqual({ id: 'nightly', input: { amount: 'event.amount' }, cron: '', timeZone: 'UTC' });
    expect(triggerKind(cron)).toBe('cron');
    expect(triggerKind(withKind(cron, 'event'))).toBe('event');
  });

  it('a blank input expression removes the mapping, and the last one removes input', () => {
    const t = withInput(newTrigger('event'), 'amount', 'event.amount');
    expect(t.input).toEqual({ amount: 'event.amount' });
    expect(withInput(t, 'amount', '  ')).toEqual({ event: '', correlation: '' });
  });
});
