// The staff accounts admin screen (issue 15, ADR 21) at 1280×800 against the real server:
// `node e2e/run.mjs --suite users [--only users-admin]`. Throws on failure.
import { ApiFailure, api, assert, shot, signIn, tokenFor } from './lib.mjs';

const AXE = new URL('../node_modules/axe-core/axe.min.js', import.meta.url).pathname;

async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

/** axe-core on the page: zero serious or critical violations (as the main suite checks its screens). */
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

async function meOf(token) {
  return (await api('GET', '/api/auth/me', undefined, { token })).data;
}

/**
 * admin1 stores an account for the configured user retention1 with named fields (departments, WD permission 4, a
 * right admin1 holds; a right it lacks cannot be ticked), retention1's token already issued carries the change at
 * once, admin1 disables the account (that token then gets 401) and reads both changes in the journal; cs1 has no
 * Users screen.
 */
export async function usersAdmin(browser) {
  const retention = await tokenFor('retention1');
  const before = await meOf(retention);
  assert(!before.permissions.includes('wd:4') && !before.rights.includes('wd:create'), `retention1 starts without wd:4 and wd:create (${JSON.stringify(before)})`);

  const page = await page1280(browser);
  await signIn(page, 'admin1', '/inbox');
  await page.getByTestId('nav-users').click();
  await page.getByTestId('users-page').waitFor();
  const row = page.getByTestId('user-retention1');
  await row.filter({ hasText: 'Configuration' }).waitFor();
  assert((await page.getByTestId('user-admin1').getByRole('button').count()) === 0, 'admin1 is offered no button on its own account');
  await row.getByRole('button', { name: 'Edit retention1' }).click();
  const form = page.getByTestId('user-form');
  await form.waitFor();
  await page.getByLabel('Departments', { exact: true }).fill('Retention, Dealing');
  await page.getByLabel('4 – Approve WD request').check();
  await page.getByLabel('wd:create').check();
  assert(await page.getByLabel('sandbox').isDisabled(), 'a right admin1 does not hold (sandbox) cannot be ticked');
  assert(await page.getByLabel('definitions:approve').isDisabled(), 'definitions:approve cannot be ticked by admin1');
  await axeCheck(page, 'users page with the form open');
  await shot(page, 'users-edit-form');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.waitFor({ state: 'detached' });
  await row.filter({ hasText: 'Stored' }).filter({ hasText: 'Dealing' }).waitFor();

  // The token retention1 already holds carries the stored account from its next request on.
  const after = await meOf(retention);
  assert(after.departments.join(',') === 'Dealing,Retention', `departments now Dealing, Retention (${after.departments})`);
  assert(after.permissions.includes('wd:4') && after.rights.includes('wd:create'), `wd:4 and wd:create granted (${JSON.stringify(after)})`);

  await row.getByRole('button', { name: 'Disable retention1' }).click();
  await row.filter({ hasText: 'Disabled' }).waitFor();
  try {
    await meOf(retention);
    throw new Error('a disabled account\'s token still works');
  } catch (e) {
    if (!(e instanceof ApiFailure) || e.status !== 401) throw e;
  }

  await page.getByTestId('users-tab-journal').click();
  const journal = page.getByTestId('users-journal');
  await journal.waitFor();
  await journal.locator('tr', { hasText: 'retention1' }).filter({ hasText: 'Disable' }).filter({ hasText: 'enabled: true → false' }).waitFor();
  await journal.locator('tr', { hasText: 'retention1' }).filter({ hasText: 'Create' }).filter({ hasText: 'wd:create' }).waitFor();
  await axeCheck(page, 'users journal');
  await shot(page, 'users-journal');
  await page.context().close();

  // cs1 is no user manager: no menu entry, and the address shows nothing of it.
  const cs = await page1280(browser);
  await signIn(cs, 'cs1', '/inbox/admin/users');
  assert((await cs.getByTestId('nav-users').count()) === 0, 'cs1 has no Users menu entry');
  assert((await cs.getByTestId('users-page').count()) === 0, 'cs1 does not get the Users screen');
  await cs.context().close();
}

export const scenarios = [
  ['users-admin: admin1 edits retention1 with named fields (an issued token carries it at once), disables it, reads the journal; cs1 has no screen', usersAdmin],
];
