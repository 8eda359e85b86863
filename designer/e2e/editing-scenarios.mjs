// Editing in the designer without losing work (issue 14, items 2, 3 and the designer panels of 10) at 1280×800 against
// the real server and shipped flows: `node e2e/run.mjs --suite editing [--only dry-run-job]`. Each scenario uses its own
// flow, so they run in any order on one database.
import { ApiFailure, BASE, api, assert, shot, signIn, tokenFor } from './lib.mjs';

async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

async function openDesigner(browser, id) {
  const page = await page1280(browser);
  await signIn(page, 'analyst1', `/designer/definitions/${encodeURIComponent(id)}`);
  await page.getByTestId('designer').waitFor();
  return page;
}

/** The saved draft of `id`, or null when it has none. */
async function draftOf(id) {
  try {
    return (await api('GET', `/api/definitions/${encodeURIComponent(id)}/draft`, undefined, { token: await tokenFor('analyst1') })).data.definition;
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 404) return null;
    throw e;
  }
}

/**
 * Controls under `selector` whose name, as chromium computes it for assistive technology, has no word in it (empty,
 * "+", "×", "↑"): the accessibility tree through the DevTools protocol, not a guess from attributes.
 */
async function unnamedControls(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('Accessibility.enable');
  const { result } = await cdp.send('Runtime.evaluate', { expression: `document.querySelector(${JSON.stringify(selector)})` });
  assert(result.objectId, `${selector} is on the page`);
  const bad = [];
  let count = 0;
  for (const role of ['textbox', 'combobox', 'listbox', 'checkbox', 'button', 'spinbutton', 'searchbox', 'radio', 'switch']) {
    const { nodes } = await cdp.send('Accessibility.queryAXTree', { objectId: result.objectId, role });
    for (const n of nodes) {
      if (n.ignored) continue;
      count++;
      const name = String(n.name?.value ?? '').trim();
      if (/[A-Za-z]/.test(name)) continue;
      let html = '';
      if (n.backendDOMNodeId) html = (await cdp.send('DOM.getOuterHTML', { backendNodeId: n.backendDOMNodeId }).catch(() => ({ outerHTML: '' }))).outerHTML.slice(0, 160);
      bad.push(`${role} named "${name}": ${html}`);
    }
  }
  await cdp.detach();
  return { count, bad };
}

/** The dry run goes past the outside calls of the shipped coin withdrawal (two jobs, a child work order, a chain event) to Completed. */
export async function dryRunPastJobs(browser) {
  const page = await openDesigner(browser, 'crypto-coin-withdrawal');
  await page.getByTestId('side-dryrun').click();
  await page.getByTestId('dryrun-input').fill(JSON.stringify({ recordNo: 'E2E-DRY-1', securitiesAccount: 'SA-E2E', coin: 'BTC', network: 'BTC', amount: 0.5, address: 'bc1-e2e' }, null, 2));
  await page.getByTestId('dryrun-start').click();

  // the outside call that loads the coin's facts: the analyst reports what the ledger would return
  const facts = page.getByTestId('dryrun-wait-loadFacts');
  await facts.waitFor();
  assert((await facts.getAttribute('data-kind')) === 'Job', 'the wait is the server\'s Job');
  const sampled = JSON.parse(await page.getByTestId('dryrun-outputs-loadFacts').inputValue());
  assert('coinConfigured' in sampled && 'minWithdrawal' in sampled, `the outputs start from the activity's declared outputs (${JSON.stringify(sampled)})`);
  // not JSON: said at the field, nothing sent
  await page.getByTestId('dryrun-outputs-loadFacts').fill('{ coinConfigured: true');
  await page.getByTestId('dryrun-continue-loadFacts').click();
  await page.getByTestId('dryrun-json-error-loadFacts').waitFor();
  await page.getByTestId('dryrun-outputs-loadFacts').fill('{"coinConfigured": true, "withdrawalEnabled": true, "depositEnabled": true, "coinDecimals": 8, "minWithdrawal": 0.001, "maxWithdrawal": 10, "withdrawalFee": 0.0001, "requiredConfirmations": 1, "verifiedAddresses": ["bc1-e2e"]}');
  await shot(page, 'editing-dry-run-job');
  await page.getByTestId('dryrun-continue-loadFacts').click();

  // the child work order: approved
  await page.getByTestId('dryrun-wait-workOrder').waitFor();
  await page.getByTestId('dryrun-outcome-workOrder').selectOption('Approved');
  await page.getByTestId('dryrun-continue-workOrder').click();

  // the broadcast: the chain accepted it
  await page.getByTestId('dryrun-wait-broadcast').waitFor();
  await page.getByTestId('dryrun-outcome-broadcast').selectOption('Broadcast');
  await page.getByTestId('dryrun-outputs-broadcast').fill('{"txId": "tx-e2e-dry"}');
  await page.getByTestId('dryrun-continue-broadcast').click();

  // the chain's confirmations arrive as an event with a payload
  await page.getByTestId('dryrun-wait-waitConfirmations').waitFor();
  await page.getByTestId('dryrun-payload-waitConfirmations').fill('{"confirmations": 1}');
  await page.getByTestId('dryrun-send-waitConfirmations').click();
  await page.getByTestId('dryrun-status').filter({ hasText: 'Completed' }).waitFor();
  assert(await page.getByText('Nothing is waiting: the run has finished.').isVisible(), 'the run has finished');
  const vars = await page.getByTestId('dryrun-panel').locator('pre.json-view').textContent();
  assert(vars.includes('tx-e2e-dry'), 'the broadcast\'s output reached the variables');
  await shot(page, 'editing-dry-run-completed');
  await page.context().close();
}

/** Leaving with unsaved changes asks: the back link, browser back and closing the tab; Stay keeps the edits. */
export async function leaveWithUnsavedChanges(browser) {
  const id = 'work-order-approval';
  // from the list, so the browser's back button has somewhere to go
  const page = await page1280(browser);
  await signIn(page, 'analyst1', '/designer');
  await page.getByTestId(`open-${id}`).click();
  await page.getByTestId('designer').waitFor();
  const name = page.getByTestId('flow-name');
  const edited = `Work order approval (edited ${Date.now()})`;
  await name.fill(edited);
  await page.getByTestId('unsaved').waitFor();

  // ‹ Definitions: asked; Stay keeps the page and the edit
  await page.getByRole('link', { name: '‹ Definitions' }).click();
  const dialog = page.getByTestId('unsaved-dialog');
  await dialog.waitFor();
  await shot(page, 'editing-unsaved-prompt');
  await page.getByTestId('unsaved-stay').click();
  await dialog.waitFor({ state: 'detached' });
  assert(page.url().endsWith(`/designer/definitions/${id}`), `still in the designer (${page.url()})`);
  assert((await name.inputValue()) === edited, 'the edit is kept');

  // another route through the top navigation, then the browser's back button: asked each time, the URL stays
  await page.getByTestId('nav-inbox').click();
  await dialog.waitFor();
  await page.getByTestId('unsaved-stay').click();
  await page.goBack();
  await dialog.waitFor();
  await page.getByTestId('unsaved-stay').click();
  assert(page.url().endsWith(`/designer/definitions/${id}`), `back was held (${page.url()})`);
  assert((await name.inputValue()) === edited, 'the edit survives back');

  // closing the tab: the browser's own prompt; dismissing it keeps the page
  const prompt = new Promise((resolve) => page.once('dialog', async (d) => { resolve(d.type()); await d.dismiss(); }));
  await page.close({ runBeforeUnload: true });
  assert((await prompt) === 'beforeunload', 'closing the tab asks');
  await page.getByTestId('unsaved').waitFor();
  assert(!page.isClosed() && (await name.inputValue()) === edited, 'the page stayed with the edit');

  // Discard and leave: gone, nothing saved
  await page.getByRole('link', { name: '‹ Definitions' }).click();
  await page.getByTestId('unsaved-discard').click();
  await page.waitForURL(`${BASE}/designer`);
  assert((await draftOf(id)) === null, 'nothing was saved');
  await page.context().close();
}

/** A 401 while saving opens "session expired" in place; after signing in again the save goes through with the edits. */
export async function reauthenticateWhileSaving(browser) {
  const id = 'sample-approval';
  const page = await openDesigner(browser, id);
  const description = `Edited before the session expired ${Date.now()}`;
  await page.getByTestId('flow-description').fill(description);
  await page.getByTestId('unsaved').waitFor();
  // the session expires: the token the page holds is no longer accepted
  await page.evaluate(() => sessionStorage.setItem('approvalengine.token', 'expired.session.token'));
  await page.getByTestId('save-draft').click();

  const dialog = page.getByTestId('reauth-dialog');
  await dialog.waitFor();
  assert((await page.getByTestId('signin').count()) === 0, 'not signed out');
  assert((await page.getByTestId('flow-description').inputValue()) === description, 'the edit is still on screen');
  assert((await page.getByTestId('reauth-username').inputValue()) === 'analyst1', 'the same analyst signs in again');
  assert(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="reauth-dialog"]')), 'focus is in the dialog');
  await shot(page, 'editing-session-expired');
  // a wrong password is said in the dialog; the page stays
  await page.getByTestId('reauth-password').fill('wrong');
  await page.getByTestId('reauth-submit').click();
  await dialog.getByTestId('error').waitFor();
  await page.getByTestId('reauth-password').fill('analyst1');
  await page.getByTestId('reauth-submit').click();
  await dialog.waitFor({ state: 'detached' });

  // the save was sent again and went through
  await page.getByTestId('designer-notice').filter({ hasText: 'Draft saved.' }).waitFor();
  assert((await page.getByTestId('unsaved').count()) === 0, 'nothing unsaved any more');
  const draft = await draftOf(id);
  assert(draft?.description === description, `the server has the edit (${draft?.description})`);
  await page.context().close();
}

/** A draft with problems is saved and they are listed; Publish is refused by the server with the problems listed. */
export async function invalidDraftSavesButDoesNotPublish(browser) {
  const id = 'crypto-address-verification';
  const page = await openDesigner(browser, id);
  // a variable row added but not named yet, and an interrupt without its event
  await page.getByTestId('variables-add').click();
  await page.getByTestId('interrupt-add').click();
  await page.getByTestId('save-draft').click();
  const notice = page.getByTestId('designer-notice');
  await notice.filter({ hasText: 'Draft saved with' }).waitFor();
  const problems = page.getByTestId('validation-panel');
  await problems.getByTestId('validation-error-0').waitFor();
  const listed = await problems.textContent();
  assert(/variables/i.test(listed) || /name/i.test(listed), `the problems are listed (${listed})`);
  const draft = await draftOf(id);
  assert(draft && draft.variables.some((v) => v.name === '') && draft.interrupts.some((i) => i.event === ''), 'the unfinished draft is stored as it is');
  await shot(page, 'editing-invalid-draft-saved');

  await page.getByTestId('publish').click();
  await page.getByTestId('publish-note').fill('Trying to publish an unfinished draft');
  await page.getByTestId('publish-submit').click();
  await notice.filter({ hasText: 'Not submitted for publishing' }).waitFor();
  await problems.getByTestId('validation-error-0').waitFor();
  const { data } = await api('GET', `/api/publish-requests?definitionId=${id}`, undefined, { token: await tokenFor('analyst2') });
  assert(data.total === 0, `no publish request was created (${data.total})`);
  await shot(page, 'editing-invalid-draft-refused');
  await page.context().close();
}

/** Every control of the flow panel and the user-task panel has a name in words; designer dialogs hold focus and close on Escape. */
export async function namedControlsAndDialogs(browser) {
  const page = await openDesigner(browser, 'wd-request');
  // the flow panel (nothing selected)
  await page.getByTestId('flow-properties').waitFor();
  const flow = await unnamedControls(page, '[data-testid="flow-properties"]');
  assert(flow.count >= 20, `the flow panel was checked (${flow.count} controls)`);
  assert(flow.bad.length === 0, `unnamed controls in the flow panel:\n      ${flow.bad.join('\n      ')}`);

  // the user-task panel of the first CS task, every section opened
  await page.getByTestId('node-cs_new').click({ force: true });
  const panel = page.getByTestId('activity-properties');
  await panel.waitFor();
  for (const d of await panel.locator('details:not([open]) > summary').all()) await d.click();
  const task = await unnamedControls(page, '[data-testid="activity-properties"]');
  assert(task.count >= 20, `the user-task panel was checked (${task.count} controls)`);
  assert(task.bad.length === 0, `unnamed controls in the user-task panel:\n      ${task.bad.join('\n      ')}`);
  assert(await panel.getByRole('button', { name: 'Add action' }).isVisible(), 'the add button says what it adds');

  // the publish dialog: focus moves in, Tab stays in, Escape closes and focus returns to the button
  const publish = page.getByTestId('publish');
  await publish.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('publish-dialog');
  await dialog.waitFor();
  const inDialog = () => page.evaluate(() => !!document.activeElement?.closest('[data-testid="publish-dialog"]'));
  assert(await inDialog(), 'focus moved into the dialog');
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
    assert(await inDialog(), `focus stayed in the dialog after ${i + 1} presses`);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'publish'), 'focus returned to Publish…');
  await page.context().close();
}

export const scenarios = [
  ['dry-run-job: the dry run of crypto-coin-withdrawal continues past its jobs, child and event to Completed', dryRunPastJobs],
  ['unsaved-prompt: leaving with unsaved changes asks (link, route, back, tab close); Stay keeps them', leaveWithUnsavedChanges],
  ['reauth-save: a 401 while saving asks to sign in again in place; the save then succeeds with the edits', reauthenticateWhileSaving],
  ['invalid-draft: a draft with problems is saved and listed; Publish is refused with the problems', invalidDraftSavesButDoesNotPublish],
  ['named-controls: no unnamed controls in the flow and user-task panels; dialogs trap focus and close on Escape', namedControlsAndDialogs],
];
