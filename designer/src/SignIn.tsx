import { useState } from 'react';
import type { FormEvent } from 'react';
import { useAuth, useProvider } from './auth';
import { ErrorBox, Spinner } from './common/ui';
import { startSignIn } from './lib/oidc';

const DEV_USERS: { name: string; role: string }[] = [
  { name: 'cs1', role: 'Customer Support' },
  { name: 'retention1', role: 'Retention' },
  { name: 'dealing1', role: 'Dealing' },
  { name: 'bo1', role: 'Backoffice' },
  { name: 'supervisor1', role: 'All departments' },
  { name: 'maker1', role: 'Operations · maker' },
  { name: 'checker1', role: 'Operations · checker' },
  { name: 'checker2', role: 'Operations · checker' },
  { name: 'analyst1', role: 'Workflow analyst' },
  { name: 'analyst2', role: 'Workflow analyst (reviewer)' },
];

export function SignIn() {
  const { signIn } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const go = async (u: string, p: string) => {
    setBusy(u);
    setError(null);
    try {
      await signIn(u, p);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  const provider = useProvider();
  const withProvider = async () => {
    if (!provider) return;
    setBusy('provider');
    setError(null);
    try {
      // Back to where the person was going (a link to a task) once signed in.
      const here = location.pathname + location.search;
      location.assign(await startSignIn(provider, here));
    } catch (e) {
      setError(e);
      setBusy(null);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void go(username.trim(), password);
  };

  return (
    <div className="signin-page">
      <div className="signin-card" data-testid="signin">
        <div className="brand big">
          <span className="logo">◆</span> ApprovalEngine
        </div>
        <p className="muted">Withdrawal approvals and workflow design for the back office.</p>
        {provider && (
          <>
            <button className="btn btn-primary btn-block" type="button" onClick={() => void withProvider()} disabled={!!busy} data-testid="signin-provider">
              {busy === 'provider' ? <Spinner small label="Going to the sign-in page…" /> : `Sign in with ${provider.displayName}`}
            </button>
            <div className="divider">
              <span>or with a user name</span>
            </div>
          </>
        )}
        <form onSubmit={submit} className="form">
          <label>
            Username
            <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" data-testid="signin-username" />
          </label>
          <label>
            Password
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" data-testid="signin-password" />
          </label>
          <button className="btn btn-primary" type="submit" disabled={!username || !!busy} data-testid="signin-submit">
            {busy === username.trim() ? <Spinner small label="Signing in…" /> : 'Sign in'}
          </button>
        </form>
        <ErrorBox error={error} title="Sign-in failed" />
        <div className="divider">
          <span>Development users</span>
        </div>
        <div className="quick-users">
          {DEV_USERS.map((u) => (
            <button key={u.name} className="quick-user" onClick={() => go(u.name, u.name)} disabled={!!busy} data-testid={`quick-${u.name}`}>
              <strong>{busy === u.name ? 'Signing in…' : u.name}</strong>
              <small>{u.role}</small>
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}
