// The Webhooks screen (issue 15) at 1280×800 against the real server, the shipped sample-approval flow and the real
// background dispatcher: `node e2e/run.mjs --suite webhooks [--only webhooks-manage]`. Throws on failure.
import { api, assert, shot, signIn, tokenFor } from './lib.mjs';

async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

/**
 * supervisor1 (holds webhooks:manage and reads every shipped flow: a subscription needs read access to its definition,
 * ADR 20 amendment) subscribes a URL nobody listens on (the server generates the secret and shows it once), an instance
 * starts, the delivery shows its failed attempt with the refused connection, Resend queues it again under the same id,
 * and the subscription is removed. cs1 (an operator) and analyst1 (designs flows, reads no instances) have no Webhooks
 * screen.
 */
export async function webhooksManage(browser) {
  const manager = await tokenFor('supervisor1');
  const page = await page1280(browser);
  page.on('dialog', (d) => void d.accept());
  await signIn(page, 'supervisor1', '/inbox');
  await page.getByTestId('nav-webhooks').click();
  await page.getByTestId('webhooks-page').waitFor();

  // port 9 (discard) on the loopback: connection refused
  const url = `http://127.0.0.1:9/e2e-${Date.now()}`;
  await page.getByTestId('webhook-new-definition').fill('sample-approval');
  await page.getByTestId('webhook-new-url').fill(url);
  await page.getByTestId('webhook-new-event-task.created').check();
  await page.getByTestId('webhook-new-submit').click();
  const notice = page.getByTestId('webhooks-notice');
  await notice.filter({ hasText: 'shown this once: whsec_' }).waitFor();
  const secret = (await notice.textContent()).match(/whsec_[A-Za-z0-9+/=]+/)[0];
  const subs = (await api('GET', '/api/webhooks/subscriptions', undefined, { token: manager })).data;
  const sub = subs.find((s) => s.url === url);
  assert(sub && sub.events.includes('task.created') && sub.events.includes('instance.completed'), `the subscription as chosen: ${JSON.stringify(sub)}`);
  const row = page.getByTestId(`webhook-subscription-${sub.id}`);
  await row.waitFor();
  const rowText = await row.textContent();
  assert(rowText.includes(sub.secretHint) && !rowText.includes(secret.slice(6)), 'the table shows the hint, never the secret');

  // bad input: the server's message, nothing stored
  await page.getByTestId('webhook-new-definition').fill('no-such-flow');
  await page.getByTestId('webhook-new-url').fill('https://systems.example/hook');
  await page.getByTestId('webhook-new-submit').click();
  await page.getByTestId('webhook-new').getByText("No definition 'no-such-flow'").waitFor();

  const started = (await api('POST', '/api/definitions/sample-approval/instances', { correlationId: `e2e-wh-${Date.now()}`, input: { amount: 5 } })).data;
  await page.getByTestId(`webhook-show-deliveries-${sub.id}`).click();
  // the background dispatcher tries at once; the list refreshes every 5 s
  const taskRow = page.locator('tr[data-testid^="webhook-delivery-"]').filter({ hasText: 'task.created' }).filter({ hasText: 'ConnectionRefused' });
  await taskRow.waitFor({ timeout: 20_000 });
  const deliveries = () => api('GET', `/api/webhooks/deliveries?subscriptionId=${sub.id}`, undefined, { token: manager }).then((r) => r.data.items);
  const items = await deliveries();
  assert(items.length === 1 && items[0].eventType === 'task.created' && items[0].instanceId === started.id, `one task.created delivery (the instance is not completed): ${JSON.stringify(items)}`);
  const task = items[0];
  assert((await taskRow.getAttribute('data-testid')) === `webhook-delivery-${task.id}`, 'the row is that delivery');
  assert((await page.getByTestId(`webhook-delivery-status-${task.id}`).textContent()) === 'Pending', 'retrying, not failed yet');
  await shot(page, 'webhooks-delivery-refused');

  await page.getByTestId(`webhook-resend-${task.id}`).click();
  await notice.filter({ hasText: `Delivery ${task.id} is queued again` }).waitFor();
  const resent = (await deliveries()).find((d) => d.id === task.id);
  assert(resent.resentBy === 'supervisor1', `resent by supervisor1: ${JSON.stringify(resent)}`);

  await page.getByTestId(`webhook-remove-${sub.id}`).click();
  await row.waitFor({ state: 'detached' });
  assert(!(await api('GET', '/api/webhooks/subscriptions', undefined, { token: manager })).data.some((s) => s.id === sub.id), 'removed');

  // an operator and an analyst: no link, no screen
  for (const user of ['cs1', 'analyst1']) {
    const other = await page1280(browser);
    await signIn(other, user, '/designer/webhooks');
    assert((await other.getByTestId('nav-webhooks').count()) === 0, `${user} has no Webhooks link`);
    assert((await other.getByTestId('webhooks-page').count()) === 0, `${user} gets no Webhooks screen`);
  }
}

export const scenarios = [
  ['webhooks-manage: supervisor1 subscribes, sees a refused delivery retrying, resends it and removes the subscription; cs1 and analyst1 have no screen', webhooksManage],
];
