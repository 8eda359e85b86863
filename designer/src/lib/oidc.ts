import * as oauth from 'oauth4webapi';
import type { SignInProviders } from '../api/models';

/**
 * Sign-in through the company's OpenID Connect provider (issue 15, ADR 21): authorization code with PKCE (S256) as a
 * public client, on oauth4webapi (discovery, the token request, the id_token's iss/aud/exp/nonce checks). The server
 * names the provider (GET /api/auth/providers); the access token then goes to our API as Bearer, which validates it.
 *
 * The code verifier, state and nonce live in sessionStorage (this tab only) from the redirect until the exchange,
 * which removes them first: a callback is good once.
 */
export type OidcProvider = NonNullable<SignInProviders['oidc']>;

/** Where the provider sends the browser back: a route of the web app (served by the server like /inbox). */
export const CALLBACK_PATH = '/inbox/auth/callback';
export const redirectUri = () => `${location.origin}${CALLBACK_PATH}`;

const PENDING = 'approvalengine.oidc.pending';
const SESSION = 'approvalengine.oidc.session';
/** State of a sign-in done in a popup (re-authentication keeps the page as it is); the popup hands the callback back. */
const POPUP_PREFIX = 'popup.';
export const CALLBACK_MESSAGE = 'approvalengine.oidc.callback';

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  authority: string;
  clientId: string;
  redirectUri: string;
  returnTo: string;
}

/** What sign-out needs of the provider's session (RP-initiated logout), kept for as long as our token. */
interface ProviderSession {
  endSession?: string;
  idToken?: string;
  clientId: string;
}

/** A sign-in through the provider that did not end with a token: the message is meant for the person. */
export class OidcError extends Error {}

/** Discovery and token requests over plain HTTP only to a provider on this machine (development, tests). */
function requestOptions(issuer: URL) {
  const local = issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  return local ? { [oauth.allowInsecureRequests]: true } : {};
}

const discovered = new Map<string, Promise<oauth.AuthorizationServer>>();
export function discover(authority: string): Promise<oauth.AuthorizationServer> {
  let p = discovered.get(authority);
  if (!p) {
    const issuer = new URL(authority);
    p = oauth
      .discoveryRequest(issuer, { algorithm: 'oidc', ...requestOptions(issuer) })
      .then((r) => oauth.processDiscoveryResponse(issuer, r))
      .catch((e: unknown) => {
        discovered.delete(authority);
        throw new OidcError(`The identity provider cannot be reached (${describe(e)}). Try again later.`);
      });
    discovered.set(authority, p);
  }
  return p;
}

/** RFC 7636: BASE64URL(SHA-256(verifier)), the S256 code challenge. */
export const codeChallenge = (verifier: string) => oauth.calculatePKCECodeChallenge(verifier);

/**
 * The provider's authorization URL for a new sign-in; remembers verifier, state and nonce for the callback.
 * `popup`: the callback lands in a popup window, which hands it to this page (re-authentication keeps the page).
 */
export async function startSignIn(provider: OidcProvider, returnTo: string, popup = false): Promise<string> {
  const as = await discover(provider.authority);
  if (!as.authorization_endpoint) throw new OidcError('The identity provider names no authorization endpoint.');
  const verifier = oauth.generateRandomCodeVerifier();
  const pending: Pending = {
    state: (popup ? POPUP_PREFIX : '') + oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    verifier,
    authority: provider.authority,
    clientId: provider.clientId,
    redirectUri: redirectUri(),
    returnTo,
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', provider.clientId);
  url.searchParams.set('redirect_uri', pending.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', provider.scopes.join(' '));
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  url.searchParams.set('code_challenge', await codeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  return url.href;
}

/** A callback that belongs in the window that opened this popup (the re-authentication dialog's). */
export function isPopupCallback(params: URLSearchParams): boolean {
  return (params.get('state') ?? '').startsWith(POPUP_PREFIX) && !!window.opener;
}

export interface SignedIn {
  accessToken: string;
  returnTo: string;
}

/**
 * The provider sent the browser back: check the state, exchange the code with the verifier (no client secret), check
 * the id_token's nonce. Throws OidcError with a message for the person when any of it fails.
 */
export async function completeSignIn(callback: URL): Promise<SignedIn> {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (!raw) throw new OidcError('No sign-in was started in this browser tab, or it has been used already. Start again from the sign-in page.');
  const pending = JSON.parse(raw) as Pending;
  const as = await discover(pending.authority);
  const client: oauth.Client = { client_id: pending.clientId };
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, callback.searchParams, pending.state);
  } catch (e) {
    if (e instanceof oauth.AuthorizationResponseError) {
      const why = e.error === 'access_denied' ? 'The identity provider refused the sign-in (access denied).' : `The identity provider refused the sign-in (${e.error}${e.error_description ? `: ${e.error_description}` : ''}).`;
      throw new OidcError(why);
    }
    throw new OidcError(stateMismatch(e) ? 'The answer from the identity provider does not belong to the sign-in started here (its state does not match), so it was refused.' : `The answer from the identity provider could not be read (${describe(e)}).`);
  }
  let tokens: oauth.TokenEndpointResponse;
  try {
    const issuer = new URL(pending.authority);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, pending.redirectUri, pending.verifier, requestOptions(issuer));
    tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
  } catch (e) {
    throw new OidcError(`The sign-in could not be completed: the identity provider did not give a valid token (${describe(e)}).`);
  }
  const session: ProviderSession = { endSession: as.end_session_endpoint, idToken: tokens.id_token, clientId: pending.clientId };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  return { accessToken: tokens.access_token, returnTo: safeReturn(pending.returnTo) };
}

/** Only a path of this app: the state is ours, but a returnTo is never a way off the site. */
export function safeReturn(path: string): string {
  return /^\/(inbox|designer)(\/|$|\?)/.test(path) && !path.startsWith(CALLBACK_PATH) ? path : '/inbox';
}

function stateMismatch(e: unknown): boolean {
  return e instanceof oauth.OperationProcessingError && /state/i.test(e.message);
}

function describe(e: unknown): string {
  if (e instanceof oauth.ResponseBodyError) return `${e.error}${e.error_description ? `: ${e.error_description}` : ''}`;
  return e instanceof Error ? e.message : String(e);
}

/** Signed in through the provider in this tab (sign-out then ends the provider's session too). */
export const signedInWithProvider = () => sessionStorage.getItem(SESSION) !== null;

/**
 * Forgets the provider's session in this tab; returns the provider's end-session URL when it names one (the caller
 * goes there, and the provider sends the browser back to the app).
 */
export function endSession(): string | null {
  const raw = sessionStorage.getItem(SESSION);
  sessionStorage.removeItem(SESSION);
  sessionStorage.removeItem(PENDING);
  if (!raw) return null;
  const s = JSON.parse(raw) as ProviderSession;
  if (!s.endSession) return null;
  const url = new URL(s.endSession);
  if (s.idToken) url.searchParams.set('id_token_hint', s.idToken);
  url.searchParams.set('client_id', s.clientId);
  url.searchParams.set('post_logout_redirect_uri', `${location.origin}/inbox`);
  return url.href;
}
