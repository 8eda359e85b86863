import type { Problem } from './models';

const TOKEN_KEY = 'approvalengine.token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(token: string | null) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An HTTP failure carrying the RFC 9457 problem body (or a synthesized one). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * Called when a request that carried a token gets 401 (the session expired): resolves true once the person has signed
 * in again, and the request is then sent again with the new token; false gives up (the request fails with the 401).
 * Nothing on the page is thrown away meanwhile — the editor keeps its state and a typed comment stays typed.
 */
export type Reauthenticate = () => Promise<boolean>;
let reauthenticate: Reauthenticate | null = null;
export function setReauthenticate(fn: Reauthenticate | null) {
  reauthenticate = fn;
}

/** A request body already serialized (JSON the person typed, sent byte for byte). */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * `exactKeys`: JSON number values of these keys are kept as their text (a double keeps ~15 significant digits; an
 * 18-decimal coin amount would come back rounded and be saved rounded on the next edit).
 */
export async function api<T>(method: string, path: string, body?: unknown, exactKeys: readonly string[] = []): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : body instanceof RawJson ? body.text : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { title: 'The server cannot be reached', detail: 'Check your network connection and try again.' });
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try { data = JSON.parse(exactKeys.length ? numbersAsText(text, exactKeys) : text); } catch { data = text; }
  }
  if (!res.ok) {
    if (res.status === 401 && token && reauthenticate && !path.startsWith('/api/auth/token')) {
      // Retried once per sign-in; the same body goes again (a save retried carries the edits made before it).
      if (await reauthenticate()) return api<T>(method, path, body, exactKeys);
      throw new ApiError(401, { status: 401, title: 'Your session has expired', detail: 'Sign in again to continue; nothing on this page was lost.' });
    }
    const problem: Problem = typeof data === 'object' && data !== null ? (data as Problem) : { detail: typeof data === 'string' ? data : undefined };
    throw new ApiError(res.status, { status: res.status, ...problem });
  }
  return data as T;
}

export const get = <T>(path: string, exactKeys: readonly string[] = []) => api<T>('GET', path, undefined, exactKeys);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Rewrites `"key": 1.23` to `"key": "1.23"` for the given keys, so JSON.parse never turns those numbers into doubles. */
export function numbersAsText(json: string, keys: readonly string[]): string {
  if (keys.length === 0) return json;
  const names = keys.map((k) => k.replace(/[^A-Za-z0-9_]/g, '')).join('|');
  return json.replace(new RegExp(`("(?:${names})"\\s*:\\s*)(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`, 'g'), '$1"$2"');
}
