// Fiat withdrawal screens (issue 12) at 1280×800: `node e2e/run.mjs --suite fiat [--only fiat-limits]`.
// Each scenario creates what it needs through the API and throws on failure.
import { BASE, api, assert, shot, signIn, tokenFor } from './lib.mjs';
import { completeWithDialog } from './scenarios.mjs';

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

/**
 * A configuration change by supervisor1 that takes effect: when it weakens a control the server answers 202 with a
 * pending change (four eyes, ADR 15), which supervisor2 then approves through the API. Returns the HTTP status seen.
 */
async function configChange(method, url, body) {
  const { status, data } = await api(method, url, body, { token: await tokenFor('supervisor1') });
  if (status === 202) await api('POST', `/api/fiat/config/pending-changes/${data.id}/approve`, {}, { token: await tokenFor('supervisor2') });
  return status;
}

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
  await row.getByTestId('limit').filter({ hasText: hkd(before.limit) }).waitFor();

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
  assert((await makerRow.getByTestId('limit').textContent()) === hkd(before.limit - 200001), 'maker1 sees the adjusted limit');
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

// ---- configuration screens (docs/fiat-configuration.md, "Screens")

/** The page fits 1280 px: nothing scrolls sideways (wide tables scroll inside their panel). */
async function assertFits(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(width <= 1280, `the page fits 1280 px (scrollWidth ${width})`);
}

async function openConfig(page, user, tab) {
  await signIn(page, user);
  await page.getByTestId('nav-fiat-config').click();
  await page.getByTestId('fiat-config-page').waitFor();
  await page.getByTestId(`fiat-tab-${tab}`).click();
}

const unique = () => Date.now().toString(36).toUpperCase();

export async function fiatConfigChannelRule(browser) {
  const channel = `E2E-CHQ-${unique()}`;
  const sup = await tokenFor('supervisor1');
  const page = await page1280(browser);
  await openConfig(page, 'supervisor1', 'channels');
  await page.getByRole('button', { name: 'Create channel' }).click();
  const cform = page.getByTestId('fiat-channel-form');
  await cform.getByLabel('Channel id', { exact: true }).fill(channel);
  await cform.getByLabel('Paying account').selectOption('ICBC-001');
  await cform.getByLabel('Method').fill('Cheque Transfer');
  await cform.getByLabel('Cheque', { exact: true }).check();
  assert((await cform.getByLabel('Currency').inputValue()) === 'HKD', 'the channel pays in its account\'s currency');
  await assertNamed(page, 'fiat-config-page');
  await cform.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId(`fiat-channel-${channel}`).waitFor();
  assert((await page.getByTestId('fiat-channel-form').count()) === 0, 'the form closes once saved');

  // its withdrawal rule: the client asks for the cron of a scheduled policy, the server judges its grammar (422 at the field)
  await page.getByTestId('fiat-tab-rules').click();
  await page.getByRole('button', { name: 'Add withdrawal rule' }).click();
  const rform = page.getByTestId('fiat-withdrawal-rule-form');
  await rform.getByLabel('Channel', { exact: true }).selectOption(channel);
  await rform.getByLabel('Policy').selectOption('TimedPacking');
  await rform.getByLabel('Single limit').fill('50,000.5');
  await rform.getByLabel('Customer daily limit').fill('100000');
  await rform.getByRole('button', { name: 'Save' }).click();
  await rform.getByTestId('error-packingCron').waitFor();
  await rform.getByLabel('Packing schedule (Quartz cron)').fill('every day at four');
  await rform.getByRole('button', { name: 'Add service window' }).click();
  for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']) await rform.getByLabel(`Window 1 ${day}`).check();
  await rform.getByLabel('Window 1 from').fill('09:00');
  await rform.getByLabel('Window 1 to').fill('17:30');
  await rform.getByLabel(/Supported client banks/).fill('HSBC\nBank of China (Hong Kong)');
  await rform.getByRole('button', { name: 'Save' }).click();
  await rform.getByTestId('error-packingCron').filter({ hasText: 'not a valid Quartz cron' }).waitFor();
  const none = (await api('GET', '/api/fiat/config/withdrawal-rules', undefined, { token: sup })).data.filter((r) => r.channelId === channel);
  assert(none.length === 0, 'the refused rule wrote nothing');
  await assertNamed(page, 'fiat-config-page');
  await assertFits(page);
  await shot(page, 'fiat-config-rule-form');
  await rform.getByLabel('Packing schedule (Quartz cron)').fill('0 0 16 ? * MON-FRI');
  await rform.getByRole('button', { name: 'Save' }).click();
  const row = page.getByTestId(`fiat-withdrawal-rule-${channel}`);
  await row.waitFor();
  const text = await row.textContent();
  assert(text.includes('50,000.50 HKD') && text.includes('Mon,Tue,Wed,Thu,Fri 09:00–17:30') && text.includes('HSBC, Bank of China (Hong Kong)') && text.includes('Manual review of timed packing'),
    `the rule row shows what was saved: ${text}`);
  const [rule] = (await api('GET', '/api/fiat/config/withdrawal-rules', undefined, { token: sup })).data.filter((r) => r.channelId === channel);
  assert(rule && rule.singleLimit === 50000.5 && rule.packingCron === '0 0 16 ? * MON-FRI', `the server holds the rule: ${JSON.stringify(rule)}`);

  // the journal: who, when, before → after
  await page.getByTestId('fiat-tab-journal').click();
  await page.getByTestId('fiat-journal-entity').selectOption('WithdrawalRule');
  const entry = page.getByTestId('fiat-journal-row').filter({ hasText: `channelId: — → ${channel}` });
  await entry.waitFor();
  const line = await entry.textContent();
  assert(line.includes('supervisor1') && line.includes('Create') && line.includes('singleLimit: — → 50000.5'), `the journal row names who and what: ${line}`);
  await page.getByTestId('fiat-journal-entity').selectOption('Channel');
  await page.getByTestId('fiat-journal-row').filter({ hasText: `method: — → Cheque Transfer` }).filter({ hasText: channel }).waitFor();
  await assertFits(page);
  await shot(page, 'fiat-config-journal');
  await page.context().close();
}

export async function fiatConfigStale(browser) {
  const channel = `E2E-STALE-${unique()}`;
  const sup = await tokenFor('supervisor1');
  const body = { id: channel, bankAccountId: 'ICBC-001', method: 'FPS', currency: null, isCheque: false, automaticStatus: true, enabled: true, rowVersion: null };
  await api('POST', '/api/fiat/config/channels', body, { token: sup });
  const page = await page1280(browser);
  await openConfig(page, 'supervisor1', 'channels');
  const row = page.getByTestId(`fiat-channel-${channel}`);
  await row.getByRole('button', { name: `Edit channel ${channel}` }).click();
  const form = page.getByTestId('fiat-channel-form');
  await form.getByLabel('Method').fill('FPS (mine)');

  // a colleague saves first
  await api('PUT', `/api/fiat/config/channels/${channel}`, { ...body, method: 'FPS (theirs)', rowVersion: 1 }, { token: sup });
  await form.getByRole('button', { name: 'Save' }).click();
  const notice = form.getByTestId('fiat-stale');
  await notice.waitFor();
  assert(/changed by someone else/.test(await notice.textContent()) && /Reload/.test(await notice.textContent()), `the conflict is explained: ${await notice.textContent()}`);
  await row.filter({ hasText: 'FPS (theirs)' }).waitFor();
  assert((await form.getByLabel('Method').inputValue()) === 'FPS (mine)', 'what was typed is kept');
  await assertFits(page);
  await shot(page, 'fiat-config-stale');

  // saving again, on the version just reloaded, is a deliberate overwrite
  await form.getByRole('button', { name: 'Save' }).click();
  await row.filter({ hasText: 'FPS (mine)' }).waitFor();
  const stored = (await api('GET', `/api/fiat/config/channels/${channel}`, undefined, { token: sup })).data;
  assert(stored.method === 'FPS (mine)' && stored.rowVersion === 3, `the server holds the second save: ${JSON.stringify(stored)}`);

  // the same on More settings, which has no list to show the colleague's values: the form says what is stored now.
  // The form makes the review stricter (applies at once); the colleague switches direct-billing approval off, which
  // waits for a second configurer, so supervisor2 approves it; the deliberate overwrite switches it on again (stricter).
  const original = (await api('GET', '/api/fiat/config/settings', undefined, { token: sup })).data;
  try {
    if (!original.directBillingNeedsApproval) await configChange('PUT', '/api/fiat/config/settings', { ...original, directBillingNeedsApproval: true });
    await page.reload();
    await page.getByTestId('fiat-tab-settings').click();
    const settings = page.getByTestId('fiat-settings');
    await settings.getByLabel('When no review rule holds').selectOption('AutoReject');
    const before = (await api('GET', '/api/fiat/config/settings', undefined, { token: sup })).data;
    assert(await configChange('PUT', '/api/fiat/config/settings', { ...before, directBillingNeedsApproval: false }) === 202, 'switching approval off waits for a second configurer');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByTestId('fiat-stale').waitFor();
    await settings.getByTestId('fiat-settings-stored').filter({ hasText: 'does not need' }).waitFor();
    assert((await settings.getByLabel('When no review rule holds').inputValue()) === 'AutoReject', 'the choice made is kept');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    // once saved and read back, what is stored is what the form shows
    await settings.getByTestId('fiat-settings-stored').waitFor({ state: 'detached' });
    const saved = (await api('GET', '/api/fiat/config/settings', undefined, { token: sup })).data;
    assert(saved.defaultReviewKind === 'AutoReject' && saved.directBillingNeedsApproval === true,
      `the second save writes the form as shown: ${JSON.stringify(saved)}`);
  } finally {
    // other scenarios' applications depend on these settings (a laxer review waits for supervisor2's approval)
    const now = (await api('GET', '/api/fiat/config/settings', undefined, { token: sup })).data;
    await configChange('PUT', '/api/fiat/config/settings', { directBillingNeedsApproval: original.directBillingNeedsApproval, defaultReviewKind: original.defaultReviewKind, rowVersion: now.rowVersion });
  }
  await page.context().close();
}

const TABLES = { accounts: 'fiat-bank-accounts', channels: 'fiat-channels', currencies: 'fiat-currencies', rules: 'fiat-withdrawal-rules', limits: 'fiat-daily-limits', interception: 'fiat-interception-rules',
  review: 'fiat-review-rules', settings: 'fiat-settings', parameters: 'fiat-parameters', journal: 'fiat-journal', alerts: 'fiat-alerts',
  pending: 'fiat-pending-changes', inbox: 'fiat-alert-inbox' };

export async function fiatConfigReadOnly(browser) {
  const page = await page1280(browser);
  await openConfig(page, 'maker1', 'accounts');
  await page.getByTestId('fiat-read-only').waitFor();
  const editing = /^(Edit|Delete|Copy|Enable|Disable|Switch|Create|Add|Save|Adjust|Approve|Reject)\b/;
  for (const [tab, table] of Object.entries(TABLES)) {
    await page.getByTestId(`fiat-tab-${tab}`).click();
    await page.getByTestId(table).waitFor();
    const names = await page.getByRole('tabpanel').getByRole('button').allTextContents();
    const offered = names.filter((n) => editing.test(n.trim()));
    assert(offered.length === 0, `maker1 is offered no change on ${tab}: ${offered.join(', ')}`);
    // the journal, the alerts, the inbox and the pending changes have filters; every other screen has nothing to type into
    if (!['journal', 'alerts', 'inbox', 'pending'].includes(tab)) assert((await page.getByRole('tabpanel').locator('input, select, textarea').count()) === 0, `no inputs on ${tab}`);
    if (tab === 'settings') assert(await page.getByTestId(table).evaluate((el) => el.tagName === 'DL'), 'the settings read as text, not a form');
    await assertFits(page);
  }
  await page.getByTestId('fiat-tab-accounts').click();
  await page.getByTestId('fiat-bank-account-ICBC-001').waitFor();
  await shot(page, 'fiat-config-maker');
  const maker = await tokenFor('maker1');
  const refused = await api('POST', '/api/fiat/config/channels', { id: 'E2E-MAKER', bankAccountId: 'ICBC-001', method: 'x', currency: null, isCheque: false, automaticStatus: true, enabled: true, rowVersion: null }, { token: maker }).then(() => null, (e) => e);
  assert(refused?.status === 403, `the server refuses maker1's channel (got ${refused?.status})`);
  await page.context().close();
}

// Each tab's form, opened by the button that opens it; every field and button must be named and the page fit 1280 px.
const FORMS = [
  ['accounts', 'Create bank account', 'fiat-bank-account-form'], ['channels', 'Create channel', 'fiat-channel-form'], ['currencies', 'Add currency', 'fiat-currency-form'],
  ['rules', 'Add withdrawal rule', 'fiat-withdrawal-rule-form'], ['limits', 'Edit the daily limit of ICBC-001', 'fiat-limit-form'], ['limits', 'Adjust the daily limit of ICBC-001', 'fiat-adjust-form'],
  ['interception', /^Edit interception of /, 'fiat-interception-form'], ['review', 'Create review rule', 'fiat-review-form'], ['parameters', 'Add parameters', 'fiat-parameter-form'],
];

export async function fiatConfigForms(browser) {
  const sup = await tokenFor('supervisor1');
  const page = await page1280(browser);
  await openConfig(page, 'supervisor1', 'accounts');
  for (const [tab, button, form] of FORMS) {
    await page.getByTestId(`fiat-tab-${tab}`).click();
    await page.getByRole('tabpanel').getByRole('button', { name: button }).first().click();
    await page.getByTestId(form).waitFor();
    await assertNamed(page, 'fiat-config-page');
    await assertFits(page);
    await page.getByTestId(form).getByRole('button', { name: 'Cancel' }).click();
  }

  // the server's 422 names each bad field; each message lands under its field and nothing is written
  await page.getByTestId('fiat-tab-accounts').click();
  await page.getByRole('button', { name: 'Create bank account' }).click();
  const form = page.getByTestId('fiat-bank-account-form');
  await form.getByLabel('Account id').fill('E2E-BAD');
  await form.getByLabel('Bank name').fill('E2E Bank');
  await form.getByLabel('BIC').fill('XX');
  await form.getByLabel('Account no.').fill('001');
  await form.getByLabel('Account name').fill('E2E');
  await form.getByLabel('Currency').fill('HK');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.getByTestId('error-bic').waitFor();
  await form.getByTestId('error-currency').waitFor();
  assert((await form.getByLabel('BIC').getAttribute('aria-invalid')) === 'true', 'the BIC is marked invalid');
  const missing = await api('GET', '/api/fiat/config/bank-accounts/E2E-BAD', undefined, { token: sup }).then(() => null, (e) => e);
  assert(missing?.status === 404, `nothing was written (got ${missing?.status})`);
  await shot(page, 'fiat-config-field-errors');
  await page.context().close();
}

export async function fiatConfigReview(browser) {
  const name = `E2E large ${unique()}`;
  const sup = await tokenFor('supervisor1');
  const stored = async () => (await api('GET', '/api/fiat/config/review-rules', undefined, { token: sup })).data.find((r) => r.name === name);
  const page = await page1280(browser);
  await openConfig(page, 'supervisor1', 'review');
  await page.getByTestId('fiat-review-create').click();
  const form = page.getByTestId('fiat-review-form');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Review').selectOption('ManualWithoutWorkOrder');
  // far above any test application, so that the rule never decides another scenario's record
  await form.getByLabel('Amount at least').fill('900000000');
  await form.getByLabel('Currency').fill('hkd');
  await form.getByLabel('Priority').fill('900');
  await assertNamed(page, 'fiat-config-page');
  await form.getByRole('button', { name: 'Create rule' }).click();
  const row = page.getByTestId(`fiat-review-rule-${name}`);
  await row.waitFor();
  assert((await row.textContent()).includes('900,000,000.00 HKD'), `the rule shows its threshold: ${await row.textContent()}`);

  // disabling a rule that sends applications to review weakens a control: it waits for a second configurer
  await row.getByRole('button', { name: `Disable review rule ${name}` }).click();
  await page.getByTestId('fiat-pending-notice').waitFor();
  assert((await stored()).enabled === true, 'the rule stays enabled until a second configurer approves');
  const ruleId = (await stored()).id;
  const pending = (await api('GET', '/api/fiat/config/pending-changes', undefined, { token: sup })).data
    .find((p) => p.entity === 'ReviewRule' && (p.entityKey === ruleId || p.summary.includes(name)));
  assert(pending, 'the disable is a pending change');
  await api('POST', `/api/fiat/config/pending-changes/${pending.id}/approve`, {}, { token: await tokenFor('supervisor2') });
  await page.getByTestId('fiat-tab-journal').click();
  await page.getByTestId('fiat-tab-review').click();
  await row.filter({ hasText: 'Disabled' }).waitFor();
  assert((await stored()).enabled === false, 'the server holds the rule disabled');
  await row.getByRole('button', { name: `Enable review rule ${name}` }).click();
  await row.filter({ hasText: 'Enabled' }).waitFor();
  assert((await stored()).enabled === true, 'the server holds the rule enabled again');

  await row.getByRole('button', { name: `Edit review rule ${name}` }).click();
  const edit = page.getByTestId('fiat-review-form');
  assert((await edit.getByLabel('Amount at least').inputValue()) === '900000000', 'the edit starts from the stored amount');
  await edit.getByLabel('Amount at least').fill('800000000.5');
  await edit.getByRole('button', { name: 'Save rule' }).click();
  await row.filter({ hasText: '800,000,000.50 HKD' }).waitFor();

  await page.getByTestId('fiat-tab-journal').click();
  await page.getByTestId('fiat-journal-entity').selectOption('ReviewRule');
  const { id } = await stored();
  for (const [action, change] of [['Disable', 'enabled: true → false'], ['Enable', 'enabled: false → true'], ['Edit', 'amountAtLeast: 900000000 → 800000000.5']]) {
    await page.getByTestId('fiat-journal-row').filter({ hasText: id }).filter({ hasText: action }).filter({ hasText: change }).filter({ hasText: 'supervisor1' }).first().waitFor();
  }
  await shot(page, 'fiat-config-review');
  await page.context().close();
}

/**
 * Four eyes (ADR 15): supervisor1 switches direct-billing approval off; the screen says it waits and still shows it on;
 * supervisor1 is offered no Approve (and the server refuses); supervisor2 approves it in the Pending changes tab; the
 * setting shows off and the journal names both.
 */
export async function fiatConfigFourEyes(browser) {
  const sup1 = await tokenFor('supervisor1');
  const settingsNow = async () => (await api('GET', '/api/fiat/config/settings', undefined, { token: sup1 })).data;
  const start = await settingsNow();
  // the server is shared: start from approval on (switching it on applies at once)
  if (!start.directBillingNeedsApproval) await api('PUT', '/api/fiat/config/settings', { ...start, directBillingNeedsApproval: true }, { token: sup1 });

  const page = await page1280(browser);
  await signIn(page, 'supervisor1');
  await page.getByTestId('nav-fiat-config').click();
  await page.getByTestId('fiat-tab-settings').click();
  const form = page.getByTestId('fiat-settings');
  await form.getByLabel('Direct billing needs a work order').uncheck();
  await form.getByRole('button', { name: 'Save settings' }).click();
  const notice = page.getByTestId('fiat-pending-notice');
  await notice.waitFor();
  assert(/waiting for a second configurer's approval/i.test(await notice.textContent()), `the screen says it waits: ${await notice.textContent()}`);
  assert(!/saved/i.test(await notice.textContent()), 'it does not say saved');
  assert(/Stored now: direct billing needs a work order/.test(await page.getByTestId('fiat-settings-stored').textContent()), 'the stored value is shown unchanged');
  assert((await settingsNow()).directBillingNeedsApproval === true, 'the server still holds approval on');

  const pendings = (await api('GET', '/api/fiat/config/pending-changes?status=Pending', undefined, { token: sup1 })).data;
  const mine = pendings.filter((p) => p.entity === 'Settings' && p.proposedBy === 'supervisor1').sort((a, b) => b.proposedAt.localeCompare(a.proposedAt))[0];
  assert(mine, `a pending Settings change by supervisor1: ${JSON.stringify(pendings)}`);
  await page.getByTestId('fiat-tab-pending').click();
  const ownRow = page.getByTestId('fiat-pending-row').filter({ hasText: mine.summary }).filter({ hasText: 'supervisor1' }).first();
  await ownRow.waitFor();
  assert((await ownRow.getByRole('button', { name: 'Approve', exact: false }).count()) === 0, 'the proposer is offered no Approve');
  assert(/directBillingNeedsApproval: true → false/.test(await ownRow.getByTestId('diff').textContent()), `before → after: ${await ownRow.getByTestId('diff').textContent()}`);
  await assertNamed(page, 'fiat-config-page');
  await shot(page, 'fiat-config-pending-proposer');
  const refused = await api('POST', `/api/fiat/config/pending-changes/${mine.id}/approve`, {}, { token: sup1 }).then(() => null, (e) => e);
  assert(refused?.status === 403, `the server refuses the proposer's approval (got ${refused?.status})`);
  await page.context().close();

  const second = await page1280(browser);
  await signIn(second, 'supervisor2');
  await second.getByTestId('nav-fiat-config').click();
  await second.getByTestId('fiat-tab-pending').click();
  const row = second.getByTestId('fiat-pending-row').filter({ hasText: mine.summary }).filter({ hasText: 'supervisor1' }).first();
  await row.getByRole('button', { name: `Approve ${mine.summary}` }).click();
  await row.waitFor({ state: 'detached' });
  await second.getByTestId('fiat-tab-settings').click();
  const box = second.getByTestId('fiat-settings').getByLabel('Direct billing needs a work order');
  await box.waitFor();
  assert(!(await box.isChecked()), 'the setting shows off');
  assert((await settingsNow()).directBillingNeedsApproval === false, 'the server holds approval off');
  await second.getByTestId('fiat-tab-journal').click();
  await second.getByTestId('fiat-journal-entity').selectOption('Settings');
  const entry = second.getByTestId('fiat-journal-row').filter({ hasText: 'proposed by supervisor1, approved by supervisor2' }).first();
  await entry.waitFor();
  assert((await entry.textContent()).includes('supervisor2'), 'the applied entry names the approver as who');
  await shot(second, 'fiat-config-pending-approved');
  await second.context().close();

  // back as it was (switching approval on applies at once)
  const now = await settingsNow();
  await api('PUT', '/api/fiat/config/settings', { ...now, directBillingNeedsApproval: true }, { token: sup1 });
}

// ---- operations screens (batches, exceptions, withdrawal bills, cheques) ----

const USD_CHANNEL = 'HSBC-002-WIRE';
const wait = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Applications through the API (as a client system), submitted by supervisor1, until they wait in Withdrawal Pending.
 * Not by checker1 or checker2: whoever submits a record is one of its makers and may not decide its work orders
 * (batch, exception review) — the scenarios have the checkers decide those.
 */
async function pendingRecords(amounts, { currency = 'USD', channel, bank = 'HSBC' } = {}) {
  const customer = `e2e-ops-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const nos = [];
  for (const amount of amounts) {
    const { data } = await api('POST', '/api/fiat/withdrawals', { customerId: customer, currency, amount, fee: 0, bankAccount: `ACC-${customer}`, beneficiaryBank: bank, beneficiaryName: 'E2E Payee', channel });
    nos.push(data.recordNo);
  }
  const checker = await tokenFor('supervisor1');
  await recordsReachAny(checker, nos, ['Pending Submission', 'Withdrawal Pending']);
  const pending = [];
  for (const no of nos) if ((await api('GET', `/api/fiat/withdrawals/${no}`, undefined, { token: checker })).data.status === 'Pending Submission') pending.push(no);
  if (pending.length) await api('POST', '/api/fiat/withdrawals/submit', { records: pending }, { token: checker });
  await recordsReach(checker, nos, 'Withdrawal Pending');
  return { customer, nos };
}

async function recordsReachAny(token, recordNos, statuses) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const now = await Promise.all(recordNos.map(async (no) => (await api('GET', `/api/fiat/withdrawals/${no}`, undefined, { token })).data.status));
    if (now.every((x) => statuses.includes(x))) return;
    await wait(250);
  }
  throw new Error(`records ${recordNos.join(', ')} did not reach ${statuses.join(' / ')}`);
}

/** Runs `body` with a config object changed through the API, and puts it back afterwards (the server is shared). */
async function withConfig(url, change, body) {
  const sup = await tokenFor('supervisor1');
  const before = (await api('GET', url, undefined, { token: sup })).data;
  const changed = (await api('PUT', url, { ...before, ...change }, { token: sup })).data;
  try {
    return await body();
  } finally {
    const now = (await api('GET', url, undefined, { token: sup })).data;
    const back = await api('PUT', url, { ...before, rowVersion: now.rowVersion ?? changed.rowVersion }, { token: sup });
    // Putting back a looser value is a widening (ADR 15): a second configurer approves it.
    if (back.status === 202) await api('POST', `/api/fiat/config/pending-changes/${back.data.id}/approve`, {}, { token: await tokenFor('supervisor2') });
  }
}

async function usdRuleUrl() {
  const sup = await tokenFor('supervisor1');
  const rule = (await api('GET', '/api/fiat/config/withdrawal-rules', undefined, { token: sup })).data.find((r) => r.channelId === USD_CHANNEL);
  return `/api/fiat/config/withdrawal-rules/${rule.id}`;
}

async function batchReaches(token, batchId, done) {
  const deadline = Date.now() + 30_000;
  let last;
  while (Date.now() < deadline) {
    last = (await api('GET', `/api/fiat/batches/${batchId}`, undefined, { token })).data;
    if (done(last)) return last;
    await wait(250);
  }
  throw new Error(`batch ${batchId} did not get there: ${JSON.stringify(last)}`);
}

export async function fiatBatches(browser) {
  await withConfig(`/api/fiat/config/channels/${USD_CHANNEL}`, { automaticStatus: false }, async () => {
    const { customer, nos } = await pendingRecords(['1000.10', '2000.20', '3000.30']);
    const maker = await page1280(browser);
    await signIn(maker, 'maker1');
    await maker.getByTestId('nav-fiat-withdrawals').click();
    await maker.getByTestId('filter-customerId').fill(customer);
    await maker.getByTestId('filter-apply').click();
    for (const no of nos) await maker.getByLabel(`Select ${no}`).check();
    await maker.getByTestId('fiat-bulk-pack').click();
    const dialog = maker.getByTestId('fiat-pack-dialog');
    await dialog.waitFor();

    // the single limit went down meanwhile: the server's 422 names the third record on its row, nothing is packed
    const rule = await usdRuleUrl();
    await withConfig(rule, { singleLimit: 2500 }, async () => {
      await dialog.getByTestId('fiat-pack-submit').click();
      await dialog.getByTestId(`fiat-pack-${nos[2]}`).getByTestId('problem').filter({ hasText: 'single-withdrawal limit' }).waitFor();
      assert(await dialog.getByTestId(`fiat-pack-${nos[0]}`).getByTestId('problem').textContent() === '', 'the other records have no problem');
      await assertNamed(maker, 'fiat-pack-dialog');
      await shot(maker, 'fiat-pack-refused');
    });
    const maker1 = await tokenFor('maker1');
    assert((await api('GET', `/api/fiat/withdrawals/${nos[0]}`, undefined, { token: maker1 })).data.status === 'Withdrawal Pending', 'the refused pack wrote nothing');

    // the maker removes it and packs the other two
    await dialog.getByRole('button', { name: `Remove ${nos[2]} from the batch` }).click();
    await dialog.getByTestId('fiat-pack-submit').click();
    const link = dialog.getByTestId('fiat-pack-batch');
    await link.waitFor();
    const batchId = (await link.textContent()).trim();
    await link.click();
    await maker.getByTestId('fiat-batch-page').waitFor();
    await maker.getByTestId('fiat-batch-summary').getByTestId('total').filter({ hasText: '3,000.30 USD in 2 records' }).waitFor();
    await maker.getByTestId('fiat-batch-workorder').filter({ hasText: 'waits for a checker' }).waitFor();
    assert(await maker.getByTestId('fiat-batch-download').isDisabled(), 'no bank file before the work order');
    await assertNamed(maker, 'fiat-batch-page');
    await maker.context().close();

    // checker1 approves the batch's work order from its page, then downloads the file and enters the bank's results
    const checker = await page1280(browser);
    await signIn(checker, 'checker1', `/inbox/fiat/ops/batches/${batchId}`);
    await checker.getByTestId('fiat-batch-workorder-link').click();
    await checker.getByTestId('task-page').waitFor();
    await completeWithDialog(checker, checker.getByTestId('action-Approve'));
    await checker.getByTestId('action-notice').waitFor({ timeout: 20_000 });
    const token = await tokenFor('checker1');
    await batchReaches(token, batchId, (b) => b.status === 'Paying' && b.dispatched);
    await checker.goto(`${BASE}/inbox/fiat/ops/batches/${batchId}`);
    await checker.getByTestId('fiat-batch-summary').getByTestId('status').filter({ hasText: 'Paying' }).waitFor();
    const [download] = await Promise.all([checker.waitForEvent('download'), checker.getByTestId('fiat-batch-download').click()]);
    const file = await (await import('node:fs')).promises.readFile(await download.path(), 'utf8');
    assert(nos.slice(0, 2).every((no) => file.includes(no)) && !file.includes(nos[2]), `the bank file holds the two packed records (${download.suggestedFilename()})`);

    const items = checker.getByTestId('fiat-batch-items');
    await items.getByLabel(`Result of ${nos[0]}`).selectOption('Success');
    await items.getByLabel(`Result of ${nos[1]}`).selectOption('Failed');
    await checker.getByTestId('fiat-batch-results-save').click();
    await items.getByLabel(`Result of ${nos[1]}`).locator('xpath=..').locator('.field-error').waitFor(); // reason required: the server's 422 at the row
    await items.getByLabel(`Failure reason of ${nos[1]}`).fill('account closed');
    await checker.getByTestId('fiat-batch-results-save').click();
    const answer = await checker.getByTestId('fiat-batch-results-answer').textContent();
    assert(/2 done, 0 refused/.test(answer), `both results taken: ${answer}`);
    await recordsReach(token, [nos[0]], 'Unmatch');
    await recordsReach(token, [nos[1]], 'Withdrawal Exception');
    await shot(checker, 'fiat-batch-detail');
    await checker.context().close();
  });
}

export async function fiatExceptions(browser) {
  // a record the bank failed: packed, approved and given a failed result through the API
  const records = await withConfig(`/api/fiat/config/channels/${USD_CHANNEL}`, { automaticStatus: false }, async () => {
    const { nos } = await pendingRecords(['123.45']);
    const maker = await tokenFor('maker1');
    const checker = await tokenFor('checker1');
    const batch = (await api('POST', '/api/fiat/batches', { records: nos }, { token: maker })).data;
    const pending = await batchReaches(checker, batch.id, (b) => b.workOrder?.status === 'Open');
    await api('POST', `/api/tasks/${pending.workOrder.taskId}/complete`, { action: 'Approve' }, { token: checker });
    await batchReaches(checker, batch.id, (b) => b.status === 'Paying' && b.dispatched);
    await api('POST', `/api/fiat/batches/${batch.id}/results`, { results: [{ record: nos[0], success: false, reason: 'wrong name' }] }, { token: checker });
    await recordsReach(checker, nos, 'Withdrawal Exception');
    return nos;
  });
  const no = records[0];

  // checker1 chooses Set as Failed (a comment is required), then may not approve it
  const one = await page1280(browser);
  await signIn(one, 'checker1', '/inbox/fiat/ops/exceptions');
  const exceptions = one.getByTestId('fiat-exceptions');
  await exceptions.getByLabel(`Select ${no}`).check();
  await exceptions.getByTestId('resolve-SetAsFailed').click();
  await one.getByTestId('fiat-exceptions-dialog-confirm').click();
  await one.getByTestId('fiat-exceptions-dialog').getByText('This is required.').waitFor();
  await assertNamed(one, 'fiat-exceptions-dialog');
  await one.getByLabel('Comment (required)').fill('the customer closed the account');
  await one.getByTestId('fiat-exceptions-dialog-confirm').click();
  assert(/1 done, 0 refused/.test(await one.getByTestId('fiat-exceptions-result').textContent()), 'resolution accepted');
  const review = one.getByTestId('fiat-review');
  await review.getByLabel(`Select ${no}`).check();
  await review.getByTestId('review-approve').click();
  const own = await one.getByTestId('fiat-review-result').textContent();
  assert(/0 done, 1 refused/.test(own) && own.includes('403'), `checker1 may not approve their own resolution: ${own}`);
  await assertNamed(one, 'fiat-exceptions-page');
  await one.context().close();

  // checker2 approves it: the record ends Failed
  const two = await page1280(browser);
  await signIn(two, 'checker2', '/inbox/fiat/ops/exceptions');
  const review2 = two.getByTestId('fiat-review');
  await review2.getByLabel(`Select ${no}`).check();
  await review2.getByTestId('review-approve').click();
  assert(/1 done, 0 refused/.test(await two.getByTestId('fiat-review-result').textContent()), 'checker2 approves');
  await recordsReach(await tokenFor('checker2'), [no], 'Failed');
  await shot(two, 'fiat-exceptions');
  await two.context().close();
}

export async function fiatBills(browser) {
  const tag = Date.now().toString(36);
  const today = new Date().toISOString().slice(0, 10);
  const csv = (amount) => `entry_id,booking_date,amount,currency,reference\r\nE2E-${tag}-1,${today},-100.50,HKD,E2E-REF-${tag}\r\nE2E-${tag}-2,${today},${amount},HKD,E2E-REF2-${tag}\r\n`;
  const page = await page1280(browser);
  await signIn(page, 'maker1', '/inbox/fiat/ops/bills');
  const form = page.getByTestId('bills-import');
  await form.getByLabel('Channel').selectOption('ICBC-001-FPS');
  await form.getByLabel('Format').selectOption('csv');
  // a bad second row: the whole file is refused and the row's error is shown
  await form.getByLabel('Statement file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(csv('ten dollars')) });
  await form.getByTestId('bills-import-submit').click();
  const errors = page.getByTestId('bills-import-errors');
  await errors.waitFor();
  const row = await errors.getByTestId('bills-import-error-2').textContent();
  assert(row.includes('amount'), `row 2's amount is named: ${row}`);
  const sup = await tokenFor('supervisor1');
  const none = (await api('GET', `/api/fiat/statements/entries?reference=E2E-REF-${tag}`, undefined, { token: sup })).data;
  assert(none.total === 0, 'nothing of the bad file was imported');
  await assertNamed(page, 'fiat-bills-page');
  await shot(page, 'fiat-bills-bad-row');

  await form.getByLabel('Statement file').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(csv('-7')) });
  await form.getByTestId('bills-import-submit').click();
  assert(/Imported 2 line/.test(await page.getByTestId('bills-import-done').textContent()), 'the corrected file is imported');
  await page.getByTestId('bills-filter-reference').fill(`E2E-${tag}-2`);
  const line = page.getByTestId(`fiat-bill-E2E-${tag}-2`);
  await line.waitFor();
  assert((await line.locator('td.num').textContent()) === '-7.00 HKD', 'the amount as the bank wrote it');

  // a debit the bank signed oddly is reclassified, with its reason
  await line.getByTestId('reclassify').click();
  await page.getByTestId('bills-reclassify').getByLabel('Reason (required)').fill('bank signs refunds negative');
  await page.getByTestId('bills-reclassify-confirm').click();
  await line.filter({ hasText: 'Credit' }).waitFor();
  await shot(page, 'fiat-bills');
  await page.context().close();
}

async function chequeChannel() {
  const sup = await tokenFor('supervisor1');
  const quiet = (p) => p.catch((e) => { if (e.status !== 409 && e.status !== 422) throw e; });
  await quiet(api('POST', '/api/fiat/config/bank-accounts', { id: 'E2E-CHQ', bankName: 'E2E Cheque Bank', accountNo: 'E2E-CHQ-001', accountName: 'Broker HKD cheques', currency: 'HKD', apiIntegrated: false }, { token: sup }));
  await quiet(api('POST', '/api/fiat/config/channels', { id: 'E2E-CHQ-CHEQUE', bankAccountId: 'E2E-CHQ', method: 'Cheque', currency: 'HKD', isCheque: true, automaticStatus: false, enabled: true }, { token: sup }));
  const rules = (await api('GET', '/api/fiat/config/withdrawal-rules', undefined, { token: sup })).data;
  if (!rules.some((r) => r.channelId === 'E2E-CHQ-CHEQUE')) {
    await api('POST', '/api/fiat/config/withdrawal-rules', { channelId: 'E2E-CHQ-CHEQUE', policy: 'ManualPacking', singleLimit: 100000, customerDailyLimit: 100000, priority: 900, enabled: true }, { token: sup });
  }
  return 'E2E-CHQ-CHEQUE';
}

export async function fiatCheques(browser) {
  const channel = await chequeChannel();
  const { nos } = await pendingRecords(['880.80'], { currency: 'HKD', channel, bank: 'BOC' });
  const no = nos[0];
  const page = await page1280(browser);
  await signIn(page, 'maker1', '/inbox/fiat/ops/cheques');
  const row = page.getByTestId(`fiat-cheque-${no}`);
  await row.waitFor();
  assert((await row.getByTestId('print-count').textContent()) === '0', 'not printed yet');
  const first = `${Date.now()}`.slice(-12);
  await row.getByLabel(`Select ${no}`).check();
  await row.getByLabel(`Cheque number for ${no}`).fill('12ab');
  await page.getByTestId('cheques-print').click();
  await row.getByTestId('cheque-error').waitFor();
  await row.getByLabel(`Cheque number for ${no}`).fill(first);
  await assertNamed(page, 'fiat-cheques-page');
  let [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cheques-print').click()]);
  assert(download.suggestedFilename().endsWith('.pdf'), `a PDF: ${download.suggestedFilename()}`);
  await row.getByTestId('print-count').filter({ hasText: /^1$/ }).waitFor();
  assert((await row.getByTestId('cheque-no-text').textContent()) === first, 'the cheque number is shown');

  // printing it again is refused on its row; a reprint under a new number counts 2
  await row.getByLabel(`Select ${no}`).check();
  await page.getByTestId('cheques-print').click();
  await row.getByTestId('cheque-error').waitFor();
  const second = `${Number(first) + 1}`;
  await row.getByLabel(`Cheque number for ${no}`).fill(second);
  await Promise.all([page.waitForEvent('download'), page.getByTestId('cheques-reprint').click()]);
  await row.getByTestId('print-count').filter({ hasText: /^2$/ }).waitFor();
  assert((await row.getByTestId('cheque-no-text').textContent()) === second, 'the new number replaces the old');
  await shot(page, 'fiat-cheques');
  await page.context().close();
}

/**
 * The Operations alert inbox: a payout that leaves a bank's remaining daily limit at its alert threshold opens an
 * item; checker1 acknowledges it in the Alert inbox tab, and it moves to Acknowledged with who did it.
 */
export async function fiatAlertInbox(browser) {
  const account = `E2E-ALR-${unique()}`;
  const channel = `${account}-FPS`;
  assert(await configChange('POST', '/api/fiat/config/bank-accounts', { id: account, bankName: 'Alert Bank', accountNo: `${account}-1`, accountName: 'Broker', currency: 'HKD', apiIntegrated: false }) === 201, 'account');
  assert(await configChange('POST', '/api/fiat/config/channels', { id: channel, bankAccountId: account, method: 'FPS' }) === 201, 'channel');
  // far back in priority, so that no other scenario's application picks this channel
  assert(await configChange('POST', '/api/fiat/config/withdrawal-rules', { channelId: channel, policy: 'ManualPacking', singleLimit: '50000', customerDailyLimit: '100000', priority: 900 }) === 201, 'rule');
  // the alert fires as soon as anything is paid: remaining 99,000 is below 99,999.50
  assert(await configChange('POST', '/api/fiat/config/daily-limits', { bankAccountId: account, limit: '100000', alertThreshold: '99999.50' }) === 201, 'daily limit');

  const { nos } = await pendingRecords(['1000'], { currency: 'HKD', channel, bank: 'HSBC' });
  const maker = await tokenFor('maker1');
  const checker = await tokenFor('checker1');
  const batch = (await api('POST', '/api/fiat/batches', { records: nos }, { token: maker })).data;
  const pending = await batchReaches(checker, batch.id, (b) => b.workOrder?.status === 'Open');
  await api('POST', `/api/tasks/${pending.workOrder.taskId}/complete`, { action: 'Approve' }, { token: checker });
  await batchReaches(checker, batch.id, (b) => b.status === 'Paying');

  const page = await page1280(browser);
  await openConfig(page, 'checker1', 'inbox');
  // the filters sit above the inbox table, in the tab's panel
  const inbox = page.getByRole('tabpanel');
  await inbox.getByLabel('Account', { exact: true }).fill(account);
  const item = inbox.getByTestId('fiat-alert-item').filter({ hasText: account });
  await item.filter({ hasText: 'DailyLimitLow' }).waitFor();
  assert((await item.count()) === 1, `one open item for ${account}`);
  await assertNamed(page, 'fiat-alert-inbox');
  await item.getByRole('button', { name: /^Acknowledge DailyLimitLow of / }).click();
  // acknowledged items leave the open list ...
  await item.waitFor({ state: 'detached' });
  // ... and show who acknowledged them under Acknowledged
  await inbox.getByTestId('fiat-inbox-open').selectOption('Acknowledged');
  const done = inbox.getByTestId('fiat-alert-item').filter({ hasText: account });
  await done.filter({ hasText: 'checker1' }).waitFor();
  assert((await done.getByRole('button').count()) === 0, 'no Acknowledge button on an acknowledged item');
  const stored = (await api('GET', `/api/fiat/alerts/inbox?subject=${account}&open=false`, undefined, { token: checker })).data.items;
  assert(stored.length === 1 && stored[0].acknowledgedBy === 'checker1', `the server kept who acknowledged it: ${JSON.stringify(stored)}`);
  await assertFits(page);
  await shot(page, 'fiat-alert-inbox-acknowledged');
  await page.context().close();
}

export const scenarios = [
  ['fiat-withdrawals: maker1 enters two applications and sees records, cards and CSV (own submit refused); checker1 bulk-submits both and the cards change', fiatWithdrawals],
  ['fiat-limits: supervisor1 adjusts a daily limit (422 at the field, stale 409 explained) and sees the history row; maker1 reads only', fiatLimits],
  ['fiat-cfg-channel: supervisor1 adds a cheque channel and its withdrawal rule (cron 422 at the field) and sees both journal rows', fiatConfigChannelRule],
  ['fiat-cfg-stale: supervisor1 saves a channel and the settings a colleague changed meanwhile: "changed by someone else, reload", then saves again', fiatConfigStale],
  ['fiat-cfg-readonly: maker1 reads every configuration screen with no edit control; the server refuses the change', fiatConfigReadOnly],
  ['fiat-cfg-forms: every configuration form names its fields and fits 1280 px; a bank account\'s 422 lands on its fields', fiatConfigForms],
  ['fiat-cfg-review: supervisor1 creates a review rule, disables, enables and edits it, and sees the journal rows', fiatConfigReview],
  ['fiat-cfg-four-eyes: supervisor1 switches direct-billing approval off (pending, no Approve for the proposer); supervisor2 approves in Pending changes; the setting shows off and the journal names both', fiatConfigFourEyes],
  ['fiat-batches: maker1 packs two of three records (the over-limit one named on its row, then removed); checker1 approves the batch work order, downloads the file, enters results', fiatBatches],
  ['fiat-exceptions: checker1 resolves an exception (comment required) and may not approve it; checker2 approves it', fiatExceptions],
  ['fiat-bills: maker1 imports a statement with a bad row (per-row error, nothing imported), then the good file, and reclassifies a line', fiatBills],
  ['fiat-alert-ack: a payout leaves a bank at its alert threshold; checker1 acknowledges the item in the Alert inbox tab and it shows under Acknowledged with who did it', fiatAlertInbox],
  ['fiat-cheques: maker1 prints a cheque (bad number refused at the row), a second print is refused, a reprint counts 2', fiatCheques],
];
