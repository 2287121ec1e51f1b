import { demo, drag, hydrated, openHydrated, signedInPage, test, expect, unique } from './helpers';

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
  // A quality manager may hand it over: the panel offers the people, the owner chosen.
  await quality.page.getByText('Hand over or change the approver').click();
  await expect(quality.page.locator('#resp-owner option:checked')).toHaveText('Dana Whitfield');
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

test('a nonconformity is worked to actions done; its effectiveness waits for the organisation\'s minimum period', async ({ browser, problems }) => {
  const auditor = await signedInPage(browser, demo.auditor);
  const quality = await signedInPage(browser, demo.quality);
  const description = unique('Changes closed without a post-implementation review');

  await openHydrated(auditor.page, '/nonconformities');
  const raise = auditor.page.locator('form', { has: auditor.page.getByRole('button', { name: 'Raise' }) });
  await raise.getByLabel('Grade').selectOption('minor');
  await raise.getByLabel('Requirement not met (clause)').fill('8.5.1');
  await raise.getByLabel('Found in').selectOption('audit');
  await raise.getByLabel('Description').fill(description);
  await raise.getByLabel('Owner').selectOption({ label: 'Quinn Quality' });
  // Nobody judges effectiveness sooner than the organisation's minimum (30 days by default).
  await raise.getByLabel('Days to wait before judging effectiveness').fill('0');
  await raise.getByRole('button', { name: 'Raise' }).click();
  await expect(raise.locator('#nc-wait-error')).toContainText("minimum waiting period is 30 days");
  await raise.getByLabel('Days to wait before judging effectiveness').fill('');
  await raise.getByRole('button', { name: 'Raise' }).click();
  await expect(auditor.page).toHaveURL(/\/nonconformities\/\d+$/);
  const url = new URL(auditor.page.url()).pathname;

  const page = quality.page;
  await openHydrated(page, url);
  const state = page.locator('.page-actions');
  await page.getByLabel('Immediate correction').fill('Reviewed the two changes the same day.');
  await page.getByRole('button', { name: 'Record the correction' }).click();
  await expect(state).toContainText('Contained');
  await page.getByLabel('Root cause').fill('The closing step does not ask for the review.');
  await page.getByLabel('Method').selectOption('cause_categories');
  await page.getByLabel('Similar nonconformities elsewhere (what was checked)').fill('Standard changes: not affected.');
  await page.getByRole('button', { name: 'Record the root cause' }).click();
  await expect(state).toContainText('Root cause analysed');

  // A corrective action, which also goes to the improvement register with links both ways.
  const action = unique('Make the review a required closing step');
  await page.getByLabel('Corrective action').fill(action);
  await page.getByLabel('Action owner').selectOption({ label: 'Quinn Quality' });
  await page.getByLabel('Due', { exact: true }).fill(new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10));
  await page.getByRole('button', { name: 'Add action' }).click();
  const listed = page.locator('.corrective-actions li', { hasText: action });
  await expect(listed).toBeVisible();
  await listed.getByRole('button', { name: 'Put in the register' }).click();
  const entryLink = listed.getByRole('link', { name: /^IMP-\d{5}$/ });
  await expect(entryLink).toBeVisible();
  const entryHref = await entryLink.getAttribute('href');

  await page.getByRole('button', { name: 'Actions planned' }).click();
  await expect(state).toContainText('Corrective action planned');
  await listed.getByRole('button', { name: 'Mark done' }).click();
  await expect(listed).toContainText('Done');
  await page.getByRole('button', { name: 'All actions done' }).click();
  await expect(state).toContainText('Actions done');
  // The owner may not judge their own actions.
  await expect(page.getByRole('button', { name: 'Effective', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Effective', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('other than the owner');

  // The auditor is independent, but the actions have to prove themselves first.
  await openHydrated(auditor.page, url);
  await auditor.page.getByRole('button', { name: 'Effective', exact: true }).click();
  await expect(auditor.page.getByRole('alert')).toContainText(/Effectiveness is judged from \d{4}-\d{2}-\d{2}/);
  await expect(auditor.page.locator('.page-actions')).toContainText('Actions done');

  // The register entry links back to its nonconformity.
  await openHydrated(page, entryHref!);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(action);
  await page.getByRole('link', { name: /^NC-\d{5}$/ }).click();
  await expect(page).toHaveURL(new RegExp(`${url}$`));

  expect(problems).toEqual([]);
  await auditor.context.close();
  await quality.context.close();
});

test('a register imports from CSV (all or nothing), exports, re-imports and moves on the Kanban by mouse and keyboard', async ({ browser, problems }) => {
  const quality = await signedInPage(browser, demo.quality);
  const page = quality.page;
  const batch = unique('Imported');
  const first = `${batch} patch report automation`;
  const second = `${batch} supplier review calendar`;
  const file = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf-8') });

  // A malformed file: every bad row is reported and nothing can be imported.
  await openHydrated(page, '/improvements/import');
  const bad = [
    'Title,Source,Owner,Benefit score,Effort,Target date',
    `${first},Staff suggestion,service.owner@conform.demo,4,S,2027-03-31`,
    'Tiny,Staff suggestion,service.owner@conform.demo,,,',
    `${second},Gossip,nobody@example.org,9,XXL,next week`,
  ].join('\n');
  await page.getByLabel('CSV file').setInputFiles(file('bad.csv', bad));
  const preview = page.locator('section', { has: page.getByRole('heading', { name: 'Preview' }) });
  await expect(preview).toContainText('2 with errors');
  await expect(preview.locator('tr.row-invalid')).toHaveCount(2);
  await expect(preview).toContainText('Title:');
  await expect(preview).toContainText('nobody active in Conform has the e-mail address or name “nobody@example.org”');
  await expect(preview).toContainText('Effort:');
  await expect(preview).toContainText('Target date:');
  await expect(preview.getByRole('button', { name: /^Import/ })).toHaveCount(0);
  await openHydrated(page, `/improvements?q=${encodeURIComponent(batch)}`);
  await expect(page.getByText('No improvements match.')).toBeVisible();

  // A good file: the preview, then the import.
  await openHydrated(page, '/improvements/import');
  const good = [
    'Title,Source,Owner,Approver,Services,Clauses,Benefit score,Effort,Target date',
    `${first},Staff suggestion,service.owner@conform.demo,quality@conform.demo,,10.2,4,S,2027-03-31`,
    `${second},Change review,Dana Whitfield,,,8.5.1,3,M,2027-06-30`,
  ].join('\n');
  await page.getByLabel('CSV file').setInputFiles(file('register.csv', good));
  await expect(preview).toContainText('2 to create');
  await preview.getByRole('button', { name: 'Import 2 entries' }).click();
  await expect(page.getByText(/Imported 2 entries/)).toBeVisible();

  // Export the batch and import it again: both rows are already there.
  const exported = await page.request.get(`/improvements/export.csv?q=${encodeURIComponent(batch)}`);
  expect(exported.status()).toBe(200);
  const csv = await exported.text();
  expect(csv).toContain(first);
  expect(csv).toContain('Quinn Quality');
  await openHydrated(page, '/improvements/import');
  await page.getByLabel('Or paste the CSV').fill(csv);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(preview).toContainText('0 to create · 2 already in Conform');
  await expect(preview.getByRole('button', { name: /^Import/ })).toHaveCount(0);

  // The Kanban, filtered to this batch: a forbidden drop says why, an allowed one moves it.
  await openHydrated(page, `/improvements/board?q=${encodeURIComponent(batch)}`);
  const card = page.locator('article', { hasText: first });
  await expect(page.locator('[data-state="identified"]').locator('article', { hasText: first })).toBeVisible();
  await drag(page, card, page.locator('[data-state="closed"]'));
  await expect(page.getByText(/Move refused: An improvement cannot go from Identified straight to Closed/)).toBeVisible();
  await drag(page, card, page.locator('[data-state="evaluated"]'));
  await expect(page.locator('[data-state="evaluated"]').locator('article', { hasText: first })).toBeVisible();
  await expect(page.getByText(/moved to Evaluated/)).toBeVisible();

  // The keyboard way: the card's Move button, then the status.
  const other = page.locator('[data-state="identified"]').locator('article', { hasText: second });
  await other.getByRole('button', { name: /^Move IMP-/ }).focus();
  await page.keyboard.press('Enter');
  await other.getByRole('button', { name: '→ Evaluated' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-state="evaluated"]').locator('article', { hasText: second })).toBeVisible();

  // And on to Approved by keyboard: the quality manager decides (Dana owns it).
  const evaluated = page.locator('[data-state="evaluated"]').locator('article', { hasText: second });
  await evaluated.getByRole('button', { name: /^Move IMP-/ }).focus();
  await page.keyboard.press('Enter');
  await evaluated.getByRole('button', { name: '→ Approved' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-state="approved"]').locator('article', { hasText: second })).toBeVisible();

  expect(problems).toEqual([]);
  await quality.context.close();
});
