import { Page } from '@playwright/test';
import { demo, expect, hydrated, openHydrated, signedInPage, test } from './helpers';

/** Reports an incident on the customer portal through the form; returns its record's path. */
async function report(page: Page, title: string) {
  await openHydrated(page, '/incidents/new');
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Customer portal' });
  await page.getByLabel('Impact', { exact: true }).selectOption('medium');
  await page.getByLabel('Urgency', { exact: true }).selectOption('medium');
  await page.getByRole('button', { name: 'Report' }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await hydrated(page);
  return new URL(page.url()).pathname;
}

test('a problem found from three incidents becomes a known error offered on the next incident', async ({ browser }) => {
  test.setTimeout(120_000);
  const resolver = await signedInPage(browser, demo.resolver);
  const requester = await signedInPage(browser, demo.requester);
  // A word no other record holds, so the known error offered is this one.
  const marker = `gryphon${Date.now().toString(36)}`;
  const work = resolver.page;

  const records: string[] = [];
  for (const n of [1, 2, 3]) {
    records.push(await report(work, `Basket ${marker} empties at checkout (${n})`));
  }
  const references = records.map((path) => `INC-${path.split('/').pop()}`);

  // The third incident raises the problem, filled in from it; the other two are added.
  await work.getByRole('link', { name: 'Raise a problem from this incident' }).click();
  await expect(work).toHaveURL(/\/problems\/new\?/);
  await hydrated(work);
  await expect(work.getByLabel('Incidents it explains')).toHaveValue(references[2]);
  await expect(work.getByLabel('Service', { exact: true })).toHaveValue(/\d+/);
  await work.getByLabel('Title', { exact: true }).fill(`Basket ${marker} loses its items`);
  await work.getByLabel('Incidents it explains').fill(references.join(', '));
  await work.getByRole('button', { name: 'Raise the problem' }).click();
  await expect(work).toHaveURL(/\/problems\/\d+$/);
  await hydrated(work);
  const problemPath = new URL(work.url()).pathname;
  const problemRef = `PRB-${problemPath.split('/').pop()}`;
  await expect(work.getByRole('heading', { level: 1 })).toContainText(problemRef);
  await expect(work.getByRole('heading', { name: 'Incidents it explains (3)' })).toBeVisible();
  for (const reference of references) {
    await expect(work.getByRole('link', { name: reference })).toBeVisible();
  }

  // Not a known error before the analysis says why and how to work around it.
  await work.getByLabel('Owner', { exact: true }).selectOption({ label: 'Jordan Fixer' });
  await work.getByRole('button', { name: 'Start the analysis' }).click();
  await expect(work.locator('.page-actions')).toContainText('Analysing');
  await expect(work.getByRole('button', { name: 'Record as a known error' })).toHaveCount(0);
  await expect(work.getByText(/Record the root cause and a workaround in the analysis/)).toBeVisible();
  await work.getByLabel('Method', { exact: true }).selectOption({ label: 'Five whys' });
  await work.getByLabel('Root cause', { exact: true }).fill('The session cache evicts baskets when the cache node restarts.');
  await work.getByLabel('Workaround', { exact: true }).fill(`Ask the customer to sign out and in again; the basket ${marker} comes back from the order service.`);
  await work.getByRole('button', { name: 'Save the analysis' }).click();
  await expect(work.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await work.getByRole('button', { name: 'Record as a known error' }).click();
  await expect(work.locator('.page-actions')).toContainText('Known error');
  await expect(work.getByText('Offered as a known error')).toBeVisible();

  // A refused step says why beside the field and keeps what was typed.
  const why = work.getByLabel('What removed the cause (resolving), or why it closes');
  await why.fill('Patched');
  await work.getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(work.locator('#prb-resolution-error')).not.toBeEmpty();
  await expect(why).toHaveValue('Patched');
  await expect(work.locator('.page-actions')).toContainText('Known error');

  // The next person to report it is offered the known error while typing, and applies it.
  const page = requester.page;
  await openHydrated(page, '/incidents/new');
  await page.getByLabel('Title', { exact: true }).pressSequentially(`My basket ${marker} is empty again`, { delay: 10 });
  const offered = page.locator('.known-error-suggestions');
  await expect(offered).toContainText(problemRef, { timeout: 10_000 });
  await expect(offered).toContainText('sign out and in again');
  await offered.getByRole('button', { name: `Apply ${problemRef}` }).click();
  await expect(page.locator('.known-error-applied')).toContainText(`Known error ${problemRef} applied`);
  await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Customer portal' });
  await page.getByLabel('Impact', { exact: true }).selectOption('low');
  await page.getByLabel('Urgency', { exact: true }).selectOption('medium');
  await page.getByRole('button', { name: 'Report' }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await hydrated(page);
  // The new incident is linked and carries the workaround.
  await expect(page.getByRole('link', { name: problemRef })).toBeVisible();
  await expect(page.locator('.incident-timeline')).toContainText(`Known error ${problemRef} applied`);
  await openHydrated(work, problemPath);
  await expect(work.getByRole('heading', { name: 'Incidents it explains (4)' })).toBeVisible();

  // The fix goes to change management in one step.
  await work.getByRole('button', { name: 'Raise the change that removes the cause' }).click();
  await expect(work).toHaveURL(/\/changes\/\d+$/);
  await hydrated(work);
  await expect(work.getByRole('heading', { level: 1 })).toContainText(`Remove the cause of ${problemRef}`);
  await resolver.context.close();
  await requester.context.close();
});
