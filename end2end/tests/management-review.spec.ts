import { expect } from '@playwright/test';
import { demo, hydrated, inDays, openHydrated, signIn, signedInPage, test, unique } from './helpers';

// The quality manager plans a review, sees the inputs Conform gathered, holds it, is stopped
// from publishing without attendees and minutes, records them with a decision and an action,
// and publishes; the action's owner then finds it on their dashboard and marks it done.
test('hold a management review and follow its action to done', async ({ page, browser, problems }) => {
  await signIn(page, demo.quality);
  await openHydrated(page, '/compliance/reviews');
  const title = unique('Management review');
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Plan the review' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(title);
  await hydrated(page);

  // The inputs are gathered from Conform's records, with trends against the period before.
  const inputs = page.locator('section.review-inputs');
  await expect(inputs.getByRole('caption').first()).toContainText('against the previous period');
  await expect(inputs.getByRole('rowheader', { name: 'Internal audit results in the period' })).toBeVisible();
  await expect(inputs.getByRole('rowheader', { name: 'Nonconformities open' })).toBeVisible();
  await expect(inputs).toContainText('Gathered live from Conform');

  await page.getByRole('button', { name: 'Mark as held' }).click();
  await expect(page.getByText('Publish minutes…')).toBeVisible();
  // Not without attendees and minutes.
  await page.getByText('Publish minutes…').click();
  await page.getByRole('button', { name: 'Publish minutes', exact: true }).click();
  await expect(page.getByText('Record who attended before publishing the minutes.')).toBeVisible();
  await expect(page.locator('h1')).toContainText('Held');

  const details = page.locator('section', { has: page.getByRole('heading', { name: /^Attendees, hand-entered inputs and minutes$/ }) });
  await details.getByLabel('Quinn Quality').check();
  await details.getByLabel('Chris Change').check();
  await details.getByLabel('Customer feedback and satisfaction').fill('Portal survey: 4.2 of 5; two complaints about password resets.');
  await details.getByLabel('Minutes (Markdown)').fill('## Summary\n\nThe SMS is on track for certification; design and transition is the main gap.');
  await details.getByRole('button', { name: 'Save' }).click();
  await expect(details.getByText('Saved.')).toBeVisible();

  const decisions = page.locator('section', { has: page.getByRole('heading', { name: 'Decisions' }) });
  await decisions.getByLabel('New decision').fill('Fund a design-and-transition procedure before the certification audit.');
  await decisions.getByRole('button', { name: 'Add decision' }).click();
  await expect(decisions.getByRole('listitem').filter({ hasText: 'Fund a design-and-transition procedure' })).toBeVisible();

  const actions = page.locator('section', { has: page.getByRole('heading', { name: 'Actions', exact: true }) });
  const actionText = unique('Write the transition acceptance criteria');
  await actions.getByLabel('New action').fill(actionText);
  await actions.getByLabel('Owner').selectOption({ label: 'Chris Change' });
  await actions.getByLabel('Due on').fill(inDays(30));
  await actions.getByRole('button', { name: 'Add action' }).click();
  await expect(actions.getByRole('cell', { name: actionText, exact: true })).toBeVisible();

  // The confirmation may still be open from the refused attempt.
  const publish = page.getByRole('button', { name: 'Publish minutes', exact: true });
  if (!(await publish.isVisible())) await page.getByText('Publish minutes…').click();
  await publish.click();
  await expect(page.locator('p.review-published')).toContainText('Published by Quinn Quality');
  await expect(page.locator('h1')).toContainText('Minutes published');
  await expect(page.getByText(/^Frozen when the minutes were published/)).toBeVisible();
  // Published is final: no editing forms are left.
  await expect(page.getByRole('button', { name: 'Save', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Add decision' })).toHaveCount(0);
  await expect(page.getByText('Fund a design-and-transition procedure before the certification audit.')).toBeVisible();

  // The action's owner sees it on the dashboard and marks it done.
  const chris = await signedInPage(browser, demo.changeManager);
  await openHydrated(chris.page, '/');
  const panel = chris.page.locator('section', { has: chris.page.getByRole('heading', { name: 'Your management review actions' }) });
  const mine = panel.getByRole('listitem').filter({ hasText: actionText });
  await expect(mine).toBeVisible();
  await expect(mine.getByRole('link', { name: title })).toBeVisible();
  await mine.getByRole('button', { name: `Mark done: ${actionText}` }).click();
  await expect(panel.getByRole('listitem').filter({ hasText: actionText })).toHaveCount(0);
  await chris.context.close();

  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('row').filter({ hasText: actionText })).toContainText(/Done \d{4}-\d{2}-\d{2}/);
  expect(problems).toEqual([]);
});
