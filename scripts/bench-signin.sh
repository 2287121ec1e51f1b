#!/usr/bin/env bash
# Sign-in burst: what 500 parallel wrong-password sign-ins against one account cost the server.
#
# Why: a password guesser should neither get more guesses than the throttle allows nor be able
# to take the server down by sending them all at once (argon2id needs 19 MiB per check).
# Targets (the issue, taken literally):
#   - wrong passwords checked <= the per-account limit (50 an hour), and every other attempt
#     is answered 429 (the limits themselves: app/src/model/throttle.rs);
#   - peak RSS during the burst <= idle RSS + 50 MB (50,000,000 bytes);
#   - /healthz answered within 100 ms during the burst (every probe: the max, not a percentile).
#
# Each phase starts the release `conform` on a fresh SQLite file holding one account, lets it
# idle for 3 s under the /healthz prober (idle RSS and idle latency), then sends ATTEMPTS
# sign-ins with distinct wrong passwords for that account, all on connections opened before
# the burst and released at once.
#   1. one address (127.0.0.1): the pair limit (5 per account and address) binds first;
#   2. ATTEMPTS addresses (X-Forwarded-For from a trusted proxy, 127.0.0.1): neither the pair
#      nor the per-address limit binds, so the per-account limit (50) is what holds.
# Measured, not assumed:
#   - passwords checked = `sign_in_failed` entries in the audit trail (identity::sign_in writes
#     one, in the same transaction, after every wrong password it hashed), cross-checked with
#     the 401 replies and the throttle's failure counter for the account (`auth_throttle`);
#   - RSS from /proc/PID/status: VmRSS when idle, VmHWM after resetting it (clear_refs 5) just
#     before the burst connections are opened;
#   - /healthz latency from a separate process (its own interpreter, not slowed by the
#     attacker) probing on a new connection every 10 ms; idle = the 3 s before the burst,
#     during = every probe overlapping the burst, from the attackers' first connect to the
#     last reply (connect time included: a health check has to get in too).
# Exits 1 if any target is missed in either phase. Figures: docs/benchmarks.md.
#
# Usage: scripts/bench-signin.sh [ATTEMPTS]      (default 500; builds the release server)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CONFORM_ROOT"
attempts="${1:-500}"
# CONFORM_BENCH_BINARY runs another build instead (e.g. the debug one, when the release
# build would take too long; the figures then say so).
binary="${CONFORM_BENCH_BINARY:-}"
if [ -z "$binary" ]; then
  cargo build --release -p conform --quiet
  binary="$CARGO_TARGET_DIR/release/conform"
fi
echo "server binary: $binary"
exec python3 - "$binary" "$attempts" <<'PY'
import asyncio, os, shutil, signal, socket, sqlite3, statistics, subprocess, sys, tempfile, time

BIN, ATTEMPTS = sys.argv[1], int(sys.argv[2])
EMAIL, PASSWORD = "owner@example.org", "correct horse battery staple"
PAIR_LIMIT, ACCOUNT_LIMIT, ADDRESS_LIMIT = 5, 50, 20  # app/src/model/throttle.rs
RSS_BUDGET = 50_000_000  # bytes: "within 50 MB of the idle server"
HEALTHZ_BUDGET_MS = 100.0
ENV = dict(os.environ, RUST_LOG="warn")

# The /healthz prober, run as its own process: a fresh connection per probe, like a load
# balancer's health check. Prints "start_monotonic latency_ms status" per probe until SIGTERM.
PROBER = r'''
import signal, socket, sys, time
port, running = int(sys.argv[1]), [True]
signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
while running[0]:
    t0 = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(request)
            raw = b""
            while chunk := s.recv(65536):
                raw += chunk
        status = int(raw.split(b" ", 2)[1])
    except Exception:
        status = 0
    print(f"{t0:.6f} {(time.monotonic() - t0) * 1000:.3f} {status}", flush=True)
    time.sleep(0.01)
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


async def burst(port, spread):
    """ATTEMPTS connections opened first, then every request sent at once; the statuses."""
    t_open = time.monotonic()
    conns = await asyncio.gather(
        *(asyncio.open_connection("127.0.0.1", port) for _ in range(ATTEMPTS)))
    go = asyncio.Event()

    async def attempt(i, reader, writer):
        body = (f"form[email]={EMAIL.replace('@', '%40')}&form[password]=wrong-guess-{i}"
                "&form[next]=/").encode()
        head = (f"POST /api/auth/sign_in HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Origin: http://127.0.0.1:{port}\r\nAccept: application/json\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n")
        if spread:
            head += f"X-Forwarded-For: 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\r\n"
        await go.wait()
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()
        raw = await reader.read()
        writer.close()
        return int(raw.split(b" ", 2)[1]) if raw else 0

    tasks = [asyncio.create_task(attempt(i, r, w)) for i, (r, w) in enumerate(conns)]
    await asyncio.sleep(0.2)  # every task is waiting on `go`
    t_go = time.monotonic()
    go.set()
    statuses = await asyncio.wait_for(asyncio.gather(*tasks), timeout=300)
    return t_open, t_go, time.monotonic(), statuses


def listen_overflows():
    """The kernel's count of connections dropped because an accept queue was full."""
    with open("/proc/net/netstat") as f:
        lines = [line.split() for line in f if line.startswith("TcpExt:")]
    return int(dict(zip(lines[0], lines[1]))["ListenOverflows"])


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def phase(title, spread):
    data = tempfile.mkdtemp(prefix="conform-signin-")
    db, log = f"{data}/c.db", open(f"{data}/server.log", "w")
    url = f"sqlite://{db}"
    subprocess.run([BIN, "user", "add", "--email", EMAIL, "--name", "Owner", "--role", "admin",
                    "--database-url", url], input=(PASSWORD + "\n").encode(), env=ENV,
                   stdout=subprocess.DEVNULL, check=True)
    port = free_port()
    args = [BIN, "serve", "--addr", f"127.0.0.1:{port}", "--database-url", url,
            "--site-root", data]
    if spread:
        args += ["--trusted-proxies", "127.0.0.1"]
    server = subprocess.Popen(args, env=ENV, stdout=subprocess.DEVNULL, stderr=log)
    prober = None
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.05)
        probes = open(f"{data}/probes", "w+")
        prober = subprocess.Popen([sys.executable, "-c", PROBER, str(port)], stdout=probes)
        time.sleep(3)
        idle_rss, idle_end = status_kib(server.pid, "VmRSS"), time.monotonic()
        with open(f"/proc/{server.pid}/clear_refs", "w") as f:
            f.write("5")  # VmHWM := current RSS
        overflows = listen_overflows()
        t0, t_go, t1, statuses = asyncio.run(burst(port, spread))
        overflows = listen_overflows() - overflows
        peak_rss = status_kib(server.pid, "VmHWM")
        prober.send_signal(signal.SIGTERM)
        prober.wait()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        probes.seek(0)
        samples = [line.split() for line in probes if line.strip()]
    finally:
        for p in (prober, server):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    samples = [(float(t), float(ms), int(st)) for t, ms, st in samples]
    idle = [ms for t, ms, st in samples if t + ms / 1000 < idle_end]
    during = [(ms, st) for t, ms, st in samples if t < t1 and t + ms / 1000 > t0]
    during_ms = [ms for ms, _ in during]

    conn = sqlite3.connect(db)
    audited = conn.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'").fetchone()[0]
    account_failures = conn.execute(
        "SELECT failures FROM auth_throttle WHERE key = ?", (f"account:{EMAIL}",)).fetchone()
    conn.close()
    shutil.rmtree(data)

    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    refused, rejected = counts.get(429, 0), counts.get(401, 0)
    limit = ACCOUNT_LIMIT if spread else PAIR_LIMIT
    grew = (peak_rss - idle_rss) * 1024
    print(f"## {title}")
    print(f"burst: {ATTEMPTS} parallel wrong passwords, {t_go - t0:.2f} s to connect, then "
          f"{t1 - t_go:.2f} s to the last reply; replies by status: {counts}; connections "
          f"dropped by a full accept queue (system-wide ListenOverflows): {overflows}")
    counted = account_failures[0] if account_failures else 0
    print(f"wrong passwords checked: {audited} (audit trail sign_in_failed; 401 replies "
          f"{rejected}); limit that binds here {limit}, per-account limit {ACCOUNT_LIMIT}; "
          f"429 replies {refused}")
    # Each attempt either keeps its reservation (checked) or gives it back (never checked),
    # so the account's failure counter should equal the passwords checked.
    print(f"account throttle failures: {counted}"
          + ("" if counted == audited else f" (not {audited}: some refunds were lost)"))
    print(f"RSS: idle {idle_rss / 1024:.1f} MiB, peak during burst {peak_rss / 1024:.1f} MiB, "
          f"+{grew / 1e6:.1f} MB ({peak_rss / idle_rss:.2f}x idle); budget +{RSS_BUDGET / 1e6:.0f} MB")
    ratio = lambda a, b: f"{a / b:.1f}x" if b > 0 else "n/a"
    ip50, ip95, imax = statistics.median(idle), pct(idle, .95), max(idle)
    bp50, bp95, bmax = statistics.median(during_ms), pct(during_ms, .95), max(during_ms)
    print(f"/healthz idle ({len(idle)} probes): p50 {ip50:.1f} ms, p95 {ip95:.1f} ms, max {imax:.1f} ms")
    print(f"/healthz during burst ({len(during)} probes): p50 {bp50:.1f} ms, p95 {bp95:.1f} ms, "
          f"max {bmax:.1f} ms; ratio to idle p50 {ratio(bp50, ip50)}, p95 {ratio(bp95, ip95)}, "
          f"max {ratio(bmax, imax)}; non-200 answers {sum(st != 200 for _, st in during)}")

    missed = []
    if audited > ACCOUNT_LIMIT or audited > limit:
        missed.append(f"{audited} passwords checked, limit {limit}")
    if audited != rejected or refused + rejected != ATTEMPTS:
        missed.append("some attempts were neither checked (401) nor refused (429)")
    if grew > RSS_BUDGET:
        missed.append(f"peak RSS {grew / 1e6:.1f} MB over idle")
    if len(during) < 3 or bmax > HEALTHZ_BUDGET_MS or any(st != 200 for _, st in during):
        missed.append(f"/healthz max {bmax:.1f} ms during the burst ({len(during)} probes)")
    print("targets: " + ("met" if not missed else "MISSED: " + "; ".join(missed)))
    return not missed


print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, load {os.getloadavg()[0]:.2f}")
ok = phase(f"one account, one address ({ATTEMPTS} attempts)", spread=False)
ok &= phase(f"one account, {ATTEMPTS} addresses via a trusted proxy", spread=True)
sys.exit(0 if ok else 1)
PY
