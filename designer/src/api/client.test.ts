import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, RawJson, api, setReauthenticate, setToken } from './client';

// sessionStorage and fetch as the browser has them, for the node test environment
const store = new Map<string, string>();
const calls: { path: string; auth: string | undefined; body: unknown }[] = [];
let answers: { status: number; body: unknown }[] = [];

beforeEach(() => {
  store.clear();
  calls.length = 0;
  vi.stubGlobal('sessionStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v), removeItem: (k: string) => store.delete(k) });
  vi.stubGlobal('fetch', async (path: string, init: { headers: Record<string, string>; body?: string }) => {
    calls.push({ path, auth: init.headers.Authorization, body: init.body });
    const a = answers.shift() ?? { status: 200, body: {} };
    return { ok: a.status < 400, status: a.status, text: async () => JSON.stringify(a.body) };
  });
});
afterEach(() => {
  setReauthenticate(null);
  vi.unstubAllGlobals();
});

describe('a 401 never throws the page away', () => {
  it('asks to sign in again and sends the same request with the new token', async () => {
    setToken('old');
    answers = [{ status: 401, body: { title: 'Unauthorized' } }, { status: 200, body: { id: 'flow', savedAt: 'now', valid: true, errors: [] } }];
    const reauth = vi.fn(async () => { setToken('new'); return true; });
    setReauthenticate(reauth);
    const saved = await api<{ id: string }>('PUT', '/api/definitions/flow/draft', { id: 'flow', name: 'edited' });
    expect(saved.id).toBe('flow');
    expect(reauth).toHaveBeenCalledOnce();
    expect(calls.map((c) => c.auth)).toEqual(['Bearer old', 'Bearer new']);
    expect(calls[1].body).toBe(calls[0].body);
  });

  it('fails with a "session expired" problem when the person does not sign in', async () => {
    setToken('old');
    answers = [{ status: 401, body: {} }];
    setReauthenticate(async () => false);
    const e = await api('PUT', '/api/definitions/flow/draft', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(401);
    expect((e as ApiError).problem.title).toMatch(/session has expired/);
    expect(calls).toHaveLength(1);
  });

  it('leaves a failed sign-in and requests without a token alone', async () => {
    const reauth = vi.fn(async () => true);
    setReauthenticate(reauth);
    answers = [{ status: 401, body: { title: 'Wrong password' } }, { status: 401, body: { title: 'Unauthorized' } }];
    setToken('old');
    await expect(api('POST', '/api/auth/token', { username: 'a', password: 'b' })).rejects.toMatchObject({ status: 401, problem: { title: 'Wrong password' } });
    setToken(null);
    await expect(api('GET', '/api/auth/me')).rejects.toMatchObject({ status: 401 });
    expect(reauth).not.toHaveBeenCalled();
  });

  it('sends a RawJson body as it is', async () => {
    answers = [{ status: 200, body: {} }];
    await api('POST', '/api/dry-run/resume', new RawJson('{"outputs":{"amount": 0.123456789012345678}}'));
    expect(calls[0].body).toBe('{"outputs":{"amount": 0.123456789012345678}}');
  });
});
