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

# Adds a finished stage's counts (from its log) to the totals.
count_stage() {
  local name="$1" status="$2" p f
  [ "$status" = 0 ] || failed_stages+=("$name")
  p=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' "$logs/$name.log" | awk '{s+=$4} END {print s+0}')
  f=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' "$logs/$name.log" | awk '{s+=$6} END {print s+0}')
  passed=$((passed + p))
  failed=$((failed + f))
  # A stage that failed without a failing test (e.g. it did not compile) still counts.
  if [ "$status" != 0 ] && [ "$f" = 0 ]; then failed=$((failed + 1)); fi
  echo "$name: $p passed, $f failed (exit $status)"
}

# Runs a cargo stage in the foreground and counts it.
cargo_stage() {
  local name="$1"
  shift
  echo "==> $name"
  "$@" 2>&1 | tee "$logs/$name.log"
  local status=${PIPESTATUS[0]}
  if [ "$status" = 124 ]; then
    # A stage that hung (timeout) gets one more try; its counts replace the hung run's.
    echo "==> $name timed out; running it once more"
    "$@" 2>&1 | tee "$logs/$name.log"
    status=${PIPESTATUS[0]}
  fi
  count_stage "$name" "$status"
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

# The release client builds in the background from the start, in its own target directory:
# its link-time optimisation and wasm-opt use one core for most of their 6-10 minutes, and the
# service tests below (one at a time per database) leave the other core's share idle.
echo "==> client build (release) started in the background; log: $logs/build.log"
client_started=$SECONDS
(timeout 2400 "$CONFORM_ROOT/scripts/build-client.sh" >"$logs/build.log" 2>&1) &
client_build=$!

# Each stage is bounded so that a hang fails the run instead of eating CI's time.
# Model and server-side unit tests of the shared crate (the wasm build proves the models also
# compile without the server feature).
cargo_stage unit timeout 1200 cargo test -p app --features ssr --lib

# The server's tests are built once, for both databases. This build also links the `conform`
# binary the end-to-end tests run (built with the test's features, so not built twice).
cargo_stage build-tests timeout 1800 cargo test -p conform --no-run
mapfile -t test_binaries < <(sed -n 's/.*Executable .* (\(.*\))$/\1/p' "$logs/build-tests.log")

# Runs every test binary of the server, one test at a time: each test runs its own tokio
# runtime, and server-side rendering in one runtime while another runtime of the same process
# shuts down was seen to hang (about 1 run in 8 of the HTTP tests). Working directory as cargo's.
run_server_tests() {
  local binary status=0
  for binary in "${test_binaries[@]}"; do
    (cd "$CONFORM_ROOT/server" && "$binary" --test-threads=1) || status=$?
  done
  return "$status"
}
export -f run_server_tests
export test_binaries_list="${test_binaries[*]}"

# SQLite and PostgreSQL side by side: each run is serial and keeps about one core busy.
echo "==> sqlite and postgres, side by side (logs: $logs/sqlite.log, $logs/postgres.log)"
[ ${#test_binaries[@]} -gt 0 ] || echo "no test binaries were built"
run_stage_logged() {
  local name="$1"
  shift
  local started=$SECONDS
  "$@" >"$logs/$name.log" 2>&1
  local status=$?
  if [ "$status" = 124 ]; then
    echo "==> $name timed out; running it once more" >>"$logs/$name.log"
    "$@" >>"$logs/$name.log" 2>&1
    status=$?
  fi
  echo "$status" >"$logs/$name.status"
  echo $((SECONDS - started)) >"$logs/$name.seconds"
}
servers_started=$SECONDS
# Lints meanwhile (rustup's stable toolchain: Debian's wasm toolchain has no clippy), for the
# server build and the browser build, in a target directory of their own.
lint() {
  local clippy=(env RUSTUP_TOOLCHAIN=stable CARGO_TARGET_DIR="$CARGO_TARGET_DIR/clippy" cargo clippy)
  "${clippy[@]}" -p conform -p app -p migrations -p client-pack --all-targets -- -D warnings &&
    "${clippy[@]}" -p app -p frontend --features app/hydrate --lib -- -D warnings
}
export -f lint
if RUSTUP_TOOLCHAIN=stable cargo clippy --version >/dev/null 2>&1; then
  run_stage_logged clippy timeout 1200 bash -c lint &
  clippy_run=$!
else
  echo "clippy is not installed for the stable toolchain; lints not checked"
  clippy_run=
fi
run_stage_logged sqlite timeout 1200 bash -c 'test_binaries=($test_binaries_list); run_server_tests' &
sqlite_run=$!
# -t keeps the cluster in a temporary directory even as root: a run that is killed
# leaves no 15/regress cluster behind for the next run to refuse.
run_stage_logged postgres timeout 1200 pg_virtualenv -t bash -c \
  'export CONFORM_TEST_POSTGRES_URL="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE"
   test_binaries=($test_binaries_list); run_server_tests' &
postgres_run=$!
wait "$sqlite_run" "$postgres_run"
for name in sqlite postgres; do
  tail -n 3 "$logs/$name.log"
  count_stage "$name" "$(cat "$logs/$name.status" 2>/dev/null || echo 1)"
done
stage_done "sqlite+pg"
if [ -n "$clippy_run" ]; then
  echo "==> clippy (waiting if still running)"
  wait "$clippy_run"
  clippy_status="$(cat "$logs/clippy.status" 2>/dev/null || echo 1)"
  if [ "$clippy_status" = 0 ]; then
    echo "no clippy warnings"
  else
    grep -E '^(warning|error)' -A 6 "$logs/clippy.log" | head -n 60
    echo "clippy found warnings (log: $logs/clippy.log)"
    failed_stages+=("clippy")
    failed=$((failed + 1))
  fi
  stage_done "clippy wait"
fi

# The browser gets the release client (what users download). The server under test is the
# debug build linked with the service tests above (the same code, with overflow checks): a
# release build of the server would cost another 15-20 minutes of CI on 2 cores.
echo "==> waiting for the client build"
wait "$client_build"
client_status=$?
tail -n 5 "$logs/build.log"
client_seconds="$(sed -n 's/^client built in \([0-9]*\) s:.*/\1/p' "$logs/build.log")"
echo "client build: ${client_seconds:-?} s (status $client_status)"
if [ "$client_status" = 0 ] && [ -x "$CARGO_TARGET_DIR/debug/conform" ]; then
  stage_done "client wait"
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
  stage_done "client wait"
  failed_stages+=("build")
  failed=$((failed + 1))
fi

echo
echo "time per stage:"
printf '  %s\n' "${timings[@]}"
# Stages that ran in the background, each with its own clock (they overlap the list above).
for name in sqlite postgres clippy; do
  [ -f "$logs/$name.seconds" ] && printf '  %-10s %4d s  (in the background)\n' "$name" "$(cat "$logs/$name.seconds")"
done
[ -n "${client_seconds:-}" ] && printf '  %-10s %4d s  (in the background)\n' client "$client_seconds"
echo "  total      $((SECONDS - run_started)) s"
if [ ${#failed_stages[@]} -gt 0 ]; then
  echo "Failed stages: ${failed_stages[*]} (logs in $logs)"
fi
echo "summary: $passed passed, $failed failed"
[ ${#failed_stages[@]} -eq 0 ] && [ "$failed" = 0 ]
