import { describe, expect, it } from 'vitest';
import { amountInput, canEditWdTransactions, canExportWd, emptyDraft, exportFileName, isWireTransfer, parseAmount, problemFieldErrors, txBody, validateTx } from './wdtx';

describe('WD transaction helpers', () => {
  it('parses amounts', () => {
    expect(parseAmount('1250.5')).toBe('1250.5');
    expect(parseAmount(' 1 250,50 ')).toBe('1250.5');
    expect(parseAmount('1,250.50')).toBe('1250.5');
    expect(parseAmount('1,250')).toBe('1250');
    expect(parseAmount('12,5')).toBe('12.5');
    // decimal text, not a double: digits a double would lose stay
    expect(parseAmount('12345678901234567.89')).toBe('12345678901234567.89');
    expect(parseAmount('abc')).toBeNull();
    expect(parseAmount('')).toBeNull();
    expect(parseAmount('1e5')).toBeNull();
  });
  it('requires bank details for wire transfers only', () => {
    expect(isWireTransfer('WireTransfer')).toBe(true);
    expect(isWireTransfer('SettlementWireTransfer')).toBe(true);
    expect(isWireTransfer('CreditCard')).toBe(false);
    const wire = { ...emptyDraft(), amount: '100', paymentType: 'WireTransfer' };
    expect(validateTx(wire).bankDetails).toMatch(/required for wire transfers/);
    expect(validateTx({ ...wire, bankDetails: '   ' }).bankDetails).toBeDefined();
    expect(validateTx({ ...wire, bankDetails: 'IBAN DE00 1234' })).toEqual({});
    expect(validateTx({ ...wire, paymentType: 'SettlementWireTransfer' }).bankDetails).toBeDefined();
    expect(validateTx({ ...wire, paymentType: 'CreditCard' })).toEqual({});
  });
  it('validates amount and payment type', () => {
    expect(validateTx(emptyDraft()).amount).toMatch(/Enter an amount/);
    expect(validateTx({ ...emptyDraft(), amount: '0' }).amount).toMatch(/greater than zero/);
    expect(validateTx({ ...emptyDraft(), amount: '-3' }).amount).toMatch(/greater than zero/);
    expect(validateTx({ ...emptyDraft(), amount: 'x' }).amount).toMatch(/number/);
    expect(validateTx({ ...emptyDraft(), amount: '0.000' }).amount).toMatch(/greater than zero/);
    expect(validateTx({ ...emptyDraft(), amount: '12345678901234567.89' }).amount).toMatch(/more digits/);
    expect(validateTx({ ...emptyDraft(), amount: '5', paymentType: 'Fee' }).paymentType).toBeDefined();
  });
  it('builds the request body', () => {
    expect(txBody({ amount: '1 000.25', paymentType: 'CreditCard', oct: true, bankDetails: '  ' }, 7)).toEqual({ amount: 1000.25, paymentType: 'CreditCard', oct: true, bankDetails: null, expectedVersion: 7 });
    expect(txBody({ amount: '3', paymentType: 'WireTransfer', oct: false, bankDetails: ' X ' })).toEqual({ amount: 3, paymentType: 'WireTransfer', oct: false, bankDetails: 'X' });
    expect(parseAmount(amountInput(1234.5))).toBe('1234.5');
    // the stored amount's own digits: neither rounded to 8 places nor written with an exponent
    expect(amountInput(0.123456789)).toBe('0.123456789');
    expect(amountInput(0.00000001)).toBe('0.00000001');
  });
  it('maps problem errors to fields', () => {
    const r = problemFieldErrors({ detail: 'Invalid', errors: { BankDetails: ['Bank details are required.'], '$.amount': ['Too big.', 'Really.'], expectedVersion: ['Stale.'], '': ['General.'] } });
    expect(r.fields).toEqual({ bankDetails: 'Bank details are required.', amount: 'Too big. Really.' });
    expect(r.other).toEqual(['expectedVersion: Stale.', 'General.']);
    expect(problemFieldErrors(undefined)).toEqual({ fields: {}, other: [] });
  });
  it('decides who edits and exports', () => {
    const bo = { permissions: ['wd:1', 'wd:4'], rights: [] };
    expect(canEditWdTransactions(bo, { status: 'ApprovedByBackoffice' })).toBe(true);
    expect(canEditWdTransactions(bo, { status: 'InBackoffice' })).toBe(false);
    expect(canEditWdTransactions({ permissions: ['wd:3'] }, { status: 'ApprovedByBackoffice' })).toBe(false);
    expect(canEditWdTransactions(undefined, { status: 'ApprovedByBackoffice' })).toBe(false);
    expect(canExportWd({ rights: ['wd:export'] })).toBe(true);
    expect(canExportWd({ rights: [], permissions: ['wd:export'] })).toBe(false);
    expect(canExportWd({ isSystem: true })).toBe(true);
  });
  it('names the export file', () => {
    expect(exportFileName('attachment; filename="wd.csv"')).toBe('wd.csv');
    expect(exportFileName("attachment; filename=a.csv; filename*=UTF-8''wd%20all.csv")).toBe('wd all.csv');
    expect(exportFileName(null, new Date('2024-05-06T10:00:00Z'))).toBe('wd-requests-2024-05-06.csv');
  });
});

describe('WD card state', () => {
  it('is executing only while not final', async () => {
    const { isExecuting } = await import('./wdtx');
    expect(isExecuting({ executing: true, final: false })).toBe(true);
    expect(isExecuting({ executing: true, final: true })).toBe(false);
    expect(isExecuting({ executing: false, final: false })).toBe(false);
  });
  it('shows no margin level when no margin is used', async () => {
    const { marginLevelText } = await import('./wdtx');
    expect(marginLevelText(null)).toBe('—');
    expect(marginLevelText(95)).toBe('95 %');
  });
});

describe('WD export columns and audit times', () => {
  it('asks for the chosen columns in the grid order, nothing when all are chosen', async () => {
    const { WD_EXPORT_COLUMNS, exportColumnsParam } = await import('./wdtx');
    expect(exportColumnsParam(['requestedAmount', 'id'])).toBe('id,requestedAmount');
    expect(exportColumnsParam(WD_EXPORT_COLUMNS.map((c) => c.name))).toBeUndefined();
    expect(exportColumnsParam([])).toBeNull();
    expect(exportColumnsParam(['balance'])).toBeNull();
  });
  it('shows a stored UTC time in the user time zone', async () => {
    const { fmtInZone } = await import('./wdtx');
    expect(fmtInZone('2026-12-02T14:04:05Z', 'Europe/Berlin')).toContain('15:04:05');
    expect(fmtInZone('2026-12-02T14:04:05Z', 'Asia/Tokyo')).toContain('23:04:05');
    expect(fmtInZone('2026-12-02T23:30:00Z', 'Asia/Tokyo')).toContain('03 Dec 2026');
    expect(fmtInZone('2026-12-02T14:04:05Z', 'UTC')).toContain('14:04:05');
    expect(fmtInZone(null, 'UTC')).toBe('—');
    expect(fmtInZone('yesterday', 'UTC')).toBe('yesterday');
  });
});
