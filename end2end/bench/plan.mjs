// Continuity plan editor benchmark in headless Chromium: a plan of 500 recovery steps against
// a plan of 10 steps (the baseline, measured in the same run, interleaved with it).
//
// 1. First render: navigation to the plan page (/continuity/plans/{id}), cold cache, until
//    hydrated with the timeline drawn.
// 2. Editor responsiveness: one real keystroke (page.keyboard.press of a digit, through CDP
//    Input.dispatchKeyEvent — keydown, input, keyup as from a keyboard) in the duration field
//    of a step on the critical path, e.g. "45" → "457"; timed inside the page from the
//    keydown event's timeStamp to (a) the MutationObserver seeing the timeline caption's
//    data-total change (DOM updated) and (b) the first task after the next animation frame
//    (painted). The step is on the critical path and only gets longer, so the total must grow
//    by exactly the added minutes; the script checks it. Between keystrokes (untimed) the
//    field is set back with locator.fill and the autosave is left to finish, so a save in
//    flight never overlaps a timed keystroke.
//
// The plans' steps come from `bench_schedule steps <n>` (app/examples/bench_schedule.rs), the
// same generator the model benchmark times; the script creates the plans through the server
// functions (signed in as the continuity manager) and saves the steps as their drafts.
// Usage: node bench/plan.mjs http://127.0.0.1:3205 <runs> <steps-500.json> <steps-10.json>
import { readFileSync } from 'node:fs';
import { request } from '@playwright/test';
import { formHeaders, launchBrowser, median, percentile, round, signIn, visitTimes } from './common.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:3205';
const runs = Number(process.argv[3] ?? 15);
const [bigFile, smallFile] = [process.argv[4], process.argv[5]];
if (!bigFile || !smallFile) {
  throw new Error('usage: node bench/plan.mjs <url> <runs> <steps-500.json> <steps-10.json>');
}
const AUTOSAVE_MS = 900; // plan_editor.rs AUTOSAVE_DELAY

const browser = await launchBrowser();
const storageState = await signIn(browser, base, 'continuity@conform.demo');
const api = await request.newContext({ baseURL: base, storageState });

async function call(path, data, headers = formHeaders(base)) {
  const response = await api.post(`/api/${path}`, { headers, data, maxRedirects: 0 });
  if (!response.ok()) throw new Error(`${path}: ${response.status()} ${await response.text()}`);
  return response;
}

/** Creates a plan covering one service and saves `steps` as its draft; returns its facts. */
async function createPlan(steps) {
  const [services, people] = await (await call('continuity/plan-choices', '')).json();
  const title = `Benchmark plan, ${steps.length} steps (${Date.now()})`;
  const me = people.find((p) => /continuity/i.test(p.name)) ?? people[0];
  const form = new URLSearchParams({
    title, owner_id: String(me.id), 'service_ids[0]': String(services[0].id), site: '', review_months: '12',
  });
  const created = await call('continuity/plan/create', form.toString());
  let id = Number(/\/continuity\/plans\/(\d+)/.exec(created.headers()['location'] ?? '')?.[1]);
  if (!id) {
    const plans = await (await call('continuity/plans', '')).json();
    id = plans.find((p) => p.title === title).id;
  }
  const detail = await (await call('continuity/plan', `id=${id}`)).json();
  const draft = detail.versions[0];
  // The generator numbers owners 1..8: map them onto the people who may own a step.
  const owned = steps.map((s) => ({
    ...s, owner_id: s.owner_id == null ? null : detail.people[(s.owner_id - 1) % detail.people.length].id,
  }));
  const content = {
    scope: 'Benchmark', activation: '', call_tree: [], scenarios: [], steps: owned,
    communications: [], return_to_normal: '', related_plans: '',
  };
  await call('continuity/draft/save', JSON.stringify({ version_id: draft.id, version: draft.version, content }),
    { Origin: base, 'Content-Type': 'application/json', Accept: 'application/json' });
  const waits = steps.reduce((n, s) => n + s.waits_for.length, 0);
  return { id, steps, waits, path: `/continuity/plans/${id}` };
}

const big = await createPlan(JSON.parse(readFileSync(bigFile, 'utf8')));
const small = await createPlan(JSON.parse(readFileSync(smallFile, 'utf8')));
const plans = [small, big];

// 1. First render to hydrated with the timeline drawn, cold cache; the two plans alternate.
const drawn = (plan) => async (page) => {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 120000 });
  await page.waitForSelector(`#step-${plan.steps.at(-1).key}-duration`, { timeout: 120000 });
  await page.waitForSelector('figcaption.timeline-summary[data-total]', { timeout: 120000 });
};
const firstRender = new Map(plans.map((p) => [p, []]));
for (let i = 0; i < runs; i++) {
  for (const plan of plans) {
    firstRender.get(plan).push(...await visitTimes(browser, storageState, base + plan.path, drawn(plan), 1));
  }
}

// 2. Keystroke to updated timeline.
const total = (page) => page.$eval('figcaption.timeline-summary', (c) => Number(c.dataset.total));
async function settleSave(page) {
  // The autosave starts AUTOSAVE_MS after the last edit; wait for it to finish.
  await page.waitForTimeout(AUTOSAVE_MS + 300);
  await page.waitForSelector('[data-testid="save-state"].save-saved', { timeout: 60000 });
}

async function openEditor(plan) {
  const context = await browser.newContext({ storageState });
  const page = await context.newPage();
  await page.goto(base + plan.path);
  await drawn(plan)(page);
  const critical = await page.$$eval('g.timeline-row.critical text.timeline-label',
    (labels) => labels.map((l) => Number(/#(\d+)/.exec(l.textContent)[1])));
  // A step in the middle of the critical path.
  const key = critical[Math.floor(critical.length / 2)];
  const minutes = plan.steps.find((s) => s.key === key).duration_minutes;
  const field = page.locator(`#step-${key}-duration`);
  const start = await total(page);
  return { context, page, key, minutes, field, start, critical: critical.length, latencies: [], frames: [] };
}

async function keystroke(editor, digit) {
  const { page, field, minutes, start } = editor;
  // Untimed: back to the step's own duration, as plain minutes, and the draft saved.
  if ((await field.inputValue()) !== String(minutes)) {
    await field.fill(String(minutes));
    await page.waitForFunction((t) => document.querySelector('figcaption.timeline-summary')?.dataset.total === String(t),
      start, { timeout: 60000 });
    await settleSave(page);
  }
  await field.focus();
  await page.keyboard.press('End');
  await page.evaluate((before) => {
    window.__benchKeyAt = null;
    document.addEventListener('keydown', (e) => { window.__benchKeyAt = e.timeStamp; }, { capture: true, once: true });
    window.__benchSeen = new Promise((resolve) => {
      const changed = () => {
        const caption = document.querySelector('figcaption.timeline-summary');
        return caption && caption.dataset.total !== String(before) ? caption : null;
      };
      const observer = new MutationObserver(() => {
        const caption = changed();
        if (!caption) return;
        observer.disconnect();
        const dom = performance.now();
        // After the next frame is painted: the first task after requestAnimationFrame.
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve({ dom, painted: performance.now(), total: Number(caption.dataset.total) });
          channel.port2.postMessage(0);
        });
      });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-total'] });
    });
  }, start);
  await page.keyboard.press(String(digit));
  const seen = await page.evaluate(() => window.__benchSeen);
  const keyAt = await page.evaluate(() => window.__benchKeyAt);
  const expected = start + (minutes * 10 + digit - minutes);
  if (seen.total !== expected) {
    throw new Error(`step #${editor.key}: timeline total ${seen.total} after the keystroke, expected ${expected}`);
  }
  editor.latencies.push(seen.dom - keyAt);
  editor.frames.push(seen.painted - keyAt);
  await settleSave(page);
}

const editors = new Map();
for (const plan of plans) editors.set(plan, await openEditor(plan));
for (let i = 0; i < runs; i++) {
  for (const plan of plans) await keystroke(editors.get(plan), 1 + (i % 9));
}
for (const editor of editors.values()) await editor.context.close();

const facts = (plan) => {
  const e = editors.get(plan);
  return {
    steps: plan.steps.length, waits: plan.waits, critical_path_steps: e.critical, total_minutes: e.start,
    typed_in_step: e.key,
  };
};
const sm = (plan) => ({
  first_render_ms: round(median(firstRender.get(plan))),
  keystroke_to_timeline_ms_median: round(median(editors.get(plan).latencies)),
  keystroke_to_timeline_ms_p90: round(percentile(editors.get(plan).latencies, 0.9)),
  keystroke_to_painted_ms_median: round(median(editors.get(plan).frames)),
  keystroke_to_painted_ms_p90: round(percentile(editors.get(plan).frames, 0.9)),
});
const [b, s] = [sm(big), sm(small)];
console.log(JSON.stringify({
  runs,
  plan: facts(big),
  baseline_plan: facts(small),
  [`steps_${big.steps.length}`]: b,
  [`baseline_steps_${small.steps.length}`]: s,
  first_render_ratio: round(b.first_render_ms / s.first_render_ms),
  keystroke_ratio_median: round(b.keystroke_to_timeline_ms_median / s.keystroke_to_timeline_ms_median),
  keystroke_ratio_p90: round(b.keystroke_to_timeline_ms_p90 / s.keystroke_to_timeline_ms_p90),
  painted_ratio_median: round(b.keystroke_to_painted_ms_median / s.keystroke_to_painted_ms_median),
}, null, 1));
await api.dispose();
await browser.close();
