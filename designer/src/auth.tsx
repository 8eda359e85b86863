import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, getToken, post, setReauthenticate, setToken } from './api/client';
import type { Me, Problem, SignInProviders, TokenResponse } from './api/models';
import { canEditDefinitions } from './lib/access';
import { CALLBACK_MESSAGE, OidcError, completeSignIn, endSession, signedInWithProvider, startSignIn } from './lib/oidc';
import type { OidcProvider } from './lib/oidc';
import { ErrorBox, Modal } from './common/ui';
import { whenAllowed } from './router';

/** The company's identity provider, when the server names one (GET /api/auth/providers; anonymous). */
export function useProvider(): OidcProvider | null {
  const q = useQuery({ queryKey: ['auth-providers'], queryFn: () => get<SignInProviders>('/api/auth/providers'), staleTime: Infinity, retry: false });
  return q.data?.oidc ?? null;
}

/**
 * Who a fresh token belongs to, asked before the app keeps it: the server's refusal (a disabled account, a provider
 * the server does not trust) is then shown where the person signed in, not lost in a redirect to the sign-in page.
 */
export async function profileOf(token: string): Promise<Me> {
  const res = await fetch('/api/auth/me', { headers: { Accept: 'application/json, application/problem+json', Authorization: `Bearer ${token}` } });
  const text = await res.text();
  let data: unknown;
  try { data = text ? JSON.parse(text) : undefined; } catch { data = undefined; }
  if (!res.ok) {
    const problem = typeof data === 'object' && data !== null ? (data as Problem) : {};
    throw new ApiError(res.status, { status: res.status, title: 'The server refused the sign-in', ...problem });
  }
  return data as Me;
}

/** The callback of a sign-in run in a popup arrives here as a message from that popup (same origin only). */
function popupCallback(popup: Window): Promise<URL> {
  return new Promise((resolve, reject) => {
    let closedSeen = 0;
    const done = () => {
      window.removeEventListener('message', onMessage);
      clearInterval(timer);
    };
    const onMessage = (e: MessageEvent) => {
      if (e.origin !== location.origin || e.source !== popup || (e.data as { type?: string } | null)?.type !== CALLBACK_MESSAGE) return;
      done();
      resolve(new URL(String((e.data as { url: string }).url)));
    };
    // Closed without a callback: given up. Seen twice, so that a message posted just before closing is read first.
    const timer = setInterval(() => {
      if (!popup.closed) return;
      if (++closedSeen < 2) return;
      done();
      reject(new OidcError('The sign-in window was closed before the sign-in finished.'));
    }, 400);
    window.addEventListener('message', onMessage);
  });
}

interface AuthState {
  token: string | null;
  me: Me | undefined;
  loading: boolean;
  signIn: (username: string, password: string) => Promise<void>;
  /** Keeps an access token the provider gave (already checked with profileOf). */
  signInWithToken: (accessToken: string) => void;
  signOut: (endProvider?: boolean) => void;
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
  /** `endProvider`: a person signing out ends the provider's session too; a token found dead on loading only forgets it. */
  const signOut = (endProvider = true) => {
    settle(false);
    setToken(null);
    setTok(null);
    qc.clear();
    // Signed in through the provider: end its session too, when it names an end-session endpoint.
    const end = endSession();
    if (end && endProvider) location.assign(end);
  };
  useEffect(() => {
    setReauthenticate(() => {
      // before the profile is known there is nothing to keep: back to the sign-in page
      if (!meRef.current) {
        signOut(false);
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
  const signInWithToken = (accessToken: string) => {
    setToken(accessToken);
    qc.clear();
    setTok(accessToken);
  };
  /**
   * Re-authentication through the provider in a popup: this page (an open editor, a typed comment) stays as it is
   * while the person signs in there. The same person only: a token for someone else is not used for their work.
   */
  const signInAgainWithProvider = async (provider: OidcProvider) => {
    // Opened at once, in the click: a window opened after an await is blocked as an unrequested popup.
    const popup = window.open('about:blank', 'approvalengine-signin', 'popup,width=520,height=700');
    if (!popup) throw new OidcError('The browser blocked the sign-in window. Allow pop-ups for this site and try again.');
    let callback: URL;
    try {
      popup.location.href = await startSignIn(provider, location.pathname + location.search, true);
      callback = await popupCallback(popup);
    } catch (e) {
      popup.close();
      throw e;
    }
    const { accessToken } = await completeSignIn(callback);
    const who = await profileOf(accessToken);
    const expected = meRef.current!.username;
    if (who.username.toLowerCase() !== expected.toLowerCase()) {
      throw new OidcError(`You signed in as ${who.username}; sign in as ${expected} to continue, or sign out.`);
    }
    setToken(accessToken);
    setTok(accessToken);
    settle(true);
  };
  const signInAgain = async (password: string) => {
    const r = await post<TokenResponse>('/api/auth/token', { username: meRef.current!.username, password });
    setToken(r.accessToken);
    setTok(r.accessToken);
    settle(true);
  };
  return (
    <Ctx.Provider value={{ token, me: me.data, loading: !!token && me.isLoading, signIn, signInWithToken, signOut }}>
      {children}
      {expired && me.data && (
        <SessionExpiredDialog username={me.data.username} onSignIn={signInAgain} onProvider={signInAgainWithProvider} onCancel={() => settle(false)} onSignOut={() => whenAllowed(signOut)} />
      )}
    </Ctx.Provider>
  );
}

/**
 * Shown in place when the session expires mid-work (a 401): the page stays as it is, the same person signs in
 * again and the request that failed is sent again. Cancel leaves the page as it is (the request fails; try again later).
 */
function SessionExpiredDialog({ username, onSignIn, onProvider, onCancel, onSignOut }: { username: string; onSignIn: (password: string) => Promise<void>; onProvider: (p: OidcProvider) => Promise<void>; onCancel: () => void; onSignOut: () => void }) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const provider = useProvider();
  // Someone who came through the provider has no password here: only the provider's button.
  const viaProvider = signedInWithProvider();
  const withProvider = async () => {
    if (!provider) return;
    setBusy(true);
    setError(null);
    try {
      await onProvider(provider);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
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
        {provider && (
          <button className={viaProvider ? 'btn btn-primary' : 'btn'} type="button" onClick={() => void withProvider()} disabled={busy} data-autofocus={viaProvider || undefined} data-testid="reauth-provider">
            {busy && viaProvider ? 'Signing in…' : `Sign in with ${provider.displayName}`}
          </button>
        )}
        {!viaProvider && (
          <>
            <label>
              Username
              <input value={username} readOnly autoComplete="username" data-testid="reauth-username" />
            </label>
            <label>
              Password
              <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" data-autofocus data-testid="reauth-password" />
            </label>
          </>
        )}
        <ErrorBox error={error} title="Sign-in failed" />
        <div className="row">
          {!viaProvider && <button className="btn btn-primary" type="submit" disabled={!password || busy} data-testid="reauth-submit">{busy ? 'Signing in…' : 'Sign in and continue'}</button>}
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
