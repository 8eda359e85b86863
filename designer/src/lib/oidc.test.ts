import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OidcError, codeChallenge, completeSignIn, safeReturn, startSignIn } from './oidc';
import type { OidcProvider } from './oidc';

// A provider as far as the browser sees one: discovery and the token endpoint answered by a stubbed fetch.
const ISSUER = 'https://sso.example.test/realms/broker';
const provider: OidcProvider = { authority: ISSUER, clientId: 'approval-engine-designer', scopes: ['openid', 'profile'], displayName: 'Broker SSO' };
const b64url = (s: string) => Buffer.from(s).toString('base64url');

let store: Map<string, string>;
let tokenRequests: URLSearchParams[];
let idTokenNonce: (sent: string) => string;

function idToken(nonce: string) {
  const now = Math.floor(Date.now() / 1000);
  // oauth4webapi checks the claims of an id_token from the token endpoint (TLS vouches for its origin), not its signature.
  return `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ iss: ISSUER, aud: provider.clientId, sub: 'u1', iat: now, exp: now + 300, nonce }))}.c2ln`;
}

beforeEach(() => {
  store = new Map();
  tokenRequests = [];
  idTokenNonce = (sent) => sent;
  vi.stubGlobal('sessionStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v), removeItem: (k: string) => store.delete(k) });
  vi.stubGlobal('location', { origin: 'https://approvals.example.test' });
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url === `${ISSUER}/.well-known/openid-configuration`) {
      return Response.json({ issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize`, token_endpoint: `${ISSUER}/token`, jwks_uri: `${ISSUER}/jwks`, end_session_endpoint: `${ISSUER}/logout` });
    }
    if (url === `${ISSUER}/token`) {
      const body = new URLSearchParams(String(init?.body));
      tokenRequests.push(body);
      return Response.json({ access_token: 'provider-access-token', token_type: 'Bearer', expires_in: 300, id_token: idToken(idTokenNonce(lastNonce)) });
    }
    return new Response('not found', { status: 404 });
  });
});
afterEach(() => vi.unstubAllGlobals());

let lastNonce = '';
async function begin(returnTo = '/inbox/tasks/1') {
  const url = new URL(await startSignIn(provider, returnTo));
  lastNonce = url.searchParams.get('nonce')!;
  return url;
}

describe('PKCE', () => {
  it('gives the challenge of RFC 7636 appendix B for its verifier', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('sends the S256 challenge of a fresh verifier with state and nonce, and never the verifier', async () => {
    const url = await begin();
    expect(url.origin + url.pathname).toBe(`${ISSUER}/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('redirect_uri')).toBe('https://approvals.example.test/inbox/auth/callback');
    const pending = JSON.parse(store.get('approvalengine.oidc.pending')!) as { verifier: string; state: string; nonce: string };
    expect(url.searchParams.get('code_challenge')).toBe(await codeChallenge(pending.verifier));
    expect(url.searchParams.get('state')).toBe(pending.state);
    expect(url.searchParams.get('nonce')).toBe(pending.nonce);
    expect(url.href).not.toContain(pending.verifier);
    const again = await begin();
    expect(again.searchParams.get('state')).not.toBe(url.searchParams.get('state'));
    expect(again.searchParams.get('code_challenge')).not.toBe(url.searchParams.get('code_challenge'));
  });
});

describe('the callback', () => {
  const callback = (params: Record<string, string>) => new URL(`https://approvals.example.test/inbox/auth/callback?${new URLSearchParams(params)}`);

  it('exchanges the code with the verifier and no secret, and returns the access token', async () => {
    const url = await begin('/designer/definitions/abc');
    const verifier = (JSON.parse(store.get('approvalengine.oidc.pending')!) as { verifier: string }).verifier;
    const signedIn = await completeSignIn(callback({ code: 'the-code', state: url.searchParams.get('state')! }));
    expect(signedIn).toEqual({ accessToken: 'provider-access-token', returnTo: '/designer/definitions/abc' });
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0].get('code')).toBe('the-code');
    expect(tokenRequests[0].get('code_verifier')).toBe(verifier);
    expect(tokenRequests[0].get('client_id')).toBe(provider.clientId);
    expect(tokenRequests[0].has('client_secret')).toBe(false);
    expect(store.has('approvalengine.oidc.pending')).toBe(false);
  });

  it('refuses a state other than the one sent, without asking for a token, and is then used up', async () => {
    const url = await begin();
    const state = url.searchParams.get('state')!;
    await expect(completeSignIn(callback({ code: 'c', state: `${state}x` }))).rejects.toThrow(/state does not match/);
    expect(tokenRequests).toHaveLength(0);
    // the right state afterwards is refused too: the pending sign-in is gone (a callback is good once)
    await expect(completeSignIn(callback({ code: 'c', state }))).rejects.toThrow(/No sign-in was started/);
  });

  it('refuses a missing state', async () => {
    await begin();
    await expect(completeSignIn(callback({ code: 'c' }))).rejects.toBeInstanceOf(OidcError);
    expect(tokenRequests).toHaveLength(0);
  });

  it('says the provider refused when it answers access_denied', async () => {
    const url = await begin();
    await expect(completeSignIn(callback({ error: 'access_denied', state: url.searchParams.get('state')! }))).rejects.toThrow(/refused the sign-in \(access denied\)/);
    expect(tokenRequests).toHaveLength(0);
  });

  it('refuses an id_token whose nonce is not the one sent', async () => {
    idTokenNonce = (sent) => `${sent}-other`;
    const url = await begin();
    await expect(completeSignIn(callback({ code: 'c', state: url.searchParams.get('state')! }))).rejects.toThrow(/did not give a valid token/);
    expect(store.has('approvalengine.oidc.session')).toBe(false);
  });
});

describe('returnTo', () => {
  it('stays on the app', () => {
    expect(safeReturn('/inbox/tasks/7')).toBe('/inbox/tasks/7');
    expect(safeReturn('/designer')).toBe('/designer');
    expect(safeReturn('//evil.example/inbox')).toBe('/inbox');
    expect(safeReturn('https://evil.example/inbox')).toBe('/inbox');
    expect(safeReturn('/inbox/auth/callback?code=x')).toBe('/inbox');
  });
});
