// Shared helpers for the e2e scripts: playwright-core driving Debian's chromium (never a downloaded browser).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BASE = (process.env.APPROVALENGINE_URL ?? 'http://localhost:5080').replace(/\/$/, '');
export const SHOTS = path.resolve(process.env.E2E_SCREENSHOTS ?? path.join(here, 'screenshots'));
export const SYSTEM_KEY = process.env.APPROVALENGINE_SYSTEM_KEY ?? 'dev-system-key';
fs.mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

export async function shot(page, name) {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Signs in through the UI using a quick-user button (falls back to the form). */
export async function signIn(page, user, startPath = '/inbox') {
  await page.goto(`${BASE}${startPath}`);
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(`${BASE}${startPath}`);
  const quick = page.getByTestId(`quick-${user}`);
  if (await quick.count()) await quick.click();
  else {
    await page.getByTestId('signin-username').fill(user);
    await page.getByTestId('signin-password').fill(user);
    await page.getByTestId('signin-submit').click();
  }
  await page.getByTestId('current-user').waitFor();
}

export class ApiFailure extends Error {
  constructor(method, url, status, body) {
    super(`${method} ${url} → ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

/** Calls the HTTP API. auth: { key: true } for the system key, { token } for a bearer token. */
export async function api(method, url, body, auth = { key: true }) {
  const headers = { Accept: 'application/json' };
  if (auth?.key) headers['X-Api-Key'] = SYSTEM_KEY;
  if (auth?.token) headers.Authorization = `Bearer ${auth.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${BASE}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = text;
  try { data = text ? JSON.parse(text) : null; } catch { /* text */ }
  if (!res.ok) throw new ApiFailure(method, url, res.status, data);
  return { status: res.status, data };
}

export async function tokenFor(user) {
  const { data } = await api('POST', '/api/auth/token', { username: user, password: user }, null);
  return data.accessToken;
}

export function assert(cond, message) {
  if (!cond) throw new Error(`Assertion failed: ${message}`);
}

/** Sample values for a definition's start inputs. */
export function sampleInput(def, overrides = {}) {
  const input = {};
  for (const i of def.inputs ?? []) {
    input[i.name] = { number: 100, boolean: false, datetime: new Date().toISOString(), list: [], object: {} }[i.type] ?? `e2e-${i.name}`;
  }
  return { ...input, ...overrides };
}
