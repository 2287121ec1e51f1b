import { demo, hydrated, openHydrated, signedInPage, test, expect } from './helpers';

// The demo's Weekly CAB: Chris Change chairs; Kim Board and Quinn Quality are members, and
// Quinn is also the delegate of Rowan Resilience (absent here). Five members, majority quorum.

test('a CAB meeting runs live for the chair and two members, from agenda to published minutes', async ({ browser, problems }) => {
  test.setTimeout(120_000);
  const chair = await signedInPage(browser, demo.changeManager);
  const kim = await signedInPage(browser, demo.cabMember);
  const quinn = await signedInPage(browser, demo.quality);

  // The chair finds the scheduled meeting on the CAB page and opens it.
  await openHydrated(chair.page, '/cab');
  await expect(chair.page.getByRole('heading', { name: /Weekly CAB/ }).first()).toBeVisible();
  await chair.page.getByRole('link', { name: /^Weekly CAB — / }).click();
  await expect(chair.page).toHaveURL(/\/cab\/meetings\/\d+$/);
  await hydrated(chair.page);
  const meetingUrl = new URL(chair.page.url()).pathname;
  const agenda = chair.page.locator('ol.agenda > li');
  // The meeting loads after the client-side navigation: wait for its agenda (two items or more).
  await expect(agenda.nth(1)).toBeVisible();

  await chair.page.getByRole('button', { name: 'Start the meeting' }).click();
  const itemHeading = chair.page.locator('#item-heading');
  await expect(chair.page.locator('.item-position')).toContainText('Under discussion · Item 1 of');
  await expect(chair.page.locator('.item-timer')).toBeVisible();
  const firstItem = (await itemHeading.locator('a').textContent())!.trim();
  expect(firstItem).toMatch(/^CHG-\d{5}$/);

  // Alone, the chair cannot decide: the screen says why.
  const presence = chair.page.locator('.presence-panel');
  await expect(presence.locator('.quorum')).toContainText('1 of 5 members represented, 3 needed');
  await chair.page.getByLabel('Decision', { exact: true }).selectOption('authorise');
  await chair.page.getByRole('button', { name: 'Record decision' }).click();
  await expect(chair.page.getByRole('alert')).toContainText('No quorum: 1 of 5 members present, 3 needed (a majority).');

  // Two members join: presence updates on the chair's screen without a reload.
  await openHydrated(kim.page, meetingUrl);
  await openHydrated(quinn.page, meetingUrl);
  await expect(presence.getByText('Kim Board — present')).toBeVisible();
  await expect(presence.getByText('Quinn Quality — present')).toBeVisible();
  await expect(presence.getByText('Rowan Resilience — represented by Quinn Quality')).toBeVisible();
  await expect(presence.locator('.quorum')).toContainText('4 of 5 members represented');
  for (const member of [kim.page, quinn.page]) {
    await expect(member.locator('#item-heading a')).toHaveText(firstItem);
    await expect(member.locator('.item-position')).toContainText('Under discussion');
  }
  // The item shows what the change's configuration items reach (members read the CMDB).
  await expect(kim.page.locator('.current-item').getByRole('region', { name: 'Reached through configuration items' })).toBeVisible();

  // They vote; the chair sees the votes arrive.
  await kim.page.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(kim.page.getByText('You voted: Approve')).toBeVisible();
  await quinn.page.getByLabel('Comment (needed for conditions and rejections)').fill('Only after the backup has been verified');
  await quinn.page.getByRole('button', { name: 'Approve with conditions' }).click();
  const votes = chair.page.locator('ul.votes');
  await expect(votes).toContainText('Kim Board: Approve');
  await expect(votes).toContainText('Quinn Quality: Approve with conditions — Only after the backup has been verified');

  // The chair records the decision: every screen shows it, and the change is authorised.
  // A schedule conflict blocks authorisation; the chair (a change manager) accepts it on record.
  const override = chair.page.getByRole('button', { name: 'Override conflicts' });
  if (await override.isVisible()) {
    await chair.page.getByLabel('Reason to accept the conflicts').fill('The implementer confirmed both changes fit the window');
    await override.click();
    await expect(chair.page.locator('.current-item')).toContainText('The implementer confirmed both changes fit the window');
    await expect(override).toHaveCount(0);
  }
  await chair.page.getByLabel('Decision', { exact: true }).selectOption('authorise_with_conditions');
  await chair.page.getByLabel('Conditions or reason').fill('Run after the verified backup only');
  await chair.page.getByLabel('Discussion notes (for the minutes)').fill('Backout rehearsed last month.');
  await chair.page.getByRole('button', { name: 'Record decision' }).click();
  for (const screen of [chair.page, kim.page, quinn.page]) {
    await expect(screen.locator('.decision-recorded')).toContainText('Decision: Authorised with conditions. Run after the verified backup only');
  }
  await expect(kim.page.locator('.agenda-progress')).toContainText('1 of');

  // Next item: everyone follows the chair.
  await chair.page.getByRole('button', { name: /^Next item: / }).click();
  await expect(chair.page.locator('.item-position')).toContainText('Item 2 of');
  const secondItem = (await itemHeading.locator('a').textContent())!.trim();
  expect(secondItem).not.toBe(firstItem);
  for (const member of [kim.page, quinn.page]) {
    await expect(member.locator('#item-heading a')).toHaveText(secondItem);
  }

  // A member looks back at the first item without losing the live position.
  await kim.page.locator('ol.agenda').getByRole('button', { name: new RegExp(`^${firstItem}`) }).click();
  await expect(kim.page.locator('.look-back')).toContainText('You are looking back');
  await expect(kim.page.locator('#item-heading a')).toHaveText(firstItem);
  await kim.page.getByRole('button', { name: 'Back to the live item' }).click();
  await expect(kim.page.locator('#item-heading a')).toHaveText(secondItem);

  // A member who reloads lands back on the live item.
  await quinn.page.reload();
  await hydrated(quinn.page);
  await expect(quinn.page.locator('#item-heading a')).toHaveText(secondItem);
  await expect(quinn.page.locator('.item-position')).toContainText('Under discussion · Item 2 of');

  // The change moved on the change board.
  const changeId = Number(firstItem.slice(4));
  await openHydrated(kim.page, '/changes/board');
  await expect(kim.page.locator(`[data-state="authorised"] [data-change="${changeId}"]`)).toBeVisible();
  await openHydrated(kim.page, `/changes/${changeId}`);
  await expect(kim.page.locator('.page-header .badge.state-authorised')).toHaveText('Authorised');
  await openHydrated(kim.page, meetingUrl);

  // The chair ends the meeting; the draft minutes are written from what happened.
  await chair.page.getByRole('button', { name: 'End the meeting' }).click();
  const editor = chair.page.getByLabel('Minutes (Markdown)');
  await expect(editor).toBeVisible();
  const draft = await editor.inputValue();
  expect(draft).toContain(`### 1. ${firstItem}`);
  expect(draft).toContain('**Decision: Authorised with conditions.** Run after the verified backup only');
  expect(draft).toContain('Kim Board: Approve');
  expect(draft).toContain('Discussion: Backout rehearsed last month.');
  expect(draft).toContain('Not reached; carried over to the next meeting.');
  await editor.fill(`${draft}\nAny other business: none.\n`);
  await chair.page.getByRole('button', { name: 'Save draft' }).click();
  await expect(chair.page.locator('.minutes')).toContainText('Any other business: none.');
  await chair.page.getByRole('button', { name: 'Publish the minutes' }).click();
  await expect(chair.page.getByRole('heading', { name: 'Minutes', exact: true })).toBeVisible();

  // Members see the published minutes, which match what happened, and can export them.
  const published = kim.page.locator('.minutes-published');
  await expect(published).toContainText('Decision: Authorised with conditions.');
  await expect(published).toContainText('Quinn Quality: Approve with conditions');
  await expect(published).toContainText('Any other business: none.');
  const markdown = await kim.page.request.get(`${meetingUrl}/minutes.md`);
  expect(markdown.status()).toBe(200);
  expect(await markdown.text()).toContain('Any other business: none.');
  const printable = await kim.page.request.get(`${meetingUrl}/minutes.html`);
  expect(await printable.text()).toContain('<h1>Minutes: Weekly CAB');
  // Published minutes cannot be edited any more.
  await expect(chair.page.getByLabel('Minutes (Markdown)')).toHaveCount(0);

  expect(problems).toEqual([]);
  for (const person of [chair, kim, quinn]) await person.context.close();
});

test('a change manager defines a board through the form and calls an emergency sitting', async ({ browser, problems }) => {
  const { context, page } = await signedInPage(browser, demo.changeManager);
  await openHydrated(page, '/cab/boards/new');
  await page.getByLabel('Name').fill('Network ECAB');
  await page.getByLabel('Kind').selectOption('ecab');
  await page.getByLabel('Chair').selectOption({ label: 'Chris Change' });
  await page.getByLabel('Kim Board', { exact: true }).check();
  await page.getByRole('button', { name: 'Add board' }).click();
  // Refused with the reason beside the field; nothing saved.
  await expect(page.getByText('A board needs at least two members.')).toBeVisible();
  await expect(page).toHaveURL(/\/cab\/boards\/new$/);

  await page.getByLabel('Chris Change', { exact: true }).check();
  await page.getByLabel('Quinn Quality', { exact: true }).check();
  await page.getByLabel('Delegate for Kim Board').selectOption({ label: 'Quinn Quality' });
  await page.getByLabel('Quorum').selectOption('at_least');
  await page.getByLabel('Number or percentage').fill('2');
  await page.getByLabel('Emergency', { exact: true }).check();
  await page.getByRole('button', { name: 'Add board' }).click();
  await expect(page).toHaveURL(/\/cab$/);
  const card = page.locator('section.board-card', { has: page.getByRole('heading', { name: /Network ECAB/ }) });
  await expect(card).toContainText('Meets ad hoc');
  await expect(card).toContainText('Kim Board (delegate: Quinn Quality)');
  await expect(card).toContainText('at least 2 of 3 members');

  // An emergency sitting now: the meeting opens with the chair's controls.
  await hydrated(page);
  await card.getByLabel('Schedule a meeting').selectOption('now');
  await card.getByRole('button', { name: 'Schedule' }).click();
  await expect(page).toHaveURL(/\/cab\/meetings\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Emergency');
  await expect(page.getByRole('button', { name: 'Start the meeting' })).toBeVisible();
  expect(problems).toEqual([]);
  await context.close();
});
