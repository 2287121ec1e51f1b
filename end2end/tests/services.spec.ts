import { demo, openHydrated, signIn, signedInPage, test, expect, unique } from './helpers';

test.describe('the app shell', () => {
  test('loads, hydrates and shows every section without console errors', async ({ page, problems }) => {
    await signIn(page, demo.serviceOwner);
    await openHydrated(page, '/');
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const section of ['Dashboard', 'Changes', 'CAB', 'Calendar', 'Continuity', 'Improvements', 'Services', 'Compliance']) {
      await expect(nav.getByRole('link', { name: section, exact: true })).toBeVisible();
    }
    await expect(page.getByRole('link', { name: /active services/ })).toBeVisible();

    await nav.getByRole('link', { name: 'CAB', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Change advisory boards' })).toBeVisible();
    await nav.getByRole('link', { name: 'Continuity', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Service continuity' })).toBeVisible();
    await nav.getByRole('link', { name: 'Compliance', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Compliance' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Clause library' })).toBeVisible();
    await nav.getByRole('link', { name: 'Services', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Service catalogue' })).toBeVisible();
    expect(problems).toEqual([]);
  });

  test('unknown addresses get a helpful 404 page', async ({ page }) => {
    await signIn(page, demo.requester);
    const response = await page.goto('/no-such-page');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    const missing = await page.goto('/services/987654');
    expect(missing?.status()).toBe(404);
    await expect(page.getByText('Service 987654 was not found.')).toBeVisible();
  });
});

test.describe('the service catalogue', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, demo.serviceOwner);
  });

  test('create a service: instant field errors, server validation, then success', async ({ page, problems }) => {
    const name = unique('Backup and restore');
    await openHydrated(page, '/services/new');

    // Instant feedback in the browser, before anything is sent.
    const nameField = page.getByLabel('Name');
    await nameField.fill('B');
    await nameField.blur();
    await expect(page.getByText('Name must be at least 2 characters.')).toBeVisible();
    await nameField.fill(name);
    await expect(page.getByText('Name must be at least 2 characters.')).toBeHidden();

    // Submitting with the owner and criticality missing: the server says what is wrong.
    await page.getByRole('button', { name: 'Create service' }).click();
    await expect(page.getByText('Owner is required.')).toBeVisible();
    await expect(page.getByText('Choose a criticality: low, medium, high or critical.')).toBeVisible();
    await expect(page.getByLabel('Service owner')).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL(/\/services\/new$/);

    // Fix it.
    await page.getByLabel('Service owner').fill('Olu Adebayo');
    await page.getByLabel('Criticality').selectOption('high');
    await page.getByLabel('Status').selectOption('live');
    await page.getByLabel('Description').fill('Nightly backups of every production database.');
    await page.getByLabel('Customers').fill('Finance\nOperations');
    await page.getByRole('button', { name: 'Create service' }).click();

    await expect(page).toHaveURL(/\/services\/\d+$/);
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(page.locator('dl.details')).toContainText('Olu Adebayo');

    // It is in the catalogue and can be found by search.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    await page.getByRole('searchbox', { name: 'Search' }).fill(name);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('cell', { name })).toBeVisible();
    await expect(page.getByText('1 service · page 1 of 1')).toBeVisible();
    expect(problems).toEqual([]);
  });

  test('a duplicate name is refused beside the field', async ({ page }) => {
    await openHydrated(page, '/services/new');
    await page.getByLabel('Name').fill('payroll');
    await page.getByLabel('Service owner').fill('Someone Else');
    await page.getByLabel('Criticality').selectOption('low');
    await page.getByLabel('Status').selectOption('pipeline');
    await page.getByRole('button', { name: 'Create service' }).click();
    await expect(page.getByText('A service named “payroll” already exists.')).toBeVisible();
  });

  test('edit a service, and a stale concurrent edit is refused', async ({ browser }) => {
    const name = unique('Print service');
    const { context: alice, page: alicePage } = await signedInPage(browser, demo.serviceOwner);
    const { context: bob, page: bobPage } = await signedInPage(browser, demo.admin);

    await openHydrated(alicePage, '/services/new');
    await alicePage.getByLabel('Name').fill(name);
    await alicePage.getByLabel('Service owner').fill('Dana Whitfield');
    await alicePage.getByLabel('Criticality').selectOption('low');
    await alicePage.getByLabel('Status').selectOption('live');
    await alicePage.getByRole('button', { name: 'Create service' }).click();
    await expect(alicePage).toHaveURL(/\/services\/\d+$/);
    const editUrl = `${new URL(alicePage.url()).pathname}/edit`;

    // Both open the edit form at version 1.
    await openHydrated(alicePage, editUrl);
    await openHydrated(bobPage, editUrl);

    await alicePage.getByLabel('Service owner').fill('Alice Mendes');
    await alicePage.getByRole('button', { name: 'Save changes' }).click();
    await expect(alicePage).toHaveURL(/\/services\/\d+$/);
    await expect(alicePage.locator('dl.details')).toContainText('Alice Mendes');

    await bobPage.getByLabel('Service owner').fill('Bob Okafor');
    await bobPage.getByRole('button', { name: 'Save changes' }).click();
    await expect(bobPage.getByRole('alert')).toContainText('Someone else changed this service');
    // Bob keeps what he typed, and Alice's change stands.
    await expect(bobPage.getByLabel('Service owner')).toHaveValue('Bob Okafor');
    await alicePage.reload();
    await expect(alicePage.locator('dl.details')).toContainText('Alice Mendes');
    await expect(alicePage.getByText('Bob Okafor')).toHaveCount(0);

    await alice.close();
    await bob.close();
  });

  test('archive a service and restore it', async ({ page }) => {
    const name = unique('Legacy fax');
    await openHydrated(page, '/services/new');
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Service owner').fill('Priya Raman');
    await page.getByLabel('Criticality').selectOption('low');
    await page.getByLabel('Status').selectOption('retiring');
    await page.getByRole('button', { name: 'Create service' }).click();
    await expect(page).toHaveURL(/\/services\/\d+$/);

    await page.getByRole('button', { name: 'Archive service' }).click();
    await expect(page.getByText('This service is archived')).toBeVisible();

    await openHydrated(page, `/services?q=${encodeURIComponent(name)}`);
    await expect(page.getByText('No services match this search.')).toBeVisible();
    await openHydrated(page, `/services?q=${encodeURIComponent(name)}&show=archived`);
    await page.getByRole('link', { name }).click();
    await page.getByRole('button', { name: 'Restore service' }).click();
    await expect(page.getByText('This service is archived')).toBeHidden();
    await expect(page.getByRole('button', { name: 'Archive service' })).toBeVisible();
  });

  test('sorting by a column reorders the list and says so', async ({ page }) => {
    await openHydrated(page, '/services');
    await page.getByRole('link', { name: 'Criticality' }).click();
    await expect(page).toHaveURL(/sort=criticality/);
    const header = page.getByRole('columnheader', { name: /Criticality/ });
    await expect(header).toHaveAttribute('aria-sort', 'ascending');
    await page.getByRole('link', { name: /Criticality/ }).click();
    await expect(header).toHaveAttribute('aria-sort', 'descending');
    await expect(page.locator('tbody tr').first().locator('.badge').first()).toHaveText('Critical');
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign in, then read, sort and open the catalogue', async ({ page }) => {
    await page.goto('/services');
    await expect(page).toHaveURL(/\/login\?next=%2Fservices$/);
    await page.getByLabel('E-mail address').fill(demo.requester);
    await page.getByLabel('Password').fill('conform-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/services$/);
    await expect(page.getByRole('cell', { name: 'Customer portal' })).toBeVisible();
    await page.getByRole('link', { name: 'Owner' }).click();
    await expect(page).toHaveURL(/sort=owner/);
    await page.getByRole('link', { name: 'Customer portal' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Customer portal' })).toBeVisible();
    await expect(page.locator('dl.details')).toContainText('Marcus Oyelaran');
  });

  test('a service can be created through the plain form', async ({ page }) => {
    const name = unique('No-script service');
    await page.goto('/login?next=%2Fservices%2Fnew');
    await page.getByLabel('E-mail address').fill(demo.serviceOwner);
    await page.getByLabel('Password').fill('conform-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/services\/new$/);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Service owner').fill('Ingrid Solberg');
    await page.getByLabel('Criticality').selectOption('medium');
    await page.getByLabel('Status').selectOption('live');
    await page.getByRole('button', { name: 'Create service' }).click();
    await expect(page).toHaveURL(/\/services\/\d+$/);
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  });
});
