import { useEffect } from 'react';
import { isAnalyst, useAuth } from './auth';
import { canApproveDefinitions, canManageWebhooks, canSeeDesignerArea } from './lib/access';
import { Link, match, navigate, useLocation, whenAllowed } from './router';
import { SignIn } from './SignIn';
import { OidcCallback } from './OidcCallback';
import { CALLBACK_PATH } from './lib/oidc';
import { Spinner } from './common/ui';
import { DefinitionsList } from './designer/DefinitionsList';
import { DesignerPage } from './designer/DesignerPage';
import { InstancesList } from './designer/InstancesList';
import { PublishRequestsPage } from './designer/PublishRequestsPage';
import { WebhooksPage } from './designer/WebhooksPage';
import { CryptoRecordDetailPage, CryptoRecordsNav, CryptoRecordsPage, canReadCryptoRecords } from './crypto/records';
import { InstanceViewer } from './designer/InstanceViewer';
import { InboxPage } from './inbox/InboxPage';
import { TaskPage } from './inbox/TaskPage';
import { CoinsPage } from './crypto/CoinsPage';
import { FiatConfigPage } from './fiat/config/ConfigPage';
import { FiatRecordPage } from './fiat/RecordPage';
import { WithdrawalsPage } from './fiat/WithdrawalsPage';
import { BatchDetailPage, BatchesPage } from './fiat/ops/BatchesPage';
import { BillsPage } from './fiat/ops/BillsPage';
import { ChequesPage } from './fiat/ops/ChequesPage';
import { ExceptionsPage } from './fiat/ops/ExceptionsPage';
import { canReadCoins } from './lib/crypto';
import { canOperateFiat, canReadFiatConfig } from './lib/fiat';
import { UsersPage } from './admin/UsersPage';
import { canManageUsers } from './admin/logic';

export function App() {
  const { token, me, loading, signOut } = useAuth();
  const { path } = useLocation();

  useEffect(() => {
    if (path === '/' || path === '' || path === '/index.html') navigate('/inbox', true);
  }, [path]);

  if (path === CALLBACK_PATH) return <OidcCallback />;
  if (!token) return <SignIn />;
  if (loading || !me) return <div className="center-page"><Spinner label="Loading your profile…" /></div>;

  const area = path.startsWith('/designer') ? 'designer' : path.startsWith('/inbox/admin') ? 'admin' : path.startsWith('/inbox/fiat') ? 'fiat' : path.startsWith('/inbox/crypto') ? 'crypto' : 'inbox';
  let page: React.ReactNode = <NotFound />;
  let m: Record<string, string> | null;
  if (path === '/designer' || path === '/designer/') page = <DefinitionsList />;
  else if ((m = match('/designer/definitions/:id', path))) page = <DesignerPage key={m.id} definitionId={m.id} />;
  else if (match('/designer/instances', path)) page = <InstancesList />;
  else if (match('/designer/publish-requests', path)) page = <PublishRequestsPage />;
  else if (match('/designer/webhooks', path) && canManageWebhooks(me)) page = <WebhooksPage />;
  else if ((m = match('/designer/instances/:id', path))) page = <InstanceViewer key={m.id} instanceId={m.id} />;
  else if (path === '/inbox' || path === '/inbox/') page = <InboxPage />;
  else if ((m = match('/inbox/tasks/:id', path))) page = <TaskPage key={m.id} taskId={m.id} />;
  else if (match('/inbox/fiat/config', path) && canReadFiatConfig(me)) page = <FiatConfigPage />;
  else if (match('/inbox/crypto/coins', path) && canReadCoins(me)) page = <CoinsPage />;
  else if (match('/inbox/admin/users', path) && canManageUsers(me)) page = <UsersPage />;
  else if (match('/inbox/fiat/withdrawals', path) && canOperateFiat(me)) page = <WithdrawalsPage />;
  else if ((m = match('/inbox/fiat/withdrawals/:id', path)) && canOperateFiat(me)) page = <FiatRecordPage key={m.id} recordId={m.id} />;
  else if (match('/inbox/fiat/ops/batches', path) && canOperateFiat(me)) page = <BatchesPage />;
  else if ((m = match('/inbox/fiat/ops/batches/:id', path)) && canOperateFiat(me)) page = <BatchDetailPage key={m.id} batchId={m.id} />;
  else if (match('/inbox/fiat/ops/exceptions', path) && canOperateFiat(me)) page = <ExceptionsPage />;
  else if (match('/inbox/fiat/ops/bills', path) && canOperateFiat(me)) page = <BillsPage />;
  else if (match('/inbox/fiat/ops/cheques', path) && canOperateFiat(me)) page = <ChequesPage />;
  else if ((m = match('/inbox/crypto/:kind', path)) && (m.kind === 'withdrawals' || m.kind === 'deposits') && canReadCryptoRecords(me)) page = <CryptoRecordsPage key={m.kind} kind={m.kind} />;
  else if ((m = match('/inbox/crypto/:kind/:id', path)) && (m.kind === 'withdrawals' || m.kind === 'deposits') && canReadCryptoRecords(me)) page = <CryptoRecordDetailPage key={m.id} kind={m.kind} recordId={m.id} />;

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo">◆</span> ApprovalEngine
        </div>
        <nav className="topnav">
          <Link to="/inbox" className={area === 'inbox' ? 'active' : ''} data-testid="nav-inbox">
            Inbox
          </Link>
          {canOperateFiat(me) && (
            <Link to="/inbox/fiat/withdrawals" className={path.startsWith('/inbox/fiat/withdrawals') || path.startsWith('/inbox/fiat/ops') ? 'active' : ''} data-testid="nav-fiat-withdrawals">
              Withdrawals
            </Link>
          )}
          {canReadFiatConfig(me) && (
            <Link to="/inbox/fiat/config" className={path.startsWith('/inbox/fiat/config') ? 'active' : ''} data-testid="nav-fiat-config">
              Fiat configuration
            </Link>
          )}
          {canReadCoins(me) && (
            <Link to="/inbox/crypto/coins" className={path.startsWith('/inbox/crypto/coins') ? 'active' : ''} data-testid="nav-crypto-coins">
              Coins
            </Link>
          )}
          {canReadCryptoRecords(me) && <CryptoRecordsNav path={path} />}
          {canManageUsers(me) && (
            <Link to="/inbox/admin/users" className={path.startsWith('/inbox/admin/users') ? 'active' : ''} data-testid="nav-users">
              Users
            </Link>
          )}
          {isAnalyst(me) && (
            <Link to="/designer" className={area === 'designer' && !path.startsWith('/designer/instances') && !path.startsWith('/designer/publish-requests') && !path.startsWith('/designer/webhooks') ? 'active' : ''} data-testid="nav-designer">
              Designer
            </Link>
          )}
          {(isAnalyst(me) || canApproveDefinitions(me)) && (
            <Link to="/designer/publish-requests" className={path.startsWith('/designer/publish-requests') ? 'active' : ''} data-testid="nav-publish-requests">
              Publish requests
            </Link>
          )}
          {canManageWebhooks(me) && (
            <Link to="/designer/webhooks" className={path.startsWith('/designer/webhooks') ? 'active' : ''} data-testid="nav-webhooks">
              Webhooks
            </Link>
          )}
          {canSeeDesignerArea(me) && (
            <>
              <Link to="/designer/instances" className={path.startsWith('/designer/instances') ? 'active' : ''} data-testid="nav-instances">
                Instances
              </Link>
            </>
          )}
        </nav>
        <div className="user" data-testid="current-user">
          <span className="avatar">{(me.displayName || me.username).slice(0, 1).toUpperCase()}</span>
          <span>
            <strong>{me.displayName || me.username}</strong>
            <small>{me.departments.length ? me.departments.join(', ') : 'no department'}</small>
          </span>
          <button className="btn btn-sm btn-ghost" onClick={() => whenAllowed(signOut)} data-testid="sign-out">
            Sign out
          </button>
        </div>
      </header>
      <main className="content">{page}</main>
    </div>
  );
}

function NotFound() {
  return (
    <div className="page">
      <h2>Page not found</h2>
      <p>
        Go to the <Link to="/inbox">inbox</Link> or the <Link to="/designer">designer</Link>.
      </p>
    </div>
  );
}
