import { demo, hydrated, inDays, openHydrated, signedInPage, test, expect, unique } from './helpers';

test('a quality manager defines a competence, records and withdraws evidence, never their own', async ({ browser, problems }) => {
  test.setTimeout(90_000);
  const quality = await signedInPage(browser, demo.quality);
  const page = quality.page;
  const name = unique('Backup restore');

  await openHydrated(page, '/competences');
  await expect(page.getByRole('heading', { name: 'Competence', level: 1 })).toBeVisible();
  // The demo matrix: the continuity manager's exercise-lead evidence has expired.
  await page.getByLabel('Only people with gaps').check();
  await page.getByRole('button', { name: 'Filter' }).click();
  const rowan = page.getByRole('row', { name: /Rowan Resilience/ });
  await expect(rowan).toContainText('Gap: expired');

  await page.getByRole('link', { name: 'Define a competence' }).click();
  await expect(page).toHaveURL(/\/competences\/new$/);
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('What it means').fill('Restores a service from its backups within the recovery point objective.');
  await page.getByLabel('Evidence valid for (months; empty: never expires)').fill('12');
  await page.getByRole('button', { name: 'Define the competence' }).click();
  // Nobody needs it yet: refused on its field, nothing defined.
  await expect(page.getByText('Say who needs it: at least one role or one named person.')).toBeVisible();
  await expect(page).toHaveURL(/\/competences\/new$/);
  await page.getByLabel('Continuity manager', { exact: true }).check();
  await page.getByRole('button', { name: 'Define the competence' }).click();
  await expect(page).toHaveURL(/\/competences\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  const missing = page.getByRole('region', { name: 'Needed but not held' });
  await expect(missing.getByRole('link', { name: 'Rowan Resilience' })).toBeVisible();

  // Rowan's page: record the evidence the quality manager has seen.
  await missing.getByRole('link', { name: 'Rowan Resilience' }).click();
  await expect(page).toHaveURL(/\/competences\/people\/\d+$/);
  await hydrated(page);
  await page.getByLabel('Competence', { exact: true }).selectOption({ label: name });
  await page.getByLabel('Evidence (course, certificate and number, or how it was assessed)').fill('Restored the payroll database in the March exercise.');
  await page.getByLabel('Achieved on').fill(inDays(-10));
  await page.getByRole('button', { name: 'Record the evidence' }).click();
  await expect(page.getByText('Say whether it is training, a certificate or assessed experience.')).toBeVisible();
  await page.getByLabel('Assessed experience').check();
  await page.getByRole('button', { name: 'Record the evidence' }).click();
  const evidence = page.getByRole('region', { name: 'Evidence', exact: true });
  const recorded = evidence.getByRole('listitem').filter({ hasText: name });
  await expect(recorded).toContainText('Valid until');
  await expect(recorded).toContainText('recorded by Quinn Quality');
  const standing = page.getByRole('region', { name: 'What they need and hold' });
  await expect(standing.getByRole('row', { name: new RegExp(name) })).toContainText('Held until');

  // Found wanting: withdrawn with a reason, it stays on record and the gap is back.
  await recorded.getByText('Withdraw', { exact: true }).click();
  await recorded.getByLabel('Why it is withdrawn').fill('The restore was done by the DBA; Rowan only observed.');
  await recorded.getByRole('button', { name: 'Withdraw the evidence' }).click();
  await expect(evidence.getByRole('listitem').filter({ hasText: name })).toContainText('Withdrawn');
  await expect(standing.getByRole('row', { name: new RegExp(name) })).toContainText('Gap: not held');

  // Her own page offers no form: nobody records their own competence.
  await page.goto('/competences');
  await hydrated(page);
  await page.getByRole('table').getByRole('link', { name: 'Quinn Quality' }).click();
  await expect(page).toHaveURL(/\/competences\/people\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Quinn Quality: competence');
  await expect(page.getByRole('region', { name: 'What they need and hold' })).toContainText('Gap: not held');
  await expect(page.getByRole('heading', { name: 'Record evidence' })).toHaveCount(0);

  await quality.context.close();
  expect(problems).toEqual([]);
});

test('a resolver sees their own expiring competence on the dashboard and reads the matrix', async ({ browser, problems }) => {
  const resolver = await signedInPage(browser, demo.resolver);
  const page = resolver.page;
  await openHydrated(page, '/');
  const mine = page.getByRole('region', { name: 'Your competence' });
  await expect(mine).toContainText('Major incident management');
  await expect(mine).toContainText('Expiring until');
  await mine.getByRole('link', { name: 'Major incident management' }).click();
  await expect(page).toHaveURL(/\/competences\/\d+$/);
  await hydrated(page);
  // A reader: no forms to edit, retire or withdraw.
  await expect(page.getByRole('heading', { name: 'Edit the competence' })).toHaveCount(0);
  await expect(page.getByText('Withdraw', { exact: true })).toHaveCount(0);

  // The matrix, filtered to gaps, exports exactly the people it shows, cells in words.
  await openHydrated(page, '/competences');
  await page.getByLabel('Only people with gaps').check();
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/gaps=yes/);
  await hydrated(page);
  const shown = await page.locator('.competence-matrix tbody tr').count();
  expect(shown).toBeGreaterThan(0);
  const exported = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const csv: string = require('fs').readFileSync(await (await exported).path(), 'utf8');
  expect(csv).toContain('Person,Roles,Gaps,');
  expect(csv).toContain('Quinn Quality');
  expect(csv).toContain('Gap: not held');
  expect(csv.trim().split('\n')).toHaveLength(shown + 1);
  await resolver.context.close();
  expect(problems).toEqual([]);
});
