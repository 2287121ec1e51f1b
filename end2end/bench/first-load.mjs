// What the browser downloads: the first load (the dashboard, signed in, cold cache, until
// hydrated) and, per section, the client code that section fetches beyond the first load.
// Bytes are as transferred (the precompressed file the server chose), from Chromium's own
// accounting. Usage: node bench/first-load.mjs http://127.0.0.1:3200
import { launchBrowser, signIn } from './common.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:3200';
const sections = {
  changes: '/changes',
  'change board': '/changes/board',
  calendar: '/calendar',
  cab: '/cab',
  continuity: '/continuity',
  improvements: '/improvements',
  nonconformities: '/nonconformities',
  compliance: '/compliance',
  services: '/services',
  admin: '/admin/users',
};

const browser = await launchBrowser();
const storageState = await signIn(browser, base, 'admin@conform.demo');

// Loads a page in a cold context until hydrated; returns the client files it fetched.
async function clientFiles(path) {
  const context = await browser.newContext({ storageState });
  const page = await context.newPage();
  const files = new Map();
  page.on('requestfinished', async (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/pkg/')) return;
    const sizes = await request.sizes();
    const name = url.pathname.split('/').pop();
    files.set(name, sizes.responseBodySize);
  });
  await page.goto(base + path);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60000 });
  await page.waitForLoadState('networkidle');
  await context.close();
  return files;
}

const kib = (bytes) => +(bytes / 1024).toFixed(1);
const total = (files) => [...files.values()].reduce((a, b) => a + b, 0);

const first = await clientFiles('/');
const perSection = {};
for (const [section, path] of Object.entries(sections)) {
  const files = await clientFiles(path);
  const own = [...files].filter(([name]) => !first.has(name));
  perSection[section] = {
    path,
    kib: kib(own.reduce((sum, [, bytes]) => sum + bytes, 0)),
    files: own.map(([name, bytes]) => `${name} ${kib(bytes)} KiB`),
  };
}
console.log(JSON.stringify({
  first_load_kib: kib(total(first)),
  first_load_files: [...first].map(([name, bytes]) => `${name} ${kib(bytes)} KiB`),
  sections: perSection,
}, null, 2));
await browser.close();
