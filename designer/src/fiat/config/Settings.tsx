import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ErrorBox, Spinner } from '../../common/ui';
import { fiatConfig } from '../api';
import type { Settings } from '../api';
import { Field, useChange } from '../forms';
import { Check } from './kit';
import { REVIEW_KINDS, REVIEW_LABELS } from './logic';

/** Withdrawal Rules Management › More settings: direct billing under a work order, and the review when no rule holds. */
export function MoreSettings({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['fiat-config', 'settings'], queryFn: fiatConfig.settings });
  if (q.isLoading) return <Spinner label="Loading settings…" />;
  if (!q.data) return <ErrorBox error={q.error} />;
  if (!canEdit) {
    return (
      <dl className="card fiat-kv" aria-label="More settings" data-testid="fiat-settings">
        <dt>Direct billing needs a work order</dt><dd>{q.data.directBillingNeedsApproval ? 'Yes' : 'No'}</dd>
        <dt>When no review rule holds</dt><dd>{REVIEW_LABELS[q.data.defaultReviewKind] ?? q.data.defaultReviewKind}</dd>
      </dl>
    );
  }
  // the editor restarts from the stored values whenever they change (after a save, or a 409's reload)
  return <SettingsEditor key={String(q.data.rowVersion)} settings={q.data} />;
}

function SettingsEditor({ settings }: { settings: Settings }) {
  const [direct, setDirect] = useState(settings.directBillingNeedsApproval);
  const [kind, setKind] = useState(settings.defaultReviewKind);
  const change = useChange(['directBillingNeedsApproval', 'defaultReviewKind', 'rowVersion']);
  const save = () => void change.run(() => fiatConfig.saveSettings({ directBillingNeedsApproval: direct, defaultReviewKind: kind, rowVersion: settings.rowVersion }));
  return (
    <form className="card" aria-label="More settings" data-testid="fiat-settings" onSubmit={(e) => { e.preventDefault(); save(); }}>
      {change.status}
      <Check label="Direct billing needs a work order" checked={direct} onChange={setDirect} />
      <Field label="When no review rule holds" name="defaultReviewKind" errors={change.byField}>
        {(a) => <select {...a} value={kind} onChange={(e) => setKind(e.target.value)}>{REVIEW_KINDS.map((k) => <option key={k} value={k}>{REVIEW_LABELS[k]}</option>)}</select>}
      </Field>
      <button className="btn btn-primary" type="submit" disabled={change.busy} style={{ marginTop: 10 }}>Save settings</button>
    </form>
  );
}
