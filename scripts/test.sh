#!/usr/bin/env bash
# Runs every test: Rust unit tests, service tests on SQLite and on a throw-away PostgreSQL,
# then the Playwright suite in Chromium against the release client. Ends with a summary line.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
run_started=$SECONDS
stage_started=$SECONDS
timings=()
# Ends the running stage's clock: CI's cost is printed with the results.
stage_done() {
  timings+=("$(printf '%-10s %4d s' "$1" $((SECONDS - stage_started)))")
  stage_started=$SECONDS
}
"$CONFORM_ROOT/scripts/setup.sh" || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
source "$CONFORM_ROOT/scripts/env.sh"
cd "$CONFORM_ROOT"
# The build cache outlives every clone: drop what earlier clones left in it before adding more.
"$CONFORM_ROOT/scripts/prune-target.sh"
stage_done setup

logs="$(mktemp -d /tmp/conform-test.XXXXXX)"
passed=0
failed=0
failed_stages=()

# Runs a cargo test stage and adds its counts to the totals.
cargo_stage() {
  local name="$1"
  shift
  echo "==> $name"
  "$@" 2>&1 | tee "$logs/$name.log"
  local status=${PIPESTATUS[0]} p f
  if [ "$status" = 124 ]; then
    # A stage that hung (timeout) gets one more try; its counts replace the hung run's.
    echo "==> $name timed out; running it once more"
    "$@" 2>&1 | tee "$logs/$name.log"
    status=${PIPESTATUS[0]}
  fi
  [ "$status" = 0 ] || failed_stages+=("$name")
  p=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' "$logs/$name.log" | awk '{s+=$4} END {print s+0}')
  f=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' "$logs/$name.log" | awk '{s+=$6} END {print s+0}')
  passed=$((passed + p))
  failed=$((failed + f))
  # A stage that failed without a failing test (e.g. it did not compile) still counts.
  if [ "$status" != 0 ] && [ "$f" = 0 ]; then failed=$((failed + 1)); fi
  stage_done "$name"
}

# Formatting first: seconds, and a diff that is only layout never reaches review. rustfmt
# comes with rustup's stable toolchain (Debian's wasm toolchain has none).
echo "==> format"
if RUSTUP_TOOLCHAIN=stable cargo fmt --version >/dev/null 2>&1; then
  if RUSTUP_TOOLCHAIN=stable cargo fmt --all --check >"$logs/format.log" 2>&1; then
    echo "formatted"
  else
    head -n 40 "$logs/format.log"
    echo "Not formatted: run \`RUSTUP_TOOLCHAIN=stable cargo fmt --all\`."
    failed_stages+=("format")
    failed=$((failed + 1))
  fi
else
  echo "rustfmt is not installed for the stable toolchain; format not checked"
fi
stage_done format

# Each stage is bounded so that a hang fails the run instead of eating CI's time.
# Model and server-side unit tests of the shared crate (the wasm build below proves the
# models also compile without the server feature).
cargo_stage unit timeout 1200 cargo test -p app --features ssr --lib
# Service and HTTP tests one at a time: each test runs its own tokio runtime, and server-side
# rendering in one runtime while another runtime of the same process shuts down was seen to
# hang (about 1 run in 8 of the HTTP tests); the server itself runs a single runtime. Serial,
# the 164 tests take about 2.5 min on SQLite and 6.5 min on PostgreSQL (2 cores).
cargo_stage sqlite timeout 1200 cargo test -p conform -- --test-threads=1
# The release client builds meanwhile, in its own target directory: the PostgreSQL tests run
# one at a time and leave a core idle, and the client's link-time optimisation and wasm-opt
# use one core for most of their 10-15 minutes.
echo "==> client build (release) started in the background; log: $logs/build.log"
client_started=$SECONDS
(timeout 2400 cargo leptos build --release --frontend-only >"$logs/build.log" 2>&1) &
client_build=$!
cargo_stage postgres timeout 1200 pg_virtualenv sh -c \
  'CONFORM_TEST_POSTGRES_URL="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE" cargo test -p conform -- --test-threads=1'

# The browser gets the release client (what users download). The server under test is the
# debug build the service tests above just linked (the same code, with overflow checks): a
# release build of the server would cost another 15-20 minutes of CI on 2 cores.
echo "==> waiting for the client build; then the server under test"
wait "$client_build"
client_status=$?
tail -n 5 "$logs/build.log"
echo "client build: $((SECONDS - client_started)) s since it started (status $client_status)"
if [ "$client_status" = 0 ] && cargo build -p conform --bin conform 2>&1 | tee -a "$logs/build.log"; then
  stage_done build
  echo "==> end-to-end (Playwright, Chromium)"
  (cd end2end && CONFORM_E2E_BINARY="$CARGO_TARGET_DIR/debug/conform" \
    PLAYWRIGHT_JSON_OUTPUT_NAME="$logs/playwright.json" timeout 1200 npx playwright test --reporter=list,json)
  e2e_status=$?
  if [ -f "$logs/playwright.json" ]; then
    read -r p f < <(node -e '
      const s = require(process.argv[1]).stats;
      console.log(s.expected + s.flaky, s.unexpected);' "$logs/playwright.json")
    passed=$((passed + p))
    failed=$((failed + f))
  fi
  if [ "$e2e_status" != 0 ]; then
    failed_stages+=("e2e")
    [ "${f:-0}" = 0 ] && failed=$((failed + 1))
  fi
  stage_done e2e
else
  stage_done build
  failed_stages+=("build")
  failed=$((failed + 1))
fi

echo
echo "time per stage:"
printf '  %s\n' "${timings[@]}"
echo "  total      $((SECONDS - run_started)) s"
if [ ${#failed_stages[@]} -gt 0 ]; then
  echo "Failed stages: ${failed_stages[*]} (logs in $logs)"
fi
echo "summary: $passed passed, $failed failed"
[ ${#failed_stages[@]} -eq 0 ] && [ "$failed" = 0 ]
