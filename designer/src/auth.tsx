import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { get, getToken, post, setReauthenticate, setToken } from './api/client';
import type { Me, TokenResponse } from './api/models';
import { canEditDefinitions } from './lib/access';
import { ErrorBox, Modal } from './common/ui';
import { whenAllowed } from './router';

interface AuthState {
  token: string | null;
  me: Me | undefined;
  loading: boolean;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => void;
}
const Ctx = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setTok] = useState<string | null>(getToken());
  const qc = useQueryClient();
  // Keyed without the token: signing in again after an expiry keeps the profile (and the page under the dialog);
  // signing in or out as someone clears every query.
  const me = useQuery({ queryKey: ['me'], queryFn: () => get<Me>('/api/auth/me'), enabled: !!token, retry: false, staleTime: 5 * 60_000 });
  const [expired, setExpired] = useState(false);
  const waiting = useRef<((signedIn: boolean) => void)[]>([]);
  const meRef = useRef<Me | undefined>(undefined);
  meRef.current = me.data;

  const settle = (signedIn: boolean) => {
    const all = waiting.current;
    waiting.current = [];
    setExpired(false);
    all.forEach((resolve) => resolve(signedIn));
  };
  const signOut = () => {
    settle(false);
    setToken(null);
    setTok(null);
    qc.clear();
  };
  useEffect(() => {
    setReauthenticate(() => {
      // before the profile is known there is nothing to keep: back to the sign-in page
      if (!meRef.current) {
        signOut();
        return Promise.resolve(false);
      }
      setExpired(true);
      return new Promise<boolean>((resolve) => waiting.current.push(resolve));
    });
    return () => setReauthenticate(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const signIn = async (username: string, password: string) => {
    const r = await post<TokenResponse>('/api/auth/token', { username, password });
    setToken(r.accessToken);
    qc.clear();
    setTok(r.accessToken);
  };
  const signInAgain = async (password: string) => {
    const r = await post<TokenResponse>('/api/auth/token', { username: meRef.current!.username, password });
    setToken(r.accessToken);
    setTok(r.accessToken);
    settle(true);
  };
  return (
    <Ctx.Provider value={{ token, me: me.data, loading: !!token && me.isLoading, signIn, signOut }}>
      {children}
      {expired && me.data && <SessionExpiredDialog username={me.data.username} onSignIn={signInAgain} onCancel={() => settle(false)} onSignOut={() => whenAllowed(signOut)} />}
    </Ctx.Provider>
  );
}

/**
 * Shown in place when the session expires mid-work (a 401): the page stays as it is, the same person signs in
 * again and the request that failed is sent again. Cancel leaves the page as it is (the request fails; try again later).
 */
function SessionExpiredDialog({ username, onSignIn, onCancel, onSignOut }: { username: string; onSignIn: (password: string) => Promise<void>; onCancel: () => void; onSignOut: () => void }) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSignIn(password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Modal title="Session expired: sign in again" onClose={onCancel} testId="reauth-dialog">
      <form className="form" onSubmit={submit}>
        <p>Your session has expired. Sign in again as <strong>{username}</strong> to continue; your work on this page is kept and what you were doing is sent again.</p>
        <label>
          Username
          <input value={username} readOnly autoComplete="username" data-testid="reauth-username" />
        </label>
        <label>
          Password
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" data-autofocus data-testid="reauth-password" />
        </label>
        <ErrorBox error={error} title="Sign-in failed" />
        <div className="row">
          <button className="btn btn-primary" type="submit" disabled={!password || busy} data-testid="reauth-submit">{busy ? 'Signing in…' : 'Sign in and continue'}</button>
          <button className="btn" type="button" onClick={onCancel} data-testid="reauth-cancel">Not now</button>
          <button className="btn btn-ghost" type="button" onClick={onSignOut} data-testid="reauth-sign-out">Sign out</button>
        </div>
      </form>
    </Modal>
  );
}

export function useAuth(): AuthState {
  const c = useContext(Ctx);
  if (!c) throw new Error('AuthProvider missing');
  return c;
}

/** May use the designer: the `definitions:edit` right (see lib/access.ts). */
export const isAnalyst = (me: Me | undefined) => canEditDefinitions(me);
