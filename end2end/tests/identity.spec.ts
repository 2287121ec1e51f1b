import { demo, hydrated, openHydrated, signIn, signedInPage, test, expect, unique } from './helpers';

test.describe('signing in and out', () => {
  test('a wrong password gets one message; the right one signs in; sign-out ends the session', async ({ page, problems }) => {
    await page.goto('/services');
    await expect(page).toHaveURL(/\/login\?next=/);
    await hydrated(page);

    await page.getByLabel('E-mail address').fill(demo.auditor);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('The e-mail address or password is not right.');

    await page.getByLabel('Password').fill('conform-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/services$/);
    await expect(page.getByRole('link', { name: /Ari Auditor/ })).toBeVisible();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto('/services');
    await expect(page).toHaveURL(/\/login\?next=/);
    expect(problems).toEqual([]);
  });
});

test.describe('each role sees only what it may do', () => {
  test('a requester reads the catalogue but is offered no changes', async ({ page }) => {
    await signIn(page, demo.requester);
    await openHydrated(page, '/services');
    await expect(page.getByRole('cell', { name: 'Payroll' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'New service' })).toHaveCount(0);
    await page.getByRole('link', { name: 'Payroll' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Payroll' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Edit' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Archive service' })).toHaveCount(0);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Audit trail' })).toHaveCount(0);
    await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  });

  test('a service owner may add and edit services but not read the audit trail', async ({ page }) => {
    await signIn(page, demo.serviceOwner);
    await openHydrated(page, '/services');
    await expect(page.getByRole('link', { name: 'New service' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' })).toHaveCount(0);
    await openHydrated(page, '/audit');
    await expect(page.getByText('You are not allowed to read the audit trail.')).toBeVisible();
  });

  test('an auditor reads the audit trail with before and after values', async ({ browser }) => {
    const name = unique('Audited service');
    const owner = await signedInPage(browser, demo.serviceOwner);
    await openHydrated(owner.page, '/services/new');
    await owner.page.getByLabel('Name').fill(name);
    await owner.page.getByLabel('Service owner').fill('First Owner');
    await owner.page.getByLabel('Criticality').selectOption('low');
    await owner.page.getByLabel('Status').selectOption('live');
    await owner.page.getByRole('button', { name: 'Create service' }).click();
    await expect(owner.page).toHaveURL(/\/services\/\d+$/);
    const id = owner.page.url().split('/').pop()!;
    await owner.page.getByRole('link', { name: 'Edit' }).click();
    await hydrated(owner.page);
    await owner.page.getByLabel('Service owner').fill('Second Owner');
    await owner.page.getByRole('button', { name: 'Save changes' }).click();
    await expect(owner.page.getByText('Second Owner').first()).toBeVisible();

    // The service's own History tab.
    const history = owner.page.getByRole('region', { name: 'History' });
    await expect(history.getByText(`Updated service ${name}`)).toBeVisible();
    await expect(history.locator('del', { hasText: 'First Owner' })).toBeVisible();
    await expect(history.locator('ins', { hasText: 'Second Owner' })).toBeVisible();

    const auditor = await signedInPage(browser, demo.auditor);
    await auditor.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).click();
    await hydrated(auditor.page);
    await auditor.page.getByLabel('Record type').selectOption('service');
    await auditor.page.getByLabel('Record id').fill(id);
    await auditor.page.getByRole('button', { name: 'Filter' }).click();
    await expect(auditor.page.getByText('2 entries')).toBeVisible();
    const row = auditor.page.getByRole('row', { name: /service_updated/ });
    await expect(row).toContainText('Dana Whitfield');
    await expect(row.locator('del')).toHaveText('First Owner');
    await expect(row.locator('ins')).toHaveText('Second Owner');
    await owner.context.close();
    await auditor.context.close();
  });

  test('the audit trail pages by entry: a page read again is the same page while others write', async ({ page }) => {
    await signIn(page, demo.auditor);
    await openHydrated(page, '/audit');
    const rows = page.locator('.audit-table tbody tr');
    const seqs = async () => (await rows.locator('td:first-child').allInnerTexts()).map(Number);
    await expect(page.getByText(/page 1 of \d+/)).toBeVisible();
    const firstPage = await seqs();

    await page.getByRole('link', { name: 'Older →' }).click();
    await expect(page.getByText(/page 2 of \d+/)).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`page=2&after=${firstPage.at(-1)}`));
    const secondPage = await seqs();
    expect(secondPage[0]).toBeLessThan(firstPage.at(-1)!);

    await page.getByRole('link', { name: 'Older →' }).click();
    await expect(page.getByText(/page 3 of \d+/)).toBeVisible();
    const thirdPage = await seqs();
    // Going back reads before the third page's first entry: the second page again, entry for
    // entry, however many entries other people's work has added at the top since.
    await page.getByRole('link', { name: '← Newer' }).click();
    await expect(page.getByText(/page 2 of \d+/)).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`page=2&before=${thirdPage[0]}`));
    expect(await seqs()).toEqual(secondPage);
    await page.getByRole('link', { name: '← Newer' }).click();
    await expect(page.getByText(/page 1 of \d+/)).toBeVisible();
    await expect(page).not.toHaveURL(/before=|after=/);
  });
});

test.describe('user administration', () => {
  test('an admin adds a user, who signs in; disabling them ends their open session', async ({ browser }) => {
    const email = `${unique('new').replace(/\s/g, '.')}@example.org`;
    const admin = await signedInPage(browser, demo.admin);
    await admin.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await hydrated(admin.page);

    // A validation error first.
    await admin.page.getByLabel('Name', { exact: true }).fill('Nia Newcomer');
    await admin.page.getByLabel('E-mail address').fill(email);
    await admin.page.getByLabel('Initial password (8–128 characters)').fill('short');
    await admin.page.getByRole('button', { name: 'Add user' }).click();
    await expect(admin.page.getByText('Password must be at least 8 characters.')).toBeVisible();
    await admin.page.getByLabel('Initial password (8–128 characters)').fill('a good long password');
    await admin.page.getByRole('button', { name: 'Add user' }).click();
    await expect(admin.page.getByText(`Added Nia Newcomer (${email}).`)).toBeVisible();
    await expect(admin.page.getByRole('cell', { name: email })).toBeVisible();

    const newcomer = await browser.newContext();
    const page = await newcomer.newPage();
    await signIn(page, email, 'a good long password');
    await openHydrated(page, '/services');
    await expect(page.getByRole('cell', { name: 'Payroll' })).toBeVisible();

    const row = admin.page.getByRole('row', { name: new RegExp(email) });
    await row.getByText('Manage Nia Newcomer').click();
    await row.getByRole('button', { name: 'Disable user' }).click();
    await expect(admin.page.getByRole('row', { name: new RegExp(email) })).toContainText('Disabled');

    await page.reload();
    await expect(page).toHaveURL(/\/login/);
    await admin.context.close();
    await newcomer.close();
  });
});
