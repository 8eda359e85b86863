import { useQuery } from '@tanstack/react-query';
import type { WdComment, WdRequestCard } from '../api/models';
import { ErrorBox, Spinner, StatusBadge, fmtDate, fmtMoney } from '../common/ui';
import { getWdAudit } from './api';

const show = (v: unknown) => (v === null || v === undefined ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function WdCard({ card }: { card: WdRequestCard }) {
  const audit = useQuery({ queryKey: ['wd-audit', card.id, card.status], queryFn: () => getWdAudit(card.id) });
  const comments = (card.comments ?? []).map((c) => (typeof c === 'string' ? { text: c } : c) as WdComment);
  return (
    <div data-testid="wd-card">
      <div className="card header-card">
        <div>
          <div className="muted small">Withdrawal request <span className="mono">{card.id}</span></div>
          <h3 data-testid="wd-customer">{card.customerName ? `${card.customerName} ` : ''}<span className="mono muted">{card.customerId}</span></h3>
          <div className="kv">
            <div><span className="k">Account</span><span className="v mono">{card.tradingAccount}</span></div>
            <div><span className="k">Status</span><span className="v"><StatusBadge status={card.status} testId="wd-status" /></span></div>
            <div><span className="k">Department</span><span className="v" data-testid="wd-department">{card.department}</span></div>
            <div><span className="k">Priority</span><span className="v">{card.priority ?? '—'}</span></div>
            <div><span className="k">Created</span><span className="v">{fmtDate(card.createdAt)}</span></div>
          </div>
        </div>
        <div className="right">
          <div className="muted small">Requested</div>
          <div className="big-amount" data-testid="wd-amount">{fmtMoney(card.requestedAmount, card.currency)}</div>
        </div>
      </div>
      <div className="card">
        <h4>Details</h4>
        <div className="kv">
          <div><span className="k">Available amount</span><span className="v">{fmtMoney(card.availableAmount, card.currency)}</span></div>
          {card.recommendedAmount !== undefined && <div><span className="k">Recommended</span><span className="v">{fmtMoney(card.recommendedAmount, card.currency)}</span></div>}
          <div><span className="k">Fee</span><span className="v" data-testid="wd-fee">{fmtMoney(card.fee, card.currency)}</span></div>
          <div><span className="k">Requested</span><span className="v">{fmtMoney(card.requestedAmount, card.currency)}</span></div>
        </div>
      </div>
      <div className="card">
        <h4>Transactions</h4>
        {card.transactions.length === 0 ? <p className="muted small">No transactions yet (created when Backoffice approves).</p> : (
          <table className="table compact" data-testid="wd-transactions">
            <thead><tr><th>Type</th><th>Amount</th><th>Status</th><th>OCT / bank details</th><th>Created</th></tr></thead>
            <tbody>
              {card.transactions.map((t) => (
                <tr key={t.id}><td>{t.paymentType}</td><td>{fmtMoney(t.amount, card.currency)}</td><td><StatusBadge status={t.status ?? 'Draft'} /></td><td className="small">{t.oct ?? t.bankDetails ?? '—'}</td><td className="small">{fmtDate(t.createdAt)}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div className="card">
        <h4>Comments</h4>
        {comments.length === 0 && <p className="muted small">No comments.</p>}
        <ul className="plain">
          {comments.map((c, i) => (
            <li key={i} className="comment"><strong>{c.author ?? 'unknown'}</strong> <span className="muted small">{fmtDate(c.createdAt ?? c.at)}</span><div>{c.text ?? c.comment}</div></li>
          ))}
        </ul>
      </div>
      <div className="card">
        <h4>Audit log</h4>
        {audit.isLoading && <Spinner small />}
        <ErrorBox error={audit.error} />
        {audit.data && (
          <table className="table compact" data-testid="wd-audit">
            <thead><tr><th>When</th><th>Who</th><th>Action</th><th>Changes</th><th>IP</th></tr></thead>
            <tbody>
              {audit.data.map((e, i) => (
                <tr key={i}>
                  <td className="nowrap small">{fmtDate(e.timestamp ?? e.at)}</td>
                  <td>{e.user ?? e.userId ?? 'system'}{e.role && <div className="muted small">{e.role}</div>}</td>
                  <td>{e.action ?? e.message}{e.comment && <div className="small">“{e.comment}”</div>}</td>
                  <td className="small">{(e.changes ?? []).map((c, k) => <div key={k}><code>{c.name}</code>: {show(c.before)} → <strong>{show(c.after)}</strong></div>)}</td>
                  <td className="small mono">{e.ipAddress ?? ''}</td>
                </tr>
              ))}
              {audit.data.length === 0 && <tr><td colSpan={5} className="muted">No entries.</td></tr>}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
