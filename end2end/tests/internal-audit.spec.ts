import { expect } from '@playwright/test';
import { demo, hydrated, inDays, openHydrated, signIn, test, unique } from './helpers';

// The internal auditor plans an audit of the clause the programme leaves uncovered, is held to
// the independence rule, edits the plan, starts the audit and records a finding that becomes a
// nonconformity linked back to the audit.
test('an audit finding becomes a nonconformity linked to its audit', async ({ page, problems }) => {
  await signIn(page, demo.auditor);
  await openHydrated(page, '/compliance/audits');
  const programme = page.locator('.audit-programme').first();
  await expect(programme.getByRole('status')).toContainText('8.5.2 Service design and transition');

  const plan = page.locator('section', { has: page.getByRole('heading', { name: 'Plan an audit' }) });
  const title = unique('Design and transition audit');
  await plan.getByLabel('Planned on').fill(inDays(7));
  await plan.getByLabel('Title', { exact: true }).fill(title);
  await plan.getByLabel('Processes or area').fill('Service design and transition (projects office)');
  await plan.getByLabel('8.5.2 Service design and transition').check();
  await plan.getByLabel('Scope', { exact: true }).fill('New and changed services of the last two quarters');
  await plan.getByLabel('Criteria', { exact: true }).fill('ISO/IEC 20000-1:2018 clause 8.5.2; the transition checklist');
  await plan.getByLabel('Lead auditor').selectOption({ label: 'Ari Auditor' });
  const auditees = plan.getByRole('group', { name: /^Auditees/ });
  // Ari cannot audit their own work: the refusal names them and nothing is planned.
  await auditees.getByLabel('Ari Auditor').check();
  await plan.getByRole('button', { name: 'Plan the audit' }).click();
  await expect(plan.getByText(/Ari Auditor cannot lead this audit/).first()).toBeVisible();
  await auditees.getByLabel('Ari Auditor').uncheck();
  await auditees.getByLabel('Chris Change').check();
  await plan.getByRole('button', { name: 'Plan the audit' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toContainText(title);
  await hydrated(page);
  const auditUrl = page.url();

  // The plan can still be edited while the audit is planned.
  await page.getByText('Edit the plan').click();
  const editor = page.locator('details.edit-audit');
  await editor.getByLabel('Scope', { exact: true }).fill('New and changed services of the last three quarters');
  await editor.getByRole('button', { name: 'Save the plan' }).click();
  await expect(page.locator('dl.details')).toContainText('New and changed services of the last three quarters');
  // The rest of the plan is kept: the clause, the lead and the auditee.
  await expect(page.locator('dl.details')).toContainText('8.5.2 Service design and transition');
  await expect(page.locator('dl.details')).toContainText('Ari Auditor');
  await expect(page.locator('dl.details')).toContainText('Chris Change');

  await page.getByRole('button', { name: 'Start the audit' }).click();
  await expect(page.getByRole('heading', { name: 'Checklist' })).toBeVisible();
  await expect(page.getByLabel('Result for 8.5.2')).toBeVisible();

  // A nonconformity needs objective evidence.
  const form = page.locator('section', { has: page.getByRole('heading', { name: 'Record a finding' }) });
  await form.getByLabel('Grade').selectOption({ label: 'Minor nonconformity' });
  await form.getByLabel('Clause').selectOption('8.5.2');
  await form.getByLabel('Owner of the follow-up').selectOption({ label: 'Chris Change' });
  await form.getByLabel('Statement').fill('Two new services went live without agreed acceptance criteria.');
  await form.getByRole('button', { name: 'Record the finding' }).click();
  await expect(form.locator('#finding-evidence-error')).not.toBeEmpty();
  await form.getByLabel(/Objective evidence/).fill('CHG-00003 and CHG-00007: no acceptance criteria recorded');
  await form.getByRole('button', { name: 'Record the finding' }).click();

  const findings = page.locator('section', { has: page.getByRole('heading', { name: 'Findings' }) });
  const nc = findings.getByRole('link', { name: /^NC-\d+ \(nonconformity\)$/ });
  await expect(nc).toBeVisible();
  await expect(findings).toContainText('Two new services went live without agreed acceptance criteria.');

  // The nonconformity is on the corrective-action path, owned as chosen, and links back.
  await nc.click();
  await hydrated(page);
  await expect(page.locator('dl.details')).toContainText('8.5.2 Service design and transition');
  await expect(page.locator('dl.details')).toContainText('Chris Change');
  const back = page.getByRole('link', { name: /^internal audit IA-\d+$/ });
  await back.click();
  await expect(page).toHaveURL(auditUrl);
  await hydrated(page);

  // The programme now covers 8.5.2; and it can be renamed in place.
  await openHydrated(page, '/compliance/audits');
  const editProgramme = page.locator('.audit-programme').first().locator('details.edit-programme');
  await editProgramme.getByText('Edit the programme').click();
  const renamed = unique('Internal audit programme');
  await editProgramme.getByLabel('Title', { exact: true }).fill(renamed);
  await editProgramme.getByRole('button', { name: 'Save the programme' }).click();
  await expect(page.getByRole('heading', { level: 2, name: renamed })).toBeVisible();
  await expect(page.locator('.audit-programme').first().getByRole('status')).toHaveText(
    'Every clause 4–10 is covered by an audit in this cycle.',
  );
  expect(problems).toEqual([]);
});
