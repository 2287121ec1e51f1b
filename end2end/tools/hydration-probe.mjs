// Loads pages again and again as one signed-in person and reports every load that does not
// hydrate, with the browser console's errors. Races in hydration (see ARCHITECTURE.md,
// "Hydration rule") show up only now and then, so one passing end-to-end run proves little.
//
//   node tools/hydration-probe.mjs BASE_URL EMAIL ROUNDS PATH...
//   node tools/hydration-probe.mjs http://127.0.0.1:3100 auditor@conform.demo 30 /compliance/audits
//
// Serve a debug client (wasm-bindgen of the dev build) to have the failing view named.
import { chromium } from '@playwright/test';

const [base, email, rounds, ...paths] = process.argv.slice(2);
if (!base || !email || !(Number(rounds) > 0) || paths.length === 0) {
  console.error('usage: node tools/hydration-probe.mjs BASE_URL EMAIL ROUNDS PATH...');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage();
let problems = [];
page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text().slice(0, 600)); });
page.on('pageerror', (e) => problems.push(`exception: ${e.message.slice(0, 600)}`));
const hydrated = () =>
  page.waitForFunction(() => document.body.getAttribute('data-hydrated') === 'true', null, { timeout: 15_000 })
    .then(() => true, () => false);

await page.goto(`${base}/login`);
await hydrated();
await page.getByLabel('E-mail address').fill(email);
await page.getByLabel('Password').fill(process.env.PASSWORD ?? 'conform-demo');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('button', { name: 'Sign out' }).waitFor();

const failures = new Map(paths.map((p) => [p, 0]));
for (let round = 1; round <= Number(rounds); round++) {
  for (const path of paths) {
    problems = [];
    await page.goto(base + path);
    if (!(await hydrated())) {
      failures.set(path, failures.get(path) + 1);
      console.log(`round ${round}: ${path} did not hydrate\n  ${problems.join('\n  ')}`);
    }
  }
}
for (const [path, failed] of failures) console.log(`${path}: ${failed} of ${rounds} loads failed to hydrate`);
await browser.close();
process.exit([...failures.values()].some((n) => n > 0) ? 1 : 0);
