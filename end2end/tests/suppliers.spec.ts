import { demo, hydrated, inDays, openHydrated, signedInPage, test, expect, unique } from './helpers';

test('a supplier is added, contracted and reviewed against its agreed targets', async ({ browser, problems }) => {
  test.setTimeout(90_000);
  const levels = await signedInPage(browser, demo.serviceLevels);
  const page = levels.page;
  const name = unique('Harbour Data Centres');

  await openHydrated(page, '/suppliers');
  await expect(page.getByRole('heading', { name: 'Suppliers', level: 1 })).toBeVisible();
  // The demo register: the hosting contract's renewal decision is due.
  await page.getByLabel('Contracts').selectOption('due');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('row', { name: /Northwind Hosting/ })).toBeVisible();

  await page.getByRole('link', { name: 'Add a supplier' }).click();
  await expect(page).toHaveURL(/\/suppliers\/new$/);
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('What it provides').fill('Second-site hosting for the customer portal.');
  await page.getByLabel('Relationship manager').selectOption({ label: 'Sam Levels' });
  await page.getByLabel('Contact e-mail').fill('bookings at harbour');
  await page.getByLabel('Customer portal').check();
  await page.getByLabel('Review every (months)').fill('6');
  await page.getByLabel('First review').fill(inDays(14));
  await page.getByRole('button', { name: 'Add the supplier' }).click();
  // A malformed address is refused on its field, and nothing is added.
  await expect(page.getByText('Enter an e-mail address such as desk@supplier.example.')).toBeVisible();
  await expect(page).toHaveURL(/\/suppliers\/new$/);
  await page.getByLabel('Contact e-mail').fill('bookings@harbour.example');
  await page.getByRole('button', { name: 'Add the supplier' }).click();
  await expect(page).toHaveURL(/\/suppliers\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
  await expect(page.getByRole('status').filter({ hasText: 'What an auditor would ask about' })).toContainText('Never reviewed.');
  await expect(page.getByRole('status').filter({ hasText: 'What an auditor would ask about' })).toContainText('No contract in force.');

  // The contract with its agreed targets.
  await page.getByLabel('Contract reference').fill('HDC-2027-01');
  await page.getByLabel('Starts on').fill(inDays(-30));
  await page.getByLabel('Ends on (empty: open-ended)').fill(inDays(700));
  await page.getByLabel('Renewal notice (days)').fill('90');
  await page.getByRole('textbox', { name: 'Agreed targets' }).fill('99.95% availability a month; hands-on support within 1 hour.');
  await page.getByRole('button', { name: 'Add the contract' }).click();
  const contracts = page.getByRole('region', { name: 'Contracts and agreed targets' });
  await expect(contracts.getByRole('row', { name: /HDC-2027-01/ })).toContainText('In force');
  await expect(page.getByText('No contract in force.')).toHaveCount(0);

  // A review that finds a target missed must say what will be done.
  await page.getByLabel('Partly meets its targets').check();
  await page.getByLabel('What the review found').fill('One hands-on call took three hours in the first month.');
  await page.getByRole('button', { name: 'Record the review' }).click();
  await expect(page.getByText('A review that finds targets missed says what will be done about them.')).toBeVisible();
  await page.getByLabel('Actions (required when a target was missed)').fill('Escalation contact agreed; monthly call until two clean months.');
  await page.getByRole('button', { name: 'Record the review' }).click();
  const reviews = page.getByRole('region', { name: 'Performance reviews' });
  await expect(reviews.getByRole('listitem')).toHaveCount(1);
  await expect(reviews).toContainText('Partly meets its targets');
  await expect(reviews).toContainText('Escalation contact agreed');
  // Reviewed today: the next review is six months on and it is no longer "never reviewed".
  await expect(page.getByText('Never reviewed.')).toHaveCount(0);
  await expect(page.locator('dl.details')).not.toContainText(inDays(14));

  // The register finds it by name, with its last review.
  await openHydrated(page, `/suppliers?q=${encodeURIComponent(name)}`);
  await expect(page.getByRole('row', { name: new RegExp(name) })).toContainText('Partly meets its targets');

  expect(problems).toEqual([]);
  await levels.context.close();
});

test('a requester does not see the supplier register', async ({ browser }) => {
  const requester = await signedInPage(browser, demo.requester);
  await requester.page.goto('/suppliers');
  await expect(requester.page.getByText(/not allowed to read the supplier register/i)).toBeVisible();
  await expect(requester.page.getByRole('link', { name: 'Suppliers' })).toHaveCount(0);
  await requester.context.close();
});

test('a continuity plan lists whom to call at the suppliers its services depend on', async ({ browser, problems }) => {
  const continuity = await signedInPage(browser, demo.continuity);
  const page = continuity.page;
  await openHydrated(page, '/continuity');
  await page.getByRole('link', { name: 'Customer portal continuity plan' }).first().click();
  await hydrated(page);
  const suppliers = page.getByRole('region', { name: 'Suppliers it depends on' });
  const hosting = suppliers.getByRole('row', { name: /Northwind Hosting/ });
  await expect(hosting).toBeVisible();
  await expect(hosting.getByRole('link', { name: '+44 20 7946 0100' })).toHaveAttribute('href', 'tel:+442079460100');
  await expect(hosting).toContainText('Partly meets its targets');
  await hosting.getByRole('link', { name: /SUP-\d+ Northwind Hosting/ }).click();
  await expect(page).toHaveURL(/\/suppliers\/\d+$/);
  await expect(page.getByRole('region', { name: 'Services that depend on it' })).toContainText('Customer portal');

  expect(problems).toEqual([]);
  await continuity.context.close();
});
