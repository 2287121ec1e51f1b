import type { Page } from '@playwright/test';
import { request as requestContext } from '@playwright/test';
import { demo, hydrated, openHydrated, signIn, signedInPage, test, expect, unique } from './helpers';

const pad = (n: number) => String(n).padStart(2, '0');

/** The date `days` from now (demo users read times in UTC, like this machine). */
function day(days: number) {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Raises a scheduled normal change through the form and returns its id. */
async function raiseChange(page: Page, title: string, date: string) {
  await openHydrated(page, '/changes/new');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Type').selectOption('normal');
  await page.getByLabel('Video conferencing').check();
  await page.getByLabel('Planned start (your time zone)').fill(`${date}T10:00`);
  await page.getByLabel('Planned end').fill(`${date}T11:00`);
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/changes\/\d+$/);
  return Number(page.url().split('/').pop());
}

test('moving a blackout window over a change shows the conflict on every open calendar', async ({ browser, problems }) => {
  const manager = await signedInPage(browser, demo.changeManager);
  const watcher = await signedInPage(browser, demo.auditor);
  const page = manager.page;
  const target = day(45);
  const title = unique('Upgrade the conference bridge');
  const id = await raiseChange(page, title, target);

  // The day view lists it, without a conflict.
  await openHydrated(watcher.page, `/calendar?view=day&date=${target}`);
  const chip = watcher.page.locator(`.cal-change[data-change="${id}"]`);
  await expect(chip).toBeVisible();
  await expect(chip).not.toHaveClass(/has-conflict/);

  // A freeze the day after, added through the window form.
  const freeze = unique('Bridge freeze');
  await openHydrated(page, '/calendar/windows');
  await page.getByRole('button', { name: 'Add window' }).click();
  await expect(page.getByText('Name is required.')).toBeVisible();
  const form = page.locator('form', { has: page.getByRole('button', { name: 'Add window' }) });
  await form.getByLabel('Kind').selectOption('blackout');
  await form.getByLabel('Name').fill(freeze);
  await form.getByLabel('Starts').fill(`${day(46)}T00:00`);
  await form.getByLabel('Ends').fill(`${day(47)}T00:00`);
  await form.getByRole('button', { name: 'Add window' }).click();
  await expect(page.getByRole('link', { name: freeze })).toBeVisible();
  await expect(chip).not.toHaveClass(/has-conflict/);

  // Moved back a day, it covers the change: the watcher's calendar shows it without a reload.
  await page.getByRole('link', { name: freeze }).click();
  await hydrated(page);
  await page.getByLabel('Starts').fill(`${target}T00:00`);
  await page.getByLabel('Ends').fill(`${day(46)}T00:00`);
  await page.getByRole('button', { name: 'Save window' }).click();
  await expect(page).toHaveURL(/\/calendar\/windows$/);
  await expect(chip).toHaveClass(/has-conflict/, { timeout: 5_000 });
  await expect(chip).toHaveAccessibleName(new RegExp(`conflict: Falls inside the blackout window “${freeze}”`));
  await expect(watcher.page.locator(`.cal-window`, { hasText: freeze })).toBeVisible();

  // The change page and the month view agree.
  await openHydrated(page, `/changes/${id}`);
  await expect(page.getByText(`Falls inside the blackout window “${freeze}”.`)).toBeVisible();
  await page.getByRole('link', { name: 'On the calendar' }).click();
  await expect(page).toHaveURL(/view=week/);
  await page.getByRole('navigation', { name: 'Calendar view' }).getByRole('link', { name: 'Month' }).click();
  await expect(page.locator(`td[data-date="${target}"] .cal-change[data-change="${id}"]`)).toHaveClass(/has-conflict/);
  const heading = await page.locator('.calendar-title').textContent();
  await page.getByRole('link', { name: 'Next →' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.calendar-title')).not.toHaveText(heading ?? '');

  // Deleting the window clears the conflict again.
  await openHydrated(page, '/calendar/windows');
  await page.getByRole('link', { name: freeze }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Delete this window' }).click();
  await expect(page).toHaveURL(/\/calendar\/windows$/);
  await expect(page.getByRole('link', { name: freeze })).toHaveCount(0);
  await expect(chip).not.toHaveClass(/has-conflict/, { timeout: 5_000 });

  expect(problems).toEqual([]);
  for (const context of [manager.context, watcher.context]) await context.close();
});

test('the auditor sees the windows but cannot change them', async ({ page }) => {
  await signIn(page, demo.auditor);
  await openHydrated(page, '/calendar/windows');
  await expect(page.getByRole('link', { name: 'Quarter-end freeze' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add window' })).toHaveCount(0);
});

test('subscribe to the change calendar, then revoke the link', async ({ page, problems }) => {
  await signIn(page, demo.cabMember);
  await openHydrated(page, '/account');
  await page.getByRole('button', { name: 'Create a calendar link' }).click();
  const link = page.getByLabel(/Your new feed link/);
  await expect(link).toHaveValue(/\/calendar\/feed\/.+\.ics$/);
  const url = await link.inputValue();
  await expect(page.locator('#calendar-feed-status')).toContainText('no calendar app has read it yet');

  // A calendar app has no session: only the link.
  const app = await requestContext.newContext();
  const feed = await app.get(url);
  expect(feed.status()).toBe(200);
  expect(feed.headers()['content-type']).toContain('text/calendar');
  const body = await feed.text();
  expect(body).toContain('BEGIN:VCALENDAR');
  expect(body).toMatch(/SUMMARY:.*Quarter-end freeze/);

  await page.getByRole('button', { name: 'Revoke the link' }).click();
  await expect(page.locator('#calendar-feed-status')).toHaveText('You have no calendar link.');
  await expect(link).toHaveCount(0);
  expect((await app.get(url)).status()).toBe(404);
  await app.dispose();
  expect(problems).toEqual([]);
});

test('filter the change list, keep the filter, export it and edit a draft', async ({ page, problems }) => {
  await signIn(page, demo.changeManager);
  const title = unique('Tidy the DNS zone');
  const id = await raiseChange(page, title, day(50));

  await openHydrated(page, '/changes');
  await page.getByLabel('State').selectOption('draft');
  await page.getByLabel('Service').selectOption({ label: 'Video conferencing' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/state=draft/);
  await expect(page.getByRole('link', { name: new RegExp(title) })).toBeVisible();

  const name = unique('My drafts');
  await page.getByLabel('Save these filters as').fill(name);
  await page.getByRole('button', { name: 'Save filter' }).click();
  const chip = page.getByRole('link', { name });
  await expect(chip).toBeVisible();

  // Export what is shown.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const file = await download;
  const csv = await (await file.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString('utf8');
  expect(text).toContain('Reference,Title,Type,State');
  expect(text).toContain(title);
  expect(text).not.toMatch(/,Closed,/);

  // The saved filter brings the same list back from a clean page.
  await openHydrated(page, '/changes');
  await page.getByRole('link', { name }).click();
  await expect(page).toHaveURL(/state=draft/);
  await expect(page.getByRole('link', { name: new RegExp(title) })).toBeVisible();
  await page.getByRole('button', { name: `Delete the saved filter ${name}` }).click();
  await expect(page.getByRole('link', { name })).toHaveCount(0);

  // Edit the draft: the form comes back filled in, times in the editor's zone.
  await openHydrated(page, `/changes/${id}`);
  await page.getByRole('link', { name: 'Edit' }).click();
  await hydrated(page);
  await expect(page.getByLabel('Planned start (your time zone)')).toHaveValue(`${day(50)}T10:00`);
  await page.getByLabel('Title').fill(`${title} (revised)`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(new RegExp(`/changes/${id}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('(revised)');
  expect(problems).toEqual([]);
});
