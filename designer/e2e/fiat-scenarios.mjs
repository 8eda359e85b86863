// Fiat withdrawal screens (issue 12) at 1280×800: `node e2e/run.mjs --suite fiat [--only fiat-limits]`.
// Each scenario creates what it needs through the API and throws on failure.
import { api, assert, shot, signIn, tokenFor } from './lib.mjs';

async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

/** Every control under the test id has an accessible name: inputs a label, buttons text or aria-label. */
async function assertNamed(page, testId) {
  const unnamed = await page.getByTestId(testId).evaluate((root) => {
    const bad = [];
    for (const el of root.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!named) bad.push(el.outerHTML.slice(0, 120));
    }
    for (const el of root.querySelectorAll('button, a[href]')) {
      if (!(el.textContent ?? '').trim() && !el.getAttribute('aria-label')) bad.push(el.outerHTML.slice(0, 120));
    }
    return bad;
  });
  assert(unnamed.length === 0, `every control has an accessible name; unnamed: ${unnamed.join(' | ')}`);
}

const hkd = (n) => `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} HKD`;

export async function fiatLimits(browser) {
  const account = 'ICBC-001';
  const sup = await tokenFor('supervisor1');
  const limitOf = async () => (await api('GET', `/api/fiat/config/daily-limits/${account}`, undefined, { token: sup })).data;
  const before = await limitOf();

  const page = await page1280(browser);
  await signIn(page, 'supervisor1');
  await page.getByTestId('nav-fiat-config').click();
  await page.getByTestId('fiat-config-page').waitFor();
  await page.getByTestId('fiat-tab-limits').click();
  const row = page.getByTestId(`fiat-limit-${account}`);
  await row.waitFor();
  assert((await row.getByTestId('limit').textContent()) === hkd(before.limit), `the limit shows as ${hkd(before.limit)}`);

  // the server's 422 lands at the field: the limit may not fall below 0
  await row.getByTestId('adjust').click();
  const form = page.getByTestId('fiat-adjust-form');
  await form.getByLabel('Change (+ raises, − lowers)').fill(`-${before.limit + 1}`);
  await form.getByLabel('Reason').fill('E2E too low');
  await form.getByRole('button', { name: 'Save adjustment' }).click();
  const deltaError = page.getByTestId('error-adjust-delta');
  await deltaError.waitFor();
  assert(/below 0/.test(await deltaError.textContent()), `the delta error is the server's: ${await deltaError.textContent()}`);
  assert((await limitOf()).limit === before.limit, 'nothing was written');
  await assertNamed(page, 'fiat-config-page');

  // someone else adjusts meanwhile: the stale save is a 409, explained, and the list refreshes. Lowering applies at
  // once; a raise would wait for a second configurer (four eyes, ADR 15).
  await api('POST', `/api/fiat/config/daily-limits/${account}/adjust`, { delta: -1, reason: 'E2E meanwhile', rowVersion: before.rowVersion }, { token: sup });
  await form.getByLabel('Change (+ raises, − lowers)').fill('-200000');
  await form.getByLabel('Reason').fill('E2E month end');
  await form.getByRole('button', { name: 'Save adjustment' }).click();
  await page.getByTestId('fiat-stale').waitFor();
  await row.getByTestId('limit').filter({ hasText: hkd(before.limit - 1) }).waitFor();

  // saved on the refreshed version; the history opens with the row
  await form.getByRole('button', { name: 'Save adjustment' }).click();
  await row.getByTestId('limit').filter({ hasText: hkd(before.limit - 200001) }).waitFor();
  const history = page.getByTestId('fiat-limit-history');
  const change = history.getByTestId('fiat-limit-change').filter({ hasText: 'E2E month end' });
  await change.waitFor();
  const text = await change.textContent();
  assert(text.includes('AdjustDown') && text.includes('supervisor1') && text.includes(hkd(200000)) && text.includes(`${hkd(before.limit - 1)} → ${hkd(before.limit - 200001)}`),
    `the history row names who, what and before → after: ${text}`);
  assert((await limitOf()).limit === before.limit - 200001, 'the server holds the adjusted limit');
  await shot(page, 'fiat-config-limits');
  await page.context().close();

  // maker1 reads the same page, with no way to change it (and the server refuses anyway)
  const maker = await page1280(browser);
  await signIn(maker, 'maker1');
  await maker.getByTestId('nav-fiat-config').click();
  await maker.getByTestId('fiat-read-only').waitFor();
  await maker.getByTestId('fiat-tab-limits').click();
  const makerRow = maker.getByTestId(`fiat-limit-${account}`);
  await makerRow.waitFor();
  assert((await makerRow.getByTestId('limit').textContent()) === hkd(before.limit + 200001), 'maker1 sees the adjusted limit');
  assert((await maker.getByTestId('adjust').count()) === 0, 'maker1 is offered no Adjust');
  await makerRow.getByTestId('history').click();
  await maker.getByTestId('fiat-limit-history').getByTestId('fiat-limit-change').filter({ hasText: 'E2E month end' }).waitFor();
  await maker.getByTestId('fiat-tab-interception').click();
  await maker.getByTestId('fiat-interception-rules').waitFor();
  assert((await maker.getByTestId('fiat-interception-rules').getByRole('button').count()) === 0, 'maker1 cannot enable or disable interception');
  await maker.getByTestId('fiat-tab-review').click();
  await maker.getByTestId('fiat-review-rules').waitFor();
  assert((await maker.getByTestId('fiat-review-create').count()) === 0, 'maker1 cannot create review rules');
  await shot(maker, 'fiat-config-read-only');
  const makerToken = await tokenFor('maker1');
  const refused = await api('POST', `/api/fiat/config/daily-limits/${account}/adjust`, { delta: 1, reason: 'x', rowVersion: 99 }, { token: makerToken }).then(() => null, (e) => e);
  assert(refused?.status === 403, `the server refuses maker1's adjustment (got ${refused?.status})`);
  await maker.context().close();

  // someone without the rights sees no link
  const cs = await page1280(browser);
  await signIn(cs, 'cs1');
  assert((await cs.getByTestId('nav-fiat-config').count()) === 0, 'cs1 has no Fiat configuration link');
  await cs.context().close();
}

/** Waits until the API shows every record in the status (the review rules run as a job after the application). */
async function recordsReach(token, recordNos, status) {
  const deadline = Date.now() + 30_000;
  let last = [];
  while (Date.now() < deadline) {
    last = await Promise.all(recordNos.map(async (no) => (await api('GET', `/api/fiat/withdrawals/${encodeURIComponent(no)}`, undefined, { token })).data.status));
    if (last.every((x) => x === status)) return;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error(`records ${recordNos.join(', ')} did not reach ${status}: ${last.join(', ')}`);
}

const cardCount = async (page, status) => Number(await page.getByTestId(`fiat-card-${status}`).getByTestId('count').textContent());

export async function fiatWithdrawals(browser) {
  const customer = `e2e-cust-${Date.now().toString(36)}`;
  const maker = await page1280(browser);
  await signIn(maker, 'maker1');
  await maker.getByTestId('nav-fiat-withdrawals').click();
  await maker.getByTestId('fiat-withdrawals-page').waitFor();

  // maker1 enters two applications; the server's 422 names the missing fields next to them
  const recordNos = [];
  for (const [amount, name] of [['1000.50', 'E2E Beneficiary A'], ['2500', 'E2E Beneficiary B']]) {
    await maker.getByTestId('fiat-new').click();
    const dialog = maker.getByTestId('fiat-new-dialog');
    await dialog.getByLabel('Amount').fill(amount);
    if (!recordNos.length) {
      await dialog.getByTestId('fiat-new-save').click();
      await dialog.getByTestId('error-new-customerId').waitFor();
      await dialog.getByTestId('error-new-bankAccount').waitFor();
      await assertNamed(maker, 'fiat-new-dialog');
    }
    await dialog.getByLabel('Customer').fill(customer);
    await dialog.getByLabel('Currency').selectOption('USD');
    await dialog.getByLabel('Fee').fill('5');
    await dialog.getByLabel('Beneficiary account').fill('123-456-789');
    await dialog.getByLabel('Beneficiary bank').fill('HSBC');
    await dialog.getByLabel('Beneficiary name').fill(name);
    await dialog.getByTestId('fiat-new-save').click();
    const created = await dialog.getByTestId('fiat-new-created').textContent();
    const no = /Entered (\S+)/.exec(created)?.[1];
    assert(no, `the dialog names the new record: ${created}`);
    recordNos.push(no);
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
  }
  const makerToken = await tokenFor('maker1');
  await recordsReach(makerToken, recordNos, 'Pending Submission');

  // maker1 sees them in the list (filtered by customer), with sums per status for one currency
  await maker.getByTestId('filter-customerId').fill(customer);
  await maker.getByTestId('filter-currency').selectOption('USD');
  await maker.getByTestId('filter-apply').click();
  for (const no of recordNos) await maker.getByTestId(`fiat-record-${no}`).getByTestId('status').filter({ hasText: 'Pending Submission' }).waitFor();
  const pendingCard = maker.getByTestId('fiat-card-Pending Submission');
  await pendingCard.waitFor();
  assert(await cardCount(maker, 'Pending Submission') >= 2, 'the Pending Submission card counts both');
  assert(/ USD$/.test(await pendingCard.getByTestId('sum').textContent()), 'the card sums in USD');
  const amounts = await maker.getByTestId(`fiat-record-${recordNos[0]}`).locator('td.num').allTextContents();
  assert(amounts[0] === '1,000.50 USD' && amounts[1] === '5.00 USD', `amount and fee keep their decimals: ${amounts}`);
  const cardOrder = await maker.getByTestId('fiat-cards').locator('.fiat-card .label').allTextContents();
  assert(cardOrder[0] === 'Pending Submission', `cards in business order: ${cardOrder}`);
  await assertNamed(maker, 'fiat-withdrawals-page');

  // a card filters the list
  await pendingCard.click();
  await maker.getByTestId('fiat-records').locator('tbody tr').first().waitFor();
  const statuses = await maker.getByTestId('fiat-records').getByTestId('status').allTextContents();
  assert(statuses.length >= 2 && statuses.every((x) => x === 'Pending Submission'), `the card filters the list: ${statuses}`);

  // the CSV export carries the filters
  const [download] = await Promise.all([maker.waitForEvent('download'), maker.getByTestId('fiat-export').click()]);
  const csv = await (await import('node:fs')).promises.readFile(await download.path(), 'utf8');
  assert(download.suggestedFilename().endsWith('.csv') && recordNos.every((no) => csv.includes(no)), `the CSV lists the records (${download.suggestedFilename()})`);

  // four eyes: maker1 may not submit what maker1 entered
  await maker.getByLabel(`Select ${recordNos[0]}`).check();
  await maker.getByTestId('fiat-bulk-submit').click();
  const refused = await maker.getByTestId('fiat-bulk-result').textContent();
  assert(/0 done, 1 refused/.test(refused) && refused.includes(recordNos[0]), `maker1's own submit is refused: ${refused}`);
  await shot(maker, 'fiat-withdrawals-maker');
  await maker.context().close();

  // checker1 bulk-submits both; the cards move
  const checker = await page1280(browser);
  await signIn(checker, 'checker1');
  await checker.getByTestId('nav-fiat-withdrawals').click();
  await checker.getByTestId('filter-customerId').fill(customer);
  await checker.getByTestId('filter-currency').selectOption('USD');
  await checker.getByTestId('filter-apply').click();
  for (const no of recordNos) await checker.getByTestId(`fiat-record-${no}`).waitFor();
  const pendingBefore = await cardCount(checker, 'Pending Submission');
  for (const no of recordNos) await checker.getByLabel(`Select ${no}`).check();
  await checker.getByTestId('fiat-bulk-submit').click();
  const done = await checker.getByTestId('fiat-bulk-result').textContent();
  assert(/2 done, 0 refused/.test(done), `checker1 submits both: ${done}`);
  await checker.getByTestId('fiat-card-Pending Submission').getByTestId('count').filter({ hasText: new RegExp(`^${pendingBefore - 2}$`) }).waitFor()
    .catch(async (e) => { if (pendingBefore - 2 > 0) throw e; await checker.getByTestId('fiat-card-Pending Submission').waitFor({ state: 'detached' }); });
  for (const no of recordNos) {
    const status = await checker.getByTestId(`fiat-record-${no}`).getByTestId('status').textContent();
    assert(status !== 'Pending Submission', `${no} moved on (${status})`);
  }
  await shot(checker, 'fiat-withdrawals-checker');

  // the record's lifecycle names who entered and who submitted
  await checker.getByRole('link', { name: recordNos[0] }).click();
  await checker.getByTestId('fiat-record-page').waitFor();
  const journal = checker.getByTestId('fiat-lifecycle').getByTestId('journal').first();
  await journal.filter({ hasText: 'checker1' }).waitFor();
  await shot(checker, 'fiat-record-lifecycle');
  await checker.context().close();
}

export const scenarios = [
  ['fiat-withdrawals: maker1 enters two applications and sees records, cards and CSV (own submit refused); checker1 bulk-submits both and the cards change', fiatWithdrawals],
  ['fiat-limits: supervisor1 adjusts a daily limit (422 at the field, stale 409 explained) and sees the history row; maker1 reads only', fiatLimits],
];
