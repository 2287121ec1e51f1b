import { expect, Page, test as base } from '@playwright/test';

/** Opens a page and waits until the WebAssembly client has hydrated it. */
export async function openHydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
}

/** A unique name, so that tests never depend on each other's data. */
export function unique(prefix: string) {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/**
 * `test` with a `problems` list that collects console errors, uncaught exceptions and
 * failed or 4xx/5xx sub-resource requests; each test asserts it stays empty where it should.
 */
export const test = base.extend<{ problems: string[] }>({
  problems: async ({ page }, use) => {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
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
