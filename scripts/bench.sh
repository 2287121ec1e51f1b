#!/usr/bin/env bash
# Benchmarks: client size, server cold start, navigation-to-hydrated (and against a minimal
# Leptos app built here, bench/minimal-leptos), every page's settle time, conflict detection
# and the change board (server response, time to interactive, live-update latency).
# Each timing comes with a baseline measured in the same run (these machines are shared).
# Data: cold start on an empty SQLite file (migrations only); hydration on the demo data
# (12 services, 8 users, 60 changes); conflicts over 10,000 generated scheduled changes;
# the board on 5,000 changes of which 1,000 are on the board; server answers (list JSON, list
# page, board) at 10,000 changes against a raw axum + sqlx program answering the same pages; a CAB meeting on the demo data
# with 50 connected participants; the improvement register with 20,000 entries; a continuity
# plan with 500 recovery steps (critical path in the model at 50, 500 and 2,000 steps, and the
# plan editor in Chromium against a 10-step plan); the evidence pack over 10,000 changes, 500
# nonconformities and 2,000 improvements against reading the same records once; the incident
# queue at 100,000 incidents against reading any 25 rows, and due instants of 100,000 clocks on
# office hours against wall-clock addition; 1,000 monitoring alerts (10 a delivery) posted over
# HTTP, new and repeated, against as many health checks; an incident import of 5,000 rows
# (preview and import) against reading the file and inserting as many bare rows; CMDB impact
# analysis at 50,000 items and 200,000 relationships against one bare recursive query.
# Not run from here (each sets its own pass/fail targets; figures in docs/benchmarks.md):
#   scripts/bench-signin.sh  a 500-parallel wrong-password burst against one account (~15 s)
#   scripts/durability.sh    SIGKILL during acknowledged writes, 200 cycles (~1 min)
#   scripts/bench-memory.sh  server memory at 100,000 records, idle and serving board and register (~2 min)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$CONFORM_ROOT/scripts/setup.sh" >/dev/null
source "$CONFORM_ROOT/scripts/env.sh"
cd "$CONFORM_ROOT"
scripts/build-client.sh >/dev/null
cargo build --release -p conform --bin conform >/dev/null 2>&1
bin="$CARGO_TARGET_DIR/release/conform"
export LEPTOS_SITE_ROOT="$CONFORM_ROOT/target/site" RUST_LOG=warn

echo "## Client files (one build, split at its lazy routes; bytes raw / gzip / brotli)"
build="target/site/pkg/$(cat target/site/pkg/current)"
node -e '
  const files = require(process.argv[1]);
  const kib = (b) => (b / 1024).toFixed(1).padStart(8);
  for (const f of files) console.log(`${f.file.padEnd(48)} ${kib(f.raw)} ${kib(f.gzip)} ${kib(f.brotli)} KiB`);
  const sum = (k) => files.reduce((a, f) => a + f[k], 0);
  console.log(`${"all files".padEnd(48)} ${kib(sum("raw"))} ${kib(sum("gzip"))} ${kib(sum("brotli"))} KiB`);
' "$CONFORM_ROOT/$build/sizes.json"

now_ms() { date +%s%3N; }
wait_healthy() { until curl -fs "http://$1/healthz" >/dev/null 2>&1; do sleep 0.01; done; }

echo "## Server cold start (median of 7; fresh SQLite file each time, all migrations, no demo data)"
starts=(); baselines=()
for i in $(seq 7); do
  data="$(mktemp -d)"
  t0=$(now_ms); "$bin" --version >/dev/null; t1=$(now_ms)
  baselines+=($((t1 - t0)))
  t0=$(now_ms)
  "$bin" serve --addr 127.0.0.1:3201 --database-url "sqlite://$data/c.db" >/dev/null 2>&1 &
  pid=$!
  wait_healthy 127.0.0.1:3201
  t1=$(now_ms)
  starts+=($((t1 - t0)))
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$data"
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
ms_start=$(median "${starts[@]}"); ms_base=$(median "${baselines[@]}")
echo "cold start to healthy: ${ms_start} ms; baseline (process start, --version): ${ms_base} ms; ratio $(awk "BEGIN{printf \"%.1f\", $ms_start/($ms_base>0?$ms_base:1)}")"

echo "## Navigation to hydrated in headless Chromium (/services, signed in, cold cache)"
data="$(mktemp -d)"
"$bin" serve --demo --addr 127.0.0.1:3200 --database-url "sqlite://$data/c.db" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
wait_healthy 127.0.0.1:3200
(cd end2end && node bench/hydration.mjs http://127.0.0.1:3200 15)
echo "## First load and each section's own code (as transferred, cold cache, signed in as the admin)"
(cd end2end && node bench/first-load.mjs http://127.0.0.1:3200)
echo "## Against a minimal Leptos app (bench/minimal-leptos): navigation to hydrated, cold cache"
read -r minimal minimal_site < <(bench/minimal-leptos/build.sh | tail -1)
"$minimal" 127.0.0.1:3300 "$minimal_site" >/dev/null 2>&1 &
minimal_pid=$!
until curl -fs http://127.0.0.1:3300/ >/dev/null 2>&1; do sleep 0.05; done
(cd end2end && node bench/minimal-leptos.mjs http://127.0.0.1:3200 http://127.0.0.1:3300 15)
kill $minimal_pid 2>/dev/null; wait $minimal_pid 2>/dev/null || true
echo "## Every page's settle time (hydrated, nothing in flight for 300 ms; warm cache, median of 3)"
(cd end2end && node bench/pages.mjs http://127.0.0.1:3200 3 quality@conform.demo)
(cd end2end && node bench/pages.mjs http://127.0.0.1:3200 3 change.manager@conform.demo)
kill $pid 2>/dev/null; wait $pid 2>/dev/null || true

echo "## Conflict detection over 10,000 scheduled changes (median of 7)"
cargo build --release -p conform --example bench_board >/dev/null 2>&1
bench_board="$CARGO_TARGET_DIR/release/examples/bench_board"
"$bench_board" conflicts

echo "## Change board: 5,000 changes, 1,000 on the board (SQLite)"
board_data="$(mktemp -d)"
trap 'kill $pid 2>/dev/null; rm -rf "$data" "$board_data"' EXIT
"$bench_board" seed "sqlite://$board_data/c.db"
"$bin" serve --addr 127.0.0.1:3202 --database-url "sqlite://$board_data/c.db" >/dev/null 2>&1 &
pid=$!
wait_healthy 127.0.0.1:3202
(cd end2end && node bench/board.mjs http://127.0.0.1:3202 20)
kill $pid 2>/dev/null; wait $pid 2>/dev/null || true

echo "## Server answers against the raw ceiling: 10,000 changes, 1,000 on the board (SQLite, 32 connections, 8 s each)"
# The ceiling is a plain axum + sqlx program answering the same page from the same file
# (bench_lists ceiling); both run on this machine beside the load generator, one at a time.
cargo build --release -p conform --example bench_lists >/dev/null 2>&1
bench_lists="$CARGO_TARGET_DIR/release/examples/bench_lists"
lists_data="$(mktemp -d)"
trap 'kill $pid $ceiling_pid 2>/dev/null; rm -rf "$data" "$board_data" "$lists_data"' EXIT
"$bench_lists" seed "sqlite://$lists_data/c.db"
"$bin" serve --addr 127.0.0.1:3206 --database-url "sqlite://$lists_data/c.db" >/dev/null 2>&1 &
pid=$!
"$bench_lists" ceiling "sqlite://$lists_data/c.db" 127.0.0.1:3207 &
ceiling_pid=$!
wait_healthy 127.0.0.1:3206; wait_healthy 127.0.0.1:3207
load() { "$bench_lists" load --connections 32 --seconds 8 "$@"; }
rps() { node -pe 'JSON.parse(process.argv[1]).requests_per_s' "$1"; }
raw_list=$(load "http://127.0.0.1:3207/list?state=scheduled")
json_list=$(load --sign-in change.manager@conform.demo --post 'params[state]=scheduled' http://127.0.0.1:3206/api/changes/list)
ssr_list=$(load --sign-in change.manager@conform.demo "http://127.0.0.1:3206/changes?state=scheduled")
raw_board=$(load http://127.0.0.1:3207/board)
json_board=$(load --sign-in change.manager@conform.demo --post '' http://127.0.0.1:3206/api/changes/board)
ratio() { awk "BEGIN{printf \"%.2f\", $(rps "$1")/$(rps "$2")}"; }
echo "ceiling, filtered list page:  $raw_list"
echo "list JSON (/api/changes/list): $json_list  ratio $(ratio "$json_list" "$raw_list") (target >= 0.5)"
echo "list page (SSR /changes):      $ssr_list  ratio $(ratio "$ssr_list" "$raw_list") (target >= 0.3)"
echo "ceiling, board (1,000 cards):  $raw_board"
echo "board JSON (/api/changes/board): $json_board  ratio $(ratio "$json_board" "$raw_board") (target >= 0.3)"
kill $pid $ceiling_pid 2>/dev/null; wait $pid $ceiling_pid 2>/dev/null || true

echo "## CAB meeting: 50 connected participants, 60 chair actions each way (SQLite, demo data)"
meeting_data="$(mktemp -d)"
trap 'kill $pid 2>/dev/null; rm -rf "$data" "$board_data" "$meeting_data"' EXIT
"$bin" serve --demo --addr 127.0.0.1:3203 --database-url "sqlite://$meeting_data/c.db" >/dev/null 2>&1 &
pid=$!
wait_healthy 127.0.0.1:3203
(cd end2end && node bench/meeting.mjs http://127.0.0.1:3203 "$pid" 50 60)
kill $pid 2>/dev/null; wait $pid 2>/dev/null || true

echo "## Live updates across two processes on one PostgreSQL (board: 5,000 changes; meeting: 50 participants)"
pg_virtualenv -t scripts/bench-live-pg.sh board
pg_virtualenv -t scripts/bench-live-pg.sh meeting

echo "## Improvement register: 20,000 entries (SQLite)"
register_data="$(mktemp -d)"
trap 'kill $pid 2>/dev/null; rm -rf "$data" "$board_data" "$meeting_data" "$register_data"' EXIT
cargo build --release -p conform --example bench_register >/dev/null 2>&1
"$CARGO_TARGET_DIR/release/examples/bench_register" seed "sqlite://$register_data/c.db"
"$bin" serve --addr 127.0.0.1:3204 --database-url "sqlite://$register_data/c.db" >/dev/null 2>&1 &
pid=$!
wait_healthy 127.0.0.1:3204
(cd end2end && node bench/register.mjs http://127.0.0.1:3204 10)
kill $pid 2>/dev/null; wait $pid 2>/dev/null || true

# Incident queue pages at 100,000 incidents and due instants of 100,000 clocks on office hours,
# each against its baseline (bench_incidents prints its own sections).
incident_data="$(mktemp -d)"
trap 'kill $pid 2>/dev/null; rm -rf "$data" "$board_data" "$meeting_data" "$register_data" "$incident_data"' EXIT
cargo build --release -p conform --example bench_incidents >/dev/null 2>&1
"$CARGO_TARGET_DIR/release/examples/bench_incidents" "sqlite://$incident_data/c.db"
# Incident import: 5,000 rows previewed and imported, against reading the file and inserting
# bare rows (bench_incident_import prints its own section).
cargo build --release -p conform --example bench_incident_import >/dev/null 2>&1
"$CARGO_TARGET_DIR/release/examples/bench_incident_import" "sqlite://$incident_data/import.db"
# CMDB impact analysis over 50,000 items and 200,000 relationships, each kind's failure
# against one bare recursive query (bench_cmdb prints its own section).
cargo build --release -p conform --example bench_cmdb >/dev/null 2>&1
"$CARGO_TARGET_DIR/release/examples/bench_cmdb" "sqlite://$incident_data/cmdb.db"
# Monitoring intake: 1,000 alerts over HTTP as Alertmanager posts them, then the same again
# (deduplicated), against as many health checks on the same server; fails on any lost alert.
cargo build --release -p conform --example bench_intake >/dev/null 2>&1
"$CARGO_TARGET_DIR/release/examples/bench_intake" "sqlite://$incident_data/intake.db"

echo "## Continuity plan: 500 recovery steps (model: 50, 500, 2,000 steps; editor: 500 against 10, SQLite, demo data)"
cargo build --release -p app --example bench_schedule >/dev/null 2>&1
bench_schedule="$CARGO_TARGET_DIR/release/examples/bench_schedule"
"$bench_schedule"
plan_data="$(mktemp -d)"
trap 'kill $pid 2>/dev/null; rm -rf "$data" "$board_data" "$meeting_data" "$register_data" "$plan_data"' EXIT
"$bench_schedule" steps 500 >"$plan_data/steps-500.json"
"$bench_schedule" steps 10 >"$plan_data/steps-10.json"
"$bin" serve --demo --addr 127.0.0.1:3205 --database-url "sqlite://$plan_data/c.db" >/dev/null 2>&1 &
pid=$!
wait_healthy 127.0.0.1:3205
(cd end2end && node bench/plan.mjs http://127.0.0.1:3205 15 "$plan_data/steps-500.json" "$plan_data/steps-10.json")
kill $pid 2>/dev/null; wait $pid 2>/dev/null || true
echo "## Evidence pack: 10,000 changes, 500 nonconformities, 2,000 improvements (SQLite; median of 3, each run a fresh process)"
pack_data="$(mktemp -d)"
trap 'kill $pid 2>/dev/null; rm -rf "$data" "$board_data" "$meeting_data" "$register_data" "$plan_data" "$pack_data"' EXIT
cargo build --release -p conform --example bench_evidence_pack >/dev/null 2>&1
bench_pack="$CARGO_TARGET_DIR/release/examples/bench_evidence_pack"
"$bench_pack" seed "sqlite://$pack_data/c.db"
pack_ms=(); read_ms=(); pack_peak=(); read_peak=()
for i in 1 2 3; do
  # Baseline: the same records read once into memory and written out as CSV.
  r=$("$bench_pack" read "sqlite://$pack_data/c.db")
  read_ms+=($(echo "$r" | node -pe 'JSON.parse(require("fs").readFileSync(0)).ms'))
  read_peak+=($(echo "$r" | node -pe 'JSON.parse(require("fs").readFileSync(0)).peak_kib'))
  p=$("$bench_pack" pack "sqlite://$pack_data/c.db" "$pack_data/pack.zip")
  pack_ms+=($(echo "$p" | node -pe 'JSON.parse(require("fs").readFileSync(0)).ms'))
  pack_peak+=($(echo "$p" | node -pe 'JSON.parse(require("fs").readFileSync(0)).peak_kib'))
done
echo "last pack: $p"
echo "last baseline: $r"
pm=$(median "${pack_ms[@]}"); rm_=$(median "${read_ms[@]}"); pp=$(median "${pack_peak[@]}"); rp=$(median "${read_peak[@]}")
echo "pack: ${pm} ms, peak ${pp} KiB; baseline (read every record once, CSV in memory): ${rm_} ms, peak ${rp} KiB; time ratio $(awk "BEGIN{printf \"%.1f\", $pm/($rm_>0?$rm_:1)}"), memory ratio $(awk "BEGIN{printf \"%.2f\", $pp/($rp>0?$rp:1)}")"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m)"
