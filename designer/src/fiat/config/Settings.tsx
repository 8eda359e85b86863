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
  return <SettingsEditor settings={q.data} />;
}

/**
 * Starts from the values first read and keeps what was typed; it saves on the latest rowVersion read, so that after a
 * 409 (shown, with what is stored now) a second Save deliberately writes over the colleague's change.
 */
function SettingsEditor({ settings }: { settings: Settings }) {
  const [direct, setDirect] = useState(settings.directBillingNeedsApproval);
  const [kind, setKind] = useState(settings.defaultReviewKind);
  const change = useChange(['directBillingNeedsApproval', 'defaultReviewKind', 'rowVersion']);
  const save = () => void change.run(() => fiatConfig.saveSettings({ directBillingNeedsApproval: direct, defaultReviewKind: kind, rowVersion: settings.rowVersion }));
  return (
    <form className="card" aria-label="More settings" data-testid="fiat-settings" onSubmit={(e) => { e.preventDefault(); save(); }}>
      {change.status}
      {(direct !== settings.directBillingNeedsApproval || kind !== settings.defaultReviewKind) && (
        <p className="small" data-testid="fiat-settings-stored">
          Stored now: direct billing {settings.directBillingNeedsApproval ? 'needs' : 'does not need'} a work order; no rule → {REVIEW_LABELS[settings.defaultReviewKind] ?? settings.defaultReviewKind}.
        </p>
      )}
      <Check label="Direct billing needs a work order" checked={direct} onChange={setDirect} />
      <Field label="When no review rule holds" name="defaultReviewKind" errors={change.byField}>
        {(a) => <select {...a} value={kind} onChange={(e) => setKind(e.target.value)}>{REVIEW_KINDS.map((k) => <option key={k} value={k}>{REVIEW_LABELS[k]}</option>)}</select>}
      </Field>
      <button className="btn btn-primary" type="submit" disabled={change.busy} style={{ marginTop: 10 }}>Save settings</button>
    </form>
  );
}
