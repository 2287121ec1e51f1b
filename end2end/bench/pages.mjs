// Settle time of every page a person reaches from the navigation: the top bar's pages and,
// on each, the first link to one of its records (a change, a plan, a document…). A page has
// settled when the client has hydrated it and no request has been in flight for 300 ms; its
// settle time runs from the navigation's start to the later of hydration and the last
// response. Measured as a person moving around the app: one browser context, its cache warmed
// by one visit of each page first; then `runs` visits per page, median reported. The
// baseline, in the same run: a static file from the same server, visited the same way.
// Usage: node bench/pages.mjs http://127.0.0.1:3205 [runs] [email]
import { launchBrowser, median, round, signIn } from './common.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:3205';
const runs = Number(process.argv[3] ?? 3);
const email = process.argv[4] ?? 'quality@conform.demo';
const QUIET_MS = 300;

const browser = await launchBrowser();
const storageState = await signIn(browser, base, email);
const context = await browser.newContext({ storageState });
const page = await context.newPage();

// Requests in flight, and when the last one ended. The live stream (an EventSource) stays
// open as long as the page does, so it is not waited for.
let inFlight = 0;
let lastSettled = 0;
const counted = (request) => request.resourceType() !== 'eventsource';
page.on('request', (request) => { if (counted(request)) inFlight++; });
const ended = (request) => {
  if (!counted(request)) return;
  inFlight = Math.max(0, inFlight - 1);
  lastSettled = performance.now();
};
page.on('requestfinished', ended);
page.on('requestfailed', ended);

async function settle(path, hydrates = true) {
  inFlight = 0;
  lastSettled = 0;
  const start = performance.now();
  await page.goto(base + path, { waitUntil: 'commit' });
  let hydratedAt = start;
  if (hydrates) {
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60000 });
    hydratedAt = performance.now();
  }
  // Quiet: nothing in flight for QUIET_MS.
  for (;;) {
    await page.waitForTimeout(50);
    if (inFlight === 0 && performance.now() - Math.max(lastSettled, hydratedAt) >= QUIET_MS) break;
  }
  return Math.max(hydratedAt, lastSettled) - start;
}

// The pages: the top bar's links, then each one's first link to a record of its own.
await page.goto(base + '/');
await page.waitForSelector('body[data-hydrated="true"]');
const top = await page.$$eval('header a[href^="/"]:not([download]), nav a[href^="/"]:not([download])',
  (links) => links.map((a) => a.getAttribute('href')));
const paths = [...new Set(top.filter((href) => !/logout|\.(csv|ics|json|pdf|zip)(\?|$)/.test(href)))];
for (const path of [...paths]) {
  await page.goto(base + path);
  const detail = await page.$$eval('main a[href^="/"]:not([download])', (links, prefix) => links
    .map((a) => a.getAttribute('href'))
    .find((href) => href.startsWith(prefix + '/') && /\/\d+$/.test(href)), path.replace(/\/$/, ''));
  if (detail && !paths.includes(detail)) paths.push(detail);
}

for (const path of paths) await settle(path); // warm the cache, as a person's second visit
const staticFile = [];
for (let i = 0; i < runs; i++) staticFile.push(await settle('/favicon.svg', false));
const results = [];
for (const path of paths) {
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await settle(path));
  results.push({ path, settled_ms: round(median(times)) });
}
results.sort((a, b) => b.settled_ms - a.settled_ms);
const all = results.map((r) => r.settled_ms);
console.log(JSON.stringify({
  email,
  runs,
  pages: results.length,
  baseline_static_ms: round(median(staticFile)),
  median_page_ms: round(median(all)),
  slowest_page_ms: all[0],
  pages_over_800_ms: results.filter((r) => r.settled_ms >= 800).length,
  slowest_vs_static: round(all[0] / median(staticFile)),
  by_page: results,
}, null, 1));
await browser.close();
