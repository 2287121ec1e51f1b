import { Browser, expect, Locator, Page, test as base } from '@playwright/test';

export const DEMO_PASSWORD = 'conform-demo';
export const demo = {
  admin: 'admin@conform.demo',
  changeManager: 'change.manager@conform.demo',
  cabMember: 'cab.member@conform.demo',
  serviceOwner: 'service.owner@conform.demo',
  continuity: 'continuity@conform.demo',
  quality: 'quality@conform.demo',
  auditor: 'auditor@conform.demo',
  requester: 'requester@conform.demo',
  serviceLevels: 'service.levels@conform.demo',
  resolver: 'resolver@conform.demo',
};

/** Waits until the WebAssembly client has hydrated the current page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
}

/** Opens a page and waits until it is hydrated. */
export async function openHydrated(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

/** Signs in through the sign-in page, as a person would. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await openHydrated(page, '/login');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** A fresh browser context signed in as `email`. */
export async function signedInPage(browser: Browser, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return { context, page };
}

/** The date `days` from today, as a date field wants it (yyyy-mm-dd). */
export function inDays(days: number) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A unique name, so that tests never depend on each other's data. */
export function unique(prefix: string) {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/**
 * `test` with a `problems` list that collects console errors (other than 4xx answers the page
 * explains), uncaught exceptions, failed requests and 4xx/5xx sub-resources (favicon, wasm, css).
 */
export const test = base.extend<{ problems: string[] }>({
  problems: async ({ page }, use) => {
    const problems: string[] = [];
    page.on('console', (message) => {
      // A 4xx answer is an expected business error (validation, conflict) the page explains.
      const expected = /Failed to load resource: the server responded with a status of 4\d\d/.test(message.text());
      if (message.type() === 'error' && !expected) problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
    page.on('requestfailed', (request) => {
      // Navigating away aborts loads still in flight; that is not a fault.
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()}`);
    });
    page.on('response', (response) => {
      const type = response.request().resourceType();
      if (response.status() >= 400 && type !== 'document' && type !== 'fetch') {
        problems.push(`${response.status()} ${response.url()}`);
      }
    });
    await use(problems);
  },
});

export { expect };
/**
 * Drags like a hand does: press on the card, start moving while still over it (HTML5 drag
 * begins on the first move), then travel to the column and let go.
 */
export async function drag(page: Page, card: Locator, column: Locator) {
  await card.locator('.card-title').hover();
  await page.mouse.down();
  const box = (await card.locator('.card-title').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2 + 5, box.y + box.height / 2 + 5, { steps: 3 });
  await column.locator('.column-title').hover();
  await page.mouse.up();
}

