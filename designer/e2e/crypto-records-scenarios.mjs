// Crypto withdrawal and deposit record pages (issue 13) at 1280×800: `node e2e/run.mjs --suite crypto-records [--only crypto-deposits]`.
// Each scenario starts its records on the shipped flows through the API and throws on failure.
import { api, assert, shot, signIn, tokenFor } from './lib.mjs';

async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

async function until(probe, what, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function recordOf(kind, id) {
  return (await api('GET', `/api/crypto/${kind}/${id}`)).data.record;
}

/** Search by customer and record number, read the grid, open the detail (progress bar, history), export the CSV. */
export async function cryptoDeposits(browser) {
  const customer = unique('SA-E2E');
  const nos = [unique('CDR-A'), unique('CDR-B')];
  const ids = [];
  for (const [i, recordNo] of nos.entries()) {
    const { data } = await api('POST', '/api/definitions/crypto-deposit/instances', {
      correlationId: recordNo, input: { recordNo, securitiesAccount: customer, coin: 'BTC', network: 'BTC', amount: i === 0 ? 0.25 : 1.5, txid: `tx-${recordNo}` },
    });
    ids.push(data.id);
  }
  for (const id of ids) await until(async () => (await recordOf('deposits', id)).status === 'Wallet Address Under Verification', 'the deposits');
  // two of three confirmations on the first deposit; checker2 cancels the second with a remark
  await api('POST', '/api/events/BlockConfirmations', { correlationId: `tx-${nos[0]}`, payload: { confirmations: 2 } });
  await until(async () => (await recordOf('deposits', ids[0])).status === 'Confirming', 'Confirming');
  const checker2 = await tokenFor('checker2');
  const detail = (await api('GET', `/api/crypto/deposits/${ids[1]}`, undefined, { token: checker2 })).data;
  await api('POST', `/api/tasks/${detail.openTasks[0].id}/complete`, { action: 'Cancel', comment: 'Duplicate user request' }, { token: checker2 });

  const page = await page1280(browser);
  await signIn(page, 'checker1');
  await page.getByTestId('nav-crypto-deposits').click();
  await page.getByTestId('crypto-deposits-page').waitFor();
  await page.getByTestId('filter-customer').fill(customer);
  await page.getByTestId('filter-apply').click();
  const first = page.getByTestId(`crypto-record-${nos[0]}`);
  await first.waitFor();
  await page.getByTestId(`crypto-record-${nos[1]}`).waitFor();
  assert((await page.getByTestId('pager').textContent()).includes('2 total'), 'two records of the customer');
  assert((await first.getByTestId('amount').textContent()) === '0.25000000', `BTC shows 8 places: ${await first.getByTestId('amount').textContent()}`);
  assert((await first.getByTestId('progress').textContent()) === '2 / 3 confirmations', 'progress in the grid');

  // the status filter narrows to the cancelled one
  await page.getByTestId('filter-status').selectOption('Cancelled');
  await page.getByTestId('filter-apply').click();
  await page.getByTestId('pager').filter({ hasText: '1 total' }).waitFor();
  assert(await page.getByTestId(`crypto-record-${nos[1]}`).isVisible(), 'the cancelled deposit is listed');
  assert((await first.count()) === 0, 'the confirming deposit is not');

  // export with the same filters
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('crypto-export').click()]);
  const csv = await (await import('node:fs')).promises.readFile(await download.path(), 'utf8');
  assert(download.suggestedFilename() === 'crypto-deposits.csv' && csv.includes(nos[1]) && !csv.includes(nos[0]), `the CSV has the filtered record (${download.suggestedFilename()})`);

  // detail of the cancelled record: who cancelled, the remark, in the history
  await page.getByTestId(`crypto-record-${nos[1]}`).getByRole('link').click();
  await page.getByTestId('crypto-record-page').waitFor();
  await page.getByTestId('crypto-record-status').filter({ hasText: 'Cancelled' }).waitFor();
  assert((await page.getByTestId('reason-cancelRemark').textContent()).includes('Duplicate user request'), 'the remark is shown');
  const history = await page.getByTestId('crypto-history').textContent();
  assert(history.includes('Cancel') && history.includes('checker2') && history.includes('Duplicate user request'), 'the history names the action, the operator and the remark');

  // detail of the confirming one: the progress bar at 2 of 3
  await page.goto(page.url().replace(/[^/]+$/, ids[0]));
  const bar = page.getByTestId('crypto-progress');
  await bar.waitFor();
  assert((await bar.getByRole('progressbar').getAttribute('aria-valuenow')) === '2', 'the bar stands at 2');
  assert((await bar.getByTestId('progress-text').textContent()) === '2 / 3 confirmations', 'and says so');
  await shot(page, 'crypto-deposit-detail');
  await page.context().close();
}

/** A withdrawal through its work order: the grid finds it by record number, the detail shows the checker's approval and the progress. */
export async function cryptoWithdrawals(browser) {
  const customer = unique('SA-E2E');
  const recordNo = unique('CWR');
  await api('POST', `/api/sandbox/wallets/${customer}/verified-addresses`, { coin: 'BTC', network: 'BTC', address: 'bc1qe2e' });
  const { data } = await api('POST', '/api/definitions/crypto-coin-withdrawal/instances', {
    correlationId: recordNo, input: { recordNo, securitiesAccount: customer, coin: 'BTC', network: 'BTC', amount: 0.5, address: 'bc1qe2e', requestedBy: `client:${customer}` },
  });
  await until(async () => (await recordOf('withdrawals', data.id)).status === 'Pending Approval', 'Pending Approval');
  const checker1 = await tokenFor('checker1');
  const open = (await api('GET', `/api/crypto/withdrawals/${data.id}`, undefined, { token: checker1 })).data.openTasks[0];
  await api('POST', `/api/tasks/${open.id}/complete`, { action: 'Approve', comment: 'Checked with the client' }, { token: checker1 });
  const txid = await until(async () => (await recordOf('withdrawals', data.id)).confirmations.txid, 'the broadcast');
  await api('POST', '/api/events/BlockConfirmations', { correlationId: txid, payload: { confirmations: 1 } });
  await until(async () => (await recordOf('withdrawals', data.id)).status === 'Confirming', 'Confirming');

  const page = await page1280(browser);
  await signIn(page, 'maker1');
  await page.getByTestId('nav-crypto-withdrawals').click();
  await page.getByTestId('crypto-withdrawals-page').waitFor();
  await page.getByTestId('filter-recordNo').fill(recordNo);
  await page.getByTestId('filter-apply').click();
  const row = page.getByTestId(`crypto-record-${recordNo}`);
  await row.waitFor();
  assert((await page.getByTestId('pager').textContent()).includes('1 total'), 'exactly the one record');
  assert((await row.getByTestId('status').textContent()).includes('Confirming'), 'its status');
  await row.getByRole('link').click();
  await page.getByTestId('crypto-record-page').waitFor();
  const bar = page.getByTestId('crypto-progress');
  await bar.getByTestId('progress-text').filter({ hasText: '1 / 3 confirmations' }).waitFor();
  const history = await page.getByTestId('crypto-history').textContent();
  assert(history.includes('Work order') && history.includes('Approve') && history.includes('checker1') && history.includes('Checked with the client'),
    'the work order approval with checker and comment is in the history');
  await shot(page, 'crypto-withdrawal-detail');
  await page.context().close();
}

export const scenarios = [
  ['crypto-deposits: checker1 searches deposits by customer and status, exports the CSV, opens a cancelled one (remark, history) and a confirming one (progress 2/3)', cryptoDeposits],
  ['crypto-withdrawals: maker1 finds a withdrawal by record number and sees the work order approval and progress 1/3 on its detail', cryptoWithdrawals],
];
