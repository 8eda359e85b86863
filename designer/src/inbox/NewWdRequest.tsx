import { useState } from 'react';
import { Modal } from '../common/ui';
import { Field, useChange } from '../fiat/forms';
import { navigate } from '../router';
import { WD_CREATE_FIELDS, checkWdCreate, emptyWdCreateDraft, wdCreateBody } from '../lib/wdcreate';
import type { WdCreateDraft, WdCreateField } from '../lib/wdcreate';
import { createWd } from './api';

/**
 * CS enters a withdrawal request for a customer (POST /api/wd-requests). The server reads the account from the
 * trading platform and judges the amount against the available amount; its 422 messages go next to the fields they
 * name. On success the new request's task opens.
 */
export function NewWdRequest({ onClose }: { onClose: () => void }) {
  const [d, setD] = useState<WdCreateDraft>(emptyWdCreateDraft);
  const [local, setLocal] = useState<Record<string, string[]>>({});
  // one id per opened form: a double click or a retry after a lost answer does not create a second request
  const [correlationId] = useState(() => `ui-${crypto.randomUUID()}`);
  const [createdWithoutTask, setCreatedWithoutTask] = useState<string | null>(null);
  const change = useChange([...WD_CREATE_FIELDS], ['tasks']);
  const errors = { ...change.byField, ...local };
  const set = (p: Partial<WdCreateDraft>) => setD({ ...d, ...p });
  const text = (name: WdCreateField, label: string, extra: { inputMode?: 'decimal'; placeholder?: string } = {}) => (
    <Field label={label} name={name} errors={errors} testId={`wd-new-${name}`}>
      {(a) => <input {...a} {...extra} value={d[name]} onChange={(e) => set({ [name]: e.target.value })} data-testid={`wd-new-${name}`} />}
    </Field>
  );
  const submit = async () => {
    const problems = checkWdCreate(d) as Record<string, string[]>;
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const card = await change.run(() => createWd(wdCreateBody(d, correlationId)));
    if (!card) return;
    if (card.taskId) navigate(`/inbox/tasks/${encodeURIComponent(card.taskId)}`);
    else setCreatedWithoutTask(`${card.id} — ${card.status}`);
  };
  return (
    <Modal title="New WD request" onClose={onClose} testId="wd-new-dialog"
      footer={<>
        <button className="btn btn-ghost" onClick={onClose}>{createdWithoutTask ? 'Close' : 'Cancel'}</button>
        <button className="btn btn-primary" disabled={change.busy || !!createdWithoutTask} onClick={() => void submit()} data-testid="wd-new-save">{change.busy ? 'Creating…' : 'Create request'}</button>
      </>}>
      {createdWithoutTask && <p className="alert alert-success" role="status" data-testid="wd-new-created">Created {createdWithoutTask}</p>}
      {change.status}
      <form className="row wrap" aria-label="WD request" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        {text('customerId', 'Customer number')}
        {text('tradingAccount', 'Trading account')}
        {text('requestedAmount', 'Amount', { inputMode: 'decimal', placeholder: 'e.g. 1250.50' })}
        {text('currency', 'Currency')}
        <Field label="Comment" name="comment" errors={errors} testId="wd-new-comment">
          {(a) => <textarea {...a} rows={3} maxLength={2000} value={d.comment} onChange={(e) => set({ comment: e.target.value })} data-testid="wd-new-comment" />}
        </Field>
      </form>
    </Modal>
  );
}
