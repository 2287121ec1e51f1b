// Conform's first load against the floor of any Leptos app, in one run: navigation to a
// hydrated page on a cold cache (a new browser context each visit), Conform's dashboard
// signed in as the admin beside the minimal app's one page (bench/minimal-leptos), the two
// visited in turn so that the machine's noise falls on both. Target (issue 20): Conform
// within 1.5× of the minimal app.
// Usage: node bench/minimal-leptos.mjs http://127.0.0.1:3200 http://127.0.0.1:3300 [runs]
import { launchBrowser, median, round, signIn } from './common.mjs';

const conform = process.argv[2] ?? 'http://127.0.0.1:3200';
const minimal = process.argv[3] ?? 'http://127.0.0.1:3300';
const runs = Number(process.argv[4] ?? 9);

const browser = await launchBrowser();
const storageState = await signIn(browser, conform, 'admin@conform.demo');

// One cold visit until hydrated: milliseconds, and the bytes of client code transferred.
async function visit(url, state) {
  const context = await browser.newContext(state ? { storageState: state } : {});
  const page = await context.newPage();
  let clientBytes = 0;
  page.on('requestfinished', async (request) => {
    if (/\.(wasm|js)$/.test(new URL(request.url()).pathname)) {
      const sizes = await request.sizes().catch(() => null);
      clientBytes += sizes ? sizes.responseBodySize : 0;
    }
  });
  const start = performance.now();
  await page.goto(url);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60000 });
  const ms = performance.now() - start;
  await context.close();
  return { ms, clientBytes };
}

await visit(conform + '/', storageState); // the servers' first answers are not measured
await visit(minimal + '/');
const times = { conform: [], minimal: [] };
let bytes = {};
for (let i = 0; i < runs; i++) {
  const c = await visit(conform + '/', storageState);
  const m = await visit(minimal + '/');
  times.conform.push(c.ms);
  times.minimal.push(m.ms);
  bytes = { conform: c.clientBytes, minimal: m.clientBytes };
}
const conformMs = median(times.conform);
const minimalMs = median(times.minimal);
console.log(JSON.stringify({
  runs,
  conform_dashboard_hydrated_ms: round(conformMs),
  minimal_leptos_hydrated_ms: round(minimalMs),
  ratio: round(conformMs / minimalMs),
  client_kib_transferred: { conform: round(bytes.conform / 1024), minimal: round(bytes.minimal / 1024) },
}, null, 1));
await browser.close();
