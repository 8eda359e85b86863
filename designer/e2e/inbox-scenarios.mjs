// The inbox for real work (issue 14) at 1280×800 against the real wd-request flow:
// `node e2e/run.mjs --suite inbox [--only inbox-columns]`. Each scenario makes its own trading accounts and throws on failure.
import { BASE, api, assert, shot, signIn, tokenFor } from './lib.mjs';

async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

let n = 0;
/** A sandbox trading account with 10 000 USD free and a WD request of `amount` (decimal text) on it, created by cs1. */
async function wdRequest(amount) {
  const tag = `${Date.now().toString(36).slice(-5)}${(n++).toString(36)}${Math.floor(Math.random() * 1000)}`.toUpperCase();
  const account = `IN${tag}`;
  const customerId = `CUST-${tag}`;
  await api('PUT', `/api/sandbox/trading-accounts/${account}`, { customerId, currency: 'USD', balance: 10000, equity: 10000, margin: 0, freeMargin: 10000, credit: 0, openTrades: 0 });
  const cs = await tokenFor('cs1');
  // the amount travels as JSON number text written by hand: no float in between
  const res = await fetch(`${BASE}/api/wd-requests`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${cs}` },
    body: `{"customerId":"${customerId}","tradingAccount":"${account}","requestedAmount":${amount},"currency":"USD","comment":"Customer asked by phone"}`,
  });
  const card = await res.json();
  assert(res.status === 201, `created: ${JSON.stringify(card)}`);
  const { data } = await api('GET', `/api/tasks?customer=${encodeURIComponent(customerId)}`, undefined, { token: cs });
  assert(data.items.length === 1, `one task for ${customerId}: ${JSON.stringify(data.items)}`);
  return { id: card.id, customerId, account, taskId: data.items[0].id };
}

/** Every input, select, textarea and button in `root` has an accessible name (label, aria-label(ledby), text or title). */
async function unnamedControls(page, root) {
  return page.locator(root).evaluate((el) => {
    const named = (c) => {
      if (c.getAttribute('aria-label')?.trim()) return true;
      const by = c.getAttribute('aria-labelledby');
      if (by && by.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim())) return true;
      if (c.labels && [...c.labels].some((l) => l.textContent?.trim())) return true;
      if (c.tagName === 'BUTTON' && c.textContent?.trim()) return true;
      return !!c.getAttribute('title')?.trim();
    };
    const visible = (c) => !c.hidden && c.getAttribute('aria-hidden') !== 'true' && c.getClientRects().length > 0;
    return [...el.querySelectorAll('input, select, textarea, button, summary')]
      .filter((c) => c.tagName !== 'SUMMARY' || !c.textContent?.trim())
      .filter(visible).filter((c) => !named(c)).map((c) => c.outerHTML.slice(0, 120));
  });
}

/** Rows show customer, account and amount (decimal text); the subject search finds exactly one; every control is named. */
export async function inboxColumns(browser) {
  const a = await wdRequest('1234.50');
  const b = await wdRequest('987.65');
  const page = await page1280(browser);
  await signIn(page, 'cs1', '/inbox');
  await page.getByTestId('sort').selectOption('-createdAt');
  for (const r of [a, b]) {
    const row = page.getByTestId(`task-row-${r.taskId}`);
    await row.waitFor();
    await row.getByTestId('task-customer').filter({ hasText: r.customerId }).waitFor();
    await row.getByTestId('task-account').filter({ hasText: r.account }).waitFor();
    await row.getByTestId('task-open').waitFor();
  }
  const amount = await page.getByTestId(`task-row-${a.taskId}`).getByTestId('task-amount').textContent();
  assert(amount.trim() === '1,234.50 USD', `the amount as decimal text with its currency: "${amount}"`);
  await shot(page, 'inbox-columns');

  await page.getByTestId('inbox-search-customer').fill(a.customerId.toLowerCase());
  await page.getByTestId('inbox-search-amount').fill('1,234.5');
  await page.getByTestId('inbox-search-apply').click();
  await page.getByTestId('task-table').locator('tbody tr').filter({ hasText: b.customerId }).waitFor({ state: 'detached' });
  const rows = page.getByTestId('task-table').locator('tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="task-table"] tbody tr').length === 1);
  assert((await rows.first().getAttribute('data-testid')) === `task-row-${a.taskId}`, 'the search finds the request by customer and amount');
  // a malformed amount is refused at the field, not sent
  await page.getByTestId('inbox-search-amount').fill('12abc');
  assert(await page.getByTestId('inbox-search-apply').isDisabled(), 'a malformed amount cannot be searched');
  assert((await page.getByTestId('inbox-search-amount').getAttribute('aria-invalid')) === 'true', 'the amount field is marked invalid');
  await shot(page, 'inbox-search');
  const unnamed = await unnamedControls(page, '[data-testid="inbox-page"]');
  assert(unnamed.length === 0, `every inbox control is named: ${unnamed.join(' | ')}`);
  await page.context().close();
}

/** Status = All shows a completed task as closed; the filter is remembered, said to be, and can be cleared. */
export async function inboxClosedAndRemembered(browser) {
  const r = await wdRequest('300');
  const cs = await tokenFor('cs1');
  await api('POST', `/api/tasks/${r.taskId}/complete`, { action: 'PassToRetention', comment: 'to retention' }, { token: cs });
  const page = await page1280(browser);
  await signIn(page, 'cs1', '/inbox');
  await page.getByTestId('task-table').waitFor();
  assert((await page.getByTestId('filters-remembered').count()) === 0, 'a first visit has no remembered filter');
  await page.getByTestId('filter-status').selectOption('all');
  await page.getByTestId('inbox-search-customer').fill(r.customerId);
  await page.getByTestId('inbox-search-apply').click();
  const row = page.getByTestId(`task-row-${r.taskId}`);
  await row.waitFor();
  await row.getByTestId('task-closed').waitFor();
  assert((await row.getAttribute('class')).includes('closed'), 'the row is styled closed');
  const status = await row.getByTestId('task-open-closed').textContent();
  assert(status.includes('Completed by cs1'), `the row says how it closed: ${status}`);
  await shot(page, 'inbox-closed');

  // a later visit restores the filter and says so
  await page.goto(`${BASE}/inbox`);
  await page.getByTestId('filters-remembered').filter({ hasText: 'Filter remembered from your last visit' }).waitFor();
  await page.getByTestId(`task-row-${r.taskId}`).getByTestId('task-closed').waitFor();
  assert((await page.getByTestId('filter-status').inputValue()) === 'all', 'the remembered status');
  assert((await page.getByTestId('inbox-search-customer').inputValue()) === r.customerId, 'the remembered search');
  await shot(page, 'inbox-remembered');
  await page.getByTestId('filters-clear').click();
  await page.getByTestId('filters-remembered').waitFor({ state: 'detached' });
  assert((await page.getByTestId('filter-status').inputValue()) === 'open', 'cleared back to open tasks');
  assert((await page.getByTestId('inbox-search-customer').inputValue()) === '', 'the search is cleared');
  await page.getByTestId(`task-row-${r.taskId}`).waitFor({ state: 'detached' });
  await page.context().close();
}

async function openDialogAndType(page, r, text) {
  await signIn(page, 'cs1', `/inbox/tasks/${r.taskId}`);
  await page.getByTestId('action-PassToRetention').click();
  await page.getByTestId('action-dialog').waitFor();
  await page.getByTestId('field-comment').fill(text);
}

/** A comment given with an action shows in the history at once, in business words; engine steps are not shown. */
export async function inboxHistory(browser) {
  const r = await wdRequest('450');
  const page = await page1280(browser);
  await signIn(page, 'cs1', `/inbox/tasks/${r.taskId}`);
  const history = page.getByTestId('history');
  await history.getByText('Waiting for CS').waitFor();
  await history.getByText('Created by cs1').waitFor();
  const comment = `Spoke to ${r.customerId}`;
  await page.getByTestId('action-PassToRetention').click();
  await page.getByTestId('field-comment').fill(comment);
  await page.getByTestId('action-submit').click();
  await page.getByTestId('action-notice').waitFor();
  // no reload: the history was refreshed after the action
  await history.getByText('Sent to Retention by cs1').waitFor();
  await history.getByTestId('history-item').filter({ hasText: 'Comment by cs1:' }).filter({ hasText: comment }).waitFor();
  await history.getByText('Waiting for Retention').waitFor();
  const text = await history.textContent();
  for (const engine of ['ActivityEntered', 'ActivitySuspended', 'ActivityCompleted', 'TaskOpened', 'JobCompleted']) assert(!text.includes(engine), `no engine words (${engine}): ${text}`);
  await shot(page, 'inbox-history');
  const unnamed = await unnamedControls(page, '[data-testid="task-page"]');
  assert(unnamed.length === 0, `every task card control is named: ${unnamed.join(' | ')}`);
  await page.context().close();
}

/** The same user comments in another tab; the first tab's submit is a 409 that says so and keeps the typed text. */
export async function inboxStale(browser) {
  const r = await wdRequest('520');
  const page = await page1280(browser);
  const typed = `Typed before the other tab ${r.customerId}`;
  await openDialogAndType(page, r, typed);
  // another tab of the same user comments on the card: the instance moves on
  const other = await page.context().newPage();
  await signIn(other, 'cs1', `/inbox/tasks/${r.taskId}`);
  await other.getByTestId('wd-comment-text').fill('Comment from the other tab');
  await other.getByTestId('wd-comment-add').click();
  await other.getByTestId('wd-comment').filter({ hasText: 'Comment from the other tab' }).waitFor();
  await other.close();

  await page.getByTestId('action-submit').click();
  const notice = page.getByTestId('action-dialog-notice');
  await notice.filter({ hasText: 'This task changed since you opened it (by you in another tab)' }).waitFor();
  assert((await page.getByTestId('field-comment').inputValue()) === typed, 'the typed comment is kept');
  await shot(page, 'inbox-stale');
  // the card was refreshed, so the second submit goes through with the kept text
  await page.getByTestId('action-submit').click();
  await page.getByTestId('action-notice').waitFor();
  await page.getByTestId('history-item').filter({ hasText: typed }).waitFor();
  const kept = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('inbox.draft.')));
  assert(kept.length === 0, `the draft is cleared after success: ${kept}`);
  await page.context().close();
}

/** The session expires while the dialog is open: the submit says so, and after signing in again the text is there. */
export async function inboxExpired(browser) {
  const r = await wdRequest('610');
  const page = await page1280(browser);
  const typed = `Typed before the session expired ${r.customerId}`;
  await openDialogAndType(page, r, typed);
  // the token expires (here: is no longer valid) while the operator types
  await page.evaluate(() => sessionStorage.setItem('approvalengine.token', 'expired.token.value'));
  await page.getByTestId('action-submit').click();
  // The page stays and asks to sign in again over it (the designer's re-authentication dialog): signing in resends the
  // same request with the new token, so the action goes through with the comment typed before the session expired.
  await page.getByTestId('reauth-password').fill('cs1');
  await shot(page, 'inbox-expired');
  await page.getByTestId('reauth-submit').click();
  await page.getByTestId('action-notice').waitFor();
  await page.getByTestId('history-item').filter({ hasText: typed }).waitFor();
  await page.context().close();

  // "Not now" instead: the request fails as a 401, the dialog says the session expired and keeps the typed text.
  const r2 = await wdRequest('611');
  const again = await page1280(browser);
  const typed2 = `Typed and kept ${r2.customerId}`;
  await openDialogAndType(again, r2, typed2);
  await again.evaluate(() => sessionStorage.setItem('approvalengine.token', 'expired.token.value'));
  await again.getByTestId('action-submit').click();
  await again.getByTestId('reauth-cancel').click();
  await again.getByTestId('action-dialog-notice').filter({ hasText: 'session expired' }).waitFor();
  assert((await again.getByTestId('field-comment').inputValue()) === typed2, 'the typed comment survived the expired session');
  await again.context().close();
}

export const scenarios = [
  ['inbox-columns: rows show customer, account and amount; the subject search finds one; every control is named', inboxColumns],
  ['inbox-closed: Status = All shows a completed task as closed; the remembered filter is shown and cleared', inboxClosedAndRemembered],
  ['inbox-history: a comment shows in the history without a reload, in business words', inboxHistory],
  ['inbox-stale: a 409 from the same user in another tab says so and keeps the typed comment', inboxStale],
  ['inbox-expired: a 401 says the session expired and the typed comment survives signing in again', inboxExpired],
];
