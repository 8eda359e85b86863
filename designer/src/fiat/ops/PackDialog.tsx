// Pack for arrangement: the selected records, any of them removed before submitting, packed into one batch. The server
// checks each record (status, single limit, currency, client bank, other batches); its 422 names the records, shown
// on their rows.
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ErrorBox, Modal, Notice } from '../../common/ui';
import { formatMoney } from '../../lib/money';
import { Link } from '../../router';
import type { FiatRecord } from '../opsApi';
import { batchesApi } from './api';
import type { FiatBatch } from './api';
import { packGroup, recordErrors } from './logic';

export function PackDialog({ records, onClose }: { records: FiatRecord[]; onClose: (packed?: FiatBatch) => void }) {
  const qc = useQueryClient();
  const [kept, setKept] = useState<FiatRecord[]>(records);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [batch, setBatch] = useState<FiatBatch | null>(null);
  const group = packGroup(kept);
  const sent = kept.map((r) => r.recordNo);
  const perRecord = recordErrors(error, sent);

  const pack = async () => {
    setBusy(true);
    setError(null);
    try {
      setBatch(await batchesApi.pack(sent));
      await qc.invalidateQueries({ queryKey: ['fiat-records'] });
      await qc.invalidateQueries({ queryKey: ['fiat-cards'] });
      await qc.invalidateQueries({ queryKey: ['fiat-batches'] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="Pack for arrangement" onClose={() => onClose(batch ?? undefined)} testId="fiat-pack-dialog"
      footer={batch
        ? <button className="btn btn-primary" onClick={() => onClose(batch)}>Close</button>
        : <>
          <button className="btn btn-ghost" onClick={() => onClose()}>Cancel</button>
          <button className="btn btn-primary" disabled={busy || 'error' in group} onClick={() => void pack()} data-testid="fiat-pack-submit">
            Pack {kept.length} record{kept.length === 1 ? '' : 's'}
          </button>
        </>}>
      {batch ? (
        <Notice kind={batch.refused?.length ? 'warning' : 'success'} testId="fiat-pack-done">
          Packed <Link to={`/inbox/fiat/ops/batches/${encodeURIComponent(batch.id)}`} data-testid="fiat-pack-batch">{batch.id}</Link>: {batch.count} records,
          {' '}{formatMoney(batch.total, batch.currency)}; it waits for its work order.
          {!!batch.refused?.length && <ul>{batch.refused.map((r) => <li key={r.record}>{r.record}: {r.error}</li>)}</ul>}
        </Notice>
      ) : (
        <>
          {'error' in group ? <p className="field-error" data-testid="fiat-pack-hint">{group.error}</p>
            : <p className="muted">One batch of {group.channel}, {group.currency}: one work order and one bank file.</p>}
          <table className="table compact" aria-label="Records to pack" data-testid="fiat-pack-records">
            <thead><tr><th>Record no</th><th className="num">Amount</th><th>Channel</th><th>Status</th><th>Problem</th><th><span className="sr-only">Remove</span></th></tr></thead>
            <tbody>
              {kept.map((r) => (
                <tr key={r.recordNo} data-testid={`fiat-pack-${r.recordNo}`} className={perRecord.byRecord[r.recordNo] ? 'row-error' : ''}>
                  <td>{r.recordNo}</td>
                  <td className="num">{formatMoney(r.amount, r.currency)}</td>
                  <td>{r.channel ?? '—'}</td>
                  <td>{r.status}</td>
                  <td className="field-error" data-testid="problem">{perRecord.byRecord[r.recordNo]?.join(' ')}</td>
                  <td><button className="btn btn-sm btn-ghost" onClick={() => { setKept(kept.filter((k) => k !== r)); setError(null); }}
                    aria-label={`Remove ${r.recordNo} from the batch`} data-testid="remove">Remove</button></td>
                </tr>
              ))}
            </tbody>
          </table>
          {error !== null && Object.keys(perRecord.byRecord).length === 0 && <ErrorBox error={error} />}
          {Object.keys(perRecord.byRecord).length > 0 && (
            <p className="field-error" role="alert" data-testid="fiat-pack-refused">
              {Object.keys(perRecord.byRecord).length} record(s) cannot be packed; remove them or fix their configuration. Nothing was packed.
            </p>
          )}
        </>
      )}
    </Modal>
  );
}
