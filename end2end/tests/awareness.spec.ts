import { demo, hydrated, inDays, openHydrated, signedInPage, test, expect, unique } from './helpers';

test('a quality manager runs an awareness campaign to completion', async ({ browser, problems }) => {
  test.setTimeout(120_000);
  const quality = await signedInPage(browser, demo.quality);
  const page = quality.page;
  const title = unique('Policy briefing');

  await openHydrated(page, '/awareness');
  await expect(page.getByRole('heading', { name: 'Awareness', level: 1 })).toBeVisible();
  await expect(page.getByRole('table').getByRole('link', { name: 'Service management policy 2026' })).toBeVisible();

  await page.getByRole('link', { name: 'Prepare a campaign' }).click();
  await expect(page).toHaveURL(/\/awareness\/new$/);
  await hydrated(page);
  await page.getByLabel('Title').fill(title);
  const document = page.getByLabel('Document to read');
  const policy = await document.locator('option', { hasText: 'Service management policy' }).first().textContent();
  await document.selectOption({ label: policy ?? '' });
  await page.getByLabel('What you ask of them').fill('Read the policy before the next CAB and acknowledge it.');
  await page.getByLabel('Due').fill(inDays(7));
  await page.getByLabel('Target (% of the audience)').fill('100');
  await page.getByRole('button', { name: 'Save the draft' }).click();
  // Nobody is asked yet: refused on its field, nothing saved.
  await expect(page.getByText('Say who it is for: at least one role or one named person.')).toBeVisible();
  await expect(page).toHaveURL(/\/awareness\/new$/);
  await page.getByLabel('And these people').selectOption([{ label: 'Kim Board' }, { label: 'Chris Change' }]);
  await page.getByRole('button', { name: 'Save the draft' }).click();
  await expect(page).toHaveURL(/\/awareness\/\d+$/);
  const campaignUrl = page.url();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.locator('.page-actions').getByText('Draft', { exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Launch' }).click();
  const completion = page.getByRole('region', { name: 'Completion' });
  await expect(completion).toContainText('0 of 2 (0%)');
  await expect(completion.getByRole('listitem')).toHaveCount(2);

  // Kim acknowledges from her dashboard: the tick first.
  const kim = await signedInPage(browser, demo.cabMember);
  await openHydrated(kim.page, '/');
  const due = kim.page.getByRole('region', { name: 'To read and acknowledge' });
  const item = due.getByRole('listitem').filter({ hasText: title });
  await expect(item).toContainText('Read the policy before the next CAB');
  await item.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(item.getByText('Tick the box to say you have read it.')).toBeVisible();
  await item.getByLabel(/I have read Service management policy/).check();
  await item.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(due.getByRole('listitem').filter({ hasText: title })).toHaveCount(0);
  await kim.context.close();

  // Chris acknowledges on the campaign's page.
  const chris = await signedInPage(browser, demo.changeManager);
  await openHydrated(chris.page, campaignUrl);
  const mine = chris.page.getByRole('region', { name: 'Your acknowledgement' });
  await expect(mine).toContainText('Not yet');
  await mine.getByLabel(/I have read Service management policy/).check();
  await mine.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(mine).toContainText('Acknowledged');
  await expect(mine.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
  await chris.context.close();

  // Everyone has: the quality manager closes it at 100%.
  await page.reload();
  await hydrated(page);
  await expect(completion).toContainText('2 of 2 (100%)');
  await expect(completion).toContainText('Everyone in the audience has acknowledged it.');
  await expect(completion.getByRole('link', { name: /Download everyone's acknowledgement/ })).toBeVisible();
  await page.getByRole('button', { name: 'Close the campaign' }).click();
  await expect(page.locator('.page-actions').getByText('Closed', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Close the campaign' })).toHaveCount(0);

  await quality.context.close();
  expect(problems).toEqual([]);
});
