import { useState } from 'react';
import type { ReactNode } from 'react';
import { useAuth } from '../../auth';
import { Badge } from '../../common/ui';
import { canConfigureFiat } from '../../lib/fiat';
import { BankAccounts } from './BankAccounts';
import { Channels } from './Channels';
import { Currencies } from './Currencies';
import { DailyLimits } from './DailyLimits';
import { Interception } from './Interception';
import { AlertInbox, Alerts, Journal } from './Journal';
import { Parameters } from './Parameters';
import { PendingChanges } from './PendingChanges';
import { ReviewRules } from './ReviewRules';
import { MoreSettings } from './Settings';
import { WithdrawalRules } from './WithdrawalRules';

// The manual's screens in its order: Fund Parameter (accounts, channels, currencies), Withdrawal Rules Management, then
// the changes waiting for a second configurer (four eyes), the journal of every change, the Operations alert inbox and
// the alerts the payout checks raise.
const TABS: [string, string, (canEdit: boolean) => ReactNode][] = [
  ['accounts', 'Bank accounts', (e) => <BankAccounts canEdit={e} />],
  ['channels', 'Channels', (e) => <Channels canEdit={e} />],
  ['currencies', 'Currencies', (e) => <Currencies canEdit={e} />],
  ['rules', 'Withdrawal rules', (e) => <WithdrawalRules canEdit={e} />],
  ['limits', 'Daily limits', (e) => <DailyLimits canEdit={e} />],
  ['interception', 'Interception rules', (e) => <Interception canEdit={e} />],
  ['review', 'Review rules', (e) => <ReviewRules canEdit={e} />],
  ['settings', 'More settings', (e) => <MoreSettings canEdit={e} />],
  ['parameters', 'Withdrawal parameters', (e) => <Parameters canEdit={e} />],
  ['pending', 'Pending changes', (e) => <PendingChanges canEdit={e} />],
  ['journal', 'Journal', () => <Journal />],
  ['inbox', 'Alert inbox', () => <AlertInbox />],
  ['alerts', 'Alerts', () => <Alerts />],
];

/** The fiat configuration: `fiat:configure` edits, Operations staff read (the server refuses their changes too). */
export function FiatConfigPage() {
  const { me } = useAuth();
  const canEdit = canConfigureFiat(me);
  const [tab, setTab] = useState(() => {
    const saved = sessionStorage.getItem('fiat.config.tab');
    return TABS.some(([k]) => k === saved) ? saved! : 'limits';
  });
  const pick = (t: string) => { setTab(t); sessionStorage.setItem('fiat.config.tab', t); };
  const current = TABS.find(([k]) => k === tab)!;
  return (
    <div className="page" data-testid="fiat-config-page">
      <div className="row spread">
        <h2>Fiat configuration</h2>
        {!canEdit && <Badge tone="grey" testId="fiat-read-only">Read only — changes need the fiat:configure right</Badge>}
      </div>
      <div className="tabs" role="tablist" aria-label="Configuration sections" style={{ flexWrap: 'wrap' }}>
        {TABS.map(([k, label]) => (
          <button key={k} role="tab" aria-selected={tab === k} className={`tab ${tab === k ? 'active' : ''}`} onClick={() => pick(k)} data-testid={`fiat-tab-${k}`}>{label}</button>
        ))}
      </div>
      <div role="tabpanel" aria-label={current[1]} style={{ marginTop: 12, overflowX: 'auto' }}>{current[2](canEdit)}</div>
    </div>
  );
}
