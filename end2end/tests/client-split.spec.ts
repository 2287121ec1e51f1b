import { expect, Page } from '@playwright/test';
import { demo, hydrated, signIn, test } from './helpers';

// The first load holds the shell, the dashboard and the sign-in page; every other section's
// code is a chunk fetched when that section is first visited (scripts/build-client.sh).
const firstLoadFiles = /^(conform\.(js|wasm|css)|__wasm_split\.[_\w]*\.js)$/;

/** Records the names of the client files (under /pkg/) the page fetches. */
function recordClientFiles(page: Page) {
  const fetched: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/pkg/')) fetched.push(path.split('/').pop()!);
  });
  return fetched;
}

test('a section loads its code only when it is first visited', async ({ page, problems }) => {
  const fetched = recordClientFiles(page);
  await signIn(page, demo.changeManager);
  await page.goto('/');
  await hydrated(page);
  const chunks = () => fetched.filter((name) => name.endsWith('.wasm') && !firstLoadFiles.test(name));
  expect(chunks(), 'the dashboard needs no section chunk').toEqual([]);
  expect(fetched).toContain('conform.wasm');

  // First visit of the change list, by the navigation: its chunk arrives and the page works.
  await page.getByRole('navigation').getByRole('link', { name: 'Changes', exact: true }).click();
  await expect(page).toHaveURL(/\/changes$/);
  await expect(page.getByRole('heading', { name: 'Changes', level: 1 })).toBeVisible();
  await expect.poll(() => chunks().length).toBeGreaterThan(0);
  const afterFirstVisit = chunks().length;

  // Back to the dashboard and to the changes again: nothing is fetched a second time.
  await page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole('navigation').getByRole('link', { name: 'Changes', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Changes', level: 1 })).toBeVisible();
  expect(chunks().length).toBe(afterFirstVisit);
  expect(new Set(chunks()).size, 'no chunk fetched twice').toBe(chunks().length);
  expect(problems).toEqual([]);
});

test('a section opened directly hydrates with its chunk', async ({ page, problems }) => {
  await signIn(page, demo.quality);
  const fetched = recordClientFiles(page);
  await page.goto('/improvements');
  await hydrated(page);
  expect(fetched.some((name) => name.endsWith('.wasm') && !firstLoadFiles.test(name))).toBe(true);
  // Hydrated means interactive: the register's filter answers.
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(problems).toEqual([]);
});

test('the client is served precompressed and cached for good under its build hash', async ({ page, request }) => {
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.endsWith('/conform.wasm')) scripts.push(new URL(r.url()).pathname);
  });
  await page.goto('/login');
  await hydrated(page);
  const wasm = scripts[0];
  expect(wasm).toMatch(/^\/pkg\/[0-9a-f]{16}\/conform\.wasm$/);
  for (const [encoding, expected] of [['br', 'br'], ['gzip', 'gzip']]) {
    const response = await request.get(wasm, { headers: { 'Accept-Encoding': encoding } });
    expect(response.status()).toBe(200);
    expect(response.headers()['content-encoding']).toBe(expected);
    expect(response.headers()['cache-control']).toContain('immutable');
  }
});
