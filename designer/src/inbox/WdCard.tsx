import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { WdRequestCard } from '../api/models';
import { ErrorBox, Spinner, StatusBadge, fmtDate, fmtMoney } from '../common/ui';
import { addWdComment, getWdAudit } from './api';
import { canCommentWd } from '../lib/wdcreate';
import { WdTransactions } from './WdTransactions';
import { browserTimeZone, fmtInZone, marginLevelText } from '../lib/wdtx';

const show = (v: unknown) => (v === null || v === undefined ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function WdCard({ card }: { card: WdRequestCard }) {
  const audit = useQuery({ queryKey: ['wd-audit', card.id, card.status, card.instanceVersion], queryFn: () => getWdAudit(card.id) });
  const entries = audit.data?.items ?? [];
  // Stored in UTC; shown in the user's zone (the browser's), as the manual's audit log uses the user's local time.
  const zone = browserTimeZone();
  return (
    <div data-testid="wd-card">
      <div className="card header-card">
        <div>
          <div className="muted small">Withdrawal request <span className="mono">{card.id}</span></div>
          <h3 data-testid="wd-customer"><span className="mono muted">{card.customerId}</span></h3>
          <div className="kv">
            <div><span className="k">Account</span><span className="v mono">{card.tradingAccount}</span></div>
            <div><span className="k">Status</span><span className="v"><StatusBadge status={card.status} testId="wd-status" /></span></div>
            <div><span className="k">Department</span><span className="v" data-testid="wd-department">{card.department ?? '—'}</span></div>
            <div><span className="k">Priority</span><span className="v">{card.priority}</span></div>
            <div><span className="k">Created</span><span className="v">{fmtDate(card.createdAt)}</span></div>
            {card.overdue && <div><span className="k">Due</span><span className="v"><StatusBadge status="Overdue" /></span></div>}
          </div>
        </div>
        <div className="right">
          <div className="muted small">Requested</div>
          <div className="big-amount" data-testid="wd-amount">{fmtMoney(card.requestedAmount, card.currency)}</div>
        </div>
      </div>
      {card.completionMessage && <div className="card small" data-testid="wd-completion">{card.completionMessage}</div>}
      <div className="card">
        <h4>Details</h4>
        <div className="kv">
          <div><span className="k">Available amount</span><span className="v">{fmtMoney(card.availableAmount, card.currency)}</span></div>
          <div><span className="k">Recommended</span><span className="v">{fmtMoney(card.recommendedAmount, card.currency)}</span></div>
          <div><span className="k">Available at creation</span><span className="v">{fmtMoney(card.availableAmountAtCreation, card.currency)}</span></div>
          <div><span className="k">Fee</span><span className="v" data-testid="wd-fee">{fmtMoney(card.fee, card.currency)}</span></div>
          <div><span className="k">Requested</span><span className="v">{fmtMoney(card.requestedAmount, card.currency)}</span></div>
          {card.executedTotal > 0 && <div><span className="k">Executed</span><span className="v">{fmtMoney(card.executedTotal, card.currency)}</span></div>}
        </div>
      </div>
      {card.accountFacts && (
        <div className="card" data-testid="wd-account-facts">
          <h4>Trading account now <span className="muted small">read {fmtDate(card.accountFacts.readAt)}</span></h4>
          <div className="kv">
            <div><span className="k">Balance</span><span className="v" data-testid="wd-facts-balance">{fmtMoney(card.accountFacts.balance, card.currency)}</span></div>
            <div><span className="k">Equity</span><span className="v">{fmtMoney(card.accountFacts.equity, card.currency)}</span></div>
            <div><span className="k">Margin</span><span className="v">{fmtMoney(card.accountFacts.margin, card.currency)}</span></div>
            <div><span className="k">Free margin</span><span className="v">{fmtMoney(card.accountFacts.freeMargin, card.currency)}</span></div>
            <div><span className="k">Margin level</span><span className="v" data-testid="wd-facts-margin-level">{marginLevelText(card.accountFacts.marginLevel)}</span></div>
            <div><span className="k">Open trades</span><span className="v">{card.accountFacts.openTrades}</span></div>
          </div>
        </div>
      )}
      <WdTransactions card={card} />
      <div className="card">
        <h4>Comments</h4>
        {card.comments.length === 0 && <p className="muted small">No comments.</p>}
        <ul className="plain">
          {card.comments.map((c, i) => (
            <li key={i} className="comment" data-testid="wd-comment">
              <strong>{c.user ?? 'unknown'}</strong> <span className="muted small">{fmtDate(c.at)}{c.action && ` · ${c.action}`}{c.copyToClientCard && ' · copied to the client card'}</span>
              <div>{c.text}</div>
            </li>
          ))}
        </ul>
        {canCommentWd(card) && <CommentBox card={card} />}
      </div>
      <div className="card">
        <h4>Audit log</h4>
        {audit.isLoading && <Spinner small />}
        <ErrorBox error={audit.error} />
        {audit.data && (
          <table className="table compact" data-testid="wd-audit">
            <thead><tr><th data-testid="wd-audit-zone">When ({zone})</th><th>Who</th><th>Action</th><th>Changes</th><th>IP</th></tr></thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.sequence}>
                  <td className="nowrap small" title={`${e.time} (UTC)`} data-testid="wd-audit-time">{fmtInZone(e.time, zone)}</td>
                  <td>{e.user ?? 'system'}{e.role && <div className="muted small">{e.role}</div>}</td>
                  <td>{e.action}{e.comment && <div className="small">“{e.comment}”</div>}{e.message && e.message !== e.action && <div className="muted small">{e.message}</div>}</td>
                  <td className="small audit-changes">{e.changes.map((c, k) => <div key={k}><code>{c.name}{c.path ?? ''}</code>: {show(c.before)} → <strong>{show(c.after)}</strong></div>)}</td>
                  <td className="small mono">{e.ipAddress ?? ''}</td>
                </tr>
              ))}
              {entries.length === 0 && <tr><td colSpan={5} className="muted">No entries.</td></tr>}
            </tbody>
          </table>
        )}
        {audit.data && audit.data.total > entries.length && <p className="muted small">Showing the latest {entries.length} of {audit.data.total} entries.</p>}
      </div>
    </div>
  );
}

/**
 * Adds an internal comment (POST …/comments). The answer is the card, put straight into the cache the task page
 * reads, so the comment shows without a reload; the audit log is fetched again for its AddComment entry.
 */
function CommentBox({ card }: { card: WdRequestCard }) {
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const [copy, setCopy] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const next = await addWdComment(card.id, text.trim(), copy);
      qc.setQueryData(['wd', card.id], next);
      await qc.invalidateQueries({ queryKey: ['wd-audit', card.id] });
      setText('');
      setCopy(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="comment-box" aria-label="Add a comment" data-testid="wd-comment-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <ErrorBox error={error} title="The comment was not added" />
      <label className="field-label" htmlFor="wd-comment-text">Add a comment</label>
      <textarea id="wd-comment-text" rows={2} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} data-testid="wd-comment-text" />
      <div className="row">
        <label className="check"><input type="checkbox" checked={copy} onChange={(e) => setCopy(e.target.checked)} data-testid="wd-comment-copy" /> Copy to the client card</label>
        <button type="submit" className="btn btn-sm" disabled={busy || !text.trim()} data-testid="wd-comment-add">{busy ? 'Adding…' : 'Add comment'}</button>
      </div>
    </form>
  );
}
