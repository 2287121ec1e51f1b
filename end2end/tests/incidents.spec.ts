import { demo, hydrated, inDays, openHydrated, signedInPage, test, expect, unique } from './helpers';

test('a reported incident appears live in the queue and is worked to resolution against its targets', async ({ browser, problems }) => {
  const requester = await signedInPage(browser, demo.requester);
  const manager = await signedInPage(browser, demo.serviceLevels);
  const resolver = await signedInPage(browser, demo.resolver);
  const title = unique('Checkout shows a blank page');

  // The service level manager watches the queue while the incident is reported.
  await openHydrated(manager.page, '/incidents');
  await expect(manager.page.getByRole('heading', { name: 'Incidents', level: 1 })).toBeVisible();

  const page = requester.page;
  await openHydrated(page, '/incidents');
  await page.getByRole('link', { name: 'Report an incident' }).click();
  await expect(page).toHaveURL(/\/incidents\/new$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Report' }).click();
  await expect(page.getByText('Choose the service the incident affects.')).toBeVisible();
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Customer portal' });
  await page.getByLabel('Impact', { exact: true }).selectOption('high');
  await page.getByLabel('Urgency', { exact: true }).selectOption('high');
  // The priority follows the organisation's matrix as the two are chosen.
  await expect(page.locator('#inc-priority')).toContainText('P1 Critical');
  await page.getByLabel('Description', { exact: true }).fill('Customers see an empty page after pressing Pay.');
  await page.getByRole('button', { name: 'Report' }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(title);
  const record = new URL(page.url()).pathname;
  // Measured against the demo agreement for the portal: both clocks run.
  const clocks = page.locator('section.clocks');
  await expect(clocks).toContainText('Response');
  await expect(clocks).toContainText('Resolution');
  await expect(clocks).toContainText('On track');
  await expect(clocks).toContainText(/left/);
  // A requester reports and follows; the steps are not theirs.
  await expect(page.getByRole('button', { name: 'Assign' })).toHaveCount(0);

  // The queue that was open shows it without a reload, with its priority.
  const row = manager.page.getByRole('row', { name: new RegExp(title) });
  await expect(row).toBeVisible({ timeout: 15_000 });
  await expect(row).toContainText('P1 Critical');
  await expect(row).toContainText('New');

  // The service level manager assigns it to the resolver.
  await row.getByRole('link').first().click();
  await expect(manager.page).toHaveURL(new RegExp(`${record}$`));
  await hydrated(manager.page);
  await manager.page.getByLabel('Assign to', { exact: true }).selectOption({ label: 'Jordan Fixer' });
  await manager.page.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(manager.page.locator('.page-actions')).toContainText('Assigned');

  // The resolver starts, and must say how it was resolved before resolving.
  const work = resolver.page;
  await openHydrated(work, record);
  await work.getByRole('button', { name: 'Start work' }).click();
  await expect(work.locator('.page-actions')).toContainText('In progress');
  await work.getByRole('button', { name: 'Resolve' }).click();
  await expect(work.getByText('Choose how the incident was resolved.')).toBeVisible();
  await work.getByLabel('Resolution', { exact: true }).selectOption('fixed');
  await work.getByLabel('What was done', { exact: true }).fill('Rolled back the payment widget to the previous release.');
  await work.getByRole('button', { name: 'Resolve' }).click();
  await expect(work.locator('.page-actions')).toContainText('Resolved');
  await expect(work.locator('section.clocks')).toContainText('met');
  await expect(work.locator('ol.incident-timeline')).toContainText('Resolved — Fixed');

  // The reporter's open record followed along.
  await expect(page.locator('.page-actions')).toContainText('Resolved', { timeout: 15_000 });
  expect(problems).toEqual([]);
  for (const session of [requester, manager, resolver]) await session.context.close();
});

test('a resolution target is crossed while two people watch: paused, resumed, warned, breached on both records and the queue', async ({ browser, problems }) => {
  test.setTimeout(90_000);
  const manager = await signedInPage(browser, demo.serviceLevels);
  const resolver = await signedInPage(browser, demo.resolver);
  // Each browser keeps its own clock, which the test moves on: the server is never asked
  // again while the targets are crossed, so what the pages show is their own ticking.
  for (const session of [manager, resolver]) await session.context.clock.install();
  const title = unique('Order history is empty');

  const record = manager.page;
  await openHydrated(record, '/incidents/new');
  await record.getByLabel('Title', { exact: true }).fill(title);
  await record.getByLabel('Service', { exact: true }).selectOption({ label: 'Customer portal' });
  await record.getByLabel('Impact', { exact: true }).selectOption('high');
  await record.getByLabel('Urgency', { exact: true }).selectOption('high');
  await record.getByRole('button', { name: 'Report' }).click();
  await expect(record).toHaveURL(/\/incidents\/\d+$/);
  await hydrated(record);
  const path = new URL(record.url()).pathname;
  await record.getByLabel('Assign to', { exact: true }).selectOption({ label: 'Jordan Fixer' });
  await record.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(record.locator('.page-actions')).toContainText('Assigned');
  const queue = await manager.context.newPage();
  await openHydrated(queue, '/incidents');
  const row = queue.getByRole('row', { name: new RegExp(title) });
  await expect(row).toContainText('On track');

  const work = resolver.page;
  await openHydrated(work, path);
  await work.getByRole('button', { name: 'Start work' }).click();
  await expect(work.locator('.page-actions')).toContainText('In progress');
  const resolution = (page: typeof work) => page.locator('.clock-line', { hasText: 'Resolution' });

  // Waiting for the customer stops the clock for both; time passing does not move it.
  await work.getByRole('button', { name: 'Wait for the customer' }).click();
  for (const page of [work, record]) {
    await expect(page.locator('.page-actions')).toContainText('Pending', { timeout: 15_000 });
    await expect(resolution(page)).toContainText('paused');
    await expect(resolution(page).locator('time')).toHaveCount(0);
  }
  const paused = await resolution(record).locator('.clock-words').textContent();
  for (const session of [manager, resolver]) await session.context.clock.fastForward('10:00');
  await expect(resolution(record)).toContainText(paused!);
  await expect(resolution(record)).toContainText('On track');

  // Resumed, it runs again with a due time, seen by the manager without a reload.
  await work.getByRole('button', { name: 'Resume work' }).click();
  await expect(resolution(record).locator('time')).toHaveCount(1, { timeout: 15_000 });
  await expect(resolution(work).locator('time')).toHaveCount(1);
  const due = Date.parse((await resolution(work).locator('time').getAttribute('datetime'))!);
  const browserNow = await work.evaluate(() => Date.now());
  expect(due).toBeGreaterThan(browserNow);

  // Half a minute before it falls due both records warn, and the queue row too.
  for (const session of [manager, resolver]) await session.context.clock.fastForward(due - browserNow - 30_000);
  for (const page of [work, record]) {
    await expect(resolution(page)).toContainText('Warning');
    await expect(resolution(page)).toContainText('under a minute left');
  }
  await expect(row).toContainText('Warning');

  // Past it, both records and the queue show the breach as it happens.
  for (const session of [manager, resolver]) await session.context.clock.fastForward('02:00');
  for (const page of [work, record]) {
    await expect(resolution(page)).toContainText('Breached');
    await expect(resolution(page)).toContainText('breached 1 min ago');
  }
  await expect(row).toContainText('Breached');
  await expect(row).toHaveClass(/breached/);
  expect(problems).toEqual([]);
  for (const session of [manager, resolver]) await session.context.close();
});

test('an agreement is approved only by someone who wrote no part of it', async ({ browser, problems }) => {
  const manager = await signedInPage(browser, demo.serviceLevels);
  const quality = await signedInPage(browser, demo.quality);
  const page = manager.page;
  const title = unique('Payroll support');

  await openHydrated(page, '/service-levels');
  await page.getByRole('link', { name: 'New agreement' }).click();
  await expect(page).toHaveURL(/\/service-levels\/agreements\/new$/);
  await hydrated(page);
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Customer', { exact: true }).fill('Human resources');
  await page.getByLabel('Payroll', { exact: true }).check();
  await page.getByLabel('Service hours', { exact: true }).selectOption({ label: 'London office hours' });
  await page.getByLabel('Starts on', { exact: true }).fill(inDays(1));
  await page.getByLabel('Review on', { exact: true }).fill(inDays(2));
  // P1 resolved slower than P2 is refused, with the reason at the field.
  await page.getByLabel('P1 Critical: minutes to resolve').fill('900');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText('P1 Critical is resolved no slower than P2 High.')).toBeVisible();
  await page.getByLabel('P1 Critical: minutes to resolve').fill('240');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/service-levels\/agreements\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(title);
  const url = new URL(page.url()).pathname;

  await page.getByRole('button', { name: 'Send to review' }).click();
  await expect(page.locator('.page-actions')).toContainText('In review');
  // Its author is offered no approval.
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);

  await openHydrated(quality.page, url);
  await quality.page.getByRole('button', { name: 'Approve' }).click();
  await expect(quality.page.locator('.page-actions')).toContainText('Approved');
  await expect(quality.page.locator('dl.details')).toContainText('by Quinn');
  expect(problems).toEqual([]);
  await manager.context.close();
  await quality.context.close();
});

test('a major incident pauses while waiting, is reviewed, sends its actions to the register and only then closes', async ({ browser, problems }) => {
  const manager = await signedInPage(browser, demo.serviceLevels);
  const page = manager.page;
  const title = unique('Portal answers 503 for everyone');

  await openHydrated(page, '/incidents/new');
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Customer portal' });
  await page.getByLabel('Impact', { exact: true }).selectOption('high');
  await page.getByLabel('Urgency', { exact: true }).selectOption('high');
  await page.getByLabel('The service is down or degraded (counts against availability)').check();
  await page.getByRole('button', { name: 'Report' }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await hydrated(page);

  await page.getByRole('button', { name: 'Declare a major incident' }).click();
  await expect(page.locator('.page-actions')).toContainText('Major incident');
  // The communication log: what the users were told, on the timeline.
  await page.getByRole('radio', { name: 'A communication to users and stakeholders' }).check();
  await page.getByRole('textbox', { name: 'Work note', exact: true }).fill('Status page: the portal is down; next update in 30 minutes.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.locator('ol.incident-timeline li.timeline-communication')).toContainText('Status page');

  await page.getByLabel('Assign to').selectOption({ label: 'Sam Levels' });
  await page.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(page.locator('.page-actions')).toContainText('Assigned');
  await page.getByRole('button', { name: 'Start work' }).click();
  await expect(page.locator('.page-actions')).toContainText('In progress');
  // Waiting for the customer stops the resolution clock; resuming starts it again.
  await page.getByRole('button', { name: 'Wait for the customer' }).click();
  await expect(page.locator('.page-actions')).toContainText('Pending');
  await expect(page.locator('section.clocks')).toContainText('paused');
  await page.getByRole('button', { name: 'Resume work' }).click();
  await expect(page.locator('.page-actions')).toContainText('In progress');
  await expect(page.locator('section.clocks')).toContainText('left');

  await page.getByLabel('Resolution', { exact: true }).selectOption('fixed');
  await page.getByLabel('What was done', { exact: true }).fill('Restarted the portal pods against the healthy database node.');
  await page.getByRole('button', { name: 'Resolve' }).click();
  await expect(page.locator('.page-actions')).toContainText('Resolved');
  // Not closable before its review: the step is not offered, and the review is asked for.
  await expect(page.getByRole('button', { name: 'Close', exact: true })).toHaveCount(0);

  await page.getByLabel('What happened').fill('The portal answered 503 for 40 minutes after a database failover.');
  await page.getByLabel('Cause', { exact: true }).fill('The pods kept connections to the failed node.');
  await page.getByLabel('What was learned').fill('Failover needs an end-to-end test with the portal.');
  await page.locator('#review-action-0').fill('Test database failover end to end every quarter');
  await page.locator('#review-owner-0').selectOption({ label: 'Sam Levels' });
  await page.locator('#review-due-0').fill(inDays(30));
  await page.getByRole('button', { name: 'Complete the review' }).click();
  const review = page.locator('section', { has: page.getByRole('heading', { name: 'Post-incident review' }) });
  await expect(review).toContainText('Completed');
  const action = review.getByRole('link', { name: /^IMP-/ });
  await expect(action).toBeVisible();

  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(page.locator('.page-actions')).toContainText('Closed');
  // The action is in the improvement register, from the major incident's review.
  await action.click();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Test database failover end to end every quarter');
  expect(problems).toEqual([]);
  await manager.context.close();
});

test('a breached incident becomes an improvement in one step, linked both ways', async ({ browser, problems }) => {
  test.setTimeout(60_000);
  const { page } = await signedInPage(browser, demo.quality);
  await openHydrated(page, '/incidents?breached=yes');
  const row = page.locator('tbody tr').first();
  await expect(row).toBeVisible();
  await row.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await hydrated(page);
  const id = new URL(page.url()).pathname.split('/').pop();
  await page.getByRole('link', { name: 'Raise an improvement from this incident' }).click();
  await expect(page).toHaveURL(/\/improvements\/new\?/);
  await hydrated(page);
  // Filled in from the incident: a title naming it, the source and the link back.
  await expect(page.getByLabel('Title', { exact: true })).toHaveValue(new RegExp(`^Breached target on INC-${id}: `));
  await expect(page.getByLabel('Source', { exact: true })).toHaveValue('incident_trend');
  await expect(page.getByLabel('Source record (optional, e.g. change:12)')).toHaveValue(`incident:${id}`);
  await page.getByLabel('Owner', { exact: true }).selectOption({ label: 'Sam Levels' });
  await page.getByRole('button', { name: 'Add to the register' }).click();
  await expect(page).toHaveURL(/\/improvements\/\d+$/);
  await hydrated(page);
  await page.getByRole('link', { name: `INC-${id}` }).click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${id}$`));
});

test('an incident names the change that caused it, and the change shows it', async ({ browser, problems }) => {
  test.setTimeout(90_000);
  const { page, context } = await signedInPage(browser, demo.resolver);
  // The demo desk already linked the product images incident to the portal upgrade.
  await openHydrated(page, '/incidents?state=all&q=Product+images+not+loading');
  await page.getByRole('row', { name: /Product images not loading/ }).getByRole('link').first().click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await hydrated(page);
  const caused = page.locator('dd').filter({ hasText: 'Upgrade the customer portal framework' });
  await expect(caused).toBeVisible();
  const reference = (await caused.getByRole('link').textContent())!.trim();
  expect(reference).toMatch(/^CHG-\d{5}$/);

  // A new incident: a change that does not exist is refused beside the field.
  const title = unique('Portal search returns nothing');
  await openHydrated(page, '/incidents/new');
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Customer portal' });
  await page.getByLabel('Impact', { exact: true }).selectOption('medium');
  await page.getByLabel('Urgency', { exact: true }).selectOption('medium');
  await page.getByRole('button', { name: 'Report' }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await hydrated(page);
  const incident = `INC-${new URL(page.url()).pathname.split('/').pop()}`;
  const cause = page.getByLabel('Change that caused it');
  await cause.fill('CHG-99999');
  await page.getByRole('button', { name: 'Link the change' }).click();
  await expect(page.getByText('There is no CHG-99999.')).toBeVisible();
  await page.getByLabel('Change that caused it').fill(reference);
  await page.getByRole('button', { name: 'Link the change' }).click();
  await expect(page.locator('ol.incident-timeline')).toContainText(`Caused by ${reference}`);

  // The change lists it among the incidents it caused.
  await page.locator('dd').getByRole('link', { name: reference }).click();
  await expect(page).toHaveURL(/\/changes\/\d+$/);
  await hydrated(page);
  const list = page.getByRole('region', { name: 'Incidents it caused' });
  await expect(list).toContainText('linked as caused by this change: it counts as not successful');
  await expect(list.getByRole('link', { name: incident, exact: true })).toBeVisible();
  expect(problems).toEqual([]);
  await context.close();
});

test('incidents move in from another tool as CSV: previewed, imported all or nothing, and not twice', async ({ browser, problems }) => {
  test.setTimeout(90_000);
  const { page, context } = await signedInPage(browser, demo.serviceLevels);
  const batch = unique('MIG');
  const file = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf-8') });
  const header = 'Number,Short description,Business service,Impact,Urgency,Caller,Assigned to,State,Opened,Resolved,Close code,Close notes';
  const good = [
    header,
    `${batch}-1,${batch} VPN drops every hour,Network and Wi-Fi,2 - Medium,2 - Medium,requester@conform.demo,resolver@conform.demo,Closed,2026-10-06 09:00,2026-10-06 11:30,Solved (Permanently),Replaced the failing access point.`,
    `${batch}-2,${batch} Payslip PDF is blank,Payroll,High,Low,requester@conform.demo,resolver@conform.demo,Work in progress,2026-11-30 14:00,,,`,
  ].join('\n');

  await openHydrated(page, '/incidents');
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await expect(page).toHaveURL(/\/incidents\/import$/);
  await hydrated(page);

  // One bad row (an unknown service, a state Conform cannot take over) blocks the whole file.
  const bad = `${good}\n${batch}-3,${batch} Printer jam,Printing,Low,Low,requester@conform.demo,,On hold,2026-11-01 10:00,,,`;
  await page.getByLabel('CSV file').setInputFiles(file('bad.csv', bad));
  const preview = page.locator('section', { has: page.getByRole('heading', { name: 'Preview' }) });
  await expect(preview).toContainText('2 to create · 1 with errors');
  await expect(preview.locator('tr.row-invalid')).toContainText('Service: “Printing” is not in the service catalogue.');
  await expect(preview.locator('tr.row-invalid')).toContainText('Pending is not imported');
  await expect(preview.getByRole('button', { name: /^Import/ })).toHaveCount(0);

  // The good file, pasted: previewed, then imported.
  await page.getByLabel('Or paste the CSV').fill(good);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(preview).toContainText('2 to create');
  await expect(preview.getByRole('columnheader', { name: 'Opened' })).toBeVisible();
  await preview.getByRole('button', { name: 'Import 2 incidents' }).click();
  await expect(page.getByText(/Imported 2 incidents \(INC-\d+ … INC-\d+\)/)).toBeVisible();
  await page.getByRole('link', { name: 'See the queue' }).click();

  // Both are in the queue with their state; the view is kept as a saved filter.
  await openHydrated(page, '/incidents');
  await page.getByLabel('Search').fill(batch);
  await page.getByLabel('Status').selectOption('all');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/state=all/);
  await expect(page.getByRole('row', { name: /VPN drops every hour/ })).toContainText('Closed');
  await expect(page.getByRole('row', { name: /Payslip PDF is blank/ })).toContainText('In progress');
  await page.getByLabel('Save these filters as').fill(`Migrated ${batch}`);
  await page.getByRole('button', { name: 'Save filter' }).click();
  await expect(page.getByRole('link', { name: `Migrated ${batch}` })).toBeVisible();
  await openHydrated(page, '/incidents');
  await page.getByRole('link', { name: `Migrated ${batch}` }).click();
  await expect(page).toHaveURL(/state=all/);
  await expect(page.getByRole('row', { name: /VPN drops every hour/ })).toBeVisible();

  // The record says where it came from.
  await page.getByRole('row', { name: /VPN drops every hour/ }).getByRole('link').first().click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await expect(page.locator('dd').filter({ hasText: `where it was ${batch}-1` })).toBeVisible();
  await expect(page.locator('ol.incident-timeline')).toContainText('Resolved in the other tool (Fixed)');

  // The same file again creates nothing.
  await openHydrated(page, '/incidents/import');
  await page.getByLabel('Or paste the CSV').fill(good);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(preview).toContainText('0 to create · 2 already in Conform');
  await expect(preview.getByRole('button', { name: /^Import/ })).toHaveCount(0);
  expect(problems).toEqual([]);
  await context.close();
});
