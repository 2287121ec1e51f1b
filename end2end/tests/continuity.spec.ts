import { demo, hydrated, openHydrated, signedInPage, test, expect, unique } from './helpers';

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
  // Suppliers come from the register: free text it does not hold is refused.
  const suppliers = page.getByLabel('Suppliers it needs (one per line: name; their recovery time)');
  await suppliers.fill('Hosting partner; 2 d');
  await page.getByRole('button', { name: 'Save the analysis' }).click();
  await expect(page.getByText('Not in the supplier register (or retired): Hosting partner.')).toBeVisible();
  await suppliers.fill('northwind hosting; 2 d');
  await page.getByRole('button', { name: 'Save the analysis' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  // The supplier recovers later than the service must: flagged on the analysis, which links
  // to the register entry in its own spelling.
  await expect(page.getByText('Recovers later than this service needs: Northwind Hosting.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Northwind Hosting' })).toHaveAttribute('href', /\/suppliers\/\d+$/);
  await expect(page.getByLabel('RTO (recovery time objective)')).toHaveValue('4 h');

  expect(problems).toEqual([]);
  await owner.context.close();
});

/** Sets a service's RTO through its impact analysis page (MTPD 1 d, RPO 1 h). */
async function setRto(page: import('@playwright/test').Page, service: string, rto: string) {
  await openHydrated(page, '/services');
  await page.getByRole('link', { name: service, exact: true }).click();
  await hydrated(page);
  await page.getByRole('link', { name: 'Impact analysis' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Impact analysis');
  await hydrated(page);
  await page.getByLabel('MTPD (maximum tolerable period of disruption)').fill('1 d');
  await page.getByLabel('RTO (recovery time objective)').fill(rto);
  await page.getByLabel('RPO (recovery point objective)').fill('1 h');
  await page.getByRole('button', { name: 'Save the analysis' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
}

/** Starts a plan covering `service` from the continuity page; returns the plan's URL. */
async function startPlan(page: import('@playwright/test').Page, title: string, service: string, owner: string) {
  await openHydrated(page, '/continuity');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Owner').selectOption({ label: owner });
  await page.getByLabel(service, { exact: true }).check();
  await page.getByRole('button', { name: 'Start the plan' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await hydrated(page);
  return page.url();
}

const saved = (page: import('@playwright/test').Page) =>
  expect(page.getByTestId('save-state')).toHaveText('All changes saved', { timeout: 10_000 });

test('a plan is written by keyboard, warns as the recovery outgrows the RTO, is reviewed, approved, redrafted, compared and printed', async ({ browser, problems }) => {
  test.setTimeout(120_000);
  const owner = await signedInPage(browser, demo.serviceOwner);
  const page = owner.page;
  await setRto(page, 'Video conferencing', '4 h');
  const title = unique('Video conferencing plan');
  const url = await startPlan(page, title, 'Video conferencing', 'Dana Whitfield');

  // Sections are separate fields; steps are written without leaving the keyboard.
  await page.getByRole('textbox', { name: 'Scope', exact: true }).fill('Video meetings for all staff');
  // Each new step's title takes the focus; one types once the cursor is there.
  const stepTitle = (n: number) => page.locator('.step-row').nth(n).getByLabel(/title/);
  await page.getByRole('button', { name: 'Add step' }).press('Enter');
  await expect(stepTitle(0)).toBeFocused();
  await page.keyboard.type('Declare the incident');
  await page.keyboard.press('Enter');
  await expect(stepTitle(1)).toBeFocused();
  await page.keyboard.type('Fail over to the second region');
  await page.keyboard.press('Enter');
  await expect(stepTitle(2)).toBeFocused();
  await page.keyboard.type('Tell the users');
  // Alt+↑ moves the step up, Alt+↓ back down, Alt+→ makes it a sub-step.
  await page.keyboard.press('Alt+ArrowUp');
  await expect(page.locator('.step-row').nth(1).getByLabel(/title/)).toHaveValue('Tell the users');
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page.locator('.step-row').nth(2).getByLabel(/title/)).toHaveValue('Tell the users');
  await page.keyboard.press('Alt+ArrowRight');
  await expect(page.locator('.step-row').nth(2)).toHaveClass(/\bstep-depth-1\b/);

  for (const key of [1, 2, 3]) {
    await page.locator(`#step-${key}-owner`).selectOption({ label: 'Dana Whitfield' });
  }
  await page.locator('#step-1-duration').fill('15 min');
  await page.locator('#step-2-waits').fill('1');
  await page.locator('#step-3-waits').fill('2');
  await page.locator('#step-3-duration').fill('15 min');
  await page.locator('#step-2-duration').fill('2 h');
  await expect(page.locator('.timeline-summary')).toContainText('Recovery takes 2 h 30 min');
  await expect(page.getByText(/must be back within 4 h/)).toHaveCount(0);

  // The failover grows: the plan now misses the service's RTO, and says so at once.
  await page.locator('#step-2-duration').fill('5 h');
  await expect(page.getByText('The recovery takes 5 h 30 min but Video conferencing must be back within 4 h (its RTO).')).toBeVisible();
  await expect(page.locator('.timeline-rto.over')).toBeVisible();
  await page.locator('#step-2-duration').fill('3 h');
  await expect(page.getByText(/must be back within 4 h/)).toHaveCount(0);

  // A bad value is explained where it was typed and never saved.
  await page.locator('#step-3-waits').fill('2, 9');
  await expect(page.getByText('No other step is numbered #9.')).toBeVisible();
  await page.locator('#step-3-waits').fill('2');

  // Undo takes back the last edit.
  await page.getByRole('textbox', { name: 'Activation criteria and authority', exact: true }).fill('Wrong text');
  await page.getByRole('button', { name: 'Undo last edit' }).click();
  await expect(page.getByRole('textbox', { name: 'Activation criteria and authority', exact: true })).toHaveValue('');
  await page.getByRole('textbox', { name: 'Activation criteria and authority', exact: true }).fill('Invoked by the service owner when meetings are down for 30 min');
  await saved(page);

  await page.getByRole('button', { name: 'Send to review' }).click();
  await expect(page.locator('.plan-version-line')).toContainText('In review');

  // The continuity manager comments on a section and approves.
  const manager = await signedInPage(browser, demo.continuity);
  await openHydrated(manager.page, new URL(url).pathname);
  await manager.page.getByLabel('Comment on recovery steps').fill('Name the fallback bridge number in step 3.');
  await manager.page.locator('form.comment-form', { has: manager.page.getByLabel('Comment on recovery steps') }).getByRole('button', { name: 'Add comment' }).click();
  await expect(manager.page.getByText('Name the fallback bridge number in step 3.')).toBeVisible();
  await manager.page.getByRole('button', { name: 'Approve' }).click();
  await expect(manager.page.locator('.plan-version-line')).toContainText('Approved');

  // The owner starts version 2 from the approved one and changes a step.
  await openHydrated(page, new URL(url).pathname);
  await page.getByRole('button', { name: 'Start a new draft' }).click();
  await expect(page.locator('.plan-version-line')).toContainText('Version 2');
  await hydrated(page);
  await page.locator('#step-3-title').fill('Tell the users the fallback bridge number');
  await saved(page);

  await page.getByLabel('From', { exact: true }).selectOption({ label: 'Version 1 (approved)' });
  await page.getByLabel('To', { exact: true }).selectOption({ label: 'Version 2 (draft)' });
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Changes from version 1 (approved) to version 2 (draft)');
  await expect(page.locator('.diff-added')).toContainText('Tell the users the fallback bridge number');
  await expect(page.locator('.diff-removed')).toContainText('Tell the users —');

  // The paper copy: call tree first, steps as boxes to tick, no navigation.
  const print = await owner.context.newPage();
  await print.goto(`${new URL(url).pathname}/print?version=1`);
  await expect(print.locator('nav')).toHaveCount(0);
  await expect(print.locator('input[type=checkbox]')).toHaveCount(3);
  await print.screenshot({ path: test.info().outputPath('plan-print.png'), fullPage: true });

  expect(problems).toEqual([]);
  await manager.context.close();
  await owner.context.close();
});

test('two people editing the same draft: the second save is not silent, they merge section by section', async ({ browser, problems }) => {
  const owner = await signedInPage(browser, demo.serviceOwner);
  const url = await startPlan(owner.page, unique('Field service plan'), 'Field service app', 'Dana Whitfield');
  const manager = await signedInPage(browser, demo.continuity);
  await openHydrated(manager.page, new URL(url).pathname);

  await owner.page.getByRole('textbox', { name: 'Scope', exact: true }).fill('Field engineers and their tablets');
  await saved(owner.page);

  // The manager's copy was loaded before that save: theirs and mine now differ.
  await manager.page.getByRole('textbox', { name: 'Activation criteria and authority', exact: true }).fill('Invoked by the continuity manager');
  await expect(manager.page.getByRole('alertdialog')).toContainText('Someone else changed this draft');
  await expect(manager.page.getByTestId('save-state')).toContainText('someone else changed this draft');
  const scope = manager.page.getByRole('group', { name: 'Scope' });
  await scope.getByLabel('Take theirs').check();
  await manager.page.getByRole('button', { name: 'Save the merged draft' }).click();
  await saved(manager.page);
  await expect(manager.page.getByRole('textbox', { name: 'Scope', exact: true })).toHaveValue('Field engineers and their tablets');

  // Both edits survive.
  await openHydrated(owner.page, new URL(url).pathname);
  await expect(owner.page.getByRole('textbox', { name: 'Scope', exact: true })).toHaveValue('Field engineers and their tablets');
  await expect(owner.page.getByRole('textbox', { name: 'Activation criteria and authority', exact: true })).toHaveValue('Invoked by the continuity manager');

  expect(problems).toEqual([]);
  await manager.context.close();
  await owner.context.close();
});

test('an exercise is planned, its result recorded against the RTO, and a finding put in the register', async ({ browser, problems }) => {
  const manager = await signedInPage(browser, demo.continuity);
  const page = manager.page;
  await openHydrated(page, '/continuity');
  await page.getByRole('link', { name: 'Customer portal continuity plan' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customer portal continuity plan' })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText('Never exercised.')).toBeVisible();

  await page.getByText('Plan an exercise').click();
  await page.getByLabel('Kind').selectOption({ label: 'Simulation' });
  await page.getByLabel('Date').fill('2026-12-15');
  await page.getByLabel('Participants').fill('Portal team, database administrator, hosting partner');
  await page.getByLabel('Objectives').fill('Fail the portal over to the second data centre within its RTO');
  await page.getByRole('button', { name: 'Plan the exercise' }).click();
  const exercise = page.locator('li.exercise', { hasText: 'Simulation on 2026-12-15' });
  await expect(exercise).toContainText('Planned');

  // A partial pass must say what went wrong; the recovery time is judged against the RTO.
  await exercise.getByLabel('Result').selectOption({ label: 'Partly passed' });
  await exercise.getByLabel('Recovery took').fill('3 h');
  await exercise.getByRole('button', { name: 'Record the result' }).click();
  await expect(exercise.getByText('Say what did not work: one finding per line.').first()).toBeVisible();
  await exercise.getByLabel('Findings (one per line)').fill('DNS change took 40 minutes to propagate\nRunbook missed the cache warm-up');
  await exercise.getByRole('button', { name: 'Record the result' }).click();
  await expect(exercise).toContainText('Recovered in 3 h against an RTO of 2 h — missed.');
  await expect(exercise).toContainText('Partly passed');

  // One click puts a finding in the improvement register, linked back.
  const finding = exercise.locator('ul.findings li', { hasText: 'DNS change took 40 minutes' });
  await finding.getByRole('button', { name: 'Put in the register' }).click();
  const link = finding.getByRole('link', { name: /IMP-/ });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('DNS change took 40 minutes to propagate');

  expect(problems).toEqual([]);
  await manager.context.close();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a plan is read and two versions compared without JavaScript', async ({ page }) => {
    await page.goto('/login?next=%2Fcontinuity');
    await page.getByLabel('E-mail address').fill(demo.requester);
    await page.getByLabel('Password').fill('conform-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/continuity$/);
    await page.getByRole('link', { name: 'Payroll continuity plan' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Payroll continuity plan' })).toBeVisible();
    // The approved version in force: call tree, steps with their start times, the timeline.
    await expect(page.locator('.plan-version-line')).toContainText('Approved');
    await expect(page.getByRole('cell', { name: 'Omar Haddad' })).toBeVisible();
    await expect(page.locator('.steps-table tbody tr')).toHaveCount(9);
    await expect(page.locator('.timeline-summary')).toContainText('Recovery takes 5 h');
    // A requester reads but is offered no lifecycle moves and no comment forms.
    await expect(page.getByRole('button', { name: 'Start a new draft' })).toHaveCount(0);
    await expect(page.locator('form.comment-form')).toHaveCount(0);
    await page.getByRole('button', { name: 'Compare' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Changes from version 1 (superseded) to version 2 (approved)');
    await expect(page.locator('.diff-added').first()).toBeVisible();
  });
});
