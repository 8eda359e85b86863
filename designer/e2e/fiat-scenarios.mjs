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

  // someone else adjusts meanwhile: the stale save is a 409, explained, and the list refreshes
  await api('POST', `/api/fiat/config/daily-limits/${account}/adjust`, { delta: 1, reason: 'E2E meanwhile', rowVersion: before.rowVersion }, { token: sup });
  await form.getByLabel('Change (+ raises, − lowers)').fill('200000');
  await form.getByLabel('Reason').fill('E2E month end');
  await form.getByRole('button', { name: 'Save adjustment' }).click();
  await page.getByTestId('fiat-stale').waitFor();
  await row.getByTestId('limit').filter({ hasText: hkd(before.limit + 1) }).waitFor();

  // saved on the refreshed version; the history opens with the row
  await form.getByRole('button', { name: 'Save adjustment' }).click();
  await row.getByTestId('limit').filter({ hasText: hkd(before.limit + 200001) }).waitFor();
  const history = page.getByTestId('fiat-limit-history');
  const change = history.getByTestId('fiat-limit-change').filter({ hasText: 'E2E month end' });
  await change.waitFor();
  const text = await change.textContent();
  assert(text.includes('AdjustUp') && text.includes('supervisor1') && text.includes(hkd(200000)) && text.includes(`${hkd(before.limit + 1)} → ${hkd(before.limit + 200001)}`),
    `the history row names who, what and before → after: ${text}`);
  assert((await limitOf()).limit === before.limit + 200001, 'the server holds the adjusted limit');
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

export const scenarios = [
  ['fiat-limits: supervisor1 adjusts a daily limit (422 at the field, stale 409 explained) and sees the history row; maker1 reads only', fiatLimits],
];
