import { describe, expect, it } from 'vitest';
import type { ActivityDescriptor, WaitKind } from '../api/models';
import { controlFor, parseObject, resultOutcomes, resumeFor, sampleOutputs, withRawJson } from './dryrun';

const job = { type: 'LoadCoinFacts', outcomes: ['Done'], inputs: [], outputs: [], isWaitState: true } as unknown as ActivityDescriptor;
const call = { type: 'CallWorkflow', outcomes: ['Completed', 'Cancelled'], dynamicOutcomes: 'outcomes', inputs: [], outputs: [], isWaitState: true } as unknown as ActivityDescriptor;

describe('dry-run waits', () => {
  it('offers a control for every wait kind the server writes, in its own spelling', () => {
    const kinds: WaitKind[] = ['Timer', 'Event', 'Job', 'Child'];
    expect(kinds.map(controlFor)).toEqual(['fire', 'send', 'result', 'result']);
    expect(controlFor('Task')).toBe('none');
    // the bug of issue 14: the panel compared with 'job'
    expect(() => controlFor('job' as WaitKind)).toThrow(/wait kind job/);
  });

  it('resumes a job and a child with the picked outcome and the kind the server accepts', () => {
    const id = '00000000-0000-0000-0000-000000000001';
    expect(resumeFor({ kind: 'Job', bookmarkId: id, eventName: null }, 'Refused')).toEqual({ kind: 'job', bookmarkId: id, outcome: 'Refused' });
    expect(resumeFor({ kind: 'Child', bookmarkId: id, eventName: null }, 'Approved')).toEqual({ kind: 'child', bookmarkId: id, outcome: 'Approved' });
    expect(resumeFor({ kind: 'Timer', bookmarkId: id, eventName: null })).toEqual({ kind: 'timer', bookmarkId: id });
    expect(resumeFor({ kind: 'Event', bookmarkId: id, eventName: 'BlockConfirmations' })).toEqual({ kind: 'event', bookmarkId: id, eventName: 'BlockConfirmations' });
  });

  it('lists the results an outside call or child can end with: its outcomes, then connected ones, default first', () => {
    const broadcast = { id: 'broadcast', inputs: {} };
    const conns = [{ source: 'broadcast', outcome: 'Broadcast' }, { source: 'broadcast', outcome: 'Refused' }, { source: 'other', outcome: 'X' }];
    expect(resultOutcomes(broadcast, job, conns, 'Job')).toEqual(['Done', 'Broadcast', 'Refused']);
    const workOrder = { id: 'workOrder', inputs: { outcomes: ['Approved', 'Rejected'] } };
    expect(resultOutcomes(workOrder, call, [{ source: 'workOrder', outcome: 'Approved' }], 'Child')).toEqual(['Approved', 'Rejected', 'Completed', 'Cancelled']);
    expect(resultOutcomes(undefined, undefined, [], 'Child')).toEqual(['Completed']);
  });

  it('samples outputs by their declared type and leaves "any" for the analyst', () => {
    const text = sampleOutputs([
      { name: 'coinConfigured', type: 'boolean', description: '' },
      { name: 'minWithdrawal', type: 'number', description: '' },
      { name: 'txId', type: 'string', description: '' },
      { name: 'verifiedAddresses', type: 'any', description: '' },
    ]);
    expect(JSON.parse(text)).toEqual({ coinConfigured: false, minWithdrawal: 0, txId: '', verifiedAddresses: null });
    expect(sampleOutputs(undefined)).toBe('{}');
  });

  it('accepts only a JSON object (or nothing) as outputs or payload', () => {
    expect(parseObject('', 'The outputs')).toEqual({ ok: true });
    expect(parseObject('{"a": 1}', 'The outputs')).toEqual({ ok: true });
    expect(parseObject('[1]', 'The outputs')).toMatchObject({ ok: false, message: expect.stringContaining('JSON object') });
    expect(parseObject('{a:', 'The payload')).toMatchObject({ ok: false, message: expect.stringContaining('not valid JSON') });
  });

  it('sends typed JSON byte for byte: an 18-decimal amount is not rounded through a double', () => {
    const body = { definition: { id: 'x' }, resume: { kind: 'job', outcome: 'Done' } };
    const text = withRawJson(body, ['resume', 'outputs'], ' {"amount": 0.123456789012345678} ');
    expect(text).toBe('{"definition":{"id":"x"},"resume":{"kind":"job","outcome":"Done","outputs":{"amount": 0.123456789012345678}}}');
    expect(JSON.stringify(JSON.parse(text).resume.outputs)).not.toContain('0.123456789012345678');
    // nothing typed: the key is left out; the body itself is not changed
    expect(withRawJson(body, ['resume', 'outputs'], '  ')).toBe(JSON.stringify(body));
    expect(body.resume).toEqual({ kind: 'job', outcome: 'Done' });
  });
});
