import AxeBuilder from '@axe-core/playwright';
import { Browser, Page } from '@playwright/test';
import { demo, expect, signedInPage, test } from './helpers';

// Every page a person can reach from the navigation, for several roles: the links of the top bar
// (the main navigation and the account link), then the links on those pages, then the links on
// those (a list page's detail pages: the first change, a continuity plan, a document, an audit,
// a review…). Pages are told apart by their route pattern — numeric path segments and clause
// numbers stand for any — so each route is visited once per role, with the first link found.
//
// A page fails when its answer is not 2xx, when the browser logs an error or throws, when a
// sub-resource fails, when the client does not hydrate it, when it scrolls sideways at 390 px
// wide (a phone), or when axe finds a serious or critical accessibility violation. A page's
// failures are reported together, and the walk goes on to the next page.

const ROLES = [
  { role: 'quality manager', email: demo.quality },
  { role: 'change manager', email: demo.changeManager },
  // The service level manager's own forms: agreements, service hours, the priority matrix.
  { role: 'service level manager', email: demo.serviceLevels },
];

/** How many links away from the top bar the walk goes (0 = the top bar's own pages). */
const DEPTH = 2;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Links that leave the page for a file or end the session: never followed. (Signing out is a
 * form's button, and the walk only follows links.) */
const NOT_A_PAGE = [
  /\.(csv|pdf|zip|md|ics|json|txt)$/i, // exports and feeds
  /\/download$/, // the evidence pack's archive
  /\/calendar\/feed\//,
  /\/(logout|sign-out|signout)$/,
  /^\/(api|pkg|events)\//,
];

/** Printable pages the server renders on its own (print a plan, an audit report, minutes):
 * checked like any page, except that no client hydrates them. */
const PRINTABLE = [
  /^\/continuity\/plans\/\d+\/print$/,
  /^\/compliance\/audits\/\d+\/report$/,
  /^\/compliance\/reviews\/\d+\/minutes$/,
  /^\/cab\/meetings\/\d+\/minutes\.html$/,
];

/** Routes the walk must reach for each role, or it has lost its way (links renamed, a list empty). */
const MUST_REACH = [
  '/changes',
  '/changes/:n',
  '/cab',
  '/calendar',
  '/continuity',
  '/continuity/plans/:n',
  '/improvements',
  '/improvements/:n',
  '/services',
  '/services/:n',
  '/compliance',
  '/compliance/profile',
  '/compliance/documents',
  '/compliance/documents/:n',
  '/compliance/audits/:n',
  '/compliance/reviews/:n',
  '/incidents',
  '/incidents/:n',
  '/incidents/board',
  '/service-levels',
  '/service-levels/agreements/:n',
  '/service-levels/intake',
  '/service-levels/intake/:n',
  '/problems',
  '/problems/:n',
  '/risks',
  '/risks/:n',
  '/risks/matrix',
  '/suppliers',
  '/suppliers/:n',
  '/cmdb',
  '/cmdb/:n',
  '/competences',
  '/competences/:n',
  '/competences/people/:n',
  '/awareness',
  '/awareness/:n',
  '/requests',
  '/requests/:n',
  '/requests/catalogue',
  '/requests/new',
  '/service-levels/report',
];

/** WCAG rules axe still calls experimental, and so does not run unless asked. */
const EXPERIMENTAL_WCAG_RULES = Object.fromEntries(
  ['css-orientation-lock', 'label-content-name-mismatch', 'p-as-heading', 'table-fake-caption', 'td-has-header'].map(
    (rule) => [rule, { enabled: true }],
  ),
);

/** The route a path belongs to: numbers (ids, clause numbers like 8.5.1) stand for any. */
function routePattern(pathname: string) {
  const path = pathname.replace(/\/+$/, '') || '/';
  return path
    .split('/')
    .map((segment) => (/^\d+(\.\d+)*$/.test(segment) ? ':n' : segment))
    .join('/');
}

type Link = { href: string; download: boolean };

/** The same-origin links under `scope` that lead to a page of the app. */
async function pageLinks(page: Page, scope: string): Promise<string[]> {
  const origin = new URL(page.url()).origin;
  const links: Link[] = await page.locator(scope).evaluateAll((elements) =>
    elements.map((a) => ({
      href: (a as HTMLAnchorElement).href,
      download: a.hasAttribute('download'),
    })),
  );
  const found: string[] = [];
  for (const link of links) {
    if (link.download || !link.href) continue;
    const url = new URL(link.href);
    if (url.origin !== origin || !/^https?:$/.test(url.protocol)) continue;
    if (NOT_A_PAGE.some((pattern) => pattern.test(url.pathname))) continue;
    url.hash = '';
    found.push(url.toString());
  }
  return found;
}

/** The elements that widen the page at the current width: each sticks out to the right, no
 * box that scrolls or clips it holds it in, and it is the outermost such element. */
async function sidewaysCulprits(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.scrollingElement!.clientWidth;
    const sticksOut = (el: Element) => el.getBoundingClientRect().right > width + 1;
    const outOfFlow = (el: Element) => ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    // Whether no ancestor that clips it (a scrolling table box) holds it: an absolutely
    // positioned element is held only by positioned ancestors, its containing blocks.
    const escapes = (el: Element) => {
      let absolute = outOfFlow(el);
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (absolute && getComputedStyle(up).position === 'static') continue;
        if (getComputedStyle(up).overflowX !== 'visible') return false;
        absolute = outOfFlow(up);
      }
      return true;
    };
    const describe = (el: Element) => {
      const classes = [...el.classList].slice(0, 2).map((c) => `.${c}`).join('');
      return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${classes}`;
    };
    const culprits: string[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (!sticksOut(el) || !escapes(el)) continue;
      const parent = el.parentElement!;
      if (parent !== document.body && sticksOut(parent) && escapes(parent)) continue;
      culprits.push(`${describe(el)} (right edge at ${Math.round(el.getBoundingClientRect().right)} px)`);
      if (culprits.length === 3) break;
    }
    return culprits;
  });
}

/** Everything wrong with the page at `url`, as readable lines (none: the page is fine). */
async function checkPage(page: Page, url: string, errors: string[]): Promise<string[]> {
  const problems: string[] = [];
  errors.length = 0;
  await page.setViewportSize(DESKTOP);
  const response = await page.goto(url);
  const status = response?.status() ?? 0;
  if (!response || status < 200 || status > 299) {
    problems.push(`answered ${status || 'nothing'} (expected 2xx)`);
  }
  const printable = PRINTABLE.some((pattern) => pattern.test(new URL(page.url()).pathname));
  if (!printable) {
    try {
      await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 15_000 });
    } catch {
      problems.push('not hydrated: body[data-hydrated="true"] never appeared');
    }
  }

  const axe = await new AxeBuilder({ page })
    // Only violations are read, which makes axe faster; and the WCAG rules axe still calls
    // experimental run too (label-content-name-mismatch: a control's name must contain its text).
    .options({ resultTypes: ['violations'], rules: EXPERIMENTAL_WCAG_RULES })
    .analyze();
  for (const violation of axe.violations) {
    if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
    const where = violation.nodes
      .slice(0, 3)
      .map((node) => node.target.join(' '))
      .join(', ');
    const more = violation.nodes.length > 3 ? ` and ${violation.nodes.length - 3} more` : '';
    problems.push(`axe ${violation.id} (${violation.impact}): ${violation.help} — ${where}${more}`);
  }

  await page.setViewportSize(PHONE);
  const sideways = await page.evaluate(() => {
    const root = document.scrollingElement!;
    return { scroll: root.scrollWidth, client: root.clientWidth };
  });
  if (sideways.scroll > sideways.client) {
    const culprits = await sidewaysCulprits(page);
    problems.push(
      `scrolls sideways at ${PHONE.width} px: ${sideways.scroll} px wide in ${sideways.client} px` +
        (culprits.length ? `; sticking out: ${culprits.join(', ')}` : ''),
    );
  }

  // Errors logged while the page loaded, hydrated and was looked at.
  problems.push(...errors);
  return problems;
}

type Walk = { role: string; visited: string[]; failures: { page: string; problems: string[] }[] };

/** Walks every page `email` reaches from the top bar, checking each. */
async function walk(browser: Browser, role: string, email: string): Promise<Walk> {
  const { context, page } = await signedInPage(browser, email);
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught exception: ${error.message}`));
  page.on('requestfailed', (request) => {
    // Leaving a page aborts what it still loads (the live stream); that is not a fault.
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') {
      errors.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== 'document') {
      errors.push(`${response.status()} for ${response.request().resourceType()} ${response.url()}`);
    }
  });

  const seen = new Set<string>();
  const queue: { url: string; depth: number; from: string }[] = [];
  const enqueue = (urls: string[], depth: number, from: string) => {
    for (const url of urls) {
      const pattern = routePattern(new URL(url).pathname);
      if (seen.has(pattern)) continue;
      seen.add(pattern);
      queue.push({ url, depth, from });
    }
  };
  enqueue(await pageLinks(page, 'header.topbar a[href]'), 0, 'the top bar');

  const result: Walk = { role, visited: [], failures: [] };
  for (let next = queue.shift(); next; next = queue.shift()) {
    const { url, depth, from } = next;
    const path = url.replace(new URL(url).origin, '');
    const problems = await checkPage(page, url, errors);
    result.visited.push(routePattern(new URL(url).pathname));
    if (problems.length > 0) result.failures.push({ page: `${path} (linked from ${from})`, problems });
    if (depth < DEPTH && new URL(page.url()).origin === new URL(url).origin) {
      enqueue(await pageLinks(page, 'main a[href]'), depth + 1, path);
    }
  }
  await context.close();
  return result;
}

/** A problem list made short enough to read: first lines only, repeats counted. */
function readable(problems: string[]) {
  const counts = new Map<string, number>();
  for (const problem of problems) {
    const short = problem
      .split('\n')
      .filter((line) => line.trim())
      .slice(0, 2)
      .map((line) => (line.length > 240 ? `${line.slice(0, 240)}…` : line))
      .join(' / ');
    counts.set(short, (counts.get(short) ?? 0) + 1);
  }
  return [...counts].map(([problem, n]) => (n > 1 ? `${problem} (${n} times)` : problem));
}

test('every page each role reaches loads, hydrates, fits a phone and passes axe', async ({ browser }) => {
  // Three roles side by side on two cores take three to six minutes (more on a busy machine).
  test.setTimeout(540_000);
  // The roles walk side by side, each in its own browser context.
  const walks = await Promise.all(ROLES.map(({ role, email }) => walk(browser, role, email)));
  for (const { role, visited, failures } of walks) {
    console.log(`as the ${role}: ${visited.length} pages (${visited.join(' ')})`);
    for (const { page, problems } of failures) {
      expect.soft(problems.length, `${page} as the ${role}:\n  - ${readable(problems).join('\n  - ')}\n`).toBe(0);
    }
    for (const route of MUST_REACH) {
      expect.soft(visited, `the walk as the ${role} reaches ${route}`).toContain(route);
    }
  }
});
