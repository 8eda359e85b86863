import { useEffect, useState } from 'react';
import { profileOf, useAuth } from './auth';
import { ErrorBox, Spinner } from './common/ui';
import { CALLBACK_MESSAGE, completeSignIn, endSession, isPopupCallback } from './lib/oidc';
import { navigate } from './router';

// One exchange per callback URL: React's development double effects must not spend the pending sign-in twice.
const exchanges = new Map<string, Promise<{ accessToken: string; returnTo: string }>>();

function exchange(href: string) {
  let p = exchanges.get(href);
  if (!p) {
    p = (async () => {
      const signedIn = await completeSignIn(new URL(href));
      try {
        // Asked before the token is kept: a refusal (a disabled account) is shown here, with the server's words.
        await profileOf(signedIn.accessToken);
      } catch (e) {
        endSession();
        throw e;
      }
      return signedIn;
    })();
    exchanges.set(href, p);
  }
  return p;
}

/**
 * Where the provider sends the browser back (/inbox/auth/callback). In a popup (re-authentication) it hands the answer
 * to the page that opened it, which holds the verifier and the work; otherwise it finishes the sign-in here. Any
 * failure is shown with a way back to the sign-in page, never a blank page.
 */
export function OidcCallback() {
  const { signInWithToken } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const [popup] = useState(() => isPopupCallback(new URLSearchParams(location.search)));

  useEffect(() => {
    if (popup) {
      window.opener.postMessage({ type: CALLBACK_MESSAGE, url: location.href }, location.origin);
      window.close();
      return;
    }
    let live = true;
    exchange(location.href).then(
      ({ accessToken, returnTo }) => {
        if (!live) return;
        signInWithToken(accessToken);
        navigate(returnTo, true);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div className="signin-page">
      <main className="signin-card" data-testid="oidc-callback">
        <div className="brand big">
          <span className="logo">◆</span> ApprovalEngine
        </div>
        {error ? (
          <>
            <h1 className="signin-title">Sign-in did not complete</h1>
            <ErrorBox error={error} title="Sign-in failed" />
            <button className="btn btn-primary" type="button" onClick={() => navigate('/inbox', true)} data-testid="oidc-back">
              Back to sign-in
            </button>
          </>
        ) : popup ? (
          <p>Signed in: this window closes by itself. You can close it and go back to your work.</p>
        ) : (
          <Spinner label="Signing you in…" />
        )}
      </main>
    </div>
  );
}
