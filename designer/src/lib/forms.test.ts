import { describe, expect, it } from 'vitest';
import type { TaskActionDef, WorkflowDefinition } from '../api/models';
import { compareDecimal, decimalOfNumber, formatDecimal, parseDecimal, toJsonNumber } from './decimal';
import { buildSubmission, checkActionForm, dryRunBody, sampleInput, checkField, commentMode, currencyScale, fieldErrors, formFields, needsDialog, setProp } from './forms';
import { definitionToGraph, descriptorMap, graphToDefinition } from './graph';
import { descriptors, wd } from './fixtures';

const d = (s: string) => parseDecimal(s)!;

describe('decimal text', () => {
  it('parses typed decimals and refuses anything else', () => {
    expect(formatDecimal(d('0012.500'))).toBe('12.5');
    expect(formatDecimal(d('-0.0'))).toBe('0');
    for (const bad of ['1e3', '1,5', '12.', '.5', '0x10', 'NaN', '', '1 000']) expect(parseDecimal(bad)).toBeNull();
  });
  it('compares by digits, not doubles', () => {
    expect(compareDecimal(d('0.3'), d('0.1'))).toBe(1);
    expect(compareDecimal(d('-2'), d('-10'))).toBe(1);
    expect(compareDecimal(d('100000000.01'), d('100000000.010'))).toBe(0);
    // 0.1 + 0.2 style drift cannot happen: 0.30000000000000001 is above 0.3 by digits
    expect(compareDecimal(d('0.30000000000000001'), d('0.3'))).toBe(1);
  });
  it('expands bounds written with exponents', () => {
    expect(formatDecimal(decimalOfNumber(1e-7)!)).toBe('0.0000001');
    expect(formatDecimal(decimalOfNumber(1.5e21)!)).toBe('1500000000000000000000');
    expect(formatDecimal(decimalOfNumber(-250.75)!)).toBe('-250.75');
  });
  it('makes a JSON number only when the digits survive exactly', () => {
    expect(toJsonNumber(d('12.34'))).toBe(12.34);
    expect(JSON.stringify({ fee: toJsonNumber(d('99999999999.9999')) })).toBe('{"fee":99999999999.9999}');
    expect(toJsonNumber(d('1234567890.1234567'))).toBeNull();
  });
});

describe('field rules (as the server checks them)', () => {
  const fee = { name: 'fee', type: 'number' as const, required: true, minimum: 0, maximum: 1000, scale: 2, label: 'Fee' };
  it('types: a number is a JSON number, never the text', () => {
    expect(checkField(fee, '12.50')).toEqual({ ok: true, value: 12.5 });
    expect(checkField(fee, 'twelve')).toMatchObject({ ok: false });
    expect(checkField({ name: 'ok', type: 'boolean' }, 'true')).toEqual({ ok: true, value: true });
    expect(checkField({ name: 'when', type: 'datetime' }, '2026-12-01T10:00:00Z')).toEqual({ ok: true, value: '2026-12-01T10:00:00.000Z' });
    expect(checkField({ name: 'when', type: 'datetime' }, 'soon')).toMatchObject({ ok: false });
  });
  it('required: empty is refused when required, left out otherwise', () => {
    expect(checkField(fee, '  ')).toEqual({ ok: false, error: 'Fee is required.' });
    expect(checkField({ ...fee, required: false }, '')).toEqual({ ok: true, value: undefined });
  });
  it('minimum, maximum and exclusive minimum compare the digits', () => {
    expect(checkField(fee, '-0.01')).toEqual({ ok: false, error: 'Fee must be at least 0.' });
    expect(checkField(fee, '1000.00')).toEqual({ ok: true, value: 1000 });
    expect(checkField(fee, '1000.01')).toEqual({ ok: false, error: 'Fee must be at most 1000.' });
    const amount = { name: 'amount', type: 'number' as const, exclusiveMinimum: 0 };
    expect(checkField(amount, '0')).toMatchObject({ ok: false, error: 'amount must be more than 0.' });
    expect(checkField(amount, '0.0000001')).toEqual({ ok: true, value: 1e-7 });
  });
  it('scale: at most N decimals, trailing zeros do not count', () => {
    expect(checkField(fee, '1.234')).toEqual({ ok: false, error: 'Fee may have at most 2 decimal places.' });
    expect(checkField(fee, '1.230')).toEqual({ ok: true, value: 1.23 });
    expect(checkField({ ...fee, scale: 0 }, '1.5')).toEqual({ ok: false, error: 'Fee must be a whole number.' });
  });
  it('currencyInput: the currency minor units bound the decimals', () => {
    expect(currencyScale('JPY')).toBe(0);
    expect(currencyScale('USD')).toBe(2);
    const amt = { name: 'amount', type: 'number' as const, currencyInput: 'currency' };
    expect(checkField(amt, '10.5', { currency: 'JPY' })).toMatchObject({ ok: false });
    expect(checkField(amt, '10.55', { currency: 'USD' })).toEqual({ ok: true, value: 10.55 });
    expect(checkField(amt, '10.555', { currency: 'USD' })).toMatchObject({ ok: false });
  });
  it('length, enum and pattern on text', () => {
    const ref = { name: 'ref', minLength: 2, maxLength: 4, pattern: '[A-Z]+' };
    expect(checkField(ref, 'A')).toMatchObject({ ok: false, error: 'ref needs at least 2 characters.' });
    expect(checkField(ref, 'ABCDE')).toMatchObject({ ok: false, error: 'ref may have at most 4 characters.' });
    expect(checkField(ref, 'AB1')).toMatchObject({ ok: false, error: 'ref does not have the expected format.' });
    // the pattern must match the whole text, as on the server
    expect(checkField({ name: 'p', pattern: '\\d' }, '12')).toMatchObject({ ok: false });
    expect(checkField(ref, 'ABC')).toEqual({ ok: true, value: 'ABC' });
    expect(checkField({ name: 'kind', enum: ['Wire', 'Card'] }, 'Cash')).toMatchObject({ ok: false });
    expect(checkField({ name: 'n', type: 'number', enum: ['1.5', '2'] }, '1.50')).toEqual({ ok: true, value: 1.5 });
  });
});

describe('the action body', () => {
  const action = {
    name: 'PassToBackoffice',
    requiredFields: ['comment'],
    comment: 'optional' as const,
    fields: [
      { name: 'fee', type: 'number' as const, required: true, minimum: 0, scale: 2 },
      { name: 'note', type: 'string' as const },
    ],
  };
  it('sends only declared fields, numbers as numbers, empty optional ones left out', () => {
    const s = buildSubmission(action, { fee: '12.50', note: '', transactions: '[]', status: 'Completed' }, '');
    expect(s.errors).toEqual({});
    expect(s.data).toEqual({ fee: 12.5 });
    expect(JSON.stringify(s.data)).toBe('{"fee":12.5}');
    expect(s.comment).toBeUndefined();
  });
  it('the comment mode wins over legacy requiredFields; none sends no comment', () => {
    expect(commentMode(action)).toBe('optional');
    expect(commentMode({ name: 'x', requiredFields: ['comment'] })).toBe('required');
    expect(commentMode({ name: 'x' })).toBe('optional');
    expect(buildSubmission({ name: 'x', comment: 'none' }, {}, 'typed').comment).toBeUndefined();
    expect(buildSubmission({ name: 'x', comment: 'required' }, {}, ' ').errors).toEqual({ comment: 'A comment is required.' });
  });
  it('refuses what the server would refuse, by field', () => {
    expect(buildSubmission(action, { fee: '1.005' }, '').errors).toEqual({ fee: 'fee may have at most 2 decimal places.' });
  });
  it('keeps the legacy behaviour for actions without fields', () => {
    const legacy = { name: 'Approve', requiredFields: ['comment', 'fee'] };
    expect(formFields(legacy).map((f) => [f.name, f.type])).toEqual([['fee', 'number']]);
    expect(buildSubmission(legacy, { fee: '0' }, 'ok')).toEqual({ comment: 'ok', data: { fee: 0 }, errors: {} });
    expect(needsDialog({ name: 'PassToRetention', requiredFields: [] })).toBe(false);
    expect(needsDialog({ name: 'Reject', requiredFields: ['comment'] })).toBe(true);
    expect(needsDialog({ name: 'Pass', requiredFields: [], fields: [{ name: 'fee', type: 'number' }] })).toBe(true);
  });
  it('takes the server view of a field, absent constraints as null', () => {
    const view = {
      name: 'PassToBackoffice', requiredFields: [], comment: 'optional' as const,
      fields: [{ name: 'fee', type: 'number' as const, required: false, label: 'Fee', description: null, minimum: 0, maximum: null, exclusiveMinimum: null, scale: null,
        minLength: null, maxLength: null, pattern: null, enum: null, format: null, currencyInput: 'currency', validationMessage: 'The fee must be less than the requested amount.' }],
    };
    expect(buildSubmission(view, { fee: '' }, '', { currency: 'USD' })).toEqual({ errors: {} });
    expect(buildSubmission(view, { fee: '2.001' }, '', { currency: 'USD' }).errors).toEqual({ fee: 'Fee may have at most 2 decimal places.' });
    expect(buildSubmission(view, { fee: '-1' }, '', { currency: 'USD' }).errors).toEqual({ fee: 'Fee must be at least 0.' });
    expect(buildSubmission(view, { fee: '2.5' }, '', { currency: 'USD' }).data).toEqual({ fee: 2.5 });
  });
  it('puts 422 errors at their fields', () => {
    const { byField, rest } = fieldErrors({ 'data.fee': ['The fee must be below the amount.'], '$.data.note': ['too long'], comment: ['required'], 'data.transactions': ['not a field of the action'] }, ['fee', 'note']);
    expect(byField).toEqual({ fee: ['The fee must be below the amount.'], note: ['too long'], comment: ['required'] });
    expect(rest).toEqual({ 'data.transactions': ['not a field of the action'] });
  });
});

describe('the action form in the definition', () => {
  const def = (): WorkflowDefinition => ({
    ...wd(),
    variables: [{ name: 'fee', type: 'number' }, { name: 'transactions', type: 'list', readOnly: true }],
  });
  it('flags min > max, unknown and read-only targets, type mismatches', () => {
    const a: TaskActionDef = {
      name: 'Pass', displayName: 'Pass',
      fields: [
        { name: 'fee', type: 'number', minimum: 10, maximum: 5 },
        { name: 'x', type: 'string', variable: 'nope' },
        { name: 'transactions', type: 'string' },
        { name: 'feeText', type: 'string', variable: 'fee', scale: 2 },
      ],
      differentFrom: ['@starter', 'cs', 'start'],
    };
    const issues = checkActionForm(a, def());
    const at = (i: number, p: string) => issues.filter((x) => x.field === i && x.property === p).map((x) => x.message);
    expect(at(0, 'maximum')).toEqual(['The minimum is greater than the maximum.']);
    expect(at(1, 'variable')[0]).toMatch(/does not declare/);
    expect(at(2, 'variable')[0]).toMatch(/read-only/);
    expect(at(3, 'variable')[0]).toMatch(/is a number, the field a string/);
    expect(at(3, 'scale')).toEqual(['scale applies to numbers only.']);
    expect(issues.filter((x) => x.property === 'differentFrom').map((x) => x.message)).toEqual(['"start" is not a user task of this flow.']);
    expect(checkActionForm({ name: 'Ok', displayName: 'Ok', fields: [{ name: 'fee', type: 'number', minimum: 0, maximum: 5 }] }, def())).toEqual([]);
  });
  it('removes emptied properties so an action without forms keeps its JSON', () => {
    const a: TaskActionDef = { name: 'Pass', displayName: 'Pass', permission: 'wd:3' };
    const json = JSON.stringify(a);
    const added = setProp(setProp(a, 'fields', [{ name: 'fee', type: 'number' }]), 'comment', 'required');
    const removed = setProp(setProp(added, 'fields', []), 'comment', undefined);
    expect(JSON.stringify(removed)).toBe(json);
    expect(setProp(a, 'scopes', [])).toBe(a);
  });
  it('round-trips definitions with and without forms through the flowchart', () => {
    const plain = wd();
    const withForms = def();
    const cs = withForms.activities.find((x) => x.id === 'cs')!;
    cs.inputs = {
      ...cs.inputs,
      actions: [
        { name: 'PassToRetention', displayName: 'Pass', comment: 'none', scopes: ['wd:client-cancel'], differentFrom: ['@starter'],
          fields: [{ name: 'fee', type: 'number', required: true, label: 'Fee', minimum: 0, exclusiveMinimum: 0, scale: 2, currencyInput: 'currency',
            validation: { expression: 'value < amount', message: 'Below the amount.' }, enum: ['1', '2'], description: 'd', variable: 'fee' }] },
        { name: 'Reject', displayName: 'Reject', requiredFields: ['comment'] },
      ],
    };
    for (const x of [plain, withForms]) {
      const text = JSON.stringify(x);
      const { nodes, edges } = definitionToGraph(x, descriptorMap(descriptors));
      expect(JSON.stringify(graphToDefinition(x, nodes, edges))).toBe(text);
    }
  });
});

describe('dry-run sample input', () => {
  it('meets the start inputs constraints', () => {
    const input = sampleInput([
      { name: 'requestedAmount', type: 'number', required: true, exclusiveMinimum: 0, maximum: 100000000, currencyInput: 'currency' },
      { name: 'currency', type: 'string', required: true, format: 'currency' },
      { name: 'paymentType', type: 'string', enum: ['CreditCard', 'WireTransfer'] },
      { name: 'coin', type: 'string', pattern: '^[A-Z0-9]{2,10}$', maxLength: 10 },
      { name: 'small', type: 'number', maximum: 5, minimum: 2 },
      { name: 'code', type: 'string', maxLength: 3 },
      { name: 'ok', type: 'boolean' },
    ]);
    expect(input).toEqual({ requestedAmount: 100, currency: 'USD', paymentType: 'CreditCard', coin: 'SAMPLE', small: 2, code: 'sam', ok: false });
  });
});

describe('dry-run action body', () => {
  it('fills required fields with values they accept and the comment when required', () => {
    expect(dryRunBody({ name: 'Approve', requiredFields: ['comment', 'fee'] }, '')).toEqual({ comment: 'dry run', data: { fee: 0 } });
    expect(dryRunBody({ name: 'Pass', comment: 'none', fields: [{ name: 'amount', type: 'number', required: true, exclusiveMinimum: 0 }, { name: 'note', required: false }] }, 'typed'))
      .toEqual({ comment: undefined, data: { amount: 1 } });
    expect(dryRunBody({ name: 'Pass', comment: 'optional', fields: [{ name: 'fee', type: 'number', required: false }] }, '')).toEqual({ comment: undefined, data: undefined });
  });
});
