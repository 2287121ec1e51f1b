import { demo, hydrated, inDays, openHydrated, signedInPage, test, expect, unique } from './helpers';

test('a risk is rated and treated; above the appetite only a quality manager who never owned it accepts it', async ({ browser, problems }) => {
  test.setTimeout(90_000);
  const owner = await signedInPage(browser, demo.serviceOwner);
  const title = unique('Backups of the portal are never restored');
  const page = owner.page;

  await openHydrated(page, '/risks');
  await expect(page.getByRole('heading', { name: 'SMS risks and opportunities', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Record a risk' }).click();
  await expect(page).toHaveURL(/\/risks\/new$/);
  await hydrated(page);
  // Nothing chosen: each field says what it needs, and nothing is recorded.
  await page.getByRole('button', { name: 'Record the risk' }).click();
  await expect(page.getByText('Choose the likelihood before treatment, 1 to 5.')).toBeVisible();
  await expect(page).toHaveURL(/\/risks\/new$/);

  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Description (cause and consequence)').fill('A restore was never tested; a corrupted backup is found only when it is needed.');
  await page.getByLabel('Owner', { exact: true }).selectOption({ label: 'Dana Whitfield' });
  await page.getByLabel('Customer portal').check();
  await page.getByLabel('An information security risk, threatening:').check();
  await page.getByLabel('Integrity').check();
  await page.getByLabel('Availability').check();
  await page.getByLabel('Likelihood before treatment').selectOption('4');
  await page.getByLabel('Impact before treatment').selectOption('5');
  await page.getByLabel('Treatment', { exact: true }).selectOption('reduce');
  // Treatment cannot make it worse than it was.
  await page.getByLabel('Likelihood after treatment').selectOption('5');
  await page.getByLabel('Impact after treatment').selectOption('4');
  await page.getByLabel('First review').fill(inDays(60));
  await page.getByRole('button', { name: 'Record the risk' }).click();
  await expect(page.getByText('the residual rating is at most the inherent one')).toBeVisible();
  await page.getByLabel('Treatment plan').fill('Restore one backup a month into a test system and record the result.');
  await page.getByLabel('Likelihood after treatment').selectOption('3');
  await page.getByRole('button', { name: 'Record the risk' }).click();
  await expect(page).toHaveURL(/\/risks\/\d+$/);
  await hydrated(page);
  const record = new URL(page.url()).pathname;
  await expect(page.getByRole('heading', { level: 1 })).toContainText(title);
  await expect(page.locator('dl.details')).toContainText('High 12');
  await expect(page.locator('dl.details')).toContainText('Threatens I·A');
  // Above the appetite: its owner is told who accepts it and is not offered the step.
  await expect(page.getByRole('note')).toContainText('above the appetite');
  await expect(page.getByRole('button', { name: 'Accept the residual risk' })).toHaveCount(0);

  // The treatment becomes an improvement in one step, linked back to the risk.
  await page.getByRole('link', { name: 'Raise an improvement for this treatment' }).click();
  await expect(page).toHaveURL(/\/improvements\/new\?/);
  await hydrated(page);
  await expect(page.getByLabel('Title', { exact: true })).toHaveValue(new RegExp(`^Treat RSK-\\d+: ${title}`));
  await expect(page.getByLabel('Source', { exact: true })).toHaveValue('risk_treatment');

  // The register: the heat map's residual cell leads to the risk.
  await openHydrated(page, '/risks');
  const residual = page.locator('table.heat-map', { has: page.getByText('After treatment (residual)') });
  await residual.getByRole('link', { name: /at Possible \(3\) × Major \(4\) = 12/ }).click();
  await expect(page).toHaveURL(/cell=3-4/);
  await expect(page.getByRole('row', { name: new RegExp(title) })).toBeVisible();

  // The quality manager, who never owned it, accepts it; the record says who and when.
  const quality = await signedInPage(browser, demo.quality);
  await openHydrated(quality.page, record);
  await quality.page.getByRole('button', { name: 'Accept the residual risk' }).click();
  await expect(quality.page.locator('.page-actions')).toContainText('Accepted');
  await expect(quality.page.locator('dl.details')).toContainText('by Quinn Quality');
  // Accepted, it keeps its rating: the owner can reopen it, no longer edit it.
  await page.goto(record);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Rate and treat' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Reopen' })).toBeVisible();

  // The owner records a review; the next review date moves.
  const next = inDays(120);
  await page.getByLabel('What the review found').fill('Monthly restore tests ran twice without fault.');
  await page.locator('#risk-next-review').fill(next);
  await page.getByRole('button', { name: 'Record the review' }).click();
  await expect(page.locator('ol.timeline')).toContainText('Monthly restore tests ran twice without fault.');
  await expect(page.locator('dl.details')).toContainText(next);
  expect(problems).toEqual([]);
  for (const session of [owner, quality]) await session.context.close();
});
