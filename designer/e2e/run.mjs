// Runs the e2e scenarios against APPROVALENGINE_URL (default http://localhost:5080).
//   node e2e/run.mjs            → against a running server
//   node e2e/run.mjs --mock     → starts the development mock server (serves dist/; run `npm run build` first)
//   node e2e/run.mjs --only inbox  → scenarios whose name contains "inbox" (or E2E_ONLY=inbox)
//   node e2e/run.mjs --suite fiat  → the fiat withdrawal screens (e2e/fiat-scenarios.mjs) instead of the main suite
//   node e2e/run.mjs --suite crypto → the crypto configuration screens (e2e/crypto-scenarios.mjs)
//   node e2e/run.mjs --suite crypto-records → the crypto record pages (e2e/crypto-records-scenarios.mjs)
//   node e2e/run.mjs --suite wd    → the WD create / comment / mass edit screens (e2e/wd-scenarios.mjs)
//   node e2e/run.mjs --suite inbox → the inbox columns, search, history and kept comments (e2e/inbox-scenarios.mjs)
//   node e2e/run.mjs --suite exprs → the expression editor (e2e/exprs-scenarios.mjs)
//   node e2e/run.mjs --suite webhooks → the Webhooks screen (e2e/webhooks-scenarios.mjs)
//   node e2e/run.mjs --suite users → the staff accounts admin screen (e2e/users-scenarios.mjs)
//   node e2e/run.mjs --suite oidc  → sign-in through an OpenID provider (e2e/oidc-scenarios.mjs; needs OidcE2ETests' provider)
//   node e2e/run.mjs --suite fiat --results out.json → also writes each scenario's key, result and error as JSON
//     (the NUnit fixtures run a whole suite once in one browser and report one test per scenario from this file)
// Prints "N passed, N failed" as its last line and exits non-zero on any failure.
const args = process.argv.slice(2);
let mock = null;
if (args.includes('--mock') || process.env.E2E_MOCK === '1') {
  const { createServer } = await import('./mock-server.mjs');
  mock = createServer();
  await new Promise((ok) => mock.listen(0, '127.0.0.1', ok));
  process.env.APPROVALENGINE_URL = `http://127.0.0.1:${mock.address().port}`;
  process.env.E2E_MOCK = '1';
  console.log(`mock server on ${process.env.APPROVALENGINE_URL}`);
}
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : process.env.E2E_ONLY || null;
const { launch, BASE, SHOTS, shot } = await import('./lib.mjs');
const suite = args.includes('--suite') ? args[args.indexOf('--suite') + 1] : 'main';
// every other suite is e2e/<suite>-scenarios.mjs (fiat, crypto-records, …)
const { scenarios } = suite === 'main' ? await import('./scenarios.mjs') : await import(`./${suite}-scenarios.mjs`);

console.log(`e2e against ${BASE}; screenshots in ${SHOTS}`);
let passed = 0;
let failed = 0;
const resultsFile = args.includes('--results') ? args[args.indexOf('--results') + 1] : null;
const results = [];
const { writeFileSync } = await import('node:fs');
const record = (entry) => {
  results.push(entry);
  // written after every scenario, so a hung or killed run still reports the scenarios that finished
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify({ results }, null, 1));
};
const ctx = {};
let browser;
try {
  const health = await fetch(`${BASE}/api/health`).catch((e) => ({ ok: false, status: e.message }));
  if (!health.ok) console.log(`warning: GET /api/health → ${health.status}`);
  browser = await launch();
  // names are "<key>: what it shows"; --only <key> runs exactly that scenario when a key matches, else every name containing it
  const keyOf = (name) => name.split(':')[0];
  const exact = only && scenarios.some(([name]) => keyOf(name) === only);
  for (const [name, fn] of scenarios) {
    if (only && (exact ? keyOf(name) !== only : !name.includes(only))) continue;
    const t0 = Date.now();
    try {
      await fn(browser, ctx);
      passed++;
      console.log(`  ✓ ${name} (${Date.now() - t0} ms)`);
      record({ key: keyOf(name), name, passed: true, ms: Date.now() - t0 });
    } catch (e) {
      failed++;
      console.log(`  ✗ ${name} (${Date.now() - t0} ms)\n    ${String(e?.stack ?? e).split('\n').slice(0, 4).join('\n    ')}`);
      record({ key: keyOf(name), name, passed: false, ms: Date.now() - t0, error: String(e?.stack ?? e).split('\n').slice(0, 12).join('\n') });
      for (const c of browser.contexts()) for (const p of c.pages()) await shot(p, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`).catch(() => {});
      for (const c of browser.contexts()) await c.close().catch(() => {});
    }
  }
} catch (e) {
  failed++;
  console.log(`  ✗ could not run: ${e?.message ?? e}`);
} finally {
  await browser?.close().catch(() => {});
  mock?.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
