import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useAuth } from '../auth';
import { Badge, ErrorBox } from '../common/ui';
import { canConfigureCoins } from '../lib/crypto';
import { ConfigJournalList } from '../common/ConfigJournalList';
import { Field, useChange } from '../fiat/forms';
import { Check, EnabledBadge, FormCard, Listing, useMode } from '../fiat/config/kit';
import { PendingChanges } from '../fiat/config/PendingChanges';
import type { PendingSource } from '../fiat/config/PendingChanges';
import { decimalText } from '../lib/money';
import { coinsApi } from './api';
import type { Coin, CoinJournalEntry } from './api';
import { coinBody, coinDraft, coinKey, journalChanges } from './logic';
import type { CoinDraft } from './logic';

const REFRESH = ['crypto-coins'];
/** Coin edits that weaken a control (fewer confirmations, a higher maximum) wait here for a second configurer. */
const COIN_PENDING: PendingSource = {
  queryKey: ['crypto-coins', 'pending-changes'],
  refresh: ['crypto-coins'],
  list: (status) => coinsApi.pendingChanges(status),
  approve: (changeId) => coinsApi.approvePending(changeId),
  reject: (changeId, reason) => coinsApi.rejectPending(changeId, reason),
  testId: 'crypto',
};
const FIELDS = ['coin', 'network', 'decimals', 'minWithdrawal', 'maxWithdrawal', 'withdrawalFee', 'requiredConfirmations', 'depositEnabled', 'withdrawalEnabled', 'rowVersion'];

/** Cryptocurrency configuration: coins per network; crypto:configure edits, Operations reads (the server refuses their changes too). */
export function CoinsPage() {
  const { me } = useAuth();
  const canEdit = canConfigureCoins(me);
  const [tab, setTab] = useState<'coins' | 'pending' | 'journal'>('coins');
  return (
    <div className="page" data-testid="crypto-coins-page">
      <div className="row spread">
        <h2>Coin configuration</h2>
        {!canEdit && <Badge tone="grey" testId="crypto-read-only">Read only — changes need the crypto:configure right</Badge>}
      </div>
      <div className="tabs" role="tablist" aria-label="Coin configuration sections">
        <button role="tab" aria-selected={tab === 'coins'} className={`tab ${tab === 'coins' ? 'active' : ''}`} onClick={() => setTab('coins')} data-testid="crypto-tab-coins">Coins</button>
        <button role="tab" aria-selected={tab === 'pending'} className={`tab ${tab === 'pending' ? 'active' : ''}`} onClick={() => setTab('pending')} data-testid="crypto-tab-pending">Pending changes</button>
        <button role="tab" aria-selected={tab === 'journal'} className={`tab ${tab === 'journal' ? 'active' : ''}`} onClick={() => setTab('journal')} data-testid="crypto-tab-journal">Journal</button>
      </div>
      <div role="tabpanel" style={{ marginTop: 12, overflowX: 'auto' }}>{tab === 'coins' ? <Coins canEdit={canEdit} /> : tab === 'pending' ? <PendingChanges canEdit={canEdit} source={COIN_PENDING} /> : <CoinJournal />}</div>
    </div>
  );
}

function Coins({ canEdit }: { canEdit: boolean }) {
  const q = useQuery({ queryKey: ['crypto-coins', 'list'], queryFn: coinsApi.list });
  const m = useMode();
  const toggle = useChange(['rowVersion'], REFRESH);
  const rows = q.data ?? [];
  const mode = m.mode;
  const editing = mode && mode.kind === 'edit' ? rows.find((r) => coinKey(r) === mode.key) : undefined;
  return (
    <section aria-label="Coins">
      <ErrorBox error={q.error} />
      <Listing label="Coins" testId="crypto-coins" loading={q.isLoading} empty={rows.length === 0} notices={toggle.status}
        head={['Coin', 'Network', 'Decimals', 'Min withdrawal', 'Max withdrawal', 'Fee', 'Confirmations', 'Withdrawal', 'Deposit', '']}>
        {rows.map((c) => (
          <tr key={coinKey(c)} data-testid={`crypto-coin-${c.coin}-${c.network}`}>
            <td>{c.coin}</td><td>{c.network}</td><td>{String(c.decimals)}</td>
            <td>{decimalText(c.minWithdrawal)}</td><td>{decimalText(c.maxWithdrawal)}</td><td>{decimalText(c.withdrawalFee)}</td>
            <td>{String(c.requiredConfirmations)}</td>
            <td><EnabledBadge enabled={c.withdrawalEnabled} /></td><td><EnabledBadge enabled={c.depositEnabled} /></td>
            <td>{canEdit && (
              <span className="row">
                <button type="button" className="btn btn-sm" onClick={() => m.edit(coinKey(c))} aria-label={`Edit ${c.coin} on ${c.network}`}>Edit</button>
                {(['withdrawal', 'deposit'] as const).map((fn) => {
                  const on = fn === 'withdrawal' ? c.withdrawalEnabled : c.depositEnabled;
                  return (
                    <button key={fn} type="button" className="btn btn-sm" disabled={toggle.busy} aria-label={`${on ? 'Disable' : 'Enable'} ${fn} of ${c.coin} on ${c.network}`}
                      onClick={() => void toggle.run(() => coinsApi.toggle(c.coin, c.network, fn, !on, Number(c.rowVersion)))}>
                      {on ? 'Disable' : 'Enable'} {fn}
                    </button>
                  );
                })}
              </span>
            )}</td>
          </tr>
        ))}
      </Listing>
      {canEdit && !mode && <button className="btn" onClick={m.add} style={{ marginTop: 8 }} data-testid="crypto-add-coin">Add coin</button>}
      {canEdit && mode?.kind === 'add' && <CoinForm key="add" onDone={m.close} />}
      {canEdit && editing && <CoinForm key={coinKey(editing)} row={editing} onDone={m.close} />}
    </section>
  );
}

function CoinForm({ row, onDone }: { row?: Coin; onDone: () => void }) {
  const [d, setD] = useState<CoinDraft>(() => coinDraft(row));
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const change = useChange(FIELDS, REFRESH);
  const errors = { ...change.byField, ...local };
  const set = (p: Partial<CoinDraft>) => setD({ ...d, ...p });
  const submit = async () => {
    const { body, errors: found } = coinBody(d, row ? Number(row.rowVersion) : null);
    setLocal(found);
    if (!body) return;
    const saved = await change.run(() => (row ? coinsApi.edit(row.coin, row.network, body) : coinsApi.add(body)));
    if (saved) onDone();
  };
  const text = (label: string, name: keyof CoinDraft, opts: { readOnly?: boolean; decimal?: boolean } = {}) => (
    <Field label={label} name={name} errors={errors} testId={`coin-${name}`}>
      {(a) => <input {...a} value={String(d[name])} readOnly={opts.readOnly} inputMode={opts.decimal ? 'decimal' : undefined} onChange={(e) => set({ [name]: e.target.value })} />}
    </Field>
  );
  return (
    <FormCard title={row ? `Edit ${row.coin} on ${row.network}` : 'Add coin'} testId="crypto-coin-form" change={change} onSubmit={() => void submit()} onCancel={onDone}>
      {text('Coin', 'coin', { readOnly: !!row })}
      {text('Network', 'network', { readOnly: !!row })}
      {text('Decimals', 'decimals')}
      {text('Min withdrawal', 'minWithdrawal', { decimal: true })}
      {text('Max withdrawal', 'maxWithdrawal', { decimal: true })}
      {text('Withdrawal fee', 'withdrawalFee', { decimal: true })}
      {text('Confirmations required', 'requiredConfirmations')}
      <Check label="Withdrawal enabled" checked={d.withdrawalEnabled} onChange={(v) => set({ withdrawalEnabled: v })} />
      <Check label="Deposit enabled" checked={d.depositEnabled} onChange={(v) => set({ depositEnabled: v })} />
    </FormCard>
  );
}

function CoinJournal() {
  return (
    <ConfigJournalList<CoinJournalEntry> label="Coin journal" testId="crypto-journal" queryKey={['crypto-coins', 'journal']}
      filterLabel="Coin" filterTestId="crypto-journal-coin" filterWidth={100} subjectHeader="Coin" subject={(j) => j.entityKey} changes={journalChanges}
      load={(coin, page, pageSize) => coinsApi.journal({ coin: coin.trim().toUpperCase() || undefined, page, pageSize })} />
  );
}
