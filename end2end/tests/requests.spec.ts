import { demo, expect, hydrated, openHydrated, signedInPage, test } from './helpers';

test('a request from the catalogue is approved by the service owner, fulfilled by the desk and closed by its requester', async ({ browser }) => {
  test.setTimeout(120_000);
  const requester = await signedInPage(browser, demo.requester);
  const owner = await signedInPage(browser, demo.serviceOwner);
  const resolver = await signedInPage(browser, demo.resolver);
  const marker = `heron${Date.now().toString(36)}`;

  // The service owner watches the requests awaiting approval while Robin asks.
  await openHydrated(owner.page, '/requests?state=awaiting_approval');

  // Robin asks from the catalogue; the form asks the type's own questions.
  const page = requester.page;
  await openHydrated(page, '/requests/catalogue');
  await page.getByRole('link', { name: 'Access to a shared mailbox' }).click();
  await expect(page).toHaveURL(/\/requests\/new\?type=\d+$/);
  await hydrated(page);
  await page.getByLabel('Summary').fill(`Send as the ${marker} mailbox`);
  await page.getByRole('button', { name: 'Send the request' }).click();
  await expect(page.getByText('Mailbox is required.')).toBeVisible();
  await expect(page.getByText('Choose access from the list.').or(page.getByText('Access is required.'))).toBeVisible();
  await page.getByLabel('Mailbox (required)').fill(`${marker}@conform.demo`);
  await page.getByLabel('Access (required)').selectOption('Send as');
  await page.getByRole('button', { name: 'Send the request' }).click();
  await expect(page).toHaveURL(/\/requests\/\d+$/);
  await hydrated(page);
  const path = new URL(page.url()).pathname;
  const reference = `REQ-${path.split('/').pop()}`;
  await expect(page.getByRole('heading', { level: 1 })).toContainText(reference);
  await expect(page.locator('.page-actions')).toContainText('Awaiting approval');
  await expect(page.locator('.clock-line')).toContainText('Fulfilment');
  await expect(page.getByText(/The clock waits while the request waits for approval/)).toBeVisible();
  // Nobody approves their own request: Robin is not offered it.
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);

  // The service owner's open queue shows it without a reload; she approves it and the
  // clock starts. Robin's open record follows.
  await expect(owner.page.getByRole('link', { name: reference })).toBeVisible({ timeout: 15_000 });
  await owner.page.getByRole('link', { name: reference }).click();
  await expect(owner.page).toHaveURL(new RegExp(`${path}$`));
  await hydrated(owner.page);
  await owner.page.getByRole('button', { name: 'Approve' }).click();
  await expect(owner.page.locator('.page-actions')).toContainText('Open');
  await expect(owner.page.getByText(/^Approved by Dana Whitfield/)).toBeVisible();
  await expect(page.locator('.page-actions')).toContainText('Open', { timeout: 15_000 });

  // The desk takes it and asks Robin something: the clock waits for the answer.
  const desk = resolver.page;
  await openHydrated(desk, path);
  await desk.getByLabel('Assignee', { exact: true }).selectOption({ label: 'Jordan Fixer' });
  await desk.getByRole('button', { name: 'Assign' }).click();
  await expect(desk.locator('.page-actions')).toContainText('In progress');
  await desk.getByLabel(/^Note/).fill('Which team should appear as the sender?');
  await desk.getByRole('button', { name: 'Ask the requester' }).click();
  await expect(desk.locator('.page-actions')).toContainText('Waiting for the requester');

  await openHydrated(page, path);
  await expect(page.locator('.timeline')).toContainText('Which team should appear as the sender?');
  await page.getByLabel(/^Note/).fill('The sales team, please.');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.locator('.page-actions')).toContainText('In progress');

  // Fulfilling says what was done.
  await openHydrated(desk, path);
  await desk.getByRole('button', { name: 'Fulfil' }).click();
  await expect(desk.getByText('Say what was done to fulfil the request.')).toBeVisible();
  await desk.getByLabel(/^Note/).fill(`Send-as granted on ${marker}@conform.demo.`);
  await desk.getByRole('button', { name: 'Fulfil' }).click();
  await expect(desk.locator('.page-actions')).toContainText('Fulfilled');

  await openHydrated(page, path);
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(page.locator('.page-actions')).toContainText('Closed');
  await expect(page.locator('.timeline')).toContainText('Send-as granted');

  // Robin's own list shows it; the desk's queue shows everyone's.
  await openHydrated(page, `/requests?state=all&q=${marker}`);
  await expect(page.getByRole('link', { name: reference })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'your requests' })).toBeVisible();
  // The export holds what the list shows.
  const exported = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const csv = require('fs').readFileSync(await (await exported).path(), 'utf8');
  expect(csv).toContain('Reference,Summary,Type,Service');
  expect(csv).toContain(reference);
  for (const context of [requester.context, owner.context, resolver.context]) await context.close();
});

test('a service level manager adds a request type whose questions the next requester answers', async ({ browser }) => {
  test.setTimeout(90_000);
  const manager = await signedInPage(browser, demo.serviceLevels);
  const requester = await signedInPage(browser, demo.requester);
  const name = `Conference room screen ${Date.now().toString(36)}`;
  const page = manager.page;
  await openHydrated(page, '/requests/catalogue');
  await page.getByRole('link', { name: 'Add a request type' }).click();
  await expect(page).toHaveURL(/\/requests\/types\/new$/);
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Service', { exact: true }).selectOption({ label: 'E-mail and calendar' });
  await page.getByLabel('Fulfilment target (minutes of service time)').fill('240');
  await page.getByLabel('Field 1: label').fill('Room');
  await page.getByLabel('Field 1: kind').selectOption({ label: 'Choice from a list' });
  await page.getByLabel('Field 1: choices').fill('Oak');
  await page.getByLabel('Field 1 is required').check();
  await page.getByRole('button', { name: 'Add to the catalogue' }).click();
  await expect(page.getByText('A choice offers at least two options (a | b).')).toBeVisible();
  await page.getByLabel('Field 1: choices').fill('Oak | Birch | Cedar');
  await page.getByRole('button', { name: 'Add to the catalogue' }).click();
  await expect(page).toHaveURL(/\/requests\/catalogue$/);
  await expect(page.getByText(name)).toBeVisible();

  await openHydrated(requester.page, '/requests/catalogue');
  await requester.page.getByRole('link', { name }).click();
  await hydrated(requester.page);
  await expect(requester.page.getByText('fulfilled within 4 h 00 min of service time')).toBeVisible();
  await requester.page.getByLabel('Summary').fill('Screen for the Birch room');
  await requester.page.getByLabel('Room (required)').selectOption('Birch');
  await requester.page.getByRole('button', { name: 'Send the request' }).click();
  await expect(requester.page).toHaveURL(/\/requests\/\d+$/);
  await hydrated(requester.page);
  await expect(requester.page.locator('.page-actions')).toContainText('Open');
  await expect(requester.page.getByRole('region', { name: 'What was asked' })).toContainText('Birch');
  await manager.context.close();
  await requester.context.close();
});

test('the monthly service report shows a service against its agreement, with its year as charts and CSV', async ({ browser }) => {
  test.setTimeout(60_000);
  const { page, context } = await signedInPage(browser, demo.serviceLevels);
  await openHydrated(page, '/service-levels');
  await page.getByRole('link', { name: 'Monthly service report' }).click();
  await expect(page).toHaveURL(/\/service-levels\/report$/);
  await hydrated(page);
  await expect(page.getByText('Choose a service.')).toBeVisible();
  await page.getByLabel('Service', { exact: true }).selectOption({ label: 'E-mail and calendar' });
  await page.getByRole('button', { name: 'Show the report' }).click();
  await expect(page).toHaveURL(/service=\d+/);
  await expect(page.getByRole('heading', { level: 2, name: /^E-mail and calendar — / })).toBeVisible();
  await expect(page.getByText(/Measured against SLA-\d+/)).toBeVisible();
  await expect(page.locator('.report-figures')).toContainText('Availability');
  await expect(page.locator('.report-chart svg')).toHaveCount(3);
  await expect(page.locator('.report-chart svg').first()).toHaveAttribute('aria-label', /^Incidents reported, /);
  await expect(page.locator('table.data-table tbody tr')).toHaveCount(12);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the twelve months as CSV' }).click();
  const file = await (await download).path();
  const text = require('fs').readFileSync(file, 'utf8');
  expect(text).toContain('Service,Month,Incidents');
  expect(text.trim().split('\n')).toHaveLength(13);
  // The demo portal's month of incidents missed a target (this month or last): the report
  // says which, and raises an improvement from it in one step.
  const now = new Date();
  const code = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  const months = [now, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))];
  const missed = page.getByRole('status').filter({ hasText: 'Targets missed:' });
  let found = false;
  for (const month of months) {
    await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Customer portal' });
    await page.getByLabel('Month', { exact: true }).fill(code(month));
    await page.getByRole('button', { name: 'Show the report' }).click();
    const label = month.toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    await expect(page.getByRole('heading', { level: 2, name: `Customer portal — ${label}` })).toBeVisible();
    if (await missed.count()) { found = true; break; }
  }
  expect(found).toBe(true);
  await expect(missed).toContainText(/resolved late|against/);
  await page.getByRole('link', { name: 'Raise an improvement for this month' }).click();
  await expect(page).toHaveURL(/\/improvements\/new\?/);
  await hydrated(page);
  await expect(page.getByLabel('Title', { exact: true })).toHaveValue(/^Targets missed for Customer portal in /);
  await openHydrated(page, '/service-levels/report');

  // A month that has not begun is refused with a clear message.
  const nextYear = new Date().getUTCFullYear() + 1;
  await openHydrated(page, `${new URL(page.url()).pathname}?service=1&month=${nextYear}-01`);
  await expect(page.getByRole('alert').filter({ hasText: 'A report covers a month that has begun.' })).toBeVisible();
  await expect(page.locator('.report-figures')).toHaveCount(0);
  await context.close();
});
