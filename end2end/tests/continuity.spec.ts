import { demo, hydrated, openHydrated, signedInPage, test, expect } from './helpers';

test('a service owner fills in a business impact analysis: the MTPD is suggested, an RTO beyond it is refused', async ({ browser, problems }) => {
  const owner = await signedInPage(browser, demo.serviceOwner);
  const page = owner.page;
  await openHydrated(page, '/services');
  await page.locator('tbody tr a').first().click();
  await hydrated(page);
  await page.getByRole('link', { name: 'Impact analysis' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Impact analysis');
  await hydrated(page);
  await expect(page.getByText('No impact becomes severe within a week')).toBeVisible();

  // Customers suffer severely after a day: that becomes the suggested MTPD.
  await page.getByLabel('Customer / contractual impact after 4 hours').selectOption('3');
  await page.getByLabel('Customer / contractual impact after 1 day').selectOption('4');
  await page.getByLabel('Customer / contractual impact after 3 days').selectOption('4');
  await page.getByLabel('Customer / contractual impact after 1 week').selectOption('4');
  await expect(page.getByText('Suggested MTPD: 1 d')).toBeVisible();

  await page.getByLabel('MTPD (maximum tolerable period of disruption)').fill('1 d');
  await page.getByLabel('RTO (recovery time objective)').fill('2 d');
  await page.getByLabel('RPO (recovery point objective)').fill('1 h');
  await page.getByRole('button', { name: 'Save the analysis' }).click();
  await expect(page.getByText('The RTO (2 d) cannot be longer than the MTPD (1 d)')).toBeVisible();

  await page.getByLabel('RTO (recovery time objective)').fill('4 h');
  await page.getByLabel('Suppliers it needs (one per line: name; their recovery time)').fill('Hosting partner; 2 d');
  await page.getByRole('button', { name: 'Save the analysis' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  // The supplier recovers later than the service must: flagged on the analysis.
  await expect(page.getByText('Recovers later than this service needs: Hosting partner.')).toBeVisible();
  await expect(page.getByLabel('RTO (recovery time objective)')).toHaveValue('4 h');

  expect(problems).toEqual([]);
  await owner.context.close();
});
