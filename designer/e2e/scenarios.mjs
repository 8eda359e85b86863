// End-to-end scenarios. Each takes a browser and throws on failure.
import { BASE, api, assert, newPage, sampleInput, shot, signIn, tokenFor, ApiFailure } from './lib.mjs';

const edgeTestId = (c) => `rf__edge-${c.source}\u2192${c.outcome}\u2192${c.target}`;

async function fillInput(page, testId, value) {
  const el = page.getByTestId(testId).first();
  const tag = await el.evaluate((e) => e.tagName);
  if (tag === 'SELECT') {
    const options = await el.locator('option').allTextContents();
    await el.selectOption(options.includes(value) ? value : options.find((o) => o && o !== '—') ?? value);
  } else await el.fill(value);
}

function e2eDefinition(id) {
  return {
    id,
    name: `E2E flow ${id.slice(-6)}`,
    description: 'Created by the e2e suite',
    variables: [{ name: 'amount', type: 'number', default: 0 }],
    inputs: [{ name: 'amount', type: 'number', required: true }],
    activities: [
      { id: 'start', type: 'Start', displayName: 'Start', inputs: {}, position: { x: 0, y: 0 } },
      { id: 'review', type: 'UserTask', displayName: 'Review', inputs: { status: 'InReview', department: 'CS', dueIn: 'PT4H', priority: 2, actions: [{ name: 'Approve', displayName: 'Approve', permission: 'wd:3' }] }, position: { x: 0, y: 160 } },
      { id: 'done', type: 'End', displayName: 'Done', inputs: { status: 'Completed' }, position: { x: 0, y: 340 } },
    ],
    connections: [
      { source: 'start', outcome: 'Done', target: 'review' },
      { source: 'review', outcome: 'Approve', target: 'done' },
    ],
    interrupts: [],
  };
}

/** Creates a definition of our own (so the test does not depend on seeds); falls back to an existing one. */
async function prepareDefinition(analystToken) {
  const id = `e2e-flow-${Date.now().toString(36)}`;
  try {
    await api('PUT', `/api/definitions/${id}/draft`, e2eDefinition(id), { token: analystToken });
    // publishing is a request that a second analyst approves
    const { data: request } = await api('POST', `/api/definitions/${id}/publish`, { note: 'e2e set-up' }, { token: analystToken });
    const { data } = await api('POST', `/api/publish-requests/${request.id}/approve`, {}, { token: await tokenFor('analyst2') });
    return { id, version: data.version, created: true };
  } catch (e) {
    console.log(`    (could not create a definition of our own: ${e.message}; using an existing one)`);
    const { data } = await api('GET', '/api/definitions?pageSize=100', undefined, { token: analystToken });
    const d = data.items.find((x) => x.publishedVersion) ?? data.items[0];
    assert(d, 'there is at least one definition');
    return { id: d.id, version: d.publishedVersion, created: false };
  }
}

export async function designerAddStagePublish(browser) {
  const analyst = await tokenFor('analyst1');
  const prepared = await prepareDefinition(analyst);
  const { data: view } = await api('GET', `/api/definitions/${prepared.id}`, undefined, { token: analyst });
  const def = view.definition;
  const oldVersion = view.version;
  const input = sampleInput(def);

  // an instance started before the change
  const { data: before } = await api('POST', `/api/definitions/${prepared.id}/instances`, { correlationId: `e2e-before-${Date.now()}`, input });
  assert(before.version === oldVersion, `instance before starts on v${oldVersion} (got v${before.version})`);

  const page = await newPage(browser);
  await signIn(page, 'analyst1', '/designer');
  await page.getByTestId('definitions-table').waitFor();
  await page.getByTestId(`open-${prepared.id}`).click();
  await page.getByTestId('designer').waitFor();
  await page.locator('.react-flow__node').first().waitFor();

  // pick the connection leaving Start (between two activities) and put a stage on it
  const start = def.activities.find((a) => a.type === 'Start') ?? def.activities[0];
  const conn = def.connections.find((c) => c.source === start.id) ?? def.connections[0];
  assert(conn, 'the flow has a connection to insert a stage on');
  // select a node first, then the edge: the property panel must switch to the connection
  await page.getByTestId(`node-${start.id}`).click();
  await page.getByTestId('activity-properties').waitFor();
  const edge = page.getByTestId(edgeTestId(conn));
  await edge.waitFor({ state: 'attached' });
  await edge.dispatchEvent('click');
  await page.getByTestId('connection-properties').waitFor();
  await page.getByTestId('insert-type').selectOption('UserTask');
  await page.getByTestId('insert-on-connection').click();
  await page.getByTestId('activity-properties').waitFor();
  await page.getByTestId('prop-displayName').fill('E2E compliance check');
  await fillInput(page, 'input-status', 'ComplianceCheck');
  await fillInput(page, 'input-department', 'CS');
  if (await page.getByTestId('input-dueIn').count()) await page.getByTestId('input-dueIn').fill('PT2H');
  const newId = await page.getByTestId('prop-id').inputValue();
  await page.getByTestId(`node-${newId}`).waitFor();
  await page.getByTestId('unsaved').waitFor();
  await shot(page, 'designer');

  // without a department the draft is saved with the problem (errors keyed by JSON pointer, issue 14); the validation
  // panel names the stage, and clicking the error leads back to it
  const department = page.getByTestId('input-department').first();
  if ((await department.evaluate((e) => e.tagName)) === 'INPUT') {
    await department.fill('');
    await page.getByTestId('save-draft').click();
    const problem = page.getByTestId('validation-panel').locator('.error-item').filter({ hasText: 'E2E compliance check' }).first();
    await problem.waitFor();
    assert(/\/activities\/\d+\/inputs\/department/.test(await problem.textContent()), 'the error names the department input by JSON pointer');
    await shot(page, 'validation');
    await problem.click();
    await page.getByTestId('side-properties').click();
    await page.getByTestId('activity-properties').waitFor();
    assert((await page.getByTestId('prop-id').inputValue()) === newId, 'the error leads to the inserted stage');
    await fillInput(page, 'input-department', 'CS');
  }

  await page.getByTestId('save-draft').click();
  await page.getByTestId('designer-notice').filter({ hasText: 'Draft saved.' }).waitFor();
  // analyst1 submits with a note; the published version stays until another analyst approves
  await page.getByTestId('publish').click();
  await page.getByTestId('publish-dialog').waitFor();
  await page.getByTestId('publish-note').fill('E2E: a compliance check after the start');
  await page.getByTestId('publish-submit').click();
  await page.getByTestId('designer-notice').filter({ hasText: /awaits approval/ }).waitFor({ timeout: 20_000 });
  const { data: pending } = await api('GET', `/api/definitions/${prepared.id}/publish-requests?status=Pending`, undefined, { token: analyst });
  assert(pending.items.length === 1, `one pending request (got ${pending.items.length})`);
  const requestId = pending.items[0].id;
  const { data: still } = await api('GET', `/api/definitions/${prepared.id}`, undefined, { token: analyst });
  assert(still.version === oldVersion, `nothing published before approval (v${still.version})`);

  // four eyes: analyst1 cannot approve their own request — the button is disabled and the server refuses
  await page.getByTestId('nav-publish-requests').click();
  await page.getByTestId(`review-${prepared.id}`).click();
  await page.getByTestId('publish-review').waitFor();
  await page.getByTestId('four-eyes-hint').waitFor();
  assert(await page.getByTestId('approve-request').isDisabled(), 'Approve is disabled for the submitter');
  let refused = null;
  try {
    await api('POST', `/api/publish-requests/${requestId}/approve`, {}, { token: analyst });
  } catch (e) {
    refused = e;
  }
  assert(refused instanceof ApiFailure && refused.status === 403, `the server refuses the submitter's approval (got ${refused?.status})`);
  await page.context().close();

  // analyst2 reviews the diff and the validation result, then approves
  const reviewer = await newPage(browser);
  await signIn(reviewer, 'analyst2', '/designer/publish-requests');
  await reviewer.getByTestId(`review-${prepared.id}`).click();
  await reviewer.getByTestId('publish-review').waitFor();
  await reviewer.getByTestId('request-note').filter({ hasText: 'compliance check' }).waitFor();
  await reviewer.getByTestId('request-validation').filter({ hasText: 'No problems found' }).waitFor();
  await reviewer.getByTestId('request-diff').filter({ hasText: newId }).waitFor();
  await reviewer.locator('.react-flow__node.diff-added').first().waitFor();
  await shot(reviewer, 'publish-review');
  await reviewer.getByTestId('approve-request').click();
  const published = reviewer.getByTestId('review-notice').filter({ hasText: /published version \d+/ });
  await published.waitFor({ timeout: 20_000 });
  const newVersion = Number(/published version (\d+)/.exec(await published.textContent())[1]);
  assert(newVersion > oldVersion, `new version ${newVersion} > ${oldVersion}`);

  const page2 = reviewer;
  await page2.goto(`${BASE}/designer/definitions/${encodeURIComponent(prepared.id)}`);
  await page2.getByTestId('designer').waitFor();
  await page2.getByTestId('view-versions').click();
  await page2.getByTestId(`version-row-${newVersion}`).waitFor();
  await page2.getByTestId('diff-from').selectOption(String(oldVersion));
  await page2.getByTestId('diff-to').selectOption(String(newVersion));
  await page2.getByTestId('diff-summary').filter({ hasText: '1 added' }).waitFor();
  await page2.locator('.react-flow__node.diff-added').first().waitFor();
  await shot(page2, 'versions-diff');

  // via the API: a new instance runs the new version, the earlier one stays on its version
  const { data: after } = await api('POST', `/api/definitions/${prepared.id}/instances`, { correlationId: `e2e-after-${Date.now()}`, input });
  assert(after.version === newVersion, `new instance on v${newVersion} (got v${after.version})`);
  const { data: again } = await api('GET', `/api/instances/${before.id}`);
  assert(again.version === oldVersion, `earlier instance stays on v${oldVersion} (got v${again.version})`);
  const { data: afterDetail } = await api('GET', `/api/instances/${after.id}`);
  const waitingAt = [...(afterDetail.openTasks ?? []).map((t) => t.activityId), ...(afterDetail.waits ?? []).map((w) => w.activityId)];
  if (conn.source === start.id) assert(waitingAt.includes(newId), `new instance waits at the inserted stage ${newId} (waits at ${waitingAt.join(', ')})`);
  await page2.context().close();
}

/**
 * A fresh WD request: `POST /api/wd-requests` (the contract's route); where the server does not have that route yet
 * (404), the wd-request flow is started directly, whose instance id is the task's subject id.
 */
async function createWdRequest(amount = 100, openTrades = 0) {
  const account = `e2e${Date.now().toString().slice(-7)}${Math.floor(Math.random() * 100)}`;
  const customerId = `E2E-${account}`;
  try {
    await api('PUT', `/api/sandbox/trading-accounts/${account}`, { customerId, currency: 'USD', balance: 10000, equity: 10000, margin: 0, freeMargin: 10000, credit: 0, openTrades });
  } catch (e) {
    console.log(`    (sandbox account not set: ${e.message})`);
  }
  const body = { customerId, tradingAccount: account, requestedAmount: amount, currency: 'USD', comment: 'E2E withdrawal' };
  try {
    const { data } = await api('POST', '/api/wd-requests', body);
    return { ...data, viaCard: true };
  } catch (e) {
    if (!(e instanceof ApiFailure) || e.status !== 404) throw e;
  }
  const { data } = await api('POST', '/api/definitions/wd-request/instances', { correlationId: `e2e-wd-${account}`, input: { ...body, availableAmount: 10000 } });
  return { id: data.id, status: data.businessStatus, viaCard: false };
}

/** The request's status: the card's, or the wd-request instance's business status without the card routes. */
async function wdStatus(card) {
  if (card.viaCard) return (await api('GET', `/api/wd-requests/${card.id}`)).data.status;
  return (await api('GET', `/api/instances/${card.id}`)).data.businessStatus;
}

async function findTaskFor(token, subjectId, tries = 20) {
  for (let i = 0; i < tries; i++) {
    const { data } = await api('GET', '/api/tasks?status=open&sort=-createdAt&pageSize=200', undefined, { token });
    const t = data.items.find((x) => x.subjectId === subjectId || x.correlationId === subjectId);
    if (t) return t;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no open task for ${subjectId}`);
}

export async function completeWithDialog(page, button) {
  await button.click();
  const dialog = page.getByTestId('action-dialog');
  await Promise.race([dialog.waitFor({ timeout: 3000 }).catch(() => {}), page.getByTestId('action-notice').waitFor({ timeout: 3000 }).catch(() => {})]);
  if (await dialog.isVisible()) {
    if (await page.getByTestId('field-comment').count()) await page.getByTestId('field-comment').fill('Checked by the e2e suite');
    if (await page.getByTestId('field-fee').count()) await page.getByTestId('field-fee').fill('0');
    for (const f of await dialog.locator('input[data-testid^="field-"]').all()) if (!(await f.inputValue())) await f.fill('e2e');
    await page.getByTestId('action-submit').click();
  }
}

export async function operatorCompletesAction(browser) {
  const card = await createWdRequest(120);
  const page = await newPage(browser);
  await signIn(page, 'cs1', '/inbox');
  await page.getByTestId('task-table').waitFor();
  await page.getByTestId('sort').selectOption('-createdAt');
  const row = page.locator(`[data-subject="${card.id}"]`);
  await row.waitFor({ timeout: 20_000 });
  await shot(page, 'inbox');
  await row.click();
  const statusBefore = await wdStatus(card);
  if (card.viaCard) {
    await page.getByTestId('wd-card').waitFor();
    await page.getByTestId('wd-status').waitFor();
  } else await page.getByTestId('generic-record').waitFor();
  const enabled = page.locator('[data-testid="task-actions"] button[data-action]:not([disabled])');
  await enabled.first().waitFor();
  const preferred = page.locator('[data-testid="task-actions"] button[data-action="PassToRetention"]:not([disabled])');
  const target = (await preferred.count()) ? preferred : enabled.first();
  const actionName = await target.getAttribute('data-action');
  await shot(page, 'task-card');
  await completeWithDialog(page, target);
  await page.getByTestId('action-notice').waitFor({ timeout: 20_000 });
  await page.locator('[data-testid="task-page"]:not([data-task-status="open"])').waitFor({ timeout: 15_000 });
  const after = await wdStatus(card);
  assert(after !== statusBefore, `the request moved on after ${actionName} (still ${after})`);
  await shot(page, 'task-after-action');
  await page.context().close();
}

export async function forbiddenActionsNotOffered(browser) {
  const card = await createWdRequest(80);
  const cs = await tokenFor('cs1');
  const task = await findTaskFor(cs, card.id);
  const { data: detail } = await api('GET', `/api/tasks/${task.id}`, undefined, { token: cs });
  const approve = detail.actions.find((a) => a.name === 'Approve');
  assert(!approve || approve.available === false, 'the API does not offer Approve to cs1');

  const page = await newPage(browser);
  await signIn(page, 'cs1', `/inbox/tasks/${task.id}`);
  await page.getByTestId('task-actions').waitFor();
  await page.locator('[data-testid="task-actions"] button[data-action]').first().waitFor();
  assert((await page.locator('[data-testid="task-actions"] button[data-action="Approve"]:not([disabled])').count()) === 0, 'cs1 sees no enabled Approve button');
  await page.context().close();

  // a user of another department: the task is not in their inbox and no action is enabled on its card
  const other = await newPage(browser);
  await signIn(other, 'dealing1', '/inbox');
  await other.getByTestId('task-table').waitFor();
  assert((await other.locator(`[data-subject="${card.id}"]`).count()) === 0, 'dealing1 does not see the CS task in the inbox');
  await other.goto(`${BASE}/inbox/tasks/${task.id}`);
  await Promise.race([other.getByTestId('task-actions').waitFor().catch(() => {}), other.getByTestId('error').waitFor().catch(() => {})]);
  await other.waitForTimeout(300);
  const enabled = await other.locator('[data-testid="task-actions"] button[data-action]:not([disabled])').count();
  assert(enabled === 0, `dealing1 has no enabled action on the CS task (found ${enabled})`);
  // the server refuses too
  const dealing = await tokenFor('dealing1');
  try {
    await api('POST', `/api/tasks/${task.id}/complete`, { action: 'PassToRetention', comment: 'not mine' }, { token: dealing });
    throw new Error('dealing1 could complete a CS task');
  } catch (e) {
    assert(e instanceof ApiFailure && [403, 404, 409].includes(e.status), `the server refuses dealing1 (got ${e.status ?? e.message})`);
  }
  await other.context().close();
}

export async function staleCardIsExplained(browser) {
  const card = await createWdRequest(60);
  const cs = await tokenFor('cs1');
  const task = await findTaskFor(cs, card.id);
  const page = await newPage(browser);
  await signIn(page, 'cs1', `/inbox/tasks/${task.id}`);
  const button = page.locator('[data-testid="task-actions"] button[data-action]:not([disabled])').first();
  await button.waitFor();
  // someone else acts meanwhile
  const sup = await tokenFor('supervisor1');
  const { data: d } = await api('GET', `/api/tasks/${task.id}`, undefined, { token: sup });
  const a = d.actions.find((x) => x.available !== false && !/reject/i.test(x.name)) ?? d.actions.find((x) => x.available !== false);
  await api('POST', `/api/tasks/${task.id}/complete`, { action: a.name, comment: 'Done by the supervisor', data: a.requiredFields?.includes('fee') ? { fee: 0 } : undefined }, { token: sup });
  await completeWithDialog(page, button);
  await page.getByTestId('stale-notice').filter({ hasText: 'This task changed since you opened it (by supervisor1)' }).waitFor();
  await page.locator('[data-testid="task-page"]:not([data-task-status="open"])').waitFor();
  await page.context().close();
}

export async function screenshotsOfViews(browser) {
  // independent of the other scenarios: a flow of its own with one running instance for the instance viewer
  const prepared = await prepareDefinition(await tokenFor('analyst1'));
  const { data: own } = await api('POST', `/api/definitions/${prepared.id}/instances`, { correlationId: `e2e-views-${Date.now()}`, input: { amount: 10 } });
  const page = await newPage(browser);
  await signIn(page, 'analyst1', '/designer');
  const { data: defs } = await api('GET', '/api/definitions?pageSize=200');
  const matrixDef = defs.items.find((d) => d.id === 'wd-request') ?? defs.items.find((d) => d.id === prepared.id);
  await page.goto(`${BASE}/designer/definitions/${matrixDef.id}`);
  await page.getByTestId('designer').waitFor();
  await page.locator('.react-flow__node').first().waitFor();
  await page.waitForTimeout(500);
  await shot(page, 'designer-flow');
  await page.getByTestId('view-matrix').click();
  await page.getByTestId('matrix-table').waitFor();
  const rows = await page.locator('[data-testid="matrix-table"] tbody tr').count();
  assert(rows > 0, 'the matrix has rows');
  await shot(page, 'matrix');

  const instanceId = own.id;
  // Analysts do not read customer data (ADR 7): a supervisor opens the instance viewer.
  const viewer = await newPage(browser);
  await signIn(viewer, 'supervisor1', `/designer/instances/${instanceId}`);
  await viewer.getByTestId('instance-viewer').waitFor();
  await viewer.getByTestId('journal').waitFor();
  await viewer.locator('[data-testid="instance-canvas"] .react-flow__node').first().waitFor();
  await viewer.waitForTimeout(500);
  await shot(viewer, 'instance-viewer');
  await viewer.context().close();

  await page.goto(`${BASE}/designer/definitions/${matrixDef.id}`);
  await page.getByTestId('side-dryrun').click();
  await page.getByTestId('dryrun-start').click();
  await page.getByTestId('dryrun-state').waitFor();
  await page.locator('.react-flow__node.is-visited, .react-flow__node.is-waiting').first().waitFor();
  await shot(page, 'dry-run');
  await page.context().close();
}

/**
 * A job that fails until its retries run out becomes an incident; supervisor1 (incidents:retry) retries it from the
 * instance viewer once the cause is fixed, and the flow moves on.
 */
export async function incidentRetried(browser) {
  if (process.env.E2E_MOCK === '1') {
    console.log('    (skipped on the mock: it has no failing jobs)');
    return;
  }
  const account = `e2einc${Date.now().toString().slice(-6)}`;
  // wd-request starts only through POST /api/wd-requests, which refuses an account the platform does not know (ADR 7),
  // so the failing job comes from a small flow of its own: it loads a trading account that does not exist yet.
  // Publishing it takes two analysts: analyst1 submits, analyst2 approves.
  const flowId = `e2e-incident-${account}`;
  const definition = {
    id: flowId, name: 'E2E incident',
    variables: [{ name: 'account', type: 'string', readOnly: true }, { name: 'balance', type: 'number', readOnly: true }],
    inputs: [{ name: 'account', type: 'string', required: true, maxLength: 64 }],
    activities: [
      { id: 'start', type: 'Start', inputs: {}, position: { x: 0, y: 0 } },
      { id: 'load', type: 'LoadTradingAccount', displayName: 'Load the trading account', inputs: { account: 'account' }, position: { x: 240, y: 0 } },
      { id: 'review', type: 'UserTask', displayName: 'Backoffice check', inputs: { title: 'Check the balance', status: 'Loaded', department: 'Backoffice', actions: [{ name: 'Done', displayName: 'Done' }] }, position: { x: 480, y: 0 } },
      { id: 'done', type: 'End', inputs: { status: 'Checked' }, position: { x: 720, y: 0 } },
    ],
    connections: [
      { source: 'start', outcome: 'Done', target: 'load' },
      { source: 'load', outcome: 'Done', target: 'review' },
      { source: 'review', outcome: 'Done', target: 'done' },
    ],
  };
  const analyst1 = await tokenFor('analyst1');
  await api('PUT', `/api/definitions/${flowId}/draft`, definition, { token: analyst1 });
  const { data: request } = await api('POST', `/api/definitions/${flowId}/publish`, { note: 'E2E incident flow' }, { token: analyst1 });
  await api('POST', `/api/publish-requests/${request.id}/approve`, {}, { token: await tokenFor('analyst2') });
  // the scenarios' integration key holds start:* (an analyst's new flow needs start:<id>)
  const { data: started } = await api('POST', `/api/definitions/${flowId}/instances`, { correlationId: `e2e-inc-${account}`, input: { account } });
  let incident;
  for (let i = 0; i < 60 && !incident; i++) {
    const { data } = await api('GET', `/api/incidents?instanceId=${started.id}`);
    incident = data.items.find((x) => x.status.toLowerCase() !== 'resolved');
    if (!incident) await new Promise((r) => setTimeout(r, 500));
  }
  assert(incident, 'an incident is raised after the retries run out');

  // Backoffice reads the flow (its task's department, ADR 7) and sees the incident, but may not retry it
  const reader = await newPage(browser);
  await signIn(reader, 'bo1', `/designer/instances/${started.id}`);
  await reader.getByTestId(`incident-${incident.id}`).waitFor();
  assert((await reader.getByTestId(`retry-${incident.id}`).count()) === 0, 'bo1 is not offered Retry');
  await reader.context().close();

  await api('PUT', `/api/sandbox/trading-accounts/${account}`, { customerId: `E2E-${account}`, currency: 'USD', balance: 5000, equity: 5000, margin: 0, freeMargin: 5000, credit: 0, openTrades: 0 });
  const page = await newPage(browser);
  await signIn(page, 'supervisor1', `/designer/instances/${started.id}`);
  await page.getByTestId(`incident-${incident.id}`).waitFor();
  await page.locator('[data-testid="instance-canvas"] .react-flow__node').first().waitFor();
  await page.waitForTimeout(500);
  await shot(page, 'incident');
  await page.getByTestId(`retry-${incident.id}`).click();
  await page.getByTestId(`incident-status-${incident.id}`).filter({ hasText: 'Resolved' }).waitFor();
  let moved;
  for (let i = 0; i < 40 && !moved; i++) {
    const { data } = await api('GET', `/api/instances/${started.id}`);
    if (data.openTasks.some((t) => t.department === 'Backoffice')) moved = data;
    else await new Promise((r) => setTimeout(r, 500));
  }
  assert(moved, 'after the retry the flow reaches the Backoffice check');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.getByTestId('instance-waits').filter({ hasText: 'Backoffice' }).waitFor();
  await shot(page, 'incident-retried');
  await page.context().close();
}

/** POST /api/wd-requests/{id}/actions as `user`; retries while the request has not reached the step yet (409). */
async function wdAction(user, id, action, extra = {}) {
  const token = await tokenFor(user);
  let last;
  for (let i = 0; i < 40; i++) {
    try {
      return (await api('POST', `/api/wd-requests/${id}/actions`, { action, comment: `e2e: ${action}`, ...extra }, { token })).data;
    } catch (e) {
      if (!(e instanceof ApiFailure) || e.status !== 409) throw e;
      last = e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw last;
}

/**
 * Backoffice edits the transactions of a request it approved: a wire transfer without bank details is explained at
 * the field, with bank details it is added, then deleted after a confirmation. bo1 (wd:export) is offered the export.
 */
export async function backofficeEditsTransactions(browser) {
  if (process.env.E2E_MOCK === '1') {
    console.log('    (skipped on the mock: it moves no request through the card routes)');
    return;
  }
  const card = await createWdRequest(100);
  assert(card.viaCard, 'POST /api/wd-requests exists');
  await wdAction('cs1', card.id, 'PassToRetention');
  await wdAction('retention1', card.id, 'PassToBackoffice');
  const approved = await wdAction('bo1', card.id, 'Approve', { fee: 0 });
  let status = approved.status;
  for (let i = 0; i < 40 && status !== 'ApprovedByBackoffice'; i++) {
    await new Promise((r) => setTimeout(r, 500));
    status = await wdStatus(card);
  }
  assert(status === 'ApprovedByBackoffice', `the request is ApprovedByBackoffice (it is ${status})`);

  // the transactions may not total more than the requested amount: make room for 30 by lowering a draft (setup)
  const bo = await tokenFor('bo1');
  const { data: now } = await api('GET', `/api/wd-requests/${card.id}`, undefined, { token: bo });
  const draft = now.transactions.find((t) => !t.isFee && !t.isExecuted);
  if (draft) {
    await api('PUT', `/api/wd-requests/${card.id}/transactions/${draft.id}`, { amount: Math.max(1, draft.amount - 30), paymentType: draft.paymentType, oct: draft.oct, bankDetails: draft.bankDetails ?? (/Wire/.test(draft.paymentType) ? 'e2e bank' : null) }, { token: bo });
  }

  const task = await findTaskFor(bo, card.id);
  const page = await newPage(browser);
  await signIn(page, 'bo1', `/inbox/tasks/${task.id}`);
  await page.getByTestId('wd-card').waitFor();
  await page.getByTestId('wd-tx-editable').waitFor();
  const rows = page.getByTestId('wd-tx-row');
  const before = await rows.count();

  await page.getByTestId('wd-tx-add').click();
  await page.getByTestId('wd-tx-amount-input').fill('30');
  await page.getByTestId('wd-tx-type').selectOption('WireTransfer');
  await page.getByTestId('wd-tx-save').click();
  const fieldError = page.getByTestId('wd-tx-error-bankDetails');
  await fieldError.waitFor();
  const message = (await fieldError.textContent()) ?? '';
  assert(/bank details/i.test(message) && /required/i.test(message), `the bank details error is in words (got "${message}")`);
  assert((await rows.count()) === before, 'nothing is added without bank details');

  await page.getByTestId('wd-tx-bank').fill('DE89 3704 0044 0532 0130 00, E2E Bank, E2E Customer');
  await page.getByTestId('wd-tx-save').click();
  await page.getByTestId('wd-tx-add-form').waitFor({ state: 'detached' });
  const wire = page.locator('[data-testid="wd-tx-row"][data-payment-type="WireTransfer"]').filter({ hasText: 'E2E Bank' });
  await wire.waitFor();
  assert((await rows.count()) === before + 1, `a row is added (${before} → ${await rows.count()})`);
  const { data: added } = await api('GET', `/api/wd-requests/${card.id}`, undefined, { token: bo });
  assert(added.transactions.some((t) => t.paymentType === 'WireTransfer' && t.amount === 30 && /E2E Bank/.test(t.bankDetails ?? '')), 'the server has the wire transfer');

  await wire.getByTestId('wd-tx-delete').click();
  await wire.getByTestId('wd-tx-delete-confirmation').waitFor();
  await wire.getByTestId('wd-tx-delete-confirm').click();
  await wire.waitFor({ state: 'detached' });
  assert((await rows.count()) === before, `the row is gone (${await rows.count()} rows, ${before} before)`);
  const { data: deleted } = await api('GET', `/api/wd-requests/${card.id}`, undefined, { token: bo });
  assert(!deleted.transactions.some((t) => /E2E Bank/.test(t.bankDetails ?? '')), 'the server deleted the wire transfer');
  // the audit log now holds long JSON values: the action panel must stay on the page
  await page.getByTestId('wd-audit').filter({ hasText: 'DeleteTransaction' }).waitFor();
  const actions = await page.getByTestId('task-actions').boundingBox();
  const width = page.viewportSize().width;
  assert(actions && actions.x + actions.width <= width, `the action panel fits the page (right edge ${actions && Math.round(actions.x + actions.width)} > ${width})`);
  await shot(page, 'wd-transactions');

  // the export: bo1 has the right wd:export
  await page.goto(`${BASE}/inbox`);
  await page.getByTestId('task-table').waitFor();
  const exportButton = page.getByTestId('wd-export');
  await exportButton.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), exportButton.click()]);
  const name = download.suggestedFilename();
  assert(/\.csv$/i.test(name), `a CSV is downloaded (${name})`);
  const file = await download.path();
  const text = (await import('node:fs')).readFileSync(file, 'utf8');
  assert(text.includes(card.id) || text.includes(card.tradingAccount ?? '\u0000'), 'the export holds the request');
  await page.context().close();
}

/** Inputs, selects and textareas under `root` without an accessible name (no label, aria-label or aria-labelledby). */
async function unnamedControls(page, root) {
  return page.locator(root).evaluate((el) =>
    [...el.querySelectorAll('input, select, textarea')]
      .filter((c) => c.type !== 'hidden' && !c.hidden && !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
      .map((c) => c.getAttribute('data-testid') || c.outerHTML.slice(0, 80)),
  );
}

const sortedJson = (v) => JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

/**
 * An analyst gives an action a form in the designer: a number field with bounds, decimals and a validation
 * expression, a required comment and a four-eyes rule. Invalid combinations are flagged while typing (min > max, a
 * read-only target); the saved draft holds exactly the form and leaves everything else as it was.
 */
export async function designerEditsActionForm(browser) {
  const analyst = await tokenFor('analyst1');
  const id = `e2e-form-${Date.now().toString(36)}`;
  const original = e2eDefinition(id);
  original.variables.push({ name: 'fee', type: 'number', default: 0 }, { name: 'ledger', type: 'list', readOnly: true });
  original.activities[1].inputs.actions.push({ name: 'Reject', displayName: 'Reject', permission: 'wd:2', requiredFields: ['comment'] });
  original.connections.push({ source: 'review', outcome: 'Reject', target: 'done' });
  await api('PUT', `/api/definitions/${id}/draft`, original, { token: analyst });
  // the draft as the server stores it (it writes defaults such as readOnly: false): the baseline for "unchanged"
  const baseline = (await api('GET', `/api/definitions/${id}/draft`, undefined, { token: analyst })).data.definition;

  const page = await newPage(browser);
  await signIn(page, 'analyst1', `/designer/definitions/${id}`);
  await page.getByTestId('designer').waitFor();
  await page.getByTestId('node-review').click();
  await page.getByTestId('activity-properties').waitFor();
  const a = 'input-actions-0';
  await page.getByTestId(`${a}-form-toggle`).click();
  await page.getByTestId(`${a}-field-add`).click();
  const f = `${a}-field-0`;
  await page.getByTestId(`${f}-name`).fill('fee');
  await page.getByTestId(`${f}-type`).selectOption('number');
  await page.getByTestId(`${f}-required`).check();
  await page.getByTestId(`${f}-label`).fill('Fee');
  await page.getByTestId(`${f}-minimum`).fill('10');
  await page.getByTestId(`${f}-maximum`).fill('5');
  await page.getByTestId(`${f}-error-maximum`).filter({ hasText: 'greater than the maximum' }).waitFor();
  await page.getByTestId(`${f}-maximum`).fill('1000.50');
  await page.getByTestId(`${f}-error-maximum`).waitFor({ state: 'detached' });
  await page.getByTestId(`${f}-minimum`).fill('0');
  await page.getByTestId(`${f}-scale`).fill('2');
  await page.getByTestId(`${f}-variable`).selectOption('ledger');
  await page.getByTestId(`${f}-error-variable`).filter({ hasText: 'read-only' }).waitFor();
  await page.getByTestId(`${f}-variable`).selectOption('fee');
  await page.getByTestId(`${f}-error-variable`).waitFor({ state: 'detached' });
  await page.getByTestId(`${f}-validation`).fill('value < amount');
  await page.getByTestId(`${f}-validation-status`).filter({ hasText: '✓' }).waitFor();
  await page.getByTestId(`${f}-validationMessage`).fill('The fee must be below the amount.');
  await page.getByTestId(`${a}-comment`).selectOption('required');
  await page.getByTestId(`${a}-differentFrom-@starter`).check();
  const unnamed = await unnamedControls(page, '[data-testid="input-actions"]');
  assert(unnamed.length === 0, `every control of the actions editor has a name (unnamed: ${unnamed.join(', ')})`);
  await shot(page, 'designer-action-form');

  await page.getByTestId('save-draft').click();
  await page.getByTestId('designer-notice').filter({ hasText: 'Draft saved.' }).waitFor();
  const { data: saved } = await api('GET', `/api/definitions/${id}/draft`, undefined, { token: analyst });
  const actions = saved.definition.activities.find((x) => x.id === 'review').inputs.actions;
  const expected = {
    name: 'Approve', displayName: 'Approve', permission: 'wd:3', comment: 'required', differentFrom: ['@starter'],
    fields: [{ name: 'fee', type: 'number', required: true, label: 'Fee', minimum: 0, maximum: 1000.5, scale: 2, variable: 'fee', validation: { expression: 'value < amount', message: 'The fee must be below the amount.' } }],
  };
  assert(sortedJson(actions[0]) === sortedJson(expected), `the draft holds the form: ${JSON.stringify(actions[0])}`);
  // the action without a form, the other activities, variables and connections are as they were
  assert(sortedJson(actions[1]) === sortedJson(original.activities[1].inputs.actions[1]), `the other action is unchanged: ${JSON.stringify(actions[1])}`);
  for (const x of baseline.activities.filter((x) => x.id !== 'review')) {
    const y = saved.definition.activities.find((z) => z.id === x.id);
    assert(sortedJson({ ...y, position: undefined }) === sortedJson({ ...x, position: undefined }), `${x.id} is unchanged`);
  }
  assert(sortedJson(saved.definition.variables) === sortedJson(baseline.variables), `variables are unchanged: ${JSON.stringify(saved.definition.variables)}`);
  assert(saved.definition.variables.find((v) => v.name === 'ledger')?.readOnly === true, 'ledger stays read-only');
  assert(sortedJson(saved.definition.connections) === sortedJson(baseline.connections), 'connections are unchanged');
  await page.context().close();
}

/**
 * FOR THE LEAD — needs the `forms` branch (the server lists each action's `fields` and `comment`). Until then it says
 * so and returns. dealing1 takes "Pass to Backoffice" at Dealing: the dialog is built from the action's fields; a fee
 * the form refuses (too many decimals or below the minimum) is explained at the field and nothing is sent; a
 * server-only validation failure (422) is shown at the fee; a valid fee is sent as a JSON number and lands on the card.
 */
export async function inboxFeeFormAtDealing(browser) {
  if (process.env.E2E_MOCK === '1') {
    console.log('    (skipped on the mock: it does not move WD requests through the card routes)');
    return;
  }
  // open trades: Retention passes the request to Dealing
  const card = await createWdRequest(200, 2);
  assert(card.viaCard, 'POST /api/wd-requests exists');
  await wdAction('cs1', card.id, 'PassToRetention');
  await wdAction('retention1', card.id, 'PassToDealing');
  const dealing = await tokenFor('dealing1');
  const task = await findTaskFor(dealing, card.id);
  const { data: detail } = await api('GET', `/api/tasks/${task.id}`, undefined, { token: dealing });
  const pass = detail.actions.find((x) => x.name === 'PassToBackoffice');
  assert(pass, 'Dealing offers PassToBackoffice');
  if (!('fields' in pass)) {
    console.log('    SKIPPED — LEAD: the server does not list action fields yet (needs the forms branch); this scenario must run after the merge');
    return;
  }
  const fee = (pass.fields ?? []).find((x) => x.name === 'fee');
  assert(fee && (fee.type ?? 'string') === 'number', `PassToBackoffice at Dealing declares a number field "fee" (fields: ${JSON.stringify(pass.fields)})`);
  const before = (await api('GET', `/api/wd-requests/${card.id}`, undefined, { token: dealing })).data;

  const page = await newPage(browser);
  await signIn(page, 'dealing1', `/inbox/tasks/${task.id}`);
  await page.getByTestId('wd-card').waitFor();
  await page.getByTestId('action-PassToBackoffice').click();
  const dialog = page.getByTestId('action-dialog');
  await dialog.waitFor();
  const input = page.getByTestId('field-fee');
  assert((await input.getAttribute('data-field-type')) === 'number', 'the fee is a number input');
  const named = await unnamedControls(page, '[data-testid="action-dialog"]');
  assert(named.length === 0, `every control of the dialog has a name (unnamed: ${named.join(', ')})`);
  for (const other of pass.fields) assert(await page.getByTestId(`field-${other.name}`).count(), `the dialog shows the field ${other.name}`);
  if ((pass.comment ?? (pass.requiredFields?.includes('comment') ? 'required' : 'optional')) === 'none')
    assert((await page.getByTestId('field-comment').count()) === 0, 'no comment box when the action takes none');
  else await page.getByTestId('field-comment').fill('Fee set by the e2e suite');

  // refused by the form: nothing is sent
  const bad = typeof fee.scale === 'number' ? `1.${'0'.repeat(fee.scale)}1` : typeof fee.minimum === 'number' ? String(fee.minimum - 1) : 'twelve';
  await input.fill(bad);
  await page.getByTestId('action-submit').click();
  await page.getByTestId('field-error-fee').waitFor();
  await dialog.waitFor();
  const still = (await api('GET', `/api/wd-requests/${card.id}`, undefined, { token: dealing })).data;
  assert(still.instanceVersion === before.instanceVersion, 'nothing was sent for a fee the form refuses');

  // refused by the server only (the validation expression): its message is shown at the field
  // (the server lists only the message; wd-request's fee must be below the requested amount, 200)
  if (fee.validationMessage) {
    await input.fill('200');
    await page.getByTestId('action-submit').click();
    await page.getByTestId('field-error-fee').filter({ hasText: fee.validationMessage }).waitFor();
    const unchanged = (await api('GET', `/api/wd-requests/${card.id}`, undefined, { token: dealing })).data;
    assert(unchanged.instanceVersion === before.instanceVersion, 'the refused fee changed nothing');
  }

  const good = fee.scale === 0 ? '12' : '12.5';
  await input.fill(good);
  await page.getByTestId('action-submit').click();
  await page.getByTestId('action-notice').waitFor({ timeout: 20_000 });
  const after = (await api('GET', `/api/wd-requests/${card.id}`, undefined, { token: dealing })).data;
  assert(after.fee === Number(good), `the card's fee is ${good} (got ${after.fee})`);
  await shot(page, 'inbox-fee-form');
  await page.context().close();
}

/** Publishes `definition` as analyst1 and has analyst2 approve it; returns the version. */
async function publishAsAnalysts(definition) {
  const analyst1 = await tokenFor('analyst1');
  await api('PUT', `/api/definitions/${definition.id}/draft`, definition, { token: analyst1 });
  const { data: request } = await api('POST', `/api/definitions/${definition.id}/publish`, { note: 'e2e' }, { token: analyst1 });
  const { data } = await api('POST', `/api/publish-requests/${request.id}/approve`, {}, { token: await tokenFor('analyst2') });
  return data.version;
}

export async function instanceMigrationInDesigner(browser) {
  const id = `e2e-mig-${Date.now().toString(36)}`;
  const v1 = e2eDefinition(id);
  assert((await publishAsAnalysts(v1)) === 1, 'v1 published');
  const { data: started } = await api('POST', `/api/definitions/${id}/instances`, { correlationId: `${id}-1`, input: { amount: 10 } });
  // v2 renames the stage the instance waits at: without a mapping it cannot move
  const v2 = e2eDefinition(id);
  v2.activities[1] = { ...v2.activities[1], id: 'check', displayName: 'Check' };
  v2.connections = [{ source: 'start', outcome: 'Done', target: 'check' }, { source: 'check', outcome: 'Approve', target: 'done' }];
  assert((await publishAsAnalysts(v2)) === 2, 'v2 published');

  const page = await newPage(browser);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, 'analyst1', `/designer/definitions/${encodeURIComponent(id)}`);
  await page.getByTestId('view-migrate').click();
  await page.getByTestId('migration-view').waitFor();
  assert((await page.getByTestId('migration-from').inputValue()) === '1' && (await page.getByTestId('migration-to').inputValue()) === '2', 'from v1 to v2 is proposed');
  await page.getByTestId('migration-preview').click();
  await page.getByTestId('migration-preview-result').filter({ hasText: '1 refused' }).waitFor();
  await page.getByTestId(`plan-${started.id}`).filter({ hasText: 'review' }).waitFor();
  assert(await page.getByTestId('migration-submit').isDisabled(), 'nothing to submit while no instance can move');
  await page.getByTestId('map-review').selectOption('check');
  await page.getByTestId('migration-preview').click();
  await page.getByTestId('migration-preview-result').filter({ hasText: '1 ready' }).waitFor();
  await page.getByTestId('migration-note').fill('review was renamed check');
  const named = await unnamedControls(page, '[data-testid="migration-view"]');
  assert(named.length === 0, `every control of the migration view has a name (unnamed: ${named.join(', ')})`);
  await shot(page, 'migration-preview');
  await page.getByTestId('migration-submit').click();
  await page.getByTestId('migration-message').waitFor();
  const row = page.locator('[data-testid^="migration-"]').filter({ hasText: 'v1 → v2' }).first();
  await row.filter({ hasText: 'Another analyst applies it.' }).waitFor();
  assert((await page.locator('[data-testid^="approve-migration-"]').count()) === 0, 'the submitter is not offered Apply');
  await page.context().close();

  const reviewer = await newPage(browser);
  await reviewer.setViewportSize({ width: 1280, height: 800 });
  reviewer.on('dialog', (d) => void d.accept());
  await signIn(reviewer, 'analyst2', `/designer/definitions/${encodeURIComponent(id)}`);
  await reviewer.getByTestId('view-migrate').click();
  await reviewer.locator('[data-testid^="approve-migration-"]').first().click();
  await reviewer.getByTestId('migration-message').filter({ hasText: 'Applied: 1 of 1' }).waitFor();
  await shot(reviewer, 'migration-applied');
  await reviewer.context().close();

  const { data: moved } = await api('GET', `/api/instances/${started.id}`);
  assert(moved.version === 2, `the instance runs v2 (got v${moved.version})`);
  assert(moved.openTasks.length === 1 && moved.openTasks[0].activityId === 'check', 'its open task moved to check');
}

/**
 * The impact preview at 1280x800: two instances of a flow of our own (one acted on at its review, one waiting there);
 * a draft renames the review; the Impact… dialog lists the acted-on one as not applicable and the waiting one as a
 * path change, with the step where they part, in words.
 */
export async function designerImpactPreview(browser) {
  if (process.env.E2E_MOCK === '1') {
    console.log('    (the mock server has no impact preview; nothing to check)');
    return;
  }
  const analyst = await tokenFor('analyst1');
  const id = `e2e-impact-${Date.now().toString(36)}`;
  const definition = e2eDefinition(id);
  await api('PUT', `/api/definitions/${id}/draft`, definition, { token: analyst });
  const { data: request } = await api('POST', `/api/definitions/${id}/publish`, { note: 'e2e impact set-up' }, { token: analyst });
  await api('POST', `/api/publish-requests/${request.id}/approve`, {}, { token: await tokenFor('analyst2') });
  const { data: done } = await api('POST', `/api/definitions/${id}/instances`, { correlationId: `e2e-impact-done-${Date.now()}`, input: { amount: 5 } });
  await api('POST', `/api/definitions/${id}/instances`, { correlationId: `e2e-impact-wait-${Date.now()}`, input: { amount: 7 } });
  const { data: detail } = await api('GET', `/api/instances/${done.id}`);
  await api('POST', `/api/tasks/${detail.openTasks[0].id}/complete`, { action: 'Approve' }, { token: await tokenFor('cs1') });

  const draft = structuredClone(definition);
  draft.activities.find((a) => a.id === 'review').id = 'check';
  for (const c of draft.connections) {
    if (c.source === 'review') c.source = 'check';
    if (c.target === 'review') c.target = 'check';
  }
  await api('PUT', `/api/definitions/${id}/draft`, draft, { token: analyst });

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await signIn(page, 'analyst1', `/designer/definitions/${id}`);
  await page.getByTestId('designer').waitFor();
  await page.getByTestId('impact').click();
  const dialog = page.getByTestId('impact-dialog');
  await dialog.waitFor();
  const summary = await page.getByTestId('impact-summary').textContent();
  assert(summary?.includes('1 of 2 recent instances would change: 1 path.') && summary.includes('1 not applicable'), `summary: ${summary}`);
  const rows = page.getByTestId('impact-row');
  assert((await rows.count()) === 2, 'one row per instance');
  const pathText = await page.locator('[data-testid="impact-row"][data-impact="pathChanged"]').textContent();
  assert(pathText?.includes('Path changes') && pathText.includes('check'), `the waiting instance's row names the new step: ${pathText}`);
  const naText = await page.locator('[data-testid="impact-row"][data-impact="notApplicable"]').textContent();
  assert(naText?.includes('Not applicable') && naText.includes("'review'"), `the acted-on instance's row says why: ${naText}`);
  await shot(page, 'designer-impact-1280x800');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await context.close();
}

/**
 * An analyst gives a flow a start trigger in the flow panel at 1280x800: a cron the server cannot parse is saved in the
 * draft with its problem named under Validation; a valid event trigger with an input mapping is saved in the draft as typed.
 */
export async function designerEditsStartTriggers(browser) {
  const analyst = await tokenFor('analyst1');
  const id = `e2e-trig-${Date.now().toString(36)}`;
  await api('PUT', `/api/definitions/${id}/draft`, e2eDefinition(id), { token: analyst });
  const page = await newPage(browser);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, 'analyst1', `/designer/definitions/${encodeURIComponent(id)}`);
  await page.getByTestId('designer').waitFor();
  await page.getByTestId('triggers-editor').scrollIntoViewIfNeeded();
  await page.getByTestId('trigger-add-cron').click();
  await page.getByTestId('trigger-0-cron').fill('every weekday at nine');
  await page.getByTestId('save-draft').click();
  // saved with the problem (drafts are never lost, issue 14), which is named under Validation
  await page.getByTestId('designer-notice').filter({ hasText: 'Draft saved with 1 problem' }).waitFor();
  await page.getByTestId('validation-panel').filter({ hasText: '/startTriggers/0/cron' }).waitFor();

  await page.getByTestId('side-properties').click();
  await page.getByTestId('trigger-0-kind').selectOption('event');
  await page.getByTestId('trigger-0-event').fill('E2EPaymentReceived');
  await page.getByTestId('trigger-0-correlation').fill('event.reference');
  await page.getByLabel('Input amount of trigger 1').fill('event.amount');
  const unnamed = await unnamedControls(page, '[data-testid="triggers-editor"]');
  assert(unnamed.length === 0, `every control of the triggers editor has a name (unnamed: ${unnamed.join(', ')})`);
  await shot(page, 'start-triggers');
  await page.getByTestId('save-draft').click();
  await page.getByTestId('designer-notice').filter({ hasText: 'Draft saved.' }).waitFor();
  const { data: saved } = await api('GET', `/api/definitions/${id}/draft`, undefined, { token: analyst });
  const triggers = saved.definition.startTriggers ?? [];
  assert(triggers.length === 1 && triggers[0].event === 'E2EPaymentReceived' && triggers[0].correlation === 'event.reference'
    && triggers[0].input?.amount === 'event.amount' && triggers[0].cron === undefined, `the draft holds the trigger as typed: ${JSON.stringify(triggers)}`);
  await page.context().close();
}

/** A 1280x800 page (the issue's screen) of its own context. */
async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

/** A definition of our own published as v1 by analyst1 + analyst2, without a draft. */
async function publishedV1(prefix) {
  const id = `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
  const version = await publishAsAnalysts(e2eDefinition(id));
  assert(version === 1, `v1 published (got v${version})`);
  return id;
}

const headerText = async (page) => (await page.getByTestId('editing-version').textContent())?.trim();

/** The node `id` on the canvas `canvasTestId` is selected and its centre lies inside the canvas. */
async function assertLocated(page, canvasTestId, id) {
  const node = page.locator(`[data-testid="${canvasTestId}"] .react-flow__node[data-id="${id}"]`);
  await page.locator(`[data-testid="${canvasTestId}"] .react-flow__node.selected[data-id="${id}"]`).waitFor();
  const canvas = await page.getByTestId(canvasTestId).boundingBox();
  // the centring animates: wait until the node's centre is inside the canvas
  await page.waitForFunction(([sel, c]) => {
    const r = document.querySelector(sel)?.getBoundingClientRect();
    if (!r) return false;
    const x = r.x + r.width / 2;
    const y = r.y + r.height / 2;
    return x > c.x && x < c.x + c.width && y > c.y && y < c.y + c.height;
  }, [`[data-testid="${canvasTestId}"] .react-flow__node[data-id="${id}"]`, canvas]);
  assert(await node.count() === 1, `one node ${id} on ${canvasTestId}`);
}

/**
 * Issue 14 item 8: analyst1 renames a stage, the header turns from "Published v1" into "Draft (based on v1)", the
 * publish dialog asks for a note (no submit without one) and shows the change; analyst2 sees the note, the diff with
 * old → new values, clicks the entry and the stage is selected and centred on the canvas, previews the impact and
 * approves; the versions tab shows the same old → new values and locates the node too.
 */
export async function publishWithNoteAndReview(browser) {
  const id = await publishedV1('e2e-pub');
  const page = await page1280(browser);
  await signIn(page, 'analyst1', `/designer/definitions/${id}`);
  await page.getByTestId('designer').waitFor();
  assert((await headerText(page)) === 'Published v1', `header before editing: ${await headerText(page)}`);
  await page.getByTestId('node-review').click();
  await page.getByTestId('prop-displayName').fill('Review by CS');
  await page.getByTestId('save-draft').click();
  await page.getByTestId('designer-notice').filter({ hasText: 'Draft saved' }).waitFor();
  await page.getByTestId('editing-version').filter({ hasText: 'Draft (based on v1)' }).waitFor();

  await page.getByTestId('publish').click();
  await page.getByTestId('publish-dialog').waitFor();
  await page.getByTestId('publish-changes').filter({ hasText: '1 changed' }).waitFor();
  assert(await page.getByTestId('publish-submit').isDisabled(), 'no submit without a note');
  // the dialog keeps keyboard focus: it starts in the note and Tab never leaves the dialog
  assert(await page.getByTestId('publish-note').evaluate((e) => e === document.activeElement), 'focus starts in the note');
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    assert(await page.getByTestId('publish-dialog').evaluate((d) => d.contains(document.activeElement)), `Tab ${i + 1} stays in the dialog`);
  }
  const note = 'The stage is called Review by CS in the manual.';
  await page.getByTestId('publish-note').fill(note);
  await page.getByTestId('publish-submit').click();
  await page.getByTestId('designer-notice').filter({ hasText: /awaits approval/ }).waitFor({ timeout: 20_000 });
  await page.getByTestId('publish-dialog').waitFor({ state: 'detached' });
  await page.context().close();

  const reviewer = await page1280(browser);
  await signIn(reviewer, 'analyst2', '/designer/publish-requests');
  await reviewer.getByTestId(`review-${id}`).click();
  await reviewer.getByTestId('publish-review').waitFor();
  await reviewer.getByTestId('request-note').filter({ hasText: note }).waitFor();
  const row = reviewer.getByTestId('request-diff-entry-review').getByTestId('diff-field-displayName');
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert(cells[0] === 'Review' && cells[2] === 'Review by CS', `old → new values of the display name: ${JSON.stringify(cells)}`);
  await reviewer.getByTestId('request-locate-review').click();
  await assertLocated(reviewer, 'request-diff-canvas', 'review');
  await reviewer.getByTestId('request-impact').click();
  await reviewer.getByTestId('request-impact-report').getByTestId('impact-summary').waitFor();
  await shot(reviewer, 'publish-review-note-values');
  await reviewer.getByTestId('approve-request').click();
  await reviewer.getByTestId('review-notice').filter({ hasText: 'published version 2' }).waitFor({ timeout: 20_000 });

  await reviewer.goto(`${BASE}/designer/definitions/${id}`);
  await reviewer.getByTestId('editing-version').filter({ hasText: 'Published v2' }).waitFor();
  await reviewer.getByTestId('view-versions').click();
  await reviewer.getByTestId('diff-from').selectOption('1');
  await reviewer.getByTestId('diff-to').selectOption('2');
  const value = reviewer.getByTestId('diff-value-review-displayName');
  await value.waitFor();
  const vcells = await value.locator('td').allTextContents();
  assert(vcells[0] === 'Review' && vcells[2] === 'Review by CS', `versions diff values: ${JSON.stringify(vcells)}`);
  await reviewer.getByTestId('locate-review').click();
  await assertLocated(reviewer, 'diff-canvas', 'review');
  await shot(reviewer, 'versions-diff-values');
  await reviewer.context().close();
}

/** Issue 14 item 8: submitting content identical to the published version is refused by the server and the dialog says so; nothing is created. */
export async function publishIdenticalRefused(browser) {
  const id = await publishedV1('e2e-same');
  const analyst = await tokenFor('analyst1');
  const page = await page1280(browser);
  await signIn(page, 'analyst1', `/designer/definitions/${id}`);
  await page.getByTestId('designer').waitFor();
  await page.getByTestId('publish').click();
  await page.getByTestId('publish-changes').filter({ hasText: 'No change in behaviour' }).waitFor();
  await page.getByTestId('publish-note').fill('Nothing changed, on purpose');
  await page.getByTestId('publish-submit').click();
  await page.getByTestId('publish-error').filter({ hasText: 'identical content is not a new version' }).waitFor({ timeout: 20_000 });
  assert(await page.getByTestId('publish-dialog').isVisible(), 'the dialog stays open with the refusal');
  const { data: versions } = await api('GET', `/api/definitions/${id}/versions`, undefined, { token: analyst });
  assert(versions.length === 1, `still one version (got ${versions.length})`);
  const { data: pending } = await api('GET', `/api/definitions/${id}/publish-requests?status=Pending`, undefined, { token: analyst });
  assert(pending.items.length === 0, `no pending request (got ${pending.items.length})`);
  await shot(page, 'publish-identical-refused');
  await page.context().close();
}

/**
 * Issue 14 items 8 and 10: opening a definition without a draft costs no 404; the header tells the published version
 * from a draft (also after a reload); the matrix shows the draft as edited, and the published one on request.
 */
export async function headerAndDraftMatrix(browser) {
  const id = await publishedV1('e2e-head');
  const page = await page1280(browser);
  const notFound = [];
  page.on('response', (r) => { if (r.status() === 404 && r.url().includes('/api/')) notFound.push(r.url()); });
  await signIn(page, 'analyst1', '/designer');
  await page.getByTestId(`open-${id}`).click();
  await page.getByTestId('designer').waitFor();
  await page.getByTestId('node-review').waitFor();
  assert((await headerText(page)) === 'Published v1', `header: ${await headerText(page)}`);
  assert(notFound.length === 0, `no 404 while opening a definition without a draft: ${notFound.join(', ')}`);

  await page.getByTestId('node-review').click();
  await fillInput(page, 'input-status', 'E2EChecking');
  await page.getByTestId('save-draft').click();
  await page.getByTestId('editing-version').filter({ hasText: 'Draft (based on v1)' }).waitFor();
  await page.reload();
  await page.getByTestId('editing-version').filter({ hasText: 'Draft (based on v1)' }).waitFor();

  await page.getByTestId('view-matrix').click();
  await page.getByTestId('matrix-source').filter({ hasText: 'draft' }).waitFor();
  await page.getByTestId('matrix-table').filter({ hasText: 'E2EChecking' }).waitFor();
  await shot(page, 'matrix-draft');
  await page.getByTestId('matrix-version').selectOption('');
  await page.getByTestId('matrix-source').filter({ hasText: 'published' }).waitFor();
  await page.getByTestId('matrix-table').filter({ hasText: 'InReview' }).waitFor();
  assert(!(await page.getByTestId('matrix-table').textContent()).includes('E2EChecking'), 'the published matrix does not show the draft');
  await page.context().close();
}

// ---- accessibility (axe-core injected into the page; zero serious or critical violations) ----

const AXE = new URL('../node_modules/axe-core/axe.min.js', import.meta.url).pathname;

/** Runs axe-core on the page (or `include`) and fails on any serious or critical violation, listing them. */
async function axeCheck(page, what, include) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async (sel) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  }, include ?? null);
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (result.length > bad.length) console.log(`    (${what}: minor/moderate: ${result.filter((v) => !bad.includes(v)).map((v) => v.id).join(', ')})`);
  assert(bad.length === 0, `${what}: ${bad.length} serious/critical axe violations:\n${bad.map((v) => `  ${v.impact} ${v.id} (${v.help}): ${v.nodes.join(' | ')}`).join('\n')}`);
}

/** Sign-in page; also the web app's script goes out compressed (issue 14 item 10). */
export async function a11ySignIn(browser) {
  const page = await page1280(browser);
  const scripts = [];
  page.on('response', (r) => { if (/\/assets\/.*\.js$/.test(r.url())) scripts.push(r); });
  await page.goto(`${BASE}/inbox`);
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.getByTestId('signin-username').waitFor();
  await axeCheck(page, 'sign-in');
  assert(scripts.length > 0, 'the app loads its scripts from /assets');
  for (const r of scripts) {
    const encoding = (await r.allHeaders())['content-encoding'];
    assert(['br', 'gzip'].includes(encoding), `${r.url()} is sent compressed (content-encoding: ${encoding})`);
  }
  await page.context().close();
}

export async function a11yInbox(browser) {
  await createWdRequest(90);
  const page = await page1280(browser);
  await signIn(page, 'cs1', '/inbox');
  await page.getByTestId('task-table').waitFor();
  await page.locator('[data-testid="task-table"] [data-subject]').first().waitFor();
  await axeCheck(page, 'inbox');
  await page.context().close();
}

export async function a11yTaskCard(browser) {
  const card = await createWdRequest(70);
  const task = await findTaskFor(await tokenFor('cs1'), card.id);
  const page = await page1280(browser);
  await signIn(page, 'cs1', `/inbox/tasks/${task.id}`);
  await page.locator('[data-testid="task-actions"] button[data-action]').first().waitFor();
  await axeCheck(page, 'task card');
  // the action dialog
  await page.locator('[data-testid="task-actions"] button[data-action]:not([disabled])').first().click();
  const dialog = page.getByTestId('action-dialog');
  await Promise.race([dialog.waitFor({ timeout: 5000 }).catch(() => {}), page.getByTestId('action-notice').waitFor({ timeout: 5000 }).catch(() => {})]);
  if (await dialog.isVisible()) await axeCheck(page, 'action dialog');
  await page.context().close();
}

export async function a11yDesigner(browser) {
  const page = await page1280(browser);
  await signIn(page, 'analyst1', '/designer');
  await page.getByTestId('definitions-table').waitFor();
  await axeCheck(page, 'definitions list');
  await page.goto(`${BASE}/designer/definitions/wd-request`);
  await page.getByTestId('designer').waitFor();
  await page.locator('.react-flow__node').first().waitFor();
  await axeCheck(page, 'designer (wd-request)');
  await page.getByTestId('view-matrix').click();
  await page.getByTestId('matrix-table').waitFor();
  await axeCheck(page, 'status matrix');
  await page.getByTestId('view-versions').click();
  await page.getByTestId('versions-table').waitFor();
  await axeCheck(page, 'versions');
  await page.context().close();
}

/** The publish, impact, suspend and reject dialogs. */
export async function a11yDialogs(browser) {
  const id = await publishedV1('e2e-a11y');
  const page = await page1280(browser);
  await signIn(page, 'analyst1', `/designer/definitions/${id}`);
  await page.getByTestId('designer').waitFor();
  await page.getByTestId('node-review').click();
  await page.getByTestId('prop-displayName').fill('Review (a11y)');
  await page.getByTestId('publish').click();
  await page.getByTestId('publish-dialog').waitFor();
  await axeCheck(page, 'publish dialog', '[data-testid="publish-dialog"]');
  await page.getByTestId('publish-note').fill('a11y check');
  await page.getByTestId('publish-submit').click();
  await page.getByTestId('designer-notice').filter({ hasText: /awaits approval/ }).waitFor({ timeout: 20_000 });
  await page.context().close();

  const reviewer = await page1280(browser);
  await signIn(reviewer, 'analyst2', `/designer/definitions/${id}`);
  await reviewer.getByTestId('view-versions').click();
  await reviewer.getByTestId('toggle-suspend-1').click();
  await reviewer.getByTestId('suspend-dialog').waitFor();
  await axeCheck(reviewer, 'suspend dialog', '[data-testid="suspend-dialog"]');
  await reviewer.keyboard.press('Escape');
  await reviewer.getByTestId('suspend-dialog').waitFor({ state: 'detached' });
  await reviewer.goto(`${BASE}/designer/publish-requests`);
  await reviewer.getByTestId(`review-${id}`).click();
  await reviewer.getByTestId('publish-review').waitFor();
  await axeCheck(reviewer, 'publish review');
  await reviewer.getByTestId('reject-request').click();
  await reviewer.getByTestId('reject-dialog').waitFor();
  await axeCheck(reviewer, 'reject dialog', '[data-testid="reject-dialog"]');
  await reviewer.context().close();
}

export const scenarios = [
  ['designer-publish: add a stage, save, submit for publishing, a second analyst approves (not the submitter), versions; instances keep their version', designerAddStagePublish],
  ['inbox-complete: cs1 opens a task and completes an action', operatorCompletesAction],
  ['inbox-forbidden: forbidden actions are not offered', forbiddenActionsNotOffered],
  ['inbox-stale: a stale card is explained and refreshed', staleCardIsExplained],
  ['views-screenshots: designer, matrix, instance viewer, dry run', screenshotsOfViews],
  ['incident-retry: an incident is retried by a supervisor', incidentRetried],
  ['wd-backoffice-tx: backoffice edits transactions; export offered', backofficeEditsTransactions],
  ['forms-designer: an analyst gives an action a form; the draft holds it', designerEditsActionForm],
  ['migration: analyst1 maps a renamed stage and submits, analyst2 applies; the instance runs the new version', instanceMigrationInDesigner],
  ['forms-inbox-fee: dealing1 sets the fee through the action form', inboxFeeFormAtDealing],
  ['designer-impact: impact of a draft on recent instances (1280x800)', designerImpactPreview],
  ['designer-triggers: an analyst adds a start trigger; a bad cron is named, an event trigger is saved', designerEditsStartTriggers],
  ['publish-note-review: submit with a note; the reviewer sees the note, old → new values, locates the node, previews the impact, approves', publishWithNoteAndReview],
  ['publish-identical: content identical to the published version is refused in the dialog; nothing is created', publishIdenticalRefused],
  ['designer-header: no 404 on open; the header tells Published v1 from Draft (based on v1); the matrix shows the draft', headerAndDraftMatrix],
  ['a11y-signin: axe on the sign-in page; the scripts go out compressed', a11ySignIn],
  ['a11y-inbox: axe on the inbox', a11yInbox],
  ['a11y-task-card: axe on a WD task card and its action dialog', a11yTaskCard],
  ['a11y-designer: axe on the definitions list, the designer, the matrix and versions', a11yDesigner],
  ['a11y-dialogs: axe on the publish, suspend, review and reject dialogs', a11yDialogs],
];
