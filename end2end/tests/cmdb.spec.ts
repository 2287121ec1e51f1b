import { demo, hydrated, openHydrated, signedInPage, test, expect, unique } from './helpers';

test('configuration items are related and a change naming one reaches a second service through them', async ({ browser, problems }) => {
  test.setTimeout(120_000);
  const owner = await signedInPage(browser, demo.serviceOwner);
  const page = owner.page;
  const database = unique('billing-db').replace(' ', '-');
  const application = unique('billing-app').replace(' ', '-');

  // The demo CMDB: one item in use has nobody answering for it.
  await openHydrated(page, '/cmdb');
  await expect(page.getByRole('heading', { name: 'Configuration items', level: 1 })).toBeVisible();
  await page.getByLabel('Owner').selectOption('none');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('row', { name: /Payroll runbook/ })).toContainText('No owner');

  // The database serves the data warehouse; its attributes follow the kind chosen.
  await page.getByRole('link', { name: 'Record an item' }).click();
  await expect(page).toHaveURL(/\/cmdb\/new$/);
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill('CI-7');
  await page.getByLabel('Kind').selectOption('database');
  await expect(page.getByLabel('Engine')).toBeVisible();
  await expect(page.getByLabel('Vendor')).toBeHidden();
  await page.getByLabel('Engine').fill('PostgreSQL');
  await page.getByLabel('Owner').selectOption({ label: 'Dana Whitfield' });
  await page.getByLabel('Data warehouse').check();
  await page.getByRole('button', { name: 'Record the item' }).click();
  // A name that reads as a reference is refused on its field, and nothing is recorded.
  await expect(page.getByText('A name that reads as a reference (CI-12) would be mistaken for one')).toBeVisible();
  await expect(page).toHaveURL(/\/cmdb\/new$/);
  await page.getByLabel('Name', { exact: true }).fill(database);
  await page.getByRole('button', { name: 'Record the item' }).click();
  await expect(page).toHaveURL(/\/cmdb\/\d+$/);
  await hydrated(page);
  const databaseUrl = page.url();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(database);
  await expect(page.locator('dl.details')).toContainText('PostgreSQL');
  await expect(page.locator('.impact-summary')).toContainText('1 service is affected; nothing else relies on it.');

  // The application serves the CRM and depends on the database, named by its name.
  await openHydrated(page, '/cmdb/new');
  await page.getByLabel('Name', { exact: true }).fill(application);
  await page.getByLabel('Kind').selectOption('application');
  await page.getByLabel('Owner').selectOption({ label: 'Dana Whitfield' });
  await page.getByLabel('CRM').check();
  await page.getByRole('button', { name: 'Record the item' }).click();
  await expect(page).toHaveURL(/\/cmdb\/\d+$/);
  await hydrated(page);
  await page.getByLabel('This item').selectOption('depends_on');
  await page.getByLabel('The other item').fill('no such item');
  await page.getByRole('button', { name: 'Add the relationship' }).click();
  await expect(page.getByText('No item in the CMDB has that reference or name.')).toBeVisible();
  await page.getByLabel('The other item').fill(database.toUpperCase());
  await page.getByRole('button', { name: 'Add the relationship' }).click();
  const relationships = page.getByRole('region', { name: 'Relationships' });
  await expect(relationships.getByRole('listitem')).toContainText(`depends on`);
  await expect(relationships.getByRole('link', { name: new RegExp(database) })).toBeVisible();

  // If the database fails, the CRM is affected through the application.
  await openHydrated(page, databaseUrl);
  await expect(page.locator('.impact-summary')).toContainText('2 services are affected; 1 item relies on it.');
  const services = page.locator('.impact-services');
  await expect(services.getByRole('listitem').filter({ hasText: 'CRM' })).toContainText(`through ${application}`);
  await expect(page.getByRole('img', { name: /If .* fails/ })).toBeVisible();

  // A change naming the database only for the data warehouse reaches the CRM too.
  await openHydrated(page, '/changes/new');
  await page.getByLabel('Title').fill(`Upgrade ${database}`);
  await page.getByLabel('Type').selectOption('normal');
  await page.getByLabel('Data warehouse').check();
  await page.getByLabel('Configuration items').fill(`${database}\nsome-unrecorded-host`);
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/changes\/\d+$/);
  await hydrated(page);
  const reached = page.getByRole('region', { name: 'Reached through configuration items' });
  await expect(reached).toContainText('It reaches 1 service it does not name: CRM.');
  await expect(reached).toContainText('some-unrecorded-host — not in the CMDB');
  await expect(reached.getByRole('listitem').filter({ hasText: 'CRM' })).toContainText('(not named on the change)');

  expect(problems).toEqual([]);
  await owner.context.close();
});

test('a resolver names the item an incident touches and sees the services its failure reaches', async ({ browser, problems }) => {
  test.setTimeout(90_000);
  const resolver = await signedInPage(browser, demo.resolver);
  const page = resolver.page;
  const title = unique('Wi-Fi drops in building B');

  await openHydrated(page, '/incidents/new');
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Network and Wi-Fi' });
  await page.getByLabel('Impact', { exact: true }).selectOption('medium');
  await page.getByLabel('Urgency', { exact: true }).selectOption('medium');
  await page.getByLabel('Description', { exact: true }).fill('Clients lose the network every few minutes.');
  await page.getByRole('button', { name: 'Report' }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await hydrated(page);
  const record = page.url();

  const items = page.getByRole('region', { name: 'Configuration items', exact: true });
  await expect(items).toContainText('The incident names no configuration item yet.');
  await items.getByLabel('Configuration item', { exact: true }).fill('no such switch');
  await items.getByRole('button', { name: 'Name the item' }).click();
  await expect(items.getByText('No item in the CMDB has that reference or name.')).toBeVisible();
  await items.getByLabel('Configuration item', { exact: true }).fill('NETWORK-AND-WI-FI-PROD-02');
  await items.getByRole('button', { name: 'Name the item' }).click();
  await expect(items.getByRole('link', { name: /network-and-wi-fi-prod-02/ })).toBeVisible();
  // Its failure reaches services the incident does not name.
  const reach = items.getByRole('region', { name: 'Reached through configuration items' });
  await expect(reach).toContainText(/It reaches \d+ services? it does not name/);
  await expect(reach.getByRole('listitem').filter({ hasText: 'Payroll' })).toContainText('not named on the incident');
  // The timeline says who named it; the item's page lists the incident.
  await expect(page.locator('.incident-timeline')).toContainText('Names configuration item');
  await items.getByRole('link', { name: /network-and-wi-fi-prod-02/ }).click();
  await expect(page).toHaveURL(/\/cmdb\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole('region', { name: 'Incidents and problems' }).getByRole('link', { name: new RegExp(title) })).toBeVisible();

  // Taken off again, the incident names nothing.
  await page.goto(record);
  await hydrated(page);
  await items.getByRole('button', { name: /Take CI-\d+ network-and-wi-fi-prod-02 off/ }).click();
  await expect(items).toContainText('The incident names no configuration item yet.');
  await resolver.context.close();
  expect(problems).toEqual([]);
});
