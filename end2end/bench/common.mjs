// Helpers shared by the Chromium benchmarks: the browser as every benchmark launches it,
// signing in once, medians, timed requests and timed cold-cache visits.
import { chromium } from '@playwright/test';

/** Debian's headless Chromium, with the background work that would add noise turned off. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
export const round = (x) => +x.toFixed(1);

/** Form-encoded server-function headers for `base` (server functions check the Origin). */
export const formHeaders = (base) => ({
  Origin: base, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json',
});

/** Signs `email` in through the login page once; returns the session as a storage state. */
export async function signIn(browser, base, email, password = 'conform-demo') {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + '/login');
  await page.fill('#sign-in-email', email);
  await page.fill('#sign-in-password', password);
  await Promise.all([page.waitForURL(base + '/'), page.click('button[type=submit]')]);
  const storageState = await context.storageState();
  await context.close();
  return storageState;
}

/**
 * Calls `call` (a Playwright API request) `count` times; returns the median milliseconds and
 * the last response body. A response that is not OK stops the benchmark.
 */
export async function timeRequests(call, count) {
  const times = [];
  let body;
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const response = await call();
    if (!response.ok()) throw new Error(`${response.status()} ${await response.text()}`);
    body = await response.body();
    times.push(performance.now() - start);
  }
  return { ms: median(times), body };
}

/**
 * Visits `url` `runs` times, each in a new context (a cold cache, the session kept), until
 * `ready(page)` resolves; returns every time in milliseconds.
 */
export async function visitTimes(browser, storageState, url, ready, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ storageState });
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(url);
    await ready(page);
    times.push(performance.now() - start);
    await context.close();
  }
  return times;
}

/** The median of `visitTimes`. */
export async function visit(browser, storageState, url, ready, runs) {
  return median(await visitTimes(browser, storageState, url, ready, runs));
}
