// The designer's canvas (issue 14) at 1280×800 against the real server and the shipped wd-request flow:
// `node e2e/run.mjs --suite canvas [--only canvas-handles]`. Nothing is saved: every scenario edits in the browser only.
import { BASE, api, assert, shot, signIn, tokenFor } from './lib.mjs';

const edgeSel = (source, outcome, target) => `[data-testid="rf__edge-${source}\u2192${outcome}\u2192${target}"]`;

async function page1280(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  return page;
}

async function openWd(browser) {
  const page = await page1280(browser);
  await signIn(page, 'analyst1', '/designer/definitions/wd-request');
  await page.getByTestId('designer').waitFor();
  await page.locator('.react-flow__node').first().waitFor();
  // the first fit happens once the nodes are measured: wait until the viewport has stopped moving
  await waitStill(page);
  return page;
}

/** Is the edge drawn (an SVG path with a length), not merely saved? */
async function waitDrawn(page, sel, what) {
  await page.locator(`${sel} path.react-flow__edge-path`).waitFor({ state: 'attached', timeout: 5000 }).catch(() => {
    throw new Error(`${what}: edge ${sel} is not drawn`);
  });
  const len = await page.locator(`${sel} path.react-flow__edge-path`).evaluate((p) => p.getTotalLength());
  assert(len > 10, `${what}: the edge has a visible path (${len})`);
}

/** Selects an activity by clicking its title (not a handle). */
async function selectNode(page, id) {
  await focusOn(page, id);
  await page.getByTestId(`node-${id}`).locator('.node-title').click();
  await page.getByTestId('activity-properties').waitFor();
}

/** Brings a node into view through "Find a node" (by its id, which the search also matches). */
async function focusOn(page, id) {
  const box = page.getByTestId('find-node');
  // without the search box (the canvas before issue 14) the whole flow is fitted: every node is on screen anyway
  if ((await box.count()) === 0) return;
  await box.fill(id);
  await box.press('Enter');
  await page.waitForFunction((nid) => {
    const el = document.querySelector(`.react-flow__node[data-id="${nid}"]`);
    const pane = document.querySelector('.react-flow');
    if (!el || !pane) return false;
    const r = el.getBoundingClientRect();
    const p = pane.getBoundingClientRect();
    return r.left >= p.left && r.right <= p.right && r.top >= p.top && r.bottom <= p.bottom;
  }, id);
  await waitStill(page); // the centring animation has ended
}

/** Waits until the canvas's viewport transform is the same on five polls in a row (a fit or a centring has ended). */
async function waitStill(page) {
  await page.evaluate(() => { window.__still = 0; window.__lastTransform = null; });
  await page.waitForFunction(() => {
    const t = document.querySelector('.react-flow__viewport')?.style.transform ?? null;
    if (t !== null && t === window.__lastTransform) window.__still++;
    else { window.__still = 0; window.__lastTransform = t; }
    return window.__still >= 4;
  }, null, { polling: 80 });
}

async function drag(page, from, to) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + 40, a.y + 20, { steps: 4 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** Renamed and added actions: their handles drag and their edges are drawn at once; a vanished outcome fails Validate. */
export async function canvasHandles(browser) {
  const page = await openWd(browser);
  await page.evaluate(() => { window.__sameDocument = true; });

  // 1. rename cs_new's "Pass to Retention" action: the connection follows and is still drawn
  await selectNode(page, 'cs_new');
  await waitDrawn(page, edgeSel('cs_new', 'PassToRetention', 'st_ret_cs'), 'before the rename');
  await page.getByTestId('input-actions-2-name').fill('ToRetention');
  await waitDrawn(page, edgeSel('cs_new', 'ToRetention', 'st_ret_cs'), 'renamed action');

  // 2. a new action: its handle drags onto an activity and the edge is drawn
  await page.getByTestId('input-actions-add').click();
  await page.getByTestId('input-actions-3-name').fill('Escalate');
  await focusOn(page, 'cs_new');
  const handle = page.getByTestId('outcome-cs_new-Escalate').locator('.react-flow__handle');
  await handle.waitFor();
  await drag(page, handle, page.getByTestId('node-cs_docs').locator('.target-handle'));
  await waitDrawn(page, edgeSel('cs_new', 'Escalate', 'cs_docs'), 'dragged from a new action');

  // 3. another new action wired from the Outcomes dropdown
  await page.getByTestId('input-actions-add').click();
  await page.getByTestId('input-actions-4-name').fill('Park');
  await page.getByTestId('wire-Park').selectOption('cs_docs');
  await waitDrawn(page, edgeSel('cs_new', 'Park', 'cs_docs'), 'wired from the Outcomes dropdown');

  // 4. a stage inserted on a connection, its action renamed
  await focusOn(page, 'cs_docs');
  await page.locator(edgeSel('cs_new', 'Park', 'cs_docs')).evaluate((g) => g.dispatchEvent(new MouseEvent('click', { bubbles: true })));
  await page.getByTestId('connection-properties').waitFor();
  await page.getByTestId('insert-type').selectOption('UserTask');
  await page.getByTestId('insert-on-connection').click();
  await page.getByTestId('activity-properties').waitFor();
  const inserted = await page.getByTestId('prop-id').inputValue();
  await waitDrawn(page, edgeSel(inserted, 'Continue', 'cs_docs'), 'inserted stage');
  await page.getByTestId('input-actions-0-name').fill('Checked');
  await waitDrawn(page, edgeSel(inserted, 'Checked', 'cs_docs'), 'inserted stage, action renamed');
  await focusOn(page, inserted);
  await shot(page, 'canvas-handles-inserted');

  // 5. an action removed while its outcome is wired: the edge stays (struck-through outcome) and Validate says so
  await selectNode(page, 'cs_new');
  await page.getByTestId('input-actions-remove-1').click(); // RequestDocuments → cs_docs
  await page.getByTestId('outcome-cs_new-RequestDocuments').and(page.locator('.orphan')).waitFor();
  await waitDrawn(page, edgeSel('cs_new', 'RequestDocuments', 'cs_docs'), 'edge of a vanished outcome');
  await page.getByTestId('validate').click();
  const problem = page.getByTestId('validation-panel').getByText(/has no outcome 'RequestDocuments'/);
  await problem.waitFor();
  assert((await page.getByTestId('validation-ok').count()) === 0, 'Validate does not say "No problems found"');
  assert(await page.evaluate(() => window.__sameDocument === true), 'no reload');
  await shot(page, 'canvas-handles-validate');
  await page.context().close();
}

/** The shipped wd-request opens readable at 1280×800: lanes named, no overlaps, Start first, text >= 10 px, chips inside. */
export async function canvasReadable(browser) {
  const page = await openWd(browser);
  const m = await page.evaluate(() => {
    const pane = document.querySelector('.react-flow').getBoundingClientRect();
    const zoom = new DOMMatrix(getComputedStyle(document.querySelector('.react-flow__viewport')).transform).a;
    const nodes = [...document.querySelectorAll('.react-flow__node')].map((n) => ({ id: n.dataset.id, r: n.getBoundingClientRect() }));
    const overlaps = [];
    for (let i = 0; i < nodes.length; i++)
      for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i].r;
        const b = nodes[j].r;
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps.push(`${nodes[i].id}/${nodes[j].id}`);
      }
    const visible = nodes.filter(({ r }) => r.right > pane.left && r.left < pane.right && r.bottom > pane.top && r.top < pane.bottom);
    const px = (el) => parseFloat(getComputedStyle(el).fontSize) * zoom;
    const small = [];
    const hiddenChips = [];
    for (const { id } of visible) {
      const node = document.querySelector(`.react-flow__node[data-id="${id}"]`);
      const title = node.querySelector('.node-title');
      if (px(title) < 10) small.push(`${id} title ${px(title).toFixed(1)}px`);
      const nr = node.getBoundingClientRect();
      for (const chip of node.querySelectorAll('.outcome')) {
        if (px(chip) < 10) small.push(`${id} chip ${px(chip).toFixed(1)}px`);
        const cr = chip.getBoundingClientRect();
        const text = chip.querySelector('span');
        if (cr.left < nr.left - 1 || cr.right > nr.right + 1 || cr.width < 20 || text.scrollWidth > text.clientWidth + 1) hiddenChips.push(`${id}:${chip.textContent}`);
      }
    }
    const x = Object.fromEntries(nodes.map(({ id, r }) => [id, r.left]));
    return {
      zoom, overlaps, small, hiddenChips, visible: visible.length, total: nodes.length,
      startLeftmost: nodes.every(({ id }) => id === 'start' || x[id] > x.start),
      startVisible: visible.some(({ id }) => id === 'start'),
      lanes: [...document.querySelectorAll('[data-testid="lane-label"]')].map((l) => l.dataset.lane),
    };
  });
  await shot(page, 'canvas-readable-open');
  assert(m.overlaps.length === 0, `no overlapping nodes (${m.overlaps.join(', ')})`);
  assert(m.zoom >= 0.6, `opens at a readable zoom (${m.zoom})`);
  assert(m.small.length === 0, `titles and outcome chips are at least 10 px on screen (${m.small.join(', ')})`);
  assert(m.hiddenChips.length === 0, `every outcome chip is shown whole inside its node (${m.hiddenChips.join(', ')})`);
  assert(m.startLeftmost && m.startVisible, 'Start is the leftmost node and in view');
  assert(m.visible >= 4, `several nodes are in view (${m.visible} of ${m.total})`);
  for (const lane of ['CS', 'Retention', 'Dealing', 'Backoffice']) assert(m.lanes.includes(lane), `a lane named ${lane} (${m.lanes.join(', ')})`);
  assert((await page.getByTestId('unsaved').count()) === 0, 'opening laid out is a view, not an unsaved change');

  // Auto layout on the laid-out flow moves nothing, so nothing becomes unsaved and still nothing overlaps
  await page.getByTestId('auto-layout').click();
  await page.getByTestId('auto-layout').and(page.locator(':enabled')).waitFor();
  assert((await page.getByTestId('unsaved').count()) === 0, 'Auto layout of an arranged flow leaves nothing unsaved');
  assert((await page.getByTestId('crowded-hint').count()) === 0, 'no "overlapping" hint');
  await page.context().close();
}

/** "Find a node": typing a name centres and selects it. */
export async function canvasFind(browser) {
  const page = await openWd(browser);
  const { data } = await api('GET', '/api/definitions/wd-request', undefined, { token: await tokenFor('analyst1') });
  const target = data.definition.activities.find((a) => a.id === 'bo_approved');
  await page.getByTestId('find-node').fill(target.displayName);
  await page.getByTestId('find-node').press('Enter');
  await page.locator('.react-flow__node[data-id="bo_approved"].selected').waitFor();
  await page.getByTestId('activity-properties').waitFor();
  assert((await page.getByTestId('prop-id').inputValue()) === 'bo_approved', 'the properties show the found node');
  // centred (within 40 px) once the animation ends
  await page.waitForFunction(() => {
    const n = document.querySelector('.react-flow__node[data-id="bo_approved"]').getBoundingClientRect();
    const p = document.querySelector('.react-flow').getBoundingClientRect();
    return Math.abs(n.left + n.width / 2 - (p.left + p.width / 2)) < 40 && Math.abs(n.top + n.height / 2 - (p.top + p.height / 2)) < 40;
  });
  // a part of a name finds every match in turn
  await page.getByTestId('find-node').fill('load account');
  await page.getByTestId('find-count').filter({ hasText: '4' }).waitFor();
  await shot(page, 'canvas-find');
  await page.context().close();
}

/** Each edge of a bundle (the many edges into "Rejected") is selected by a click on it; edges are named in words. */
export async function canvasEdges(browser) {
  const page = await openWd(browser);
  const names = await page.locator('.react-flow__edge').evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label') ?? ''));
  const byId = names.filter((n) => !/→/.test(n) || /\b[a-z]+_[a-z_]+\b/.test(n) || /^Edge from/.test(n));
  assert(names.length > 40 && byId.length === 0, `every edge is named in words (${byId.slice(0, 3).join(' | ')})`);
  assert(names.includes('Approve → Approved by Backoffice (from Approved by CS (Backoffice))') || names.some((n) => /^Approve → /.test(n)), `e.g. "Approve → …" (${names.slice(0, 3).join(' | ')})`);

  // the bundle: every edge into end_rejected
  await focusOn(page, 'end_rejected');
  const bundle = await page.locator('.react-flow__edge').evaluateAll((gs) => gs.map((g) => g.dataset.id).filter((id) => id.endsWith('\u2192end_rejected')));
  assert(bundle.length >= 5, `a bundle of edges into Rejected (${bundle.length})`);
  let clicked = 0;
  for (const id of bundle) {
    // on the edge's own line, the visible point farthest from every other edge
    const pt = await page.evaluate((eid) => {
      const pane = document.querySelector('.react-flow').getBoundingClientRect();
      const all = [...document.querySelectorAll('.react-flow__edge')].map((g) => ({ id: g.dataset.id, path: g.querySelector('path.react-flow__edge-path') }));
      const screen = (path, l) => {
        const p = path.getPointAtLength(l);
        const m = path.getScreenCTM();
        return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
      };
      const own = all.find((e) => e.id === eid).path;
      const others = all.filter((e) => e.id !== eid).map((e) => {
        const pts = [];
        const len = e.path.getTotalLength();
        for (let l = 0; l <= len; l += 4) pts.push(screen(e.path, l));
        return pts;
      });
      let best = null;
      const len = own.getTotalLength();
      for (let l = len * 0.05; l <= len * 0.95; l += 4) {
        const p = screen(own, l);
        if (p.x < pane.left + 40 || p.x > pane.right - 60 || p.y < pane.top + 50 || p.y > pane.bottom - 20) continue;
        const d = Math.min(...others.map((pts) => Math.min(...pts.map((q) => Math.hypot(q.x - p.x, q.y - p.y)))));
        if (!best || d > best.d) best = { ...p, d };
      }
      return best;
    }, id);
    if (!pt) continue; // not in view at this zoom
    assert(pt.d >= 3, `${id} runs on its own somewhere (closest other edge ${pt.d.toFixed(1)} px)`);
    // not on a node (nodes take the click first)
    const onNode = await page.evaluate(({ x, y }) => !!document.elementFromPoint(x, y)?.closest('.react-flow__node'), pt);
    if (onNode) continue;
    await page.mouse.click(pt.x, pt.y);
    const selected = await page.locator('.react-flow__edge.selected').evaluateAll((gs) => gs.map((g) => g.dataset.id));
    assert(selected.length === 1 && selected[0] === id, `clicking ${id} selects it (selected: ${selected.join(', ')}; ${pt.d.toFixed(1)} px from the next edge)`);
    await page.getByTestId('connection-properties').waitFor();
    clicked++;
  }
  assert(clicked >= 3, `clicked at least three edges of the bundle (${clicked})`);
  await shot(page, 'canvas-edges');
  await page.context().close();
}

/** At 1280 px the toolbar is one row, the map covers no node, the palette starts with User task. */
export async function canvasToolbar(browser) {
  const page = await openWd(browser);
  const t = await page.evaluate(() => {
    const bar = document.querySelector('.designer .toolbar');
    const kids = [...bar.querySelectorAll('a, button, h2, .badge, [data-testid="unsaved"]')].filter((e) => e.getBoundingClientRect().width > 0);
    const mid = kids.map((k) => { const r = k.getBoundingClientRect(); return r.top + r.height / 2; });
    return { height: bar.getBoundingClientRect().height, spread: Math.max(...mid) - Math.min(...mid), overflow: bar.scrollWidth - bar.clientWidth, n: kids.length };
  });
  assert(t.spread < 12 && t.height < 60 && t.overflow <= 0, `the toolbar is one row (height ${t.height}, centres spread ${t.spread}, overflow ${t.overflow}, ${t.n} items)`);
  // …and the flow's name keeps room to be read, also once "unsaved changes" shows
  await page.getByTestId('palette-add-UserTask').click();
  await page.getByTestId('unsaved').waitFor();
  const nameWidth = await page.getByTestId('definition-name').evaluate((h) => h.getBoundingClientRect().width);
  assert(nameWidth >= 80, `the definition's name is shown (${nameWidth} px wide)`);
  const height = await page.locator('.designer .toolbar').evaluate((b) => b.getBoundingClientRect().height);
  assert(height < 60, `still one row with "unsaved changes" (${height})`);

  const covered = async () => page.evaluate(() => {
    const map = document.querySelector('.react-flow__minimap');
    if (!map) return [];
    const m = map.getBoundingClientRect();
    return [...document.querySelectorAll('.react-flow__node')].filter((n) => {
      const r = n.getBoundingClientRect();
      return r.left < m.right && m.left < r.right && r.top < m.bottom && m.top < r.bottom;
    }).map((n) => n.dataset.id);
  });
  assert((await covered()).length === 0, `the map covers no node on open (${await covered()})`);
  await page.getByTestId('toggle-minimap').click();
  await page.locator('.react-flow__minimap').waitFor();
  await page.getByTestId('toggle-minimap').click();
  await page.locator('.react-flow__minimap').waitFor({ state: 'detached' });

  const first = await page.locator('[data-testid="palette"] .palette-item').first().getAttribute('data-testid');
  assert(first === 'palette-UserTask', `the palette starts with User task (${first})`);
  const cats = await page.locator('[data-testid="palette"] .palette-cat').allTextContents();
  assert(cats[0].toLowerCase() === 'human' && cats[1].toLowerCase() === 'flow', `families in order of use (${cats.join(', ')})`);
  await shot(page, 'canvas-toolbar');
  await page.context().close();
}

export const scenarios = [
  ['canvas-handles: renamed, added and inserted actions drag and draw at once; a vanished outcome fails Validate', canvasHandles],
  ['canvas-readable: wd-request opens in named lanes, no overlaps, Start first, text >= 10 px, Auto layout changes nothing', canvasReadable],
  ['canvas-find: typing a node\'s name centres and selects it', canvasFind],
  ['canvas-edges: each edge of a bundle is selected by its own click; edges are named in words', canvasEdges],
  ['canvas-toolbar: one toolbar row at 1280 px, no map over nodes, User task first in the palette', canvasToolbar],
];
void BASE;
