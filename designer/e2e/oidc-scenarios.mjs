// Sign-in through the company's OpenID Connect provider (issue 15, ADR 21): authorization code + PKCE as a public
// client, at 1280×800 against the real server, whose fixture (OidcE2ETests) starts an in-process provider and points
// the server at it: `node e2e/run.mjs --suite oidc [--only oidc-state]`. Throws on failure.
import { ApiFailure, BASE, api, assert, shot, tokenFor } from './lib.mjs';

const AXE = new URL('../node_modules/axe-core/axe.min.js', import.meta.url).pathname;

async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

/** axe-core on the page: zero serious or critical violations (as the other suites check their screens). */
async function axeCheck(page, what) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert(bad.length === 0, `${what}: ${bad.length} serious/critical axe violations:\n${bad.map((v) => `  ${v.impact} ${v.id} (${v.help}): ${v.nodes.join(' | ')}`).join('\n')}`);
}

/** The sign-in page names the provider the server announced; its button takes the browser to the provider's page. */
async function toProvider(page, startPath = '/inbox') {
  await page.goto(`${BASE}${startPath}`);
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(`${BASE}${startPath}`);
  const { data: providers } = await api('GET', '/api/auth/providers', undefined, null);
  assert(providers.oidc?.displayName, `the server names a provider (${JSON.stringify(providers)})`);
  const button = page.getByRole('button', { name: `Sign in with ${providers.oidc.displayName}` });
  await button.waitFor();
  await button.click();
  await page.waitForURL((u) => u.href.startsWith(providers.oidc.authority));
  const url = new URL(page.url());
  assert(url.searchParams.get('code_challenge_method') === 'S256' && url.searchParams.get('code_challenge'), `PKCE S256 on the way out (${url.href})`);
  assert(!url.searchParams.has('code_verifier'), 'the verifier never leaves the browser before the token request');
  return { url, providers };
}

/** On our callback page: the message shown, a way back, no token kept. */
async function expectRefusal(page, pattern, name) {
  const box = page.getByTestId('oidc-callback');
  await box.getByRole('alert').waitFor();
  const text = await box.innerText();
  assert(pattern.test(text), `the callback page says ${pattern} (${text})`);
  assert(!(await page.evaluate(() => sessionStorage.getItem('approvalengine.token'))), 'no token kept');
  await axeCheck(page, `callback page (${name})`);
  await shot(page, `oidc-${name}`);
  await page.getByRole('button', { name: 'Back to sign-in' }).click();
  await page.getByTestId('signin').waitFor();
}

/**
 * kc.cs.agent (provider group crm-cs → department CS, WD permissions 1–3) signs in through the provider from a link to
 * the inbox and sees the CS inbox with a new WD request's task; the access token the designer keeps is the provider's
 * and the API takes it as Bearer. axe on the sign-in page with the provider's button.
 */
export async function oidcDepartment(browser) {
  const card = await csRequest(75);

  const page = await page1280(browser);
  await page.goto(`${BASE}/inbox`);
  await page.getByTestId('signin').waitFor();
  await page.getByRole('button', { name: 'Sign in with Broker SSO' }).waitFor();
  await axeCheck(page, 'sign-in page with the provider button');
  await shot(page, 'oidc-signin-page');
  const { providers } = await toProvider(page);
  await page.getByRole('button', { name: 'Sign in as kc.cs.agent' }).click();
  await page.waitForURL((u) => u.pathname === '/inbox');
  const user = page.getByTestId('current-user');
  await user.waitFor();
  const who = await user.innerText();
  assert(who.includes('Casey Agent') && who.includes('CS'), `signed in as the provider's user, department CS (${who})`);
  await page.getByTestId(`task-row-${card.taskId}`).waitFor();
  const token = await page.evaluate(() => sessionStorage.getItem('approvalengine.token'));
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert(payload.iss === providers.oidc.authority, `the kept token is the provider's (${payload.iss})`);
  assert(!(await page.evaluate(() => sessionStorage.getItem('approvalengine.oidc.pending'))), 'verifier and state are gone after the exchange');
  const { data: me } = await api('GET', '/api/auth/me', undefined, { token });
  assert(me.username === 'kc.cs.agent' && me.departments.includes('CS') && me.permissions.includes('wd:3'), `the API maps it (${JSON.stringify(me)})`);
  await shot(page, 'oidc-cs-inbox');
}

/** The provider's answer comes back with a state other than the one sent (a forged callback): refused, with a message. */
export async function oidcState(browser) {
  const page = await page1280(browser);
  const { url } = await toProvider(page);
  const forged = new URL(url);
  forged.searchParams.set('state', `${url.searchParams.get('state')}-forged`);
  await page.goto(forged.href);
  await page.getByRole('button', { name: 'Sign in as kc.cs.agent' }).click();
  await page.waitForURL((u) => u.pathname === '/inbox/auth/callback');
  await expectRefusal(page, /state does not match/, 'state');
}

/** The provider answers error=access_denied: the page says the provider refused, and leads back. */
export async function oidcDenied(browser) {
  const page = await page1280(browser);
  await toProvider(page);
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL((u) => u.pathname === '/inbox/auth/callback');
  await expectRefusal(page, /refused the sign-in \(access denied\)/, 'denied');
}

/** kc.leaver's stored account is disabled (by admin1): the provider signs them in, the server refuses, the page says why. */
export async function oidcDisabled(browser) {
  const admin = await tokenFor('admin1');
  let account;
  try {
    account = (await api('POST', '/api/admin/users', { username: 'kc.leaver', displayName: 'Lee Leaver', departments: ['CS'] }, { token: admin })).data;
  } catch (e) {
    if (!(e instanceof ApiFailure && e.status === 409)) throw e;
    account = (await api('GET', '/api/admin/users/kc.leaver', undefined, { token: admin })).data;
  }
  if (account.enabled) await api('POST', '/api/admin/users/kc.leaver/disable', { rowVersion: account.rowVersion }, { token: admin });

  const page = await page1280(browser);
  await toProvider(page);
  await page.getByRole('button', { name: 'Sign in as kc.leaver' }).click();
  await page.waitForURL((u) => u.pathname === '/inbox/auth/callback');
  await expectRefusal(page, /This account is disabled/, 'disabled');
}

async function csRequest(amount) {
  const acc = `oidc${Date.now().toString().slice(-7)}${Math.floor(Math.random() * 100)}`;
  await api('PUT', `/api/sandbox/trading-accounts/${acc}`, { customerId: `E2E-${acc}`, currency: 'USD', balance: 10000, equity: 10000, margin: 0, freeMargin: 10000, credit: 0, openTrades: 0 });
  const { data: card } = await api('POST', '/api/wd-requests', { customerId: `E2E-${acc}`, tradingAccount: acc, requestedAmount: amount, currency: 'USD', comment: 'OIDC E2E' });
  assert(card.taskId && card.department === 'CS', `the new request waits in CS (${JSON.stringify(card)})`);
  return card;
}

/**
 * Issue 14's rule for provider users: kc.cs.agent follows a link to a task, signs in through the provider (and lands on
 * that task), types a comment; the token expires; submitting opens "Session expired", which offers the provider (and
 * no password field); the provider signs the same user in again in a pop-up, the page stays as it was and the action
 * goes through with the comment typed before.
 */
export async function oidcExpired(browser) {
  const card = await csRequest(90);
  const page = await page1280(browser);
  await toProvider(page, `/inbox/tasks/${card.taskId}`);
  await page.getByRole('button', { name: 'Sign in as kc.cs.agent' }).click();
  await page.waitForURL((u) => u.pathname === `/inbox/tasks/${card.taskId}`);
  await page.getByTestId('action-PassToRetention').click();
  await page.getByTestId('action-dialog').waitFor();
  const typed = `Typed before the provider's token expired ${card.id}`;
  await page.getByTestId('field-comment').fill(typed);
  await page.evaluate(() => { window.__samePage = true; });
  await page.evaluate(() => sessionStorage.setItem('approvalengine.token', 'expired.token.value'));
  await page.getByTestId('action-submit').click();
  const dialog = page.getByTestId('reauth-dialog');
  await dialog.waitFor();
  assert((await page.getByTestId('reauth-password').count()) === 0, 'no password field for a provider user');
  await axeCheck(page, 'session expired dialog with the provider');
  await shot(page, 'oidc-expired-dialog');
  const popupOpened = page.waitForEvent('popup');
  await page.getByTestId('reauth-provider').click();
  const popup = await popupOpened;
  await popup.getByRole('button', { name: 'Sign in as kc.cs.agent' }).click();
  await popup.waitForEvent('close');
  await dialog.waitFor({ state: 'detached' });
  await page.getByTestId('action-notice').waitFor();
  await page.getByTestId('history-item').filter({ hasText: typed }).waitFor();
  assert(await page.evaluate(() => window.__samePage === true), 'the page was never reloaded');
  const token = await page.evaluate(() => sessionStorage.getItem('approvalengine.token'));
  assert(token !== 'expired.token.value' && token.split('.').length === 3, 'a new provider token is kept');
}

export const scenarios = [
  ['oidc-department: kc.cs.agent (group crm-cs) signs in through the provider and sees the CS inbox; axe on the sign-in page', oidcDepartment],
  ['oidc-state: a tampered state on return is refused with a message and a way back', oidcState],
  ['oidc-denied: the provider answering access_denied shows the message', oidcDenied],
  ['oidc-disabled: a provider user whose stored account is disabled sees the server\'s refusal', oidcDisabled],
  ['oidc-expired: the session-expired dialog signs the provider user in again in a pop-up; the typed comment is sent', oidcExpired],
];
