import { demo, hydrated, openHydrated, signedInPage, test, expect, unique } from './helpers';

test('an improvement is raised, measured against its target and moved on by owner and quality manager', async ({ browser, problems }) => {
  const owner = await signedInPage(browser, demo.serviceOwner);
  const quality = await signedInPage(browser, demo.quality);
  const page = owner.page;
  const title = unique('Cut repeat portal incidents');

  // Raised through the form: refusals first, then success.
  await openHydrated(page, '/improvements/new');
  await page.getByRole('button', { name: 'Add to the register' }).click();
  await expect(page.getByText('Choose where the improvement comes from.')).toBeVisible();
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Source', { exact: true }).selectOption('incident_trend');
  await page.getByLabel('SMS clauses (e.g. 8.5.1, 10.2)').fill('8.6.1, 11.9');
  await page.getByLabel('Benefit score (1–5)').selectOption('4');
  await page.getByLabel('Effort').selectOption('M');
  await page.getByLabel('Owner', { exact: true }).selectOption({ label: 'Dana Whitfield' });
  await page.getByRole('button', { name: 'Add to the register' }).click();
  await expect(page.getByText('“11.9” is not a clause of ISO/IEC 20000-1')).toBeVisible();
  await page.getByLabel('SMS clauses (e.g. 8.5.1, 10.2)').fill('8.6.1, 10.2');
  await page.getByRole('button', { name: 'Add to the register' }).click();
  await expect(page).toHaveURL(/\/improvements\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(title);
  // Benefit 4, effort M: 4 − 1 = 3, a medium priority by the rule shown.
  await expect(page.locator('.page-actions')).toContainText('Medium');
  const url = new URL(page.url()).pathname;

  // A KPI, then measured values: the verdict follows the latest one.
  await page.getByText('Add a KPI').click();
  await page.getByLabel('KPI', { exact: true }).fill('Repeat incidents a month');
  await page.getByLabel('Unit').fill('incidents');
  await page.getByLabel('Baseline').fill('40');
  await page.getByLabel('Target', { exact: true }).fill('25');
  await page.getByLabel('Better is').selectOption('lower');
  await page.getByRole('button', { name: 'Add KPI' }).click();
  const kpi = page.locator('section.kpi');
  await expect(kpi).toContainText('Not measured yet');
  const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
  await kpi.getByLabel('Measured on').fill(day(30));
  await kpi.getByLabel('Value (incidents)').fill('33');
  await kpi.getByRole('button', { name: 'Add measurement' }).click();
  await expect(kpi.locator('.kpi-verdict')).toContainText('Target not met yet');
  await expect(kpi.locator('svg circle')).toHaveCount(1);
  await kpi.getByLabel('Measured on').fill(day(1));
  await kpi.getByLabel('Value (incidents)').fill('22');
  await kpi.getByRole('button', { name: 'Add measurement' }).click();
  await expect(kpi.locator('.kpi-verdict')).toContainText('Target met');
  await expect(kpi.locator('svg circle')).toHaveCount(2);

  // The owner evaluates; only someone else (the quality manager) approves.
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.locator('.page-actions')).toContainText('Evaluated');
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await openHydrated(quality.page, url);
  await quality.page.getByRole('button', { name: 'Approve' }).click();
  await expect(quality.page.locator('.page-actions')).toContainText('Approved');

  // The register lists it; filters narrow it down.
  await openHydrated(quality.page, `/improvements?q=${encodeURIComponent(title)}`);
  await expect(quality.page.getByRole('row', { name: new RegExp(title) })).toContainText('Approved');
  await openHydrated(quality.page, '/improvements?state=closed');
  await expect(quality.page.getByRole('row', { name: new RegExp(title) })).toHaveCount(0);

  // The register exports as CSV with the same filters.
  const csv = await quality.page.request.get(`/improvements/export.csv?q=${encodeURIComponent(title)}`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toContain('text/csv');
  const text = await csv.text();
  expect(text).toContain('Reference,Title,Description,Source');
  expect(text).toContain(title);
  expect(text.trim().split('\n')).toHaveLength(2);

  expect(problems).toEqual([]);
  await owner.context.close();
  await quality.context.close();
});

test('an auditor raises a nonconformity; its owner records the correction and the root cause', async ({ browser, problems }) => {
  const auditor = await signedInPage(browser, demo.auditor);
  const owner = await signedInPage(browser, demo.serviceOwner);
  const description = unique('Emergency changes without a retrospective review');

  await openHydrated(auditor.page, '/nonconformities');
  const raise = auditor.page.locator('form', { has: auditor.page.getByRole('button', { name: 'Raise' }) });
  await raise.getByLabel('Grade').selectOption('minor');
  await raise.getByLabel('Requirement not met (clause)').fill('8.5.1');
  await raise.getByLabel('Found in').selectOption('audit');
  await raise.getByLabel('Description').fill(description);
  await raise.getByLabel('Owner').selectOption({ label: 'Dana Whitfield' });
  await raise.getByRole('button', { name: 'Raise' }).click();
  await expect(auditor.page).toHaveURL(/\/nonconformities\/\d+$/);
  await hydrated(auditor.page);
  await expect(auditor.page.locator('.page-actions')).toContainText('Raised');
  const url = new URL(auditor.page.url()).pathname;

  // The auditor is not the owner: the step is refused with the reason.
  await auditor.page.getByLabel('Immediate correction').fill('Reviewed both changes.');
  await auditor.page.getByRole('button', { name: 'Record the correction' }).click();
  await expect(auditor.page.getByRole('alert')).toContainText('Only the owner or a quality manager');

  await openHydrated(owner.page, url);
  await owner.page.getByLabel('Immediate correction').fill('Reviewed both changes the same day.');
  await owner.page.getByRole('button', { name: 'Record the correction' }).click();
  await expect(owner.page.locator('.page-actions')).toContainText('Contained');
  await owner.page.getByLabel('Root cause').fill('The emergency path has no review task.');
  await owner.page.getByLabel('Method').selectOption('five_whys');
  await owner.page.getByLabel('Similar nonconformities elsewhere (what was checked)').fill('Standard changes checked: not affected.');
  await owner.page.getByRole('button', { name: 'Record the root cause' }).click();
  await expect(owner.page.locator('.page-actions')).toContainText('Root cause analysed');

  await openHydrated(auditor.page, '/nonconformities');
  await expect(auditor.page.getByRole('row', { name: new RegExp(description) })).toContainText('Root cause analysed');
  expect(problems).toEqual([]);
  await auditor.context.close();
  await owner.context.close();
});
