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
  // Accepting says why: without a reason nothing changes.
  await quality.page.getByRole('button', { name: 'Accept the residual risk' }).click();
  await expect(quality.page.getByText('Say why the risk is acceptable as it stands')).toBeVisible();
  await expect(quality.page.locator('.page-actions')).toContainText('Open');
  await quality.page.getByLabel(/acceptable as it stands/).fill('Monthly restore tests start next week; the exposure is short.');
  await quality.page.getByRole('button', { name: 'Accept the residual risk' }).click();
  await expect(quality.page.locator('.page-actions')).toContainText('Accepted');
  await expect(quality.page.locator('dl.details')).toContainText('by Quinn Quality');
  await expect(quality.page.locator('dl.details')).toContainText('Monthly restore tests start next week; the exposure is short.');
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

test('a change names the register risk it addresses, and the risk lists the change', async ({ browser, problems }) => {
  test.setTimeout(90_000);
  const manager = await signedInPage(browser, demo.changeManager);
  const page = manager.page;

  // The phishing risk concerns the customer portal: find its reference in the register.
  await openHydrated(page, '/risks?q=' + encodeURIComponent('Phishing gives attackers'));
  const row = page.getByRole('row', { name: /Phishing gives attackers/ });
  const reference = (await row.getByRole('link', { name: /^RSK-\d+$/ }).textContent())!.trim();

  // A change to the portal suggests it among the live risks of its services.
  await openHydrated(page, '/changes?q=' + encodeURIComponent('Upgrade the customer portal framework'));
  await page.getByRole('link', { name: /Upgrade the customer portal framework/ }).first().click();
  await expect(page).toHaveURL(/\/changes\/\d+$/);
  await hydrated(page);
  const change = new URL(page.url()).pathname;
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'SMS risks it addresses' }) });
  await expect(section).toBeVisible();
  // A reference that is not in the register is named as such.
  await section.getByLabel('Name another risk by its reference').fill('RSK-99999');
  await section.getByRole('button', { name: 'Name the risk' }).click();
  await expect(section.getByText('There is no risk RSK-99999 in the register.')).toBeVisible();

  await section.getByRole('button', { name: `Addresses ${reference}` }).click();
  const named = section.locator('ul.risk-links').first();
  await expect(named).toContainText(`${reference} Phishing gives attackers`);
  await expect(section.getByRole('button', { name: `Remove ${reference}` })).toBeVisible();
  await expect(section.getByRole('button', { name: `Addresses ${reference}` })).toHaveCount(0);

  // The risk's record lists the change; its reader follows the link back.
  await section.getByRole('link', { name: new RegExp(`^${reference} `) }).click();
  await expect(page).toHaveURL(/\/risks\/\d+$/);
  await hydrated(page);
  const addressed = page.locator('section', { has: page.getByRole('heading', { name: 'Addressed by' }) });
  await expect(addressed).toContainText('Upgrade the customer portal framework');
  await expect(addressed).toContainText('named by');
  await addressed.getByRole('link', { name: /CHG-\d+ Upgrade the customer portal framework/ }).click();
  await expect(page).toHaveURL(new RegExp(`${change}$`));
  await hydrated(page);

  // Removed again, it is back among the suggestions.
  await section.getByRole('button', { name: `Remove ${reference}` }).click();
  await expect(section.getByRole('button', { name: `Addresses ${reference}` })).toBeVisible();
  expect(problems).toEqual([]);
  await manager.context.close();
});

test('a looser risk matrix waits for a second quality manager; its proposer may only withdraw it', async ({ browser, problems }) => {
  test.setTimeout(60_000);
  const quality = await signedInPage(browser, demo.quality);
  const page = quality.page;
  await openHydrated(page, '/risks/matrix');
  await expect(page.locator('table.heat-map caption').first()).toHaveText('In force — appetite: Medium');
  await page.getByLabel('Appetite (the highest residual level an owner accepts alone)').selectOption('high');
  await page.getByRole('button', { name: 'Save the matrix' }).click();
  const proposal = page.locator('section', { has: page.getByRole('heading', { name: 'Waiting for a second quality manager' }) });
  await expect(proposal).toContainText('Quinn Quality proposed');
  await expect(proposal.locator('caption')).toHaveText('Proposed — appetite: High');
  // Still the old appetite in force; its proposer is not offered the approval.
  await expect(page.locator('table.heat-map caption').first()).toHaveText('In force — appetite: Medium');
  await expect(proposal.getByRole('button', { name: 'Approve the proposed matrix' })).toHaveCount(0);
  await proposal.getByRole('button', { name: 'Withdraw the proposal' }).click();
  await expect(page.getByRole('heading', { name: 'Waiting for a second quality manager' })).toHaveCount(0);
  await expect(page.locator('table.heat-map caption').first()).toHaveText('In force — appetite: Medium');
  expect(problems).toEqual([]);
  await quality.context.close();
});
