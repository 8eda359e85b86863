import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ErrorBox, Spinner } from '../../common/ui';
import { fiatConfig } from '../api';
import type { Settings, SettingsBody } from '../api';
import { Field, useChange } from '../forms';
import { Check } from './kit';
import { decimalText, formatMoney } from '../../lib/money';
import { amounts, parseThresholds, REVIEW_KINDS, REVIEW_LABELS, thresholdsText } from './logic';
import type { Errors } from './logic';

/**
 * Withdrawal Rules Management › More settings: direct billing under a work order, the review when no rule holds, and
 * above which amount a work order needs a second checker — a default and a currency's own (a higher one waits for a
 * second configurer, ADR 15).
 */
export function MoreSettings({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['fiat-config', 'settings'], queryFn: fiatConfig.settings });
  if (q.isLoading) return <Spinner label="Loading settings…" />;
  if (!q.data) return <ErrorBox error={q.error} />;
  if (!canEdit) {
    return (
      <dl className="card fiat-kv" aria-label="More settings" data-testid="fiat-settings">
        <dt>Direct billing needs a work order</dt><dd>{q.data.directBillingNeedsApproval ? 'Yes' : 'No'}</dd>
        <dt>When no review rule holds</dt><dd>{REVIEW_LABELS[q.data.defaultReviewKind] ?? q.data.defaultReviewKind}</dd>
        <dt>Second approval above (default)</dt><dd>{q.data.secondApprovalThreshold == null ? 'never (one checker)' : formatMoney(q.data.secondApprovalThreshold)}</dd>
        {Object.entries(q.data.secondApprovalThresholds ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([ccy, v]) => (
          <span key={ccy} style={{ display: 'contents' }}><dt>Second approval above, {ccy}</dt><dd data-testid={`fiat-threshold-${ccy}`}>{formatMoney(v, ccy)} {ccy}</dd></span>
        ))}
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
  const [threshold, setThreshold] = useState(decimalText(settings.secondApprovalThreshold));
  const [own, setOwn] = useState(thresholdsText(settings.secondApprovalThresholds));
  const [local, setLocal] = useState<Errors>({});
  const change = useChange((key) => ['directBillingNeedsApproval', 'defaultReviewKind', 'rowVersion', 'secondApprovalThreshold'].includes(key) || key.startsWith('secondApprovalThresholds'));
  const save = () => {
    const problems: Errors = {};
    const money = amounts({ secondApprovalThreshold: threshold }, [], problems);
    const map = parseThresholds(own, problems);
    setLocal(problems);
    if (Object.keys(problems).length) return;
    // Amounts go as decimal text (the server reads numbers from strings), never through a double.
    const body = {
      directBillingNeedsApproval: direct, defaultReviewKind: kind, rowVersion: settings.rowVersion,
      secondApprovalThreshold: money.secondApprovalThreshold, secondApprovalThresholds: map,
    } as unknown as SettingsBody;
    void change.run(() => fiatConfig.saveSettings(body));
  };
  // The server names a currency's problem secondApprovalThresholds.USD: shown under the one box.
  const ownErrors = [...(local.secondApprovalThresholds ?? []), ...Object.entries(change.byField).filter(([k]) => k.startsWith('secondApprovalThresholds')).flatMap(([, v]) => v)];
  const errors = { ...change.byField, ...local, secondApprovalThresholds: ownErrors };
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
      <Field label="Second approval above (default for other currencies)" name="secondApprovalThreshold" errors={errors}>
        {(a) => <input {...a} inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} placeholder="e.g. 50000" />}
      </Field>
      <Field label="Second approval above, per currency (one a line: USD 10000)" name="secondApprovalThresholds" errors={errors}>
        {(a) => <textarea {...a} rows={3} value={own} onChange={(e) => setOwn(e.target.value)} placeholder={'HKD 50000\nUSD 6000'} />}
      </Field>
      <button className="btn btn-primary" type="submit" disabled={change.busy} style={{ marginTop: 10 }}>Save settings</button>
    </form>
  );
}
