import { expect } from '@playwright/test';
import { demo, hydrated, openHydrated, signIn, test, unique } from './helpers';

// The quality manager closes the demo's open assessment, opens a new one, rates three
// sub-clauses (one not applicable, which needs a justification), links evidence, turns a gap
// into an improvement action and reads the results against the previous assessment.
test('a gap assessment on three clauses, with a gap turned into an improvement', async ({ page, problems }) => {
  await signIn(page, demo.quality);

  // One assessment is open at a time: the demo's current one is closed first.
  await openHydrated(page, '/compliance/gap');
  await page.getByRole('link', { name: 'Pre-certification check', exact: true }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Close the assessment' }).click();
  await expect(page.getByText('Closed. Reload to see the read-only sheet.')).toBeVisible();

  await openHydrated(page, '/compliance/gap');
  const title = unique('Readiness check');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel(/Start from the ratings of/).uncheck();
  await page.getByRole('button', { name: 'Open the assessment' }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await hydrated(page);

  // 6.1: defined, with a note, an owner and a web link as evidence.
  const risks = page.getByRole('article', { name: '6.1 Risks and opportunities' });
  await risks.getByLabel('Rating').selectOption({ label: 'Defined but inconsistent' });
  await risks.getByLabel('Owner').selectOption({ label: 'Quinn Quality' });
  await risks.getByLabel('Notes').fill('Risk register started; treatment plans for the top five risks only.');
  await risks.getByRole('button', { name: 'Save 6.1' }).click();
  await expect(risks.getByRole('status')).toHaveText('Saved');
  await risks.getByLabel('Kind').selectOption({ label: 'Web address' });
  await risks.getByLabel('Target').fill('not a link');
  await risks.getByLabel('Label', { exact: true }).fill('Risk register');
  await risks.getByRole('button', { name: 'Add evidence' }).click();
  await expect(risks.getByText(/full web address/).first()).toBeVisible();
  await expect(risks.getByRole('link', { name: 'Risk register' })).toHaveCount(0);
  await risks.getByLabel('Target').fill('https://intranet.example.com/risk-register');
  await risks.getByRole('button', { name: 'Add evidence' }).click();
  await expect(risks.getByRole('link', { name: 'Risk register' })).toHaveAttribute('href', 'https://intranet.example.com/risk-register');

  // 8.4.1: not applicable needs a reason; without one nothing is saved.
  const budgeting = page.getByRole('article', { name: '8.4.1 Budgeting and accounting for services' });
  await budgeting.getByLabel('Rating').selectOption({ label: 'Not applicable' });
  await budgeting.getByRole('button', { name: 'Save 8.4.1' }).click();
  await expect(budgeting.getByRole('status')).toContainText('Not saved');
  await budgeting.getByLabel('Why it does not apply').fill('Services are funded centrally; the SMS scope excludes charging.');
  await budgeting.getByRole('button', { name: 'Save 8.4.1' }).click();
  await expect(budgeting.getByRole('status')).toHaveText('Saved');

  // 8.5.2: not addressed — a gap, which becomes an improvement action.
  const design = page.getByRole('article', { name: '8.5.2 Service design and transition' });
  await design.getByLabel('Rating').selectOption({ label: 'Not addressed' });
  await design.getByLabel('Owner').selectOption({ label: 'Chris Change' });
  await design.getByRole('button', { name: 'Save 8.5.2' }).click();
  await expect(design.getByRole('status')).toHaveText('Saved');
  await design.getByRole('button', { name: 'Create improvement action' }).click();
  const action = design.getByRole('link', { name: /^IMP-\d+ Close the gap in 8\.5\.2/ });
  await expect(action).toBeVisible();

  // The register entry is owned by the row's owner and links back to the sub-clause.
  await action.click();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Close the gap in 8.5.2 Service design and transition');
  const back = page.getByRole('link', { name: /^Gap assessment \d+, sub-clause 8\.5\.2$/ });
  await expect(back).toBeVisible();
  await back.click();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();

  // Results: three rated, the rule's arithmetic, the blocker, and the comparison.
  await page.goto(page.url().replace(/#.*$/, '') + '/results');
  await hydrated(page);
  await expect(page.getByText('2 of 132 points; 3 of 45 sub-clauses rated (Open).')).toBeVisible();
  await expect(page.getByRole('heading', { name: /What blocks certification/ })).toBeVisible();
  await expect(page.locator('.gap-blockers')).toContainText('8.5.2 Service design and transition — Not addressed');
  await expect(page.getByText('1 improved, 0 regressed, 1 unchanged.')).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: '6.1 Risks and opportunities: Initial → Defined but inconsistent' })).toBeVisible();
  expect(problems).toEqual([]);
});
