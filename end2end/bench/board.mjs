// Change board benchmarks on a database with 5,000 changes, 1,000 of them on the board:
// server response time of the board, navigation to interactive in Chromium, and live-update
// latency from one browser to another. Each comes with a baseline measured in the same run.
// Usage: node bench/board.mjs http://127.0.0.1:3202 [runs] [watcher base]
// With a watcher base (a second `conform` process on the same PostgreSQL), the watching
// browser is served by the other process, so each event crosses processes (LISTEN/NOTIFY).
import { request } from '@playwright/test';
import { formHeaders, launchBrowser, median, percentile, round, signIn, timeRequests, visit as visitOnce } from './common.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:3202';
const runs = Number(process.argv[3] ?? 10);
const watchBase = process.argv[4] ?? base;
const headers = formHeaders(base);

const browser = await launchBrowser();
const storageState = await signIn(browser, base, 'change.manager@conform.demo');

// 1. Server response: the board's server function against /healthz.
const api = await request.newContext({ baseURL: base, storageState });
const time = async (call) => (await timeRequests(call, runs * 2)).ms;
const health = await time(() => api.get('/healthz'));
const boardCall = await time(() => api.post('/api/changes/board', { headers, data: '' }));
const cards = (await (await api.post("/api/changes/board", { headers, data: "" })).json()).cards.length;

// 2. Navigation to interactive: hydrated, and every column has drawn its first cards (all of
// them, or as many as it draws before the reader scrolls — it then offers "Show N more"),
// cold cache each time.
const visit = (path, ready) => visitOnce(browser, storageState, base + path, ready, runs);
const staticFile = await visit('/favicon.svg', async () => {});
const interactive = await visit('/changes/board', async (page) => {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60000 });
  await page.waitForFunction(() => {
    const columns = [...document.querySelectorAll('.board-column')];
    return columns.length > 0 && columns.every((column) => {
      const total = Number(column.querySelector('.wip')?.textContent ?? 0);
      const drawn = column.querySelectorAll('article[data-change]').length;
      return drawn === total || (drawn > 0 && column.querySelector('.draw-more button') !== null);
    });
  }, null, { timeout: 60000 });
});
const drawnFirst = await (async () => {
  const context = await browser.newContext({ storageState });
  const page = await context.newPage();
  await page.goto(base + '/changes/board');
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60000 });
  const drawn = await page.locator('article[data-change]').count();
  await context.close();
  return drawn;
})();

// 3. Live update: A moves a card (Submitted → Assessed); how long until B's board shows it.
const watcherContext = await browser.newContext({ storageState });
const watcher = await watcherContext.newPage();
const boardFetches = [];
watcher.on('request', (request) => { if (request.url().includes('/api/changes/board')) boardFetches.push(request.url()); });
await watcher.goto(watchBase + '/changes/board');
await watcher.waitForSelector('body[data-hydrated="true"]', { timeout: 60000 });
const ids = await watcher.$$eval('[data-state="submitted"] article[data-change]',
  (els, n) => els.slice(0, n).map((e) => Number(e.dataset.change)), runs);
const latencies = [];
const writes = [];
for (const id of ids) {
  const change = await (await api.post('/api/changes/get', { headers, data: `id=${id}` })).json();
  // B shows the move when the card has left Submitted and Assessed counts one more (the
  // card itself is drawn there only if it falls among the column's first cards).
  const seen = watcher.evaluate((id) => {
    const count = () => Number(document.querySelector('[data-state="assessed"] .wip').textContent);
    const before = count();
    return new Promise((resolve) => {
      const there = () => count() === before + 1
        && !document.querySelector(`[data-state="submitted"] article[data-change="${id}"]`);
      const observer = new MutationObserver(() => {
        if (there()) { observer.disconnect(); resolve(Date.now()); }
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  }, id);
  await new Promise((r) => setTimeout(r, 50));
  const start = Date.now();
  const response = await api.post('/api/changes/transition', {
    headers, data: `id=${id}&version=${change.version}&action=assess&comment=`,
  });
  if (!response.ok()) throw new Error(`move ${id}: ${response.status()} ${await response.text()}`);
  writes.push(Date.now() - start);
  latencies.push((await seen) - start);
}
await watcherContext.close();

console.log(JSON.stringify({
  runs,
  cards_on_board: cards,
  board_server_fn_ms: round(boardCall),
  baseline_healthz_ms: round(health),
  board_vs_healthz: round(boardCall / health),
  board_interactive_ms: round(interactive),
  cards_drawn_first: drawnFirst,
  baseline_static_ms: round(staticFile),
  interactive_vs_static: round(interactive / staticFile),
  watcher_served_by: watchBase,
  live_moves: latencies.length,
  live_update_ms: median(latencies),
  live_update_ms_p95: percentile(latencies, 0.95),
  board_fetches_by_watcher: boardFetches.length, // the board itself comes server-rendered
  baseline_write_ms: median(writes),
  live_vs_write: round(median(latencies) / median(writes)),
}));
await api.dispose();
await browser.close();
