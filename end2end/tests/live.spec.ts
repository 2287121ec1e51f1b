import { Page } from '@playwright/test';
import { demo, expect, openHydrated, signedInPage, test, unique } from './helpers';

/** Moves change `id` on by `action` from `page`'s browser, as another person's board would. */
async function move(page: Page, id: number, action: string) {
  const status = await page.evaluate(async ({ id, action }) => {
    const call = { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' } };
    const change = await (await fetch('/api/changes/get', { ...call, body: `id=${id}` })).json();
    const moved = await fetch('/api/changes/transition', { ...call, body: `id=${id}&version=${change.version}&action=${action}&comment=` });
    return moved.status;
  }, { id, action });
  expect(status).toBe(200);
}

test('a board takes moves in place, and catches up after being offline without a reload', async ({ browser }) => {
  const manager = await signedInPage(browser, demo.changeManager);
  const watcher = await signedInPage(browser, demo.auditor);
  await openHydrated(manager.page, '/changes/board');
  await openHydrated(watcher.page, '/changes/board');
  const boardFetches: string[] = [];
  watcher.page.on('request', (request) => {
    if (request.url().includes('/api/changes/board')) boardFetches.push(request.url());
  });
  // Survives only as long as the page is not loaded again.
  await watcher.page.evaluate(() => { (window as unknown as { sameDocument: boolean }).sameDocument = true; });
  const id = Number(await watcher.page.locator('[data-state="submitted"] article[data-change]').first().getAttribute('data-change'));

  // The event brings the card: it moves on the watcher's board, which fetches nothing.
  await move(manager.page, id, 'assess');
  const card = (state: string) => watcher.page.locator(`[data-state="${state}"] article[data-change="${id}"]`);
  await expect(card('assessed')).toBeVisible({ timeout: 5_000 });
  await expect(card('submitted')).toHaveCount(0);
  expect(boardFetches).toEqual([]);

  // The watcher's laptop goes offline; the card moves on meanwhile; back online, the board
  // shows it without a reload. (Chromium's offline mode keeps an open stream open: the
  // resume after a dropped stream — Last-Event-ID, replay or resync — is proven over HTTP in
  // server/tests/integration/live.rs.)
  await watcher.context.setOffline(true);
  await move(manager.page, id, 'request_authorisation');
  await watcher.context.setOffline(false);
  await expect(card('awaiting_authorisation')).toBeVisible({ timeout: 15_000 });
  await expect(card('assessed')).toHaveCount(0);
  expect(await watcher.page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

  for (const context of [manager.context, watcher.context]) await context.close();
});

test('a blackout added elsewhere flags the changes it hits on an open board, which fetches nothing', async ({ browser }) => {
  const manager = await signedInPage(browser, demo.changeManager);
  const watcher = await signedInPage(browser, demo.auditor);
  await openHydrated(manager.page, '/changes');
  // A change of its own, far ahead where nothing else is planned, submitted to the board.
  const title = unique('Freeze target');
  const id = await manager.page.evaluate(async (title) => {
    const call = { method: 'POST', redirect: 'manual' as RequestRedirect, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' } };
    const answers = ['impact_breadth', 'complexity', 'backout_difficulty', 'history', 'time_pressure'].map((q) => `form[${q}]=0`).join('&');
    const fields = [`form[title]=${encodeURIComponent(title)}`, 'form[change_type]=normal',
      'form[planned_start]=2031-05-01T10:00', 'form[planned_end]=2031-05-01T11:00', 'form[implementation_plan]=Apply.',
      'form[test_plan]=Test.', 'form[backout_plan]=Restore.', answers];
    await fetch('/api/changes/create', { ...call, body: fields.join('&') });
    const found = await (await fetch('/api/changes/list', { ...call, body: `params[q]=${encodeURIComponent(title)}` })).json();
    return found.items[0].id as number;
  }, title);
  await move(manager.page, id, 'submit');

  await openHydrated(watcher.page, '/changes/board');
  const card = watcher.page.locator(`[data-state="submitted"] article[data-change="${id}"]`);
  await expect(card).toBeVisible();
  await expect(card.getByLabel('Schedule conflict')).toHaveCount(0);
  const boardFetches: string[] = [];
  watcher.page.on('request', (request) => {
    if (request.url().includes('/api/changes/board')) boardFetches.push(request.url());
  });

  const status = await manager.page.evaluate(async (name) => {
    const body = ['form[kind]=blackout', `form[name]=${encodeURIComponent(name)}`,
      'form[starts]=2031-05-01T09:00', 'form[ends]=2031-05-01T12:00'].join('&');
    const saved = await fetch('/api/calendar/save_window', { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body });
    return saved.status;
  }, unique('Freeze'));
  expect(status).toBeLessThan(400);
  await expect(card.getByLabel('Schedule conflict')).toBeVisible({ timeout: 5_000 });
  expect(boardFetches).toEqual([]);

  for (const context of [manager.context, watcher.context]) await context.close();
});
