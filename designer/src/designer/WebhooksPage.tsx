import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, post, qs } from '../api/client';
import type { CreatedWebhookSubscription, Paged, WebhookDelivery, WebhookSubscription } from '../api/models';
import { Badge, ErrorBox, Notice, Pager, Spinner, fmtDate } from '../common/ui';

const EVENTS = ['instance.completed', 'instance.faulted', 'instance.business_status_changed', 'task.created'] as const;
const PAGE_SIZE = 25;

const deliveryTone = (status: string) => (status === 'Delivered' ? 'green' : status === 'Failed' ? 'red' : 'amber');

/**
 * Webhooks for systems: the subscriptions (secrets only as a hint), a small form to add one, and the deliveries with
 * status, attempts and last error; Resend sends one again under the same webhook-id (the receiver drops a repeat).
 */
export function WebhooksPage() {
  const qc = useQueryClient();
  const [subscription, setSubscription] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const subscriptions = useQuery({ queryKey: ['webhook-subscriptions'], queryFn: () => get<WebhookSubscription[]>('/api/webhooks/subscriptions') });
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', subscription, status, page],
    queryFn: () => get<Paged<WebhookDelivery>>(`/api/webhooks/deliveries${qs({ subscriptionId: subscription, status, page, pageSize: PAGE_SIZE })}`),
    refetchInterval: 5000,
  });

  const remove = async (s: WebhookSubscription) => {
    if (!confirm(`Remove the subscription of ${s.url} to ${s.definitionId}? Its deliveries stay listed.`)) return;
    setError(null);
    try {
      await del(`/api/webhooks/subscriptions/${s.id}`);
      setNotice(`Removed the subscription of ${s.url}.`);
      await qc.invalidateQueries({ queryKey: ['webhook-subscriptions'] });
    } catch (e) {
      setError(e);
    }
  };
  const resend = async (d: WebhookDelivery) => {
    setError(null);
    try {
      await post<WebhookDelivery>(`/api/webhooks/deliveries/${d.id}/resend`);
      setNotice(`Delivery ${d.id} is queued again (same webhook-id).`);
      await qc.invalidateQueries({ queryKey: ['webhook-deliveries'] });
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div className="page webhooks" data-testid="webhooks-page">
      <h2>Webhooks for systems</h2>
      {notice && <Notice kind="success" onClose={() => setNotice(null)} testId="webhooks-notice">{notice}</Notice>}
      <ErrorBox error={error} />
      <h3>Subscriptions</h3>
      {subscriptions.isLoading && <Spinner label="Loading subscriptions…" />}
      <ErrorBox error={subscriptions.error} />
      {subscriptions.data && (
        <table className="table" data-testid="webhook-subscriptions">
          <thead><tr><th>Definition</th><th>Events</th><th>URL</th><th>Secret</th><th>Created</th><th /></tr></thead>
          <tbody>
            {subscriptions.data.map((s) => (
              <tr key={s.id} data-testid={`webhook-subscription-${s.id}`}>
                <td className="mono">{s.definitionId}</td>
                <td className="small">{s.events.join(', ')}</td>
                <td className="mono small">{s.url}{s.description && <div className="muted">{s.description}</div>}</td>
                <td className="mono small" title="Only the last characters are shown">{s.secretHint}</td>
                <td className="small">{fmtDate(s.createdAt)}<br />{s.createdBy}</td>
                <td className="right">
                  <button className="btn btn-sm" onClick={() => { setSubscription(s.id); setPage(1); }} data-testid={`webhook-show-deliveries-${s.id}`}>Deliveries</button>{' '}
                  <button className="btn btn-sm btn-danger" onClick={() => void remove(s)} data-testid={`webhook-remove-${s.id}`}>Remove</button>
                </td>
              </tr>
            ))}
            {subscriptions.data.length === 0 && <tr><td colSpan={6} className="muted">No subscriptions yet.</td></tr>}
          </tbody>
        </table>
      )}
      <NewSubscription onCreated={(created) => {
        setNotice(created.generatedSecret
          ? `Subscribed. The secret was generated and is shown this once: ${created.generatedSecret}`
          : 'Subscribed with the secret you gave.');
        void qc.invalidateQueries({ queryKey: ['webhook-subscriptions'] });
      }} />

      <div className="row spread">
        <h3>Deliveries</h3>
        <div className="row">
          <label className="small">Subscription{' '}
            <select value={subscription} onChange={(e) => { setSubscription(e.target.value); setPage(1); }} data-testid="webhook-deliveries-subscription" aria-label="Subscription">
              <option value="">All</option>
              {subscriptions.data?.map((s) => <option key={s.id} value={s.id}>{s.definitionId} → {s.url}</option>)}
            </select>
          </label>{' '}
          <label className="small">Status{' '}
            <select value={status} onChange={(e) => { setStatus(e.target.value); setPage(1); }} data-testid="webhook-deliveries-status" aria-label="Status">
              <option value="">All</option>
              <option value="Pending">Pending</option>
              <option value="Delivered">Delivered</option>
              <option value="Failed">Failed</option>
            </select>
          </label>
        </div>
      </div>
      {deliveries.isLoading && <Spinner label="Loading deliveries…" />}
      <ErrorBox error={deliveries.error} />
      {deliveries.data && (
        <>
          <table className="table" data-testid="webhook-deliveries">
            <thead><tr><th>Created</th><th>Event</th><th>Instance</th><th>Status</th><th>Attempts</th><th>Last attempt</th><th>Last error</th><th /></tr></thead>
            <tbody>
              {deliveries.data.items.map((d) => (
                <tr key={d.id} data-testid={`webhook-delivery-${d.id}`}>
                  <td className="small">{fmtDate(d.createdAt)}</td>
                  <td className="mono small">{d.eventType}</td>
                  <td className="mono small">{d.instanceId.slice(0, 8)}</td>
                  <td>
                    <Badge tone={deliveryTone(d.status)} testId={`webhook-delivery-status-${d.id}`}>{d.status}</Badge>
                    {d.nextAttemptAt && <div className="small muted">next {fmtDate(d.nextAttemptAt)}</div>}
                  </td>
                  <td>{d.attempts}</td>
                  <td className="small">{fmtDate(d.lastAttemptAt)}{d.lastStatusCode != null && <> · {d.lastStatusCode}</>}</td>
                  <td className="small" title={d.responseExcerpt ?? undefined}>{d.lastError ?? '—'}</td>
                  <td className="right">
                    <button className="btn btn-sm" onClick={() => void resend(d)} data-testid={`webhook-resend-${d.id}`} title="Send again with the same webhook-id">Resend</button>
                  </td>
                </tr>
              ))}
              {deliveries.data.items.length === 0 && <tr><td colSpan={8} className="muted">No deliveries.</td></tr>}
            </tbody>
          </table>
          <Pager page={page} pageSize={PAGE_SIZE} total={deliveries.data.total} onPage={setPage} />
        </>
      )}
    </div>
  );
}

function NewSubscription({ onCreated }: { onCreated: (created: CreatedWebhookSubscription) => void }) {
  const [definitionId, setDefinitionId] = useState('');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [events, setEvents] = useState<string[]>(['instance.completed']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await post<CreatedWebhookSubscription>('/api/webhooks/subscriptions', { definitionId, events, url, secret: secret || null });
      setUrl('');
      setSecret('');
      onCreated(created);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card" onSubmit={(e) => { e.preventDefault(); void submit(); }} data-testid="webhook-new">
      <h4>New subscription</h4>
      <ErrorBox error={error} />
      <div className="row">
        <label>Definition id <input value={definitionId} onChange={(e) => setDefinitionId(e.target.value)} data-testid="webhook-new-definition" /></label>{' '}
        <label>URL <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://system.example/hooks/approvals" size={40} data-testid="webhook-new-url" /></label>{' '}
        <label>Secret <input value={secret} onChange={(e) => setSecret(e.target.value)} placeholder="empty: the server generates one" type="password" autoComplete="off" data-testid="webhook-new-secret" /></label>
      </div>
      <div className="row">
        {EVENTS.map((ev) => (
          <label key={ev} className="small" style={{ display: 'inline-flex', alignItems: 'center', gap: 4, marginRight: 12 }}>
            <input type="checkbox" checked={events.includes(ev)} onChange={(e) => setEvents(e.target.checked ? [...events, ev] : events.filter((x) => x !== ev))} data-testid={`webhook-new-event-${ev}`} /> {ev}
          </label>
        ))}
        <button className="btn btn-primary btn-sm" type="submit" disabled={busy} data-testid="webhook-new-submit">Subscribe</button>
      </div>
    </form>
  );
}
