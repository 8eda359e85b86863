// The expression editor (issue 14, item 7) at 1280×800 against the real server and a copy of the shipped wd-request
// flow: `node e2e/run.mjs --suite exprs [--only exprs-start-input]`. Each scenario saves its own copy as a draft.
import { BASE, api, assert, shot, signIn, tokenFor } from './lib.mjs';

const GUARD = 'input-actions-0-guard';

async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

/** A draft copy of wd-request; `ret_cs` (a Retention task whose first action has a guard) is the node the scenarios edit. */
async function wdCopy(prefix) {
  const token = await tokenFor('analyst1');
  const { data } = await api('GET', '/api/definitions/wd-request', undefined, { token });
  const def = structuredClone(data.definition);
  def.id = `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 100)}`;
  def.name = `E2E expressions ${def.id}`;
  const index = def.activities.findIndex((a) => a.id === 'ret_cs');
  assert(index >= 0 && def.activities[index].inputs.actions[0].guard, 'wd-request has ret_cs with a guard on its first action');
  assert(!def.variables.some((v) => v.name === 'requestedAmount') && def.inputs.some((i) => i.name === 'requestedAmount'), 'requestedAmount is a start input, not a variable');
  await api('PUT', `/api/definitions/${def.id}/draft`, def, { token });
  return def;
}

/** Opens the designer on the draft and selects ret_cs with the keyboard (focus the node, Enter). */
async function openAtGuard(page, def) {
  await signIn(page, 'analyst1', `/designer/definitions/${encodeURIComponent(def.id)}`);
  await page.getByTestId('designer').waitFor();
  const node = page.locator('.react-flow__node[data-id="ret_cs"]');
  await node.waitFor({ state: 'attached' });
  await node.focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('activity-properties').waitFor();
  const field = page.getByTestId(GUARD);
  await field.waitFor();
  return field;
}

/** Replaces the editor's text by typing, as a person does (select all, type). */
async function typeInto(page, field, text) {
  await field.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text, { delay: 5 });
}

const status = (page) => page.getByTestId(`${GUARD}-status`);

async function validate(page) {
  await page.getByTestId('validate').click();
  await page.locator('[data-testid="validation-ok"], [data-testid^="validation-error-"]').first().waitFor();
}

/** A guard over start inputs is not flagged inline, and Validate agrees. */
export async function startInput(browser) {
  const def = await wdCopy('e2e-exprs-in');
  const page = await page1280(browser);
  const field = await openAtGuard(page, def);
  await typeInto(page, field, "requestedAmount > 0 && customerId != ''");
  await status(page).filter({ hasText: '✓ boolean' }).waitFor();
  assert((await page.getByTestId(`${GUARD}-diagnostic`).count()) === 0, 'no inline problem for start inputs');
  assert((await page.locator('[data-testid="input-actions-0-guard-editor"] .cm-lintRange-error').count()) === 0, 'no squiggle');
  await validate(page);
  await page.getByTestId('validation-ok').waitFor();
  await shot(page, 'exprs-start-input');
  await page.context().close();
}

/** An unknown variable: one message with one place inline, the squiggle under the name, and Validate says the same. */
export async function onePosition(browser) {
  const def = await wdCopy('e2e-exprs-pos');
  const page = await page1280(browser);
  const field = await openAtGuard(page, def);
  await typeInto(page, field, 'requestedAmount > frobnicator');
  const inline = page.getByTestId(`${GUARD}-diagnostic`);
  await inline.first().waitFor();
  assert((await inline.count()) === 1, `one inline problem (${await status(page).textContent()})`);
  const inlineText = (await inline.textContent()).trim();
  assert(inlineText === "column 19: Unknown variable 'frobnicator'", `inline: ${inlineText}`);
  const inlineColumn = await inline.getAttribute('data-column');
  // the place is printed once: no second number anywhere in the status line
  const statusText = await status(page).textContent();
  assert((statusText.match(/\d+/g) ?? []).length === 1, `one number in the status line: ${statusText}`);
  // the squiggle covers exactly the unknown name
  const squiggle = page.locator('[data-testid="input-actions-0-guard-editor"] .cm-lintRange-error');
  await squiggle.first().waitFor();
  assert((await squiggle.allTextContents()).join('') === 'frobnicator', `squiggle under ${(await squiggle.allTextContents()).join('|')}`);

  await validate(page);
  const errors = page.locator('[data-testid^="validation-error-"]');
  const texts = await errors.locator('.error-msg').allTextContents();
  const matching = texts.filter((t) => t.includes('frobnicator'));
  assert(matching.length === 1, `Validate lists the problem once (${texts.join(' | ')})`);
  assert(matching[0] === inlineText, `Validate says what the field says: "${matching[0]}" vs "${inlineText}"`);
  const msg = errors.locator('.error-msg').filter({ hasText: 'frobnicator' });
  assert((await msg.getAttribute('data-column')) === '19' && inlineColumn === '19', 'both at column 19');
  // the server's answer for the same draft: Validate's position is column 19 too (the UI shows the server's numbers)
  const draft = { ...def, activities: def.activities.map((a) => (a.id === 'ret_cs' ? { ...a, inputs: { ...a.inputs, actions: a.inputs.actions.map((x, i) => (i === 0 ? { ...x, guard: 'requestedAmount > frobnicator' } : x)) } } : a)) };
  const { data: report } = await api('POST', '/api/definitions/validate', draft, { token: await tokenFor('analyst1') });
  const served = report.errors.find((e) => e.message.includes('frobnicator'));
  assert(served?.at?.column === 19 && served.at.offset === 18 && served.at.length === 11, `server: ${JSON.stringify(served)}`);
  await shot(page, 'exprs-one-position');
  await page.context().close();
}

/**
 * Enter on the selected option. CodeMirror ignores Enter for a moment after the list updates (interactionDelay), so
 * Enter is pressed again, while the option is still offered and selected, until the editor holds the completion.
 */
async function accept(page, popup, label, expected) {
  for (let i = 0; i < 10; i++) {
    await popup.locator('li[aria-selected="true"]', { hasText: label }).waitFor();
    await page.keyboard.press('Enter');
    const done = await page.getByTestId(GUARD).filter({ hasText: expected }).waitFor({ timeout: 1000 }).then(() => true, () => false);
    if (done) return;
  }
  throw new Error(`Enter did not accept ${label}`);
}

/** Keyboard only: Tab into the guard, autocomplete offers an activity output and a server function, Tab leaves. */
export async function autocompleteKeyboard(browser) {
  const def = await wdCopy('e2e-exprs-kb');
  const page = await page1280(browser);
  await openAtGuard(page, def);
  // from the field before it, Tab lands in the editor: it is a named text box in the tab order
  await page.getByTestId('input-actions-0-requiredFields').focus();
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => ({ id: document.activeElement?.getAttribute('data-testid'), name: document.activeElement?.getAttribute('aria-label'), role: document.activeElement?.getAttribute('role') }));
  assert(focused.id === GUARD && focused.name && focused.role === 'textbox', `Tab reaches the named guard editor (${JSON.stringify(focused)})`);
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Backspace');

  const popup = page.locator('.cm-tooltip-autocomplete');
  // the names' origins (activity output, variable…) come with the server's check: wait for the first one to answer
  await page.keyboard.type('requestedAmount', { delay: 20 });
  await status(page).filter({ hasText: /number/ }).waitFor();
  await page.keyboard.type(' > freeMar', { delay: 20 });
  await popup.waitFor();
  const option = popup.locator('li', { hasText: 'freeMargin' });
  await option.first().waitFor();
  assert((await option.first().textContent()).includes('activity output'), `freeMargin is offered as an activity output (${await option.first().textContent()})`);
  // Enter accepts only the option that is selected now: wait for it, then for the editor to hold it
  await accept(page, popup, 'freeMargin', 'requestedAmount > freeMargin');

  const functions = await api('GET', '/api/expressions/functions', undefined, { token: await tokenFor('analyst1') });
  const signature = functions.data.find((f) => f.name === 'addDays').signature;
  await page.keyboard.type(' && addD', { delay: 20 });
  await popup.waitFor();
  const fn = popup.locator('li', { hasText: 'addDays' });
  await fn.first().waitFor();
  assert((await fn.first().textContent()).includes(signature), `addDays is offered with the server's signature ${signature}`);
  await accept(page, popup, 'addDays', 'addDays');
  await page.keyboard.type('now(), 1) > now()', { delay: 20 });
  await page.keyboard.press('Escape');

  const text = await page.getByTestId(GUARD).textContent();
  assert(text === 'requestedAmount > freeMargin && addDays(now(), 1) > now()', `the editor holds the completed expression (${text})`);
  await status(page).filter({ hasText: '✓ boolean' }).waitFor();
  await shot(page, 'exprs-autocomplete');
  // Tab leaves the editor (no trap) for the guard message
  await page.keyboard.press('Tab');
  const next = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
  assert(next === 'input-actions-0-guardMessage', `Tab moves on to the guard message (${next})`);
  await page.context().close();
}

export const scenarios = [
  ['exprs-start-input: a guard over start inputs is not flagged inline and Validate agrees', startInput],
  ['exprs-one-position: an unknown variable shows once at one place, the same as Validate', onePosition],
  ['exprs-autocomplete-keyboard: keyboard only, autocomplete offers an activity output and a server function', autocompleteKeyboard],
];

export { BASE };
