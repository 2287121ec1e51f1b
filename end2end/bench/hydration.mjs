// Time from navigation to hydrated (body[data-hydrated]) in headless Chromium, against the
// time to load a static resource from the same server in the same run (the baseline).
// Usage: node bench/hydration.mjs http://127.0.0.1:3200 [runs]
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3200';
const runs = Number(process.argv[3] ?? 15);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
});

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Sign in once; every measured visit reuses the session cookie but starts with a cold cache.
const signIn = await browser.newContext();
const signInPage = await signIn.newPage();
await signInPage.goto(base + '/login');
await signInPage.fill('#sign-in-email', 'requester@conform.demo');
await signInPage.fill('#sign-in-password', 'conform-demo');
await Promise.all([signInPage.waitForURL(base + '/'), signInPage.click('button[type=submit]')]);
const storageState = await signIn.storageState();
await signIn.close();

async function measure(path, ready) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    // A new context each time: a cold cache, like a first visit.
    const context = await browser.newContext({ storageState });
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(base + path);
    await ready(page);
    times.push(performance.now() - start);
    await context.close();
  }
  return median(times);
}

const baseline = await measure('/favicon.svg', async () => {});
const hydrated = await measure('/services', (page) =>
  page.waitForSelector('body[data-hydrated="true"]', { timeout: 30000 }));
const serverRendered = await measure('/services', (page) => page.waitForLoadState('domcontentloaded'));

console.log(JSON.stringify({
  runs,
  baseline_static_ms: +baseline.toFixed(1),
  services_dom_ready_ms: +serverRendered.toFixed(1),
  services_hydrated_ms: +hydrated.toFixed(1),
  hydrated_vs_baseline: +(hydrated / baseline).toFixed(2),
}));
await browser.close();
