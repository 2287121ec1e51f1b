import { demo, drag, hydrated, openHydrated, signIn, signedInPage, test, expect, unique } from './helpers';

/** A local datetime-local value `days` from now at `hour`:00. */
function local(days: number, hour: number) {
  const d = new Date(Date.now() + days * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hour)}:00`;
}

test('raise a normal change, watch validation, submit it and move it on the board', async ({ browser }) => {
  const title = unique('Renew TLS certificates');
  const requester = await signedInPage(browser, demo.requester);
  const page = requester.page;
  await openHydrated(page, '/changes/new');

  // Validation first: no title, no type.
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText('Title is required.')).toBeVisible();
  await expect(page.getByText('Choose the type: standard, normal or emergency.')).toBeVisible();

  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Type').selectOption('normal');
  await page.getByLabel('Video conferencing').check();
  await page.getByLabel('Planned start (your time zone)').fill(local(30, 20));
  await page.getByLabel('Planned end').fill(local(30, 21));
  await page.getByLabel('Implementation plan').fill('Replace the certificates on both gateways.');
  await page.getByLabel('Test plan').fill('Open a meeting from outside.');
  await page.getByLabel('Back-out plan').fill('Put the old certificates back.');
  for (const question of ['Impact breadth', 'Complexity', 'Back-out difficulty', 'Similar changes before', 'Time pressure']) {
    await page.getByLabel(question).selectOption('0');
  }
  await expect(page.getByText('Risk before the services')).toContainText('Low');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/changes\/\d+$/);
  const id = Number(page.url().split('/').pop());
  await expect(page.getByRole('heading', { level: 1 })).toContainText(title);

  await page.getByRole('button', { name: 'Submit → Submitted' }).click();
  await expect(page.locator('.page-actions')).toContainText('Submitted');

  // The change manager works the board; a second browser watches it live.
  const manager = await signedInPage(browser, demo.changeManager);
  const watcher = await signedInPage(browser, demo.auditor);
  await openHydrated(manager.page, '/changes/board');
  await openHydrated(watcher.page, '/changes/board');
  const card = manager.page.locator(`article[data-change="${id}"]`);
  await expect(card).toBeVisible();

  // A forbidden drop snaps back with the reason.
  await drag(manager.page, card, manager.page.locator('[data-state="closed"]'));
  await expect(manager.page.getByText(/Move refused: A change cannot go from Submitted straight to Closed/)).toBeVisible();
  await expect(manager.page.locator(`[data-state="submitted"] article[data-change="${id}"]`)).toBeVisible();

  // An allowed drop with the mouse.
  await drag(manager.page, card, manager.page.locator('[data-state="assessed"]'));
  await expect(manager.page.locator(`[data-state="assessed"] article[data-change="${id}"]`)).toBeVisible();
  // The watcher's board followed without a reload.
  await expect(watcher.page.locator(`[data-state="assessed"] article[data-change="${id}"]`)).toBeVisible({ timeout: 5_000 });

  // The keyboard way: focus the card's Move button, choose the column.
  const moved = manager.page.locator(`[data-state="assessed"] article[data-change="${id}"]`);
  await moved.getByRole('button', { name: 'Move…' }).focus();
  await manager.page.keyboard.press('Enter');
  await moved.getByRole('button', { name: '→ Awaiting authorisation' }).focus();
  await manager.page.keyboard.press('Enter');
  await expect(manager.page.locator(`[data-state="awaiting_authorisation"] article[data-change="${id}"]`)).toBeVisible();
  await expect(watcher.page.locator(`[data-state="awaiting_authorisation"] article[data-change="${id}"]`)).toBeVisible({ timeout: 5_000 });

  for (const context of [requester.context, manager.context, watcher.context]) await context.close();
});

test('the auditor reads changes but is offered no moves', async ({ page }) => {
  await signIn(page, demo.auditor);
  await openHydrated(page, '/changes');
  await expect(page.getByRole('link', { name: 'New change' })).toHaveCount(0);
  await page.locator('tbody tr a').first().click();
  await hydrated(page);
  await expect(page.getByText('Nothing for you to do on this change right now.')).toBeVisible();
});

test('a change manager adds a standard template; a requester raises a standard change from it', async ({ browser, problems }) => {
  const name = unique('Rotate backup tapes');
  const manager = await signedInPage(browser, demo.changeManager);
  await openHydrated(manager.page, '/changes/templates');
  const form = manager.page.locator('form', { has: manager.page.getByRole('button', { name: 'Add template' }) });
  await form.getByRole('button', { name: 'Add template' }).click();
  await expect(form.getByText('Name is required.')).toBeVisible();
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Category').fill('Infrastructure');
  await form.getByLabel('Implementation plan').fill('Swap the tapes in the library; label and store offsite.');
  await form.getByLabel('Test plan').fill('Library inventory shows all slots.');
  await form.getByLabel('Back-out plan').fill('Put the previous set back.');
  // A template pre-authorises its own services only; its standard changes run on them.
  await form.getByLabel('Data warehouse', { exact: true }).check();
  await form.getByRole('button', { name: 'Add template' }).click();
  await expect(manager.page.getByRole('link', { name })).toBeVisible();

  const requester = await signedInPage(browser, demo.requester);
  const page = requester.page;
  await openHydrated(page, '/changes/new');
  await page.getByLabel('Title').fill(`${name} in the data centre`);
  await page.getByLabel('Type').selectOption('standard');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText('Choose the standard change template this change follows.')).toBeVisible();
  await page.getByLabel('Standard template').selectOption({ label: name });
  await page.getByLabel('Planned start (your time zone)').fill('2027-03-02T09:00');
  await page.getByLabel('Planned end').fill('2027-03-02T10:00');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/changes\/\d+$/);
  await expect(page.getByRole('link', { name })).toBeVisible();
  await expect(page.locator('dl.details').getByText('Swap the tapes in the library; label and store offsite.')).toBeVisible();
  // Pre-authorised: submitting goes straight to Authorised.
  await page.getByRole('button', { name: 'Submit → Authorised' }).click();
  await expect(page.locator('.page-actions')).toContainText('Authorised');
  expect(problems).toEqual([]);
  for (const context of [manager.context, requester.context]) await context.close();
});

test('sorting the change list by planned start says so and keeps the filters', async ({ page }) => {
  await signIn(page, demo.auditor);
  await openHydrated(page, '/changes?state=scheduled');
  const planned = page.getByRole('columnheader', { name: 'Planned' });
  await expect(planned).toHaveAttribute('aria-sort', 'none');
  await planned.getByRole('link').click();
  await expect(page).toHaveURL(/state=scheduled&sort=planned/);
  await expect(page.getByRole('columnheader', { name: /Planned/ })).toHaveAttribute('aria-sort', 'ascending');
  const starts = await page.locator('tbody tr td:last-child').allTextContents();
  expect(starts.length).toBeGreaterThan(1);
  expect([...starts].sort()).toEqual(starts);
});

test('a long column draws more cards as the reader scrolls, and a card drawn late moves by keyboard', async ({ browser }) => {
  const manager = await signedInPage(browser, demo.changeManager);
  const page = manager.page;
  await openHydrated(page, '/changes');
  // Sixty drafts planned far ahead, so they come last in the Draft column.
  const prefix = unique('Long column');
  const statuses = await page.evaluate(async ({ prefix, starts }) => {
    const call = { method: 'POST', redirect: 'manual' as RequestRedirect, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' } };
    const answers = ['impact_breadth', 'complexity', 'backout_difficulty', 'history', 'time_pressure'].map((q) => `form[${q}]=0`).join('&');
    const made: number[] = [];
    for (const [i, start] of starts.entries()) {
      const fields = [`form[title]=${encodeURIComponent(`${prefix} ${i}`)}`, 'form[change_type]=normal',
        `form[planned_start]=${start}T10:00`, `form[planned_end]=${start}T11:00`, 'form[implementation_plan]=Apply.',
        'form[test_plan]=Test.', 'form[backout_plan]=Restore.', answers];
      made.push((await fetch('/api/changes/create', { ...call, body: fields.join('&') })).status);
    }
    return made;
  }, { prefix, starts: Array.from({ length: 60 }, (_, i) => new Date(Date.now() + (400 + i) * 86_400_000).toISOString().slice(0, 10)) });
  expect(statuses.every((s) => s < 400), `created: ${statuses}`).toBe(true);

  await openHydrated(page, '/changes/board');
  const draft = page.locator('[data-state="draft"]');
  const total = Number(await draft.locator('.wip').textContent());
  expect(total).toBeGreaterThanOrEqual(60);
  // Only the first cards are drawn; the column says how many more there are.
  const drawnAtFirst = await draft.locator('article[data-change]').count();
  expect(drawnAtFirst).toBeLessThan(total);
  await expect(draft.getByRole('button', { name: /^Show \d+ more$/ })).toBeVisible();

  // Scrolling down draws the rest, without pressing anything.
  const last = draft.locator('article', { hasText: `${prefix} 59` });
  for (let i = 0; i < 10 && (await last.count()) === 0; i++) {
    await page.mouse.wheel(0, 4000);
    await page.waitForTimeout(100);
  }
  await expect(last).toBeVisible();
  expect(await draft.locator('article[data-change]').count()).toBe(total);
  await expect(draft.getByRole('button', { name: /^Show \d+ more$/ })).toHaveCount(0);

  // The card drawn last moves like any other: Move…, then the column, from the keyboard.
  const id = await last.getAttribute('data-change');
  await last.getByRole('button', { name: 'Move…' }).focus();
  await page.keyboard.press('Enter');
  await last.getByRole('button', { name: '→ Submitted' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText(new RegExp(`CHG-0*${id} moved to Submitted\\.`))).toBeVisible();
  await manager.context.close();
});
