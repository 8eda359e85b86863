import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useAuth } from '../auth';
import { Badge, ErrorBox, Pager, Spinner, fmtDate } from '../common/ui';
import { canConfigureFiat } from '../lib/fiat';
import { formatMoney } from '../lib/money';
import { fiatConfig } from './api';
import { DailyLimits } from './DailyLimits';
import { Parameters, ReviewRules, SettingsForm } from './ConfigForms';
import { useChange } from './forms';

const TABS = [
  ['channels', 'Channels'], ['rules', 'Withdrawal rules'], ['limits', 'Daily limits'], ['interception', 'Interception rules'],
  ['review', 'Review rules'], ['settings', 'More settings'], ['parameters', 'Withdrawal parameters'], ['journal', 'Journal'],
] as const;
type Tab = (typeof TABS)[number][0];

/** The fiat configuration: `fiat:configure` edits, Operations staff read (the server refuses their changes too). */
export function FiatConfigPage() {
  const { me } = useAuth();
  const canEdit = canConfigureFiat(me);
  const [tab, setTab] = useState<Tab>(() => (sessionStorage.getItem('fiat.config.tab') as Tab) || 'limits');
  const accounts = useQuery({ queryKey: ['fiat-config', 'bank-accounts'], queryFn: fiatConfig.bankAccounts });
  const currencyOf = (accountId: string) => accounts.data?.find((a) => a.id === accountId)?.currency;
  const pick = (t: Tab) => { setTab(t); sessionStorage.setItem('fiat.config.tab', t); };
  return (
    <div className="page" data-testid="fiat-config-page">
      <div className="row spread">
        <h2>Fiat configuration</h2>
        {!canEdit && <Badge tone="grey" testId="fiat-read-only">Read only — changes need the fiat:configure right</Badge>}
      </div>
      <div className="tabs" role="tablist" aria-label="Configuration sections">
        {TABS.map(([k, label]) => (
          <button key={k} role="tab" aria-selected={tab === k} className={`tab ${tab === k ? 'active' : ''}`} onClick={() => pick(k)} data-testid={`fiat-tab-${k}`}>{label}</button>
        ))}
      </div>
      <div role="tabpanel" aria-label={TABS.find(([k]) => k === tab)?.[1]} style={{ marginTop: 12 }}>
        {tab === 'channels' && <Channels />}
        {tab === 'rules' && <WithdrawalRules currencyOf={currencyOf} />}
        {tab === 'limits' && <DailyLimits canEdit={canEdit} currencyOf={currencyOf} />}
        {tab === 'interception' && <Interception canEdit={canEdit} currencyOf={currencyOf} />}
        {tab === 'review' && <ReviewRules canEdit={canEdit} />}
        {tab === 'settings' && <SettingsForm canEdit={canEdit} />}
        {tab === 'parameters' && <Parameters canEdit={canEdit} />}
        {tab === 'journal' && <Journal />}
      </div>
    </div>
  );
}

const yes = (b: boolean | null | undefined) => (b ? 'Yes' : 'No');

function Channels() {
  const q = useQuery({ queryKey: ['fiat-config', 'channels'], queryFn: fiatConfig.channels });
  if (q.isLoading) return <Spinner label="Loading channels…" />;
  return (
    <>
      <ErrorBox error={q.error} />
      <table className="table compact" data-testid="fiat-channels" aria-label="Withdrawal channels">
        <thead><tr><th>Channel</th><th>Paying account</th><th>Method</th><th>Currency</th><th>Cheque</th><th>Automatic status</th><th>Enabled</th></tr></thead>
        <tbody>
          {(q.data ?? []).map((c) => (
            <tr key={c.id}><td>{c.id}</td><td>{c.bankAccountId}</td><td>{c.method}</td><td>{c.currency}</td><td>{yes(c.isCheque)}</td><td>{yes(c.automaticStatus)}</td><td>{yes(c.enabled)}</td></tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function WithdrawalRules({ currencyOf }: { currencyOf: (a: string) => string | undefined }) {
  const rules = useQuery({ queryKey: ['fiat-config', 'withdrawal-rules'], queryFn: fiatConfig.withdrawalRules });
  const channels = useQuery({ queryKey: ['fiat-config', 'channels'], queryFn: fiatConfig.channels });
  const cur = (channelId: string) => {
    const c = channels.data?.find((x) => x.id === channelId);
    return c?.currency ?? (c ? currencyOf(c.bankAccountId) : undefined);
  };
  if (rules.isLoading) return <Spinner label="Loading withdrawal rules…" />;
  return (
    <>
      <ErrorBox error={rules.error} />
      <table className="table compact" data-testid="fiat-withdrawal-rules" aria-label="Withdrawal rules">
        <thead><tr><th>Priority</th><th>Channel</th><th>Policy</th><th>Packing</th><th>Single limit</th><th>Customer daily limit</th><th>Service windows</th><th>Client banks</th><th>Enabled</th></tr></thead>
        <tbody>
          {(rules.data ?? []).map((r) => (
            <tr key={r.id}>
              <td>{r.priority}</td><td>{r.channelId}</td><td>{r.policy}</td><td><code>{r.packingCron ?? '—'}</code></td>
              <td>{formatMoney(r.singleLimit, cur(r.channelId))}</td><td>{formatMoney(r.customerDailyLimit, cur(r.channelId))}</td>
              <td>{r.serviceWindows.length ? r.serviceWindows.map((w) => `${w.days?.length ? w.days.join(',') : 'every day'} ${w.from}–${w.to}`).join('; ') : 'always open'}</td>
              <td>{r.supportedBanks.length ? r.supportedBanks.join(', ') : 'every bank'}</td>
              <td>{yes(r.enabled)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Interception({ canEdit, currencyOf }: { canEdit: boolean; currencyOf: (a: string) => string | undefined }) {
  const q = useQuery({ queryKey: ['fiat-config', 'interception-rules'], queryFn: fiatConfig.interceptionRules });
  const change = useChange(['rowVersion']);
  if (q.isLoading) return <Spinner label="Loading interception rules…" />;
  return (
    <>
      <ErrorBox error={q.error} />
      {change.status}
      <table className="table compact" data-testid="fiat-interception-rules" aria-label="Balance interception rules">
        <thead><tr><th>Bank account</th><th>Alert at or below</th><th>Intercept below</th><th>Status</th><th><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(q.data ?? []).map((r) => (
            <tr key={r.bankAccountId} data-testid={`fiat-interception-${r.bankAccountId}`}>
              <td>{r.bankAccountId}</td>
              <td>{formatMoney(r.alertThreshold, currencyOf(r.bankAccountId))}</td>
              <td>{formatMoney(r.interceptionThreshold, currencyOf(r.bankAccountId))}</td>
              <td><Badge tone={r.enabled ? 'green' : 'grey'}>{r.enabled ? 'Enabled' : 'Disabled'}</Badge></td>
              <td>{canEdit && (
                <button className="btn btn-sm" disabled={change.busy} onClick={() => void change.run(() => fiatConfig.setInterceptionEnabled(r.bankAccountId, !r.enabled, r.rowVersion))}
                  aria-label={`${r.enabled ? 'Disable' : 'Enable'} interception of ${r.bankAccountId}`}>{r.enabled ? 'Disable' : 'Enable'}</button>
              )}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const show = (v: unknown) => (v === null || v === undefined ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function Journal() {
  const [page, setPage] = useState(1);
  const [entity, setEntity] = useState('');
  const q = useQuery({ queryKey: ['fiat-config', 'journal', entity, page], queryFn: () => fiatConfig.journal({ entity: entity || undefined, page, pageSize: 20 }) });
  return (
    <>
      <div className="filters">
        <label>Entity
          <select value={entity} onChange={(e) => { setEntity(e.target.value); setPage(1); }} data-testid="fiat-journal-entity">
            <option value="">All</option>
            {['BankAccount', 'Channel', 'Currency', 'WithdrawalRule', 'DailyLimit', 'InterceptionRule', 'ReviewRule', 'Settings', 'WithdrawalParameter'].map((e) => <option key={e}>{e}</option>)}
          </select>
        </label>
      </div>
      <ErrorBox error={q.error} />
      {q.isLoading ? <Spinner small /> : (
        <>
          <table className="table compact" data-testid="fiat-journal" aria-label="Configuration journal">
            <thead><tr><th>When</th><th>Who</th><th>What</th><th>Action</th><th>Before → after</th><th>Reason</th></tr></thead>
            <tbody>
              {(q.data?.items ?? []).map((j) => (
                <tr key={j.id}>
                  <td>{fmtDate(j.at)}</td><td>{j.actor}</td><td>{j.entity} {j.entityKey}</td><td>{j.action}</td>
                  <td className="small"><code>{show(j.before)}</code> → <code>{show(j.after)}</code></td><td>{j.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {q.data && <Pager page={page} pageSize={q.data.pageSize} total={q.data.total} onPage={setPage} />}
        </>
      )}
    </>
  );
}
