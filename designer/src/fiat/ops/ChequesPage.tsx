// Check Printing: the records paid by cheque; select, enter each cheque number, print (first print) or reprint in bulk
// → one PDF, a page per cheque. The server refuses per item (items[i]) and counts the prints.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorBox, Notice, StatusBadge, fmtDate } from '../../common/ui';
import { formatMoney } from '../../lib/money';
import { chequesApi, printCheques } from './api';
import { OpsNav } from './common';
import { chequeNumberErrors, itemErrors } from './logic';

export function ChequesPage() {
  const qc = useQueryClient();
  const [printed, setPrinted] = useState<'' | 'true' | 'false'>('');
  const list = useQuery({ queryKey: ['fiat-cheques', printed], queryFn: () => chequesApi.list(printed === '' ? undefined : printed === 'true') });
  const [numbers, setNumbers] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const rows = list.data?.items ?? [];
  const selected = Object.keys(numbers);
  const server = itemErrors(error, selected);

  const toggle = (recordNo: string, chequeNo: string | null) => {
    const next = { ...numbers };
    if (recordNo in next) delete next[recordNo];
    else next[recordNo] = chequeNo ?? '';
    setNumbers(next);
  };
  const print = async (kind: 'print' | 'reprint') => {
    setError(null);
    setDone(null);
    const bad = chequeNumberErrors(numbers);
    setLocal(bad);
    if (Object.keys(bad).length) return;
    setBusy(true);
    try {
      const file = await printCheques(kind, selected.map((recordNo) => ({ recordNo, chequeNo: numbers[recordNo].trim() })));
      setDone(`${kind === 'print' ? 'Printed' : 'Reprinted'} ${selected.length} cheque(s): ${file}.`);
      setNumbers({});
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      await qc.invalidateQueries({ queryKey: ['fiat-cheques'] });
    }
  };

  return (
    <div className="page" data-testid="fiat-cheques-page">
      <OpsNav />
      <div className="row spread">
        <h2>Check Printing</h2>
        <label>Show
          <select value={printed} onChange={(e) => setPrinted(e.target.value as typeof printed)} data-testid="cheques-filter">
            <option value="">All</option><option value="false">Not printed</option><option value="true">Printed</option>
          </select>
        </label>
      </div>
      <div className="row" role="toolbar" aria-label="Print cheques">
        <span className="muted">{selected.length} selected</span>
        <button className="btn btn-primary btn-sm" disabled={!selected.length || busy} onClick={() => void print('print')} data-testid="cheques-print">OK to Print</button>
        <button className="btn btn-sm" disabled={!selected.length || busy} onClick={() => void print('reprint')} data-testid="cheques-reprint">Reprint</button>
      </div>
      {done && <Notice kind="success" onClose={() => setDone(null)} testId="cheques-done">{done}</Notice>}
      {Object.keys(server).length === 0 && <ErrorBox error={error ?? list.error} />}
      {Object.keys(server).length > 0 && <p className="field-error" role="alert" data-testid="cheques-refused">Nothing was printed: see the marked cheques.</p>}
      <table className="table compact" aria-label="Cheques" data-testid="fiat-cheques">
        <thead><tr><th><span className="sr-only">Select</span></th><th>Record no</th><th>Payee</th><th className="num">Amount</th><th>Status</th><th>Cheque no</th><th className="num">Print count</th><th>Last printed</th></tr></thead>
        <tbody>
          {rows.map((c) => {
            const on = c.recordNo in numbers;
            const problem = local[c.recordNo] ?? server[c.recordNo];
            return (
              <tr key={c.recordNo} data-testid={`fiat-cheque-${c.recordNo}`}>
                <td><input type="checkbox" aria-label={`Select ${c.recordNo}`} checked={on} onChange={() => toggle(c.recordNo, c.chequeNo)} /></td>
                <td>{c.recordNo}</td>
                <td>{c.payee}</td>
                <td className="num">{formatMoney(c.amount, c.currency)}</td>
                <td><StatusBadge status={c.status} /></td>
                <td>
                  {on ? (
                    <>
                      <input aria-label={`Cheque number for ${c.recordNo}`} inputMode="numeric" value={numbers[c.recordNo]} aria-invalid={!!problem}
                        onChange={(e) => setNumbers({ ...numbers, [c.recordNo]: e.target.value })} data-testid="cheque-no" />
                      {problem && <div className="field-error" data-testid="cheque-error">{problem}</div>}
                    </>
                  ) : <span data-testid="cheque-no-text">{c.chequeNo ?? '—'}</span>}
                </td>
                <td className="num" data-testid="print-count">{c.printCount}</td>
                <td>{c.lastPrintedAt ? `${fmtDate(c.lastPrintedAt)} by ${c.lastPrintedBy ?? '—'}` : '—'}</td>
              </tr>
            );
          })}
          {list.data && rows.length === 0 && <tr><td colSpan={8} className="empty">No cheque withdrawals.</td></tr>}
        </tbody>
      </table>
    </div>
  );
}
