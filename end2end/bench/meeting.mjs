// CAB meeting benchmark: one meeting with 50 connected participants (simulated clients, each
// with its own live connection that marks it present, like a browser tab in meeting mode).
// The chair moves the meeting on; we measure how long until every participant has heard the
// event, and until every participant has the new meeting state (what a screen shows), and the
// server CPU per chair action. Two rounds in one run: "delta", as screens do now (the meeting
// comes with the event), and "refetch", as screens did before (each fetches the meeting on
// every event) — the second is the baseline of the first.
// Baselines from the same run: the chair's own write round trip, and /healthz.
// Server CPU and memory come from /proc/<pid> of the server process.
// Usage: node bench/meeting.mjs http://127.0.0.1:3203 <server pid[,pid]> [participants] [actions] [second base]
// With a second base (another `conform` process on the same PostgreSQL), every other
// participant is served by it, so events cross processes; CPU is summed over both pids.
import { readFileSync } from 'node:fs';

const base = process.argv[2] ?? 'http://127.0.0.1:3203';
const pids = String(process.argv[3]).split(',').map(Number);
const secondBase = process.argv[6];
const participants = Number(process.argv[4] ?? 50);
const actions = Number(process.argv[5] ?? 20);
const form = { Origin: base, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
const people = ['cab.member', 'quality', 'continuity', 'service.owner', 'auditor', 'requester', 'admin', 'change.manager'];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const round = (x) => +x.toFixed(1);
const sum = (values) => values.reduce((a, b) => a + b, 0);
const ticks = () => sum(pids.map((pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
}));
const rssKiB = () => sum(pids.map((pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1])));

async function signIn(who) {
  const body = `form[email]=${encodeURIComponent(`${who}@conform.demo`)}&form[password]=conform-demo&form[next]=/`;
  const response = await fetch(`${base}/api/auth/sign_in`, { method: 'POST', headers: form, body, redirect: 'manual' });
  const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (!cookie) throw new Error(`sign-in failed for ${who}: ${response.status}`);
  return cookie;
}

async function call(cookie, path, body = '') {
  const response = await fetch(`${base}/api/${path}`, { method: 'POST', headers: { ...form, Cookie: cookie }, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const chair = await signIn('change.manager');
const cookies = {};
for (const who of people) cookies[who] = await signIn(who);
const overview = await call(chair, 'cab/overview');
const meetingId = overview[1].find((m) => m.state === 'Scheduled' || m.state === 'InProgress').id;
let meeting = await call(chair, 'cab/meeting', `id=${meetingId}`);
if (meeting.items.length < 2) throw new Error('the demo meeting needs two agenda items');
if (meeting.state === 'Scheduled') {
  await call(chair, 'cab/start', `id=${meetingId}&version=${meeting.version}`);
  meeting = await call(chair, 'cab/meeting', `id=${meetingId}`);
}

const rssBefore = rssKiB();

// Each participant: a live connection (present in the meeting) that refetches on each event.
const waiting = new Set();
const clients = [];
for (let i = 0; i < participants; i++) {
  // A session of its own, like a laptop in the room (a session may hold only a few streams).
  const cookie = i < people.length ? cookies[people[i]] : await signIn(people[i % people.length]);
  const controller = new AbortController();
  // Sent by every browser's EventSource from Conform's own pages: it marks the reader present.
  const served = secondBase && i % 2 ? secondBase : base;
  const response = await fetch(`${served}/events?meeting=${meetingId}`, { headers: { Cookie: cookie, Accept: 'text/event-stream', 'Sec-Fetch-Site': 'same-origin' }, signal: controller.signal });
  if (!response.ok) throw new Error(`events: ${response.status}`);
  const client = { heard: null, fetched: null, controller };
  clients.push(client);
  (async () => {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message.split('\n').find((line) => line.startsWith('data:'));
          if (!data) continue;
          const event = JSON.parse(data.slice(5));
          if (event.kind !== 'meeting_updated' || event.meeting_id !== meetingId || !waiting.has(client)) continue;
          client.heard = performance.now();
          const state = mode === 'delta' && event.meeting ? event.meeting : await call(cookie, 'cab/meeting', `id=${meetingId}`);
          if (state.current_item_id === client.expect) {
            client.fetched = performance.now();
            waiting.delete(client);
          }
        }
      }
    } catch (error) {
      if (error.name !== 'AbortError') throw error;
    }
  })();
}
// Let the joins settle (each arrival is itself announced to the room).
await new Promise((r) => setTimeout(r, 1500));
const rssConnected = rssKiB();
const present = (await call(chair, 'cab/meeting', `id=${meetingId}`)).present.length;

let mode = 'delta';
async function round_of(chosen) {
mode = chosen;
const heardAll = [], stateAll = [], writes = [], health = [];
const cpuStart = ticks();
const wallStart = performance.now();
for (let n = 0; n < actions; n++) {
  meeting = await call(chair, 'cab/meeting', `id=${meetingId}`);
  const target = meeting.items.find((item) => item.id !== meeting.current_item_id).id;
  for (const client of clients) {
    client.heard = null;
    client.fetched = null;
    client.expect = target;
    waiting.add(client);
  }
  const start = performance.now();
  await call(chair, 'cab/go_to', `id=${meetingId}&version=${meeting.version}&item_id=${target}`);
  writes.push(performance.now() - start);
  const deadline = performance.now() + 30_000;
  while (waiting.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  if (waiting.size > 0) throw new Error(`${waiting.size} participants never saw action ${n}`);
  heardAll.push(Math.max(...clients.map((c) => c.heard)) - start);
  stateAll.push(Math.max(...clients.map((c) => c.fetched)) - start);
  const h = performance.now();
  await fetch(`${base}/healthz`);
  health.push(performance.now() - h);
}
const wall = (performance.now() - wallStart) / 1000;
const cpuSeconds = (ticks() - cpuStart) / 100;
return {
  all_heard_event_ms_median: round(median(heardAll)),
  all_heard_event_ms_p90: round(percentile(heardAll, 0.9)),
  all_have_new_state_ms_median: round(median(stateAll)),
  all_have_new_state_ms_p90: round(percentile(stateAll, 0.9)),
  baseline_chair_write_ms: round(median(writes)),
  baseline_healthz_ms: round(median(health)),
  state_vs_write: round(median(stateAll) / median(writes)),
  server_cpu_seconds: round(cpuSeconds),
  server_cpu_percent_of_one_core: round((cpuSeconds / wall) * 100),
  server_cpu_ms_per_action: round((cpuSeconds * 1000) / actions),
};
}

const delta = await round_of('delta');
const refetch = await round_of('refetch');
for (const client of clients) client.controller.abort();
console.log(JSON.stringify({
  participants,
  present_in_meeting: present,
  chair_actions: actions,
  delta,
  refetch,
  processes: pids.length,
  cpu_per_action_delta_vs_refetch: +(delta.server_cpu_ms_per_action / refetch.server_cpu_ms_per_action).toFixed(3),
  server_rss_mib_idle: round(rssBefore / 1024),
  server_rss_mib_with_participants: round(rssConnected / 1024),
}));
process.exit(0);
