import { demo, openHydrated, signedInPage, test, expect, unique } from './helpers';

test('the quality manager revises the SMS profile and top management approves it; nobody approves their own', async ({ browser, problems }) => {
  test.setTimeout(120_000);
  const party = unique('Works council');

  // The quality manager starts version 2 from the demo's version 1.
  const quality = await signedInPage(browser, demo.quality);
  const page = quality.page;
  await openHydrated(page, '/compliance/profile');
  await expect(page.getByRole('heading', { name: 'SMS profile', level: 1 })).toBeVisible();
  await expect(page.getByText(/Version 1 in force, approved .* by Avery Admin/)).toBeVisible();
  await page.getByRole('button', { name: 'Start a revision' }).click();
  const open = page.getByRole('region', { name: /Version 2/ });
  await expect(open).toContainText('Draft');

  // An interested party: a requirement is needed, then it is listed.
  const parties = page.getByRole('region', { name: 'Interested parties (4.2)' });
  await parties.getByLabel('Party', { exact: true }).fill(party);
  await parties.getByRole('button', { name: 'Add the party' }).click();
  await expect(parties.getByText('Their requirements is required.')).toBeVisible();
  await parties.getByLabel('Their requirements', { exact: true }).fill('Consulted before monitoring of staff changes.');
  await parties.getByRole('button', { name: 'Add the party' }).click();
  await expect(parties.getByRole('row', { name: new RegExp(party) })).toBeVisible();

  // Problem management gets an owner, chosen by keyboard.
  const roles = page.getByRole('region', { name: 'SMS roles (5.1, 5.3)' });
  await roles.getByLabel('Role', { exact: true }).selectOption({ label: 'Owner of 8.6.3 Problem management' });
  await roles.getByLabel('Holder', { exact: true }).focus();
  await roles.getByLabel('Holder', { exact: true }).selectOption({ label: 'Jordan Fixer' });
  await roles.getByRole('button', { name: 'Save the holder' }).click();
  await expect(roles.getByRole('row', { name: /8\.6\.3 Problem management/ })).toContainText('Jordan Fixer');

  // Sent to review, the writer is offered no approval and the forms are gone.
  await open.getByRole('button', { name: 'Send to review' }).click();
  await expect(open).toContainText('In review');
  await expect(open.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await expect(parties.getByRole('button', { name: 'Add the party' })).toHaveCount(0);
  await quality.context.close();

  // Top management in force approves it.
  const top = await signedInPage(browser, demo.admin);
  await openHydrated(top.page, '/compliance/profile');
  const review = top.page.getByRole('region', { name: /Version 2/ });
  await expect(review).toContainText('In review');
  await expect(top.page.getByRole('region', { name: 'Interested parties (4.2)' })).toContainText(party);
  await review.getByRole('button', { name: 'Approve' }).click();
  await expect(top.page.getByText(/Version 2 in force, approved .* by Avery Admin/)).toBeVisible();
  await top.context.close();

  // Everyone reads the version in force: a requester sees the new party and the policy.
  const requester = await signedInPage(browser, demo.requester);
  await openHydrated(requester.page, '/compliance/profile');
  await expect(requester.page.getByRole('region', { name: 'Interested parties (4.2)' })).toContainText(party);
  await expect(requester.page.getByRole('region', { name: 'Service management policy (5.2)' })).toContainText('improving the SMS');
  await expect(requester.page.getByRole('button', { name: 'Start a revision' })).toHaveCount(0);
  await requester.context.close();
  expect(problems).toEqual([]);
});
