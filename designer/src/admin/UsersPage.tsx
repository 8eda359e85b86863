import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useAuth } from '../auth';
import { Badge, ErrorBox } from '../common/ui';
import { ConfigJournalList } from '../common/ConfigJournalList';
import { Field, useChange } from '../fiat/forms';
import { Check, EnabledBadge, FormCard, Listing } from '../fiat/config/kit';
import { staffApi } from './api';
import type { StaffAccount, StaffJournalEntry } from './api';
import { GRANTABLE_RIGHTS, WD_PERMISSIONS, mayGrant, staffBody, staffChanges, staffDraft } from './logic';
import type { StaffDraft } from './logic';

const REFRESH = ['staff-accounts'];
const FIELDS = ['username', 'displayName', 'role', 'departments', 'allDepartments', 'wdPermissions', 'taskPermissions', 'rights', 'enabled', 'rowVersion'];

/**
 * Staff accounts (users:manage): who works in which department with which WD permissions and rights. A stored account
 * wins over configuration and the identity provider's groups and takes effect on the next request (ADR 21).
 */
export function UsersPage() {
  const [tab, setTab] = useState<'accounts' | 'journal'>('accounts');
  return (
    <div className="page" data-testid="users-page">
      <h2>Staff accounts</h2>
      <p className="muted small">A stored account overrides what configuration or the identity provider's groups grant, from the user's next request on. User management itself is granted only by configuration.</p>
      <div className="tabs" role="tablist" aria-label="Staff account sections">
        <button role="tab" aria-selected={tab === 'accounts'} className={`tab ${tab === 'accounts' ? 'active' : ''}`} onClick={() => setTab('accounts')} data-testid="users-tab-accounts">Accounts</button>
        <button role="tab" aria-selected={tab === 'journal'} className={`tab ${tab === 'journal' ? 'active' : ''}`} onClick={() => setTab('journal')} data-testid="users-tab-journal">Journal</button>
      </div>
      <div role="tabpanel" style={{ marginTop: 12, overflowX: 'auto' }}>{tab === 'accounts' ? <Accounts /> : <StaffJournalList />}</div>
    </div>
  );
}

function Accounts() {
  const { me } = useAuth();
  const q = useQuery({ queryKey: ['staff-accounts', 'list'], queryFn: staffApi.list });
  const toggle = useChange(['rowVersion'], REFRESH);
  const [open, setOpen] = useState<{ kind: 'add' } | { kind: 'edit'; username: string } | null>(null);
  const rows = q.data ?? [];
  const editing = open?.kind === 'edit' ? rows.find((r) => r.username === open.username) : undefined;
  return (
    <section aria-label="Accounts">
      <ErrorBox error={q.error} />
      <Listing label="Staff accounts" testId="users-list" loading={q.isLoading} empty={rows.length === 0} notices={toggle.status}
        head={['User', 'Name', 'Departments', 'WD permissions', 'Rights', 'Source', 'Status', '']}>
        {rows.map((a) => {
          const own = a.username === me?.username;
          return (
            <tr key={a.username} data-testid={`user-${a.username}`}>
              <td>{a.username}{own && <span className="muted"> (you)</span>}</td>
              <td>{a.displayName ?? ''}</td>
              <td>{a.allDepartments ? 'All departments' : a.departments.join(', ')}</td>
              <td>{a.wdPermissions.join(', ')}</td>
              <td>{a.rights.join(', ')}</td>
              <td><Badge tone={a.source === 'stored' ? 'blue' : 'grey'}>{a.source === 'stored' ? 'Stored' : 'Configuration'}</Badge></td>
              <td><EnabledBadge enabled={a.enabled} /></td>
              <td>{!own && (
                <span className="row">
                  <button type="button" className="btn btn-sm" onClick={() => setOpen({ kind: 'edit', username: a.username })} aria-label={`Edit ${a.username}`}>Edit</button>
                  {a.source === 'stored' && (
                    <button type="button" className="btn btn-sm" disabled={toggle.busy} aria-label={`${a.enabled ? 'Disable' : 'Enable'} ${a.username}`}
                      onClick={() => void toggle.run(() => staffApi.setEnabled(a.username, !a.enabled, Number(a.rowVersion)))}>
                      {a.enabled ? 'Disable' : 'Enable'}
                    </button>
                  )}
                </span>
              )}</td>
            </tr>
          );
        })}
      </Listing>
      {!open && <button className="btn" onClick={() => setOpen({ kind: 'add' })} style={{ marginTop: 8 }} data-testid="users-add">Add account</button>}
      {open?.kind === 'add' && <AccountForm key="add" onDone={() => setOpen(null)} />}
      {editing && <AccountForm key={`${editing.username}-${String(editing.rowVersion)}`} row={editing} onDone={() => setOpen(null)} />}
    </section>
  );
}

function AccountForm({ row, onDone }: { row?: StaffAccount; onDone: () => void }) {
  const { me } = useAuth();
  const [d, setD] = useState<StaffDraft>(() => staffDraft(row));
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const change = useChange(FIELDS, REFRESH);
  const errors = { ...change.byField, ...local };
  const set = (p: Partial<StaffDraft>) => setD({ ...d, ...p });
  // A configured user without a stored account is "edited" by storing one (POST), which then wins over configuration.
  const stored = row?.source === 'stored';
  const submit = async () => {
    const { body, errors: found } = staffBody(d, stored ? Number(row!.rowVersion) : null);
    setLocal(found);
    if (!body) return;
    if (!stored && row) body.username = row.username;
    const saved = await change.run(() => (stored ? staffApi.edit(row!.username, body) : staffApi.create(body)));
    if (saved) onDone();
  };
  const text = (label: string, name: keyof StaffDraft, opts: { readOnly?: boolean; hint?: string } = {}) => (
    <Field label={label} name={name} errors={errors} testId={`user-${name}`}>
      {(a) => <input {...a} value={String(d[name])} readOnly={opts.readOnly} placeholder={opts.hint} onChange={(e) => set({ [name]: e.target.value })} />}
    </Field>
  );
  const current = row?.rights ?? [];
  return (
    <FormCard title={row ? `Edit ${row.username}` : 'Add account'} testId="user-form" change={change} onSubmit={() => void submit()} onCancel={onDone}>
      {text('User name', 'username', { readOnly: !!row, hint: 'as the identity provider spells it' })}
      {text('Display name', 'displayName')}
      {text('Role', 'role')}
      {text('Departments', 'departments', { hint: 'CS, Backoffice' })}
      {text('Other task permissions', 'taskPermissions', { hint: 'workorders:approve' })}
      <Check label="All departments" checked={d.allDepartments} onChange={(v) => set({ allDepartments: v })} />
      <Check label="Enabled" checked={d.enabled} onChange={(v) => set({ enabled: v })} />
      <fieldset className="field" data-testid="user-wd-permissions">
        <legend className="field-label">WD permissions</legend>
        {WD_PERMISSIONS.map(([n, name]) => (
          <Check key={n} label={`${n} – ${name}`} checked={d.wdPermissions.includes(n)}
            onChange={(v) => set({ wdPermissions: v ? [...d.wdPermissions, n] : d.wdPermissions.filter((x) => x !== n) })} />
        ))}
        {errors.wdPermissions && <span className="field-error" data-testid="error-user-wdPermissions">{errors.wdPermissions.join(' ')}</span>}
      </fieldset>
      <fieldset className="field" data-testid="user-rights">
        <legend className="field-label">Rights</legend>
        {GRANTABLE_RIGHTS.map((r) => {
          const allowed = mayGrant(me, r, current);
          return (
            <label key={r} className="check" title={allowed ? undefined : 'You can grant only rights you hold yourself'}>
              <input type="checkbox" checked={d.rights.includes(r)} disabled={!allowed && !d.rights.includes(r)}
                onChange={(e) => set({ rights: e.target.checked ? [...d.rights, r] : d.rights.filter((x) => x !== r) })} /> {r}
            </label>
          );
        })}
        {errors.rights && <span className="field-error" data-testid="error-user-rights">{errors.rights.join(' ')}</span>}
      </fieldset>
    </FormCard>
  );
}

function StaffJournalList() {
  return (
    <ConfigJournalList<StaffJournalEntry> label="Staff account journal" testId="users-journal" queryKey={['staff-accounts', 'journal']}
      filterLabel="User" filterTestId="users-journal-user" filterWidth={160} subjectHeader="User" subject={(j) => j.username} changes={staffChanges}
      load={(user, page, pageSize) => staffApi.journal({ username: user.trim() || undefined, page, pageSize })} />
  );
}
