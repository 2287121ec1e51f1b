import { demo, hydrated, openHydrated, signedInPage, test, expect, unique } from './helpers';

/** One Alertmanager webhook delivery (payload version 4) with one alert. */
function delivery(fingerprint: string, status: 'firing' | 'resolved', summary: string) {
  return {
    version: '4',
    groupKey: '{}:{alertname="PortalDown"}',
    truncatedAlerts: 0,
    status,
    receiver: 'conform',
    groupLabels: { alertname: 'PortalDown' },
    commonLabels: { alertname: 'PortalDown' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status,
        labels: { alertname: 'PortalDown', instance: 'portal-1:443', severity: 'critical' },
        annotations: { summary },
        startsAt: new Date(Date.now() - 5 * 60_000).toISOString(),
        endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph',
        fingerprint,
      },
    ],
  };
}

test('an alert posted in Alertmanager\'s format opens an incident live, is deduplicated, resolves on the timeline, and a revoked token is refused', async ({ browser, playwright, problems }) => {
  test.setTimeout(90_000);
  const manager = await signedInPage(browser, demo.serviceLevels);
  const resolver = await signedInPage(browser, demo.resolver);
  const page = manager.page;
  const name = unique('Prometheus');

  // The service level manager adds a source from the service levels page.
  await openHydrated(page, '/service-levels');
  await page.getByRole('link', { name: 'Monitoring sources' }).click();
  await expect(page).toHaveURL(/\/service-levels\/intake$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Add the source' }).click();
  await expect(page.getByText('Choose an active person')).toHaveCount(0);
  await expect(page.getByText('Choose who the incidents are reported by.')).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Incidents are reported by', { exact: true }).selectOption({ label: 'Sam Levels' });
  await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Customer portal' });
  await page.getByLabel('Impact', { exact: true }).selectOption('low');
  await page.getByLabel('Urgency', { exact: true }).selectOption('low');
  await page.getByLabel('Rule 1: label', { exact: true }).fill('severity');
  await page.getByLabel('Rule 1: value', { exact: true }).fill('critical');
  await page.getByLabel('Rule 1: impact', { exact: true }).selectOption('high');
  await page.getByLabel('Rule 1: urgency', { exact: true }).selectOption('high');
  await page.getByRole('button', { name: 'Add the source' }).click();

  // The token is shown once, with the receiver to paste into alertmanager.yml.
  const panel = page.getByRole('status').filter({ hasText: "The source's token" });
  await expect(panel).toBeVisible();
  const token = await page.getByLabel('Token', { exact: true }).inputValue();
  expect(token.length).toBeGreaterThan(30);
  await expect(panel.locator('pre')).toContainText('/intake/alertmanager');
  await expect(panel.locator('pre')).toContainText(`credentials: ${token}`);
  await expect(page.getByRole('row', { name: new RegExp(name) })).toContainText('Active');

  // The resolver watches the queue; Alertmanager posts from another machine, with no session.
  await openHydrated(resolver.page, '/incidents');
  const origin = new URL(page.url()).origin;
  const alertmanager = await playwright.request.newContext();
  const post = (body: object, bearer = token) =>
    alertmanager.post(`${origin}/intake/alertmanager`, { data: body, headers: { authorization: `Bearer ${bearer}` } });
  const fingerprint = `e2e${Date.now().toString(16)}`;
  const summary = unique('Portal probe failing');

  const first = await post(delivery(fingerprint, 'firing', summary));
  expect(first.status()).toBe(200);
  expect((await first.json()).opened).toHaveLength(1);
  const row = resolver.page.getByRole('row', { name: new RegExp(summary) });
  await expect(row).toBeVisible({ timeout: 15_000 });
  await expect(row).toContainText('P1 Critical');

  // Alertmanager repeats the group: still one incident.
  const again = await post(delivery(fingerprint, 'firing', summary));
  expect(await again.json()).toMatchObject({ opened: [], unchanged: 1 });
  await resolver.page.reload();
  await hydrated(resolver.page);
  await expect(resolver.page.getByRole('row', { name: new RegExp(summary) })).toHaveCount(1);

  // The alert resolves: the record says so, live, and the incident waits for a person.
  await resolver.page.getByRole('row', { name: new RegExp(summary) }).getByRole('link').first().click();
  await expect(resolver.page).toHaveURL(/\/incidents\/\d+$/);
  await hydrated(resolver.page);
  await expect(resolver.page.locator('ol.incident-timeline')).toContainText(`from the alert ${fingerprint} of ${name}`);
  const resolved = await post(delivery(fingerprint, 'resolved', summary));
  expect(await resolved.json()).toMatchObject({ noted: 1 });
  await expect(resolver.page.locator('ol.incident-timeline')).toContainText('The alert resolved', { timeout: 15_000 });
  await expect(resolver.page.locator('.page-actions')).toContainText('New');

  // The manager revokes the source: its token is refused and nothing is opened.
  await page.getByRole('row', { name: new RegExp(name) }).getByRole('link', { name }).click();
  await expect(page).toHaveURL(/\/service-levels\/intake\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await page.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.locator('.page-head')).toContainText('Revoked');
  const refused = await post(delivery(`${fingerprint}b`, 'firing', summary));
  expect(refused.status()).toBe(401);
  expect(refused.headers()['www-authenticate']).toContain('Bearer');
  await alertmanager.dispose();
});
