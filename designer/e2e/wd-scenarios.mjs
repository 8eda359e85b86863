// WD screens that were API only (issue 13) at 1280×800 against the real wd-request flow:
// `node e2e/run.mjs --suite wd [--only wd-create]`. Each scenario makes its own trading account and throws on failure.
import { ApiFailure, BASE, api, assert, shot, signIn, tokenFor } from './lib.mjs';

async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

/** A sandbox trading account with 10 000 USD free (the ledger the create route reads). */
async function account(prefix) {
  const acc = `${prefix}${Date.now().toString().slice(-7)}${Math.floor(Math.random() * 100)}`;
  const customerId = `E2E-${acc}`;
  await api('PUT', `/api/sandbox/trading-accounts/${acc}`, { customerId, currency: 'USD', balance: 10000, equity: 10000, margin: 0, freeMargin: 10000, credit: 0, openTrades: 0 });
  return { account: acc, customerId };
}

async function requestsOf(tradingAccount, token) {
  return (await api('GET', `/api/wd-requests?tradingAccount=${encodeURIComponent(tradingAccount)}`, undefined, { token })).data;
}

async function expectStatus(promise, status, what) {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ApiFailure && e.status === status) return;
    throw e;
  }
  throw new Error(`${what}: expected ${status}, got success`);
}

/** cs1 creates a request in the inbox; the server's amount errors land at the amount field; others have no button. */
export async function wdCreate(browser) {
  const { account: acc, customerId } = await account('e2ec');
  const cs = await tokenFor('cs1');
  const page = await page1280(browser);
  await signIn(page, 'cs1', '/inbox');
  await page.getByTestId('wd-new').click();
  const dialog = page.getByTestId('wd-new-dialog');
  await dialog.waitFor();
  await page.getByTestId('wd-new-customerId').fill(customerId);
  await page.getByTestId('wd-new-tradingAccount').fill(acc);
  await page.getByTestId('wd-new-currency').fill('USD');
  await page.getByTestId('wd-new-comment').fill('Customer asked by phone');

  // three decimals for USD: the browser sends it, the server names requestedAmount
  await page.getByTestId('wd-new-requestedAmount').fill('100.125');
  await page.getByTestId('wd-new-save').click();
  const amountError = page.getByTestId('error-wd-new-requestedAmount');
  await amountError.filter({ hasText: 'decimal places' }).waitFor();
  assert(await page.getByTestId('wd-new-requestedAmount').getAttribute('aria-invalid') === 'true', 'the amount field is marked invalid');
  // more than the available amount (10 000): again the server's message at the field
  await page.getByTestId('wd-new-requestedAmount').fill('20,000');
  await page.getByTestId('wd-new-save').click();
  await amountError.filter({ hasText: 'less than the available amount' }).waitFor();
  await shot(page, 'wd-create-amount-error');
  // not a number at all: the form says so before sending
  await page.getByTestId('wd-new-requestedAmount').fill('12abc');
  await page.getByTestId('wd-new-save').click();
  await amountError.filter({ hasText: 'must be a number' }).waitFor();
  assert((await requestsOf(acc, cs)).total === 0, 'nothing was created by the refused attempts');

  await page.getByTestId('wd-new-requestedAmount').fill('1,250.55');
  await page.getByTestId('wd-new-save').click();
  // the new request opens: its task with the WD card
  await page.waitForURL(/\/inbox\/tasks\//);
  await page.getByTestId('wd-card').waitFor();
  const customerShown = await page.getByTestId('wd-customer').textContent();
  assert(customerShown.includes(customerId), `the card shows the customer (${customerShown})`);
  const amountShown = await page.getByTestId('wd-amount').textContent();
  assert(/1,250\.55/.test(amountShown), `the card shows 1,250.55 (${amountShown})`);
  const list = await requestsOf(acc, cs);
  assert(list.total === 1, `one request for ${acc} (${list.total})`);
  const created = list.items[0];
  assert(String(created.requestedAmount) === '1250.55' && created.status === 'New', `stored exactly 1250.55 in New (${created.requestedAmount}, ${created.status})`);
  await shot(page, 'wd-create-opened');

  // back in the inbox the request is listed
  await page.goto(`${BASE}/inbox`);
  await page.getByTestId('sort').selectOption('-createdAt');
  await page.locator(`[data-subject="${created.id}"]`).waitFor();
  await page.context().close();

  // people without wd:create have no button, and the route refuses them
  for (const user of ['dealing1', 'bo1']) {
    const p = await page1280(browser);
    await signIn(p, user, '/inbox');
    await p.getByTestId('task-table').waitFor();
    assert((await p.getByTestId('wd-new').count()) === 0, `${user} has no New WD request button`);
    await p.context().close();
  }
  await expectStatus(api('POST', '/api/wd-requests', { customerId, tradingAccount: acc, requestedAmount: 10, currency: 'USD', comment: 'x' }, { token: await tokenFor('dealing1') }), 403, 'dealing1 creating');
}

async function createViaApi(amount = 100) {
  const { account: acc, customerId } = await account('e2ek');
  const { data } = await api('POST', '/api/wd-requests', { customerId, tradingAccount: acc, requestedAmount: amount, currency: 'USD', comment: 'E2E withdrawal' });
  return data;
}

/** cs1 comments on the card (shown without a reload); the client area cancels, people have no cancel button and no comment box after. */
export async function wdCommentAndClientCancel(browser) {
  const card = await createViaApi(120);
  assert(card.taskId, 'the new request has an open task');
  const page = await page1280(browser);
  await signIn(page, 'cs1', `/inbox/tasks/${card.taskId}`);
  await page.getByTestId('wd-card').waitFor();
  await page.evaluate(() => { window.__sameDocument = true; });
  assert((await page.getByRole('button', { name: /client.?cancel|cancel.*client/i }).count()) === 0, 'people are not offered the client cancel');

  const text = `Called the customer ${Date.now()}`;
  await page.getByTestId('wd-comment-text').fill(text);
  await page.getByTestId('wd-comment-copy').check();
  await page.getByTestId('wd-comment-add').click();
  const comment = page.getByTestId('wd-comment').filter({ hasText: text });
  await comment.waitFor();
  assert((await comment.textContent()).includes('copied to the client card'), 'the comment says it was copied to the client card');
  await page.getByTestId('wd-audit').filter({ hasText: text }).waitFor();
  assert(await page.evaluate(() => window.__sameDocument === true), 'no reload');
  assert((await page.getByTestId('wd-comment-text').inputValue()) === '', 'the box is emptied');
  await shot(page, 'wd-comment-added');
  const { data: stored } = await api('GET', `/api/wd-requests/${card.id}`, undefined, { token: await tokenFor('cs1') });
  assert(stored.comments.some((c) => c.text === text && c.user === 'cs1' && c.copyToClientCard === true), 'the comment is stored with its author');

  // a person cannot client-cancel, even through the route
  await expectStatus(api('POST', `/api/wd-requests/${card.id}/client-cancel`, {}, { token: await tokenFor('supervisor1') }), 403, 'supervisor1 client-cancel');
  // the client area (system key) cancels; the card, reloaded, is final: no actions, no comment box
  await api('POST', `/api/wd-requests/${card.id}/client-cancel`, {});
  await page.goto(`${BASE}/inbox/tasks/${card.taskId}`);
  await page.getByTestId('wd-card').waitFor();
  await page.getByTestId('wd-status').filter({ hasText: /cancel/i }).waitFor();
  assert((await page.getByTestId('wd-comment-form').count()) === 0, 'no comment box on a final request');
  assert((await page.locator('[data-testid="task-actions"] button[data-action]:not([disabled])').count()) === 0, 'no actions on a final request');
  await shot(page, 'wd-client-canceled');
  await page.context().close();
}

/** supervisor1 (wd:5) selects two requests and moves them to Dealing; one refused row says why; cs1 has no mass edit. */
export async function wdMassEdit(browser) {
  const a = await createViaApi(50);
  const b = await createViaApi(60);
  const c = await createViaApi(70);
  // c is canceled by the client: final, so the server refuses it row by row
  await api('POST', `/api/wd-requests/${c.id}/client-cancel`, {});
  const page = await page1280(browser);
  await signIn(page, 'supervisor1', '/inbox');
  await page.getByTestId('filter-status').selectOption('all');
  await page.getByTestId('sort').selectOption('-createdAt');
  await page.getByTestId('filter-definition').fill('wd-request');
  for (const r of [a, b, c]) {
    const row = page.locator(`[data-subject="${r.id}"]`).first();
    await row.waitFor();
    await row.getByTestId('wd-mass-select').check();
  }
  assert(page.url().endsWith('/inbox'), 'ticking a box does not open the task');
  await page.getByTestId('wd-mass-edit').filter({ hasText: '(3)' }).click();
  await page.getByTestId('wd-mass-dialog').waitFor();
  await page.getByTestId('wd-mass-department').selectOption('Dealing');
  await shot(page, 'wd-mass-confirm');
  await page.getByTestId('wd-mass-confirm').click();
  await page.getByTestId('wd-mass-summary').filter({ hasText: '2 moved, 1 refused' }).waitFor();
  for (const r of [a, b]) await page.locator(`[data-testid="wd-mass-row"][data-id="${r.id}"][data-ok="true"]`).waitFor();
  const refused = page.locator(`[data-testid="wd-mass-row"][data-id="${c.id}"][data-ok="false"]`);
  await refused.waitFor();
  assert(((await refused.getByTestId('wd-mass-error').textContent()) ?? '').trim().length > 0, 'the refused row says why');
  await shot(page, 'wd-mass-result');
  const sup = await tokenFor('supervisor1');
  for (const r of [a, b]) {
    const { data } = await api('GET', `/api/wd-requests/${r.id}`, undefined, { token: sup });
    assert(data.department === 'Dealing', `${r.id} is with Dealing (${data.department}, ${data.status})`);
  }
  await page.context().close();

  // bo1 has wd:1–4 but not wd:5: no checkboxes, no button; the route refuses
  const p = await page1280(browser);
  await signIn(p, 'bo1', '/inbox');
  await p.getByTestId('task-table').waitFor();
  assert((await p.getByTestId('wd-mass-edit').count()) === 0 && (await p.getByTestId('wd-mass-select').count()) === 0, 'bo1 is not offered mass edit');
  await p.context().close();
  await expectStatus(api('POST', '/api/wd-requests/mass-edit', { ids: [a.id], department: 'Backoffice' }, { token: await tokenFor('bo1') }), 403, 'bo1 mass edit');
}

export const scenarios = [
  ['wd-create: cs1 creates a WD request, the server\'s amount errors are at the field, others have no button', wdCreate],
  ['wd-comment: cs1 comments without a reload; only the client area cancels, then the card is final', wdCommentAndClientCancel],
  ['wd-mass-edit: supervisor1 moves two requests to Dealing, a final one is refused; bo1 is not offered it', wdMassEdit],
];
