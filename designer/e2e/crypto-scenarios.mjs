// Crypto configuration screens (issue 13) at 1280×800: `node e2e/run.mjs --suite crypto [--only crypto-coins-edit]`.
// Each scenario creates what it needs and throws on failure.
import { api, assert, shot, signIn, tokenFor } from './lib.mjs';

async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

export async function coinsEdit(browser) {
  const page = await page1280(browser);
  await signIn(page, 'supervisor2');
  await page.getByTestId('nav-crypto-coins').click();
  await page.getByTestId('crypto-coins-page').waitFor();
  await page.getByTestId('crypto-coin-BTC-BTC').waitFor();

  // Add a coin: a minimum finer than the coin's decimals is named at its field, nothing is sent.
  await page.getByTestId('crypto-add-coin').click();
  const form = page.getByTestId('crypto-coin-form');
  await form.getByLabel('Coin', { exact: true }).fill('DOT');
  await form.getByLabel('Network', { exact: true }).fill('POLKADOT');
  await form.getByLabel('Decimals').fill('10');
  await form.getByLabel('Min withdrawal').fill('0.00000000001');
  await form.getByLabel('Max withdrawal').fill('5000');
  await form.getByLabel('Withdrawal fee').fill('0.05');
  await form.getByLabel('Confirmations required').fill('15');
  await form.getByRole('button', { name: 'Save' }).click();
  const minError = await page.getByTestId('error-coin-minWithdrawal').textContent();
  assert(minError.includes('At most 10 decimals'), `the minimum is refused at its field: ${minError}`);
  // the fee must be below the minimum: the server's 422 lands at the fee field
  await form.getByLabel('Min withdrawal').fill('0.01');
  await form.getByRole('button', { name: 'Save' }).click();
  const feeError = await page.getByTestId('error-coin-withdrawalFee').textContent();
  assert(feeError.includes('below'), `the server's fee refusal shows at the field: ${feeError}`);
  await form.getByLabel('Min withdrawal').fill('0.1');
  await form.getByRole('button', { name: 'Save' }).click();
  const row = page.getByTestId('crypto-coin-DOT-POLKADOT');
  await row.waitFor();
  assert((await row.textContent()).includes('0.1'), 'the new coin shows its minimum');

  // Edit it, then switch its withdrawals off.
  await page.getByRole('button', { name: 'Edit DOT on POLKADOT' }).click();
  await page.getByTestId('crypto-coin-form').getByLabel('Min withdrawal').fill('0.2');
  await page.getByTestId('crypto-coin-form').getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('crypto-coin-form').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Disable withdrawal of DOT on POLKADOT' }).click();
  await page.getByRole('button', { name: 'Enable withdrawal of DOT on POLKADOT' }).waitFor();
  const stored = (await api('GET', '/api/crypto/coins/DOT/POLKADOT', undefined, { token: await tokenFor('supervisor2') })).data;
  assert(stored.minWithdrawal === 0.2 && stored.withdrawalEnabled === false, `stored: ${JSON.stringify(stored)}`);
  await shot(page, 'crypto-coins');

  // The journal names who changed what.
  await page.getByTestId('crypto-tab-journal').click();
  await page.getByTestId('crypto-journal-coin').fill('DOT');
  const journal = page.getByTestId('crypto-journal');
  await journal.getByText('minWithdrawal: 0.1 → 0.2').waitFor();
  const text = await journal.textContent();
  for (const expected of ['Create', 'Edit', 'Disable withdrawal', 'supervisor2']) assert(text.includes(expected), `the journal shows ${expected}`);
  await shot(page, 'crypto-coins-journal');
  await page.context().close();
}

export async function coinsReadOnly(browser) {
  const page = await page1280(browser);
  await signIn(page, 'checker1');
  await page.getByTestId('nav-crypto-coins').click();
  await page.getByTestId('crypto-read-only').waitFor();
  await page.getByTestId('crypto-coin-ETH-ERC20').waitFor();
  assert((await page.getByTestId('crypto-add-coin').count()) === 0, 'no Add coin for a reader');
  assert((await page.getByRole('button', { name: /^(Edit|Disable|Enable) / }).count()) === 0, 'no row buttons for a reader');
  const refused = await api('POST', '/api/crypto/coins/ETH/ERC20/withdrawal/disable', { rowVersion: 1 }, { token: await tokenFor('checker1') }).catch((e) => e);
  assert(refused.status === 403, `the server refuses the reader's change too (${refused.status})`);
  await shot(page, 'crypto-coins-readonly');
  await page.context().close();

  // Another department has no Coins link.
  const cs = await page1280(browser);
  await signIn(cs, 'cs1');
  assert((await cs.getByTestId('nav-crypto-coins').count()) === 0, 'cs1 sees no Coins link');
  await cs.context().close();
}

/**
 * Four eyes on coins (ADR 18): supervisor2 lowers a coin's confirmations — the form says it waits, the list keeps the
 * stored value; supervisor2 is offered no Approve; supervisor1 approves it under Pending changes and the coin shows it.
 */
export async function coinsFourEyes(browser) {
  const token2 = await tokenFor('supervisor2');
  const coin = `Q${Date.now().toString(36).slice(-4).toUpperCase()}`;
  await api('POST', '/api/crypto/coins', { coin, network: coin, decimals: 8, minWithdrawal: '0.01', maxWithdrawal: '100', withdrawalFee: '0.001', requiredConfirmations: 6, depositEnabled: true, withdrawalEnabled: true }, { token: token2 });
  const page = await page1280(browser);
  await signIn(page, 'supervisor2');
  await page.getByTestId('nav-crypto-coins').click();
  const row = page.getByTestId(`crypto-coin-${coin}-${coin}`);
  await row.waitFor();
  await page.getByRole('button', { name: `Edit ${coin} on ${coin}` }).click();
  const form = page.getByTestId('crypto-coin-form');
  await form.getByLabel('Confirmations required').fill('2');
  await form.getByRole('button', { name: 'Save' }).click();
  const notice = await page.getByTestId('fiat-pending-notice').textContent();
  assert(notice.includes('second configurer') && notice.includes('fewer confirmations (6 → 2)'), `the form says the edit waits: ${notice}`);
  assert((await row.textContent()).includes('6'), 'the list keeps the stored confirmations');
  await page.getByTestId('crypto-tab-pending').click();
  const pendingRow = page.getByTestId('crypto-pending-row').filter({ hasText: `${coin}/${coin}` });
  await pendingRow.waitFor();
  assert((await pendingRow.getByRole('button', { name: /^Approve/ }).count()) === 0, 'the proposer is offered no Approve');
  await shot(page, 'crypto-coins-pending');
  await page.context().close();

  const approver = await page1280(browser);
  await signIn(approver, 'supervisor1');
  await approver.getByTestId('nav-crypto-coins').click();
  await approver.getByTestId('crypto-tab-pending').click();
  const mine = approver.getByTestId('crypto-pending-row').filter({ hasText: `${coin}/${coin}` });
  await mine.getByRole('button', { name: /^Approve/ }).click();
  await mine.waitFor({ state: 'detached' });
  const stored = (await api('GET', `/api/crypto/coins/${coin}/${coin}`, undefined, { token: token2 })).data;
  assert(stored.requiredConfirmations === 2, `approved by supervisor1: ${JSON.stringify(stored)}`);
  await approver.getByTestId('crypto-tab-coins').click();
  const cells = await approver.getByTestId(`crypto-coin-${coin}-${coin}`).locator('td').allTextContents();
  assert(cells[6] === '2', `the coin shows 2 confirmations: ${cells.join(' | ')}`);
  await approver.context().close();
}

export const scenarios = [
  ['crypto-coins-edit: supervisor2 adds a coin (too fine a minimum refused at the field, the server\'s fee refusal at its field), edits it, disables its withdrawals and sees the journal', coinsEdit],
  ['crypto-coins-four-eyes: supervisor2 lowers confirmations, it waits and is not theirs to approve; supervisor1 approves it under Pending changes', coinsFourEyes],
  ['crypto-coins-readonly: checker1 reads the coins with no edit control and the server refuses the change; cs1 has no Coins link', coinsReadOnly],
];
