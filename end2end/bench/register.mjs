// Improvement register benchmarks on a database with 20,000 entries: server time of the
// table's filters and sorts (one page of 50 plus the summary counts), the Kanban's server
// function, and navigation to the first page drawn in Chromium. Each comes with a baseline
// measured in the same run.
// Usage: node bench/register.mjs http://127.0.0.1:3204 [runs]
import { request } from '@playwright/test';
import { formHeaders, launchBrowser, round, signIn, timeRequests, visit as visitOnce } from './common.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:3204';
const runs = Number(process.argv[3] ?? 10);
const headers = formHeaders(base);

const browser = await launchBrowser();
const storageState = await signIn(browser, base, 'quality@conform.demo');

const api = await request.newContext({ baseURL: base, storageState });
const time = (call) => timeRequests(call, runs * 2);

// Every field of RegisterParams, as the page's resource sends them.
const FIELDS = ['q', 'state', 'source', 'priority', 'owner', 'service', 'clause', 'overdue', 'sort', 'dir', 'page', 'after', 'before'];
function encode(params) {
  return FIELDS.map((f) => `params[${f}]=${encodeURIComponent(params[f] ?? '')}`).join('&');
}
const cases = {
  'no filter, by reference': {},
  'text search "backup"': { q: 'backup' },
  'status in progress, by priority desc': { state: 'in_progress', sort: 'priority', dir: 'desc' },
  'overdue, by target date': { overdue: 'yes', sort: 'target' },
  'one service, by title': { service: '3', sort: 'title' },
  'clause 8.5.1 + high priority': { clause: '8.5.1', priority: 'high' },
  'page 1 by state desc': { sort: 'state', dir: 'desc' },
  'page 200 by state desc, by number (OFFSET)': { sort: 'state', dir: 'desc', page: '200' },
};
// The pager's link to page 200 starts after page 199's last entry.
const page199 = await api.post('/api/improvements/list', {
  headers, data: encode({ sort: 'state', dir: 'desc', page: '199' }),
});
const lastOf199 = JSON.parse((await page199.body()).toString()).items.at(-1).id;
cases['page 200 by state desc, by key (as the pager links it)'] = {
  sort: 'state', dir: 'desc', page: '200', after: String(lastOf199),
};

const health = (await time(() => api.get('/healthz'))).ms;
const results = {};
let total = 0;
for (const [name, params] of Object.entries(cases)) {
  const { ms, body } = await time(() => api.post('/api/improvements/list', { headers, data: encode(params) }));
  const page = JSON.parse(body.toString());
  if (name === 'no filter, by reference') total = page.total;
  results[name] = { ms: round(ms), matches: page.total, first_id: page.items[0]?.id, vs_healthz: round(ms / health) };
}
const board = await time(() => api.post('/api/improvements/board', { headers, data: encode({}) }));
const cards = JSON.parse(board.body.toString()).reduce((n, c) => n + c.entries.length, 0);

// Navigation to the first page drawn: hydrated, 50 rows, cold cache each time.
const visit = (path, ready) => visitOnce(browser, storageState, base + path, ready, runs);
const staticFile = await visit('/favicon.svg', async () => {});
const firstPage = await visit('/improvements?sort=priority&dir=desc', async (page) => {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60000 });
  await page.waitForFunction(() => document.querySelectorAll('table.register tbody tr').length >= 50, null, { timeout: 60000 });
});
const kanban = await visit('/improvements/board', async (page) => {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60000 });
  await page.waitForFunction((n) => document.querySelectorAll('article[data-improvement]').length >= n, cards, { timeout: 60000 });
});

console.log(JSON.stringify({
  runs,
  entries: total,
  baseline_healthz_ms: round(health),
  list_server_fn: results,
  kanban_server_fn_ms: round(board.ms),
  kanban_cards: cards,
  kanban_vs_healthz: round(board.ms / health),
  first_page_drawn_ms: round(firstPage),
  kanban_drawn_ms: round(kanban),
  baseline_static_ms: round(staticFile),
  first_page_vs_static: round(firstPage / staticFile),
  kanban_vs_static: round(kanban / staticFile),
}, null, 1));
await api.dispose();
await browser.close();
