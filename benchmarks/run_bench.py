"""`make bench`: every list, register, queue, export and home page under load, at several data sizes, on SQLite
and PostgreSQL, against /healthz in the same run; the table goes to benchmarks/RESULTS.md.

For each database and size: a database seeded by `flask seed-scale` (cached: SQLite files under instance/bench/,
PostgreSQL databases bench_<size>, reused when already seeded), gunicorn with 2 workers on 127.0.0.1 serving
benchmarks/wsgi_bench.py (the app plus X-Bench-* headers: queries, rows loaded, worker peak memory), a sign-in
per role, then wrk on each page of tests/test_growth_guard.py's PAGES. Traffic goes only to 127.0.0.1.

Settings (environment): BENCH_SIZES (default "1000 10000 50000"), BENCH_DATABASES ("sqlite postgresql"),
BENCH_PG (the PostgreSQL server, default postgresql://postgres@127.0.0.1:5432), BENCH_SECONDS (wrk time per
page, default 3), BENCH_CONNECTIONS (default 8), BENCH_BURST (the second run's connections, default 64: only
its errors are reported), BENCH_BURST_SECONDS (default 2), BENCH_PAGES (a substring: only matching page ids).

Per page: the workers' peak memory is reset (Linux /proc/<pid>/clear_refs), one counted request is timed to its
last byte (queries, rows, size), then wrk at 8 connections (rate, p50, p99) and at 64 (errors), then the peak
resident memory of either worker is read (VmHWM).
"""
import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CACHE = ROOT / "instance" / "bench"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
PASSWORD = "scale-password"
SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
BURST = int(os.environ.get("BENCH_BURST", "64"))
BURST_SECONDS = int(os.environ.get("BENCH_BURST_SECONDS", "2"))
TARGET_RATIO, TARGET_P99_MS, TARGET_PEAK_MB = 0.25, 300, 300
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def log(text: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing Debian's package")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def flask(url: str, *args: str, quiet: bool = False) -> subprocess.CompletedProcess:
    env = os.environ | {"DATABASE_URL": url, "APP_ENV": "development", "FLASK_APP": "wsgi"}
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                          capture_output=quiet, text=True)


def database(kind: str, size: int) -> str:
    """The URL of a seeded database of `size` people, seeding it (timed) only when not cached."""
    if kind == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"bench_{size}.db"
        url = f"sqlite:///{path}"
        if path.exists() and (CACHE / f"bench_{size}.db.seeded").exists():
            return url
        for leftover in CACHE.glob(f"bench_{size}.db*"):
            leftover.unlink()
    else:
        url = f"{PG}/bench_{size}"
        marker = CACHE / f"bench_{size}.pg.seeded"
        CACHE.mkdir(parents=True, exist_ok=True)
        if marker.exists():
            return url
        admin = PG.replace("postgresql://", "postgresql://", 1)
        subprocess.run(["dropdb", "--if-exists", "-h", _host(admin), "-U", _user(admin), f"bench_{size}"], check=True)
        subprocess.run(["createdb", "-h", _host(admin), "-U", _user(admin), f"bench_{size}"], check=True)
    log(f"seeding {kind} with {size:,} people")
    flask(url, "db", "upgrade", quiet=True)
    started = time.monotonic()
    flask(url, "seed-scale", "--volunteers", str(size))
    log(f"seeded {kind} {size:,} in {time.monotonic() - started:.1f} s")
    (CACHE / (f"bench_{size}.db.seeded" if kind == "sqlite" else f"bench_{size}.pg.seeded")).write_text(
        f"{time.monotonic() - started:.1f}\n")
    return url


def _host(url: str) -> str:
    return urllib.parse.urlparse(url).hostname or "127.0.0.1"


def _user(url: str) -> str:
    return urllib.parse.urlparse(url).username or "postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {"DATABASE_URL": url, "APP_ENV": "development", "PORTAL_URL": base,
                        "SECRET_KEY": "bench-only-secret-key-0123456789abcdef",
                        "MAIL_OUTBOX_DIR": str(CACHE / "outbox")}
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                                "--timeout", "120", "benchmarks.wsgi_bench:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=(CACHE / "gunicorn.log").open("a"),
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return process, base
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start: see instance/bench/gunicorn.log")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def sign_in(base: str, email: str) -> str:
    """The Cookie header of a session signed in as `email`."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/sign-in", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD}).encode()
    opener.open(base + "/sign-in", data=data, timeout=60).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def who_and_ids(url: str) -> tuple[dict[str, str], dict[str, int]]:
    """One e-mail per role, and the ids the page URLs need, read from the database."""
    env = os.environ | {"DATABASE_URL": url, "APP_ENV": "development"}
    code = ("import json\nfrom app import create_app\nfrom app.auth.models import Role\n"
            "from tests.test_growth_guard import _first_with_role, _pick_ids\n"
            "app = create_app()\nwith app.app_context():\n"
            "    print(json.dumps([{r.value: _first_with_role(r).email for r in Role}, _pick_ids()]))\n")
    out = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, check=True, capture_output=True,
                         text=True).stdout
    import json

    users, ids = json.loads(out.strip().splitlines()[-1])
    return users, ids


def probe(base: str, path: str, cookie: str) -> dict:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie, "X-Bench-Count": "1"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        return {"status": exc.code, "queries": "", "rows": "", "peak": "", "bytes": 0, "one": time.monotonic() - started}
    return {"status": status, "queries": headers.get("X-Bench-Queries", ""), "rows": headers.get("X-Bench-Rows", ""),
            "peak": headers.get("X-Bench-Peak-KB", ""), "bytes": len(body), "one": time.monotonic() - started}


def workers(process: subprocess.Popen) -> list[int]:
    """gunicorn's worker processes (the children of the master)."""
    try:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in children]


def reset_peaks(process: subprocess.Popen) -> None:
    for pid in workers(process):
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM, the peak resident set


def peak_mb(process: subprocess.Popen) -> float:
    peaks = []
    for pid in workers(process):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            peaks.append(int(found.group(1)) / 1024)
    return max(peaks, default=0.0)


def wrk(tool: str, base: str, path: str, cookie: str, connections: int = CONNECTIONS, seconds: int = SECONDS) -> dict:
    args = [tool, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s", "--latency"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*args, base + path], capture_output=True, text=True, timeout=seconds + 90).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)

    def latency(pct: str) -> str:
        found = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)\b", out)
        if not found:
            return ""
        value, unit = float(found.group(1)), found.group(2)
        return f"{value / 1000 if unit == 'us' else value * 1000 if unit == 's' else value:.0f}"

    failed = sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1))) if socket_errors else 0
    return {"rate": float(rate.group(1)) if rate else 0.0, "p50": latency("50"), "p99": latency("99"),
            "errors": (int(errors.group(1)) if errors else 0) + failed,
            "requests": int(m.group(1)) if (m := re.search(r"(\d+) requests in", out)) else 0}


def bench(kind: str, size: int, tool: str) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from tests.test_growth_guard import PAGES

    url = database(kind, size)
    users, ids = who_and_ids(url)
    process, base = serve(url)
    rows = []
    try:
        cookies = {}
        health = measure(tool, process, base, "/healthz", "")
        log(f"{kind} {size:,}: /healthz {health['rate']:.0f} req/s")
        rows.append({"page": "/healthz (ceiling)", **health, "ratio": 1.0})
        wanted = os.environ.get("BENCH_PAGES", "")
        for item in PAGES:
            if wanted and wanted not in item.id:
                continue
            if item.role not in cookies:
                cookies[item.role] = sign_in(base, users[item.role])
            path = item.url(ids)
            result = measure(tool, process, base, path, cookies[item.role])
            ratio = result["rate"] / health["rate"] if health["rate"] else 0
            rows.append({"page": f"{item.id} `{path}`", **result, "ratio": ratio})
            log(f"{kind} {size:,}: {item.id} {result['rate']:.1f} req/s p99 {result['p99']} ms, "
                f"{result['queries']} queries, {result['rows']} rows, one {result['one'] * 1000:.0f} ms, "
                f"peak {result['peak_mb']:.0f} MB, errors at {BURST}: {result['burst_errors']}")
    finally:
        stop(process)
    return rows


def measure(tool: str, process: subprocess.Popen, base: str, path: str, cookie: str) -> dict:
    reset_peaks(process)
    first = probe(base, path, cookie)
    steady = wrk(tool, base, path, cookie)
    burst = wrk(tool, base, path, cookie, connections=BURST, seconds=BURST_SECONDS)
    return {**first, **steady, "burst_errors": burst["errors"], "burst_requests": burst["requests"],
            "peak_mb": peak_mb(process)}


def misses(row: dict) -> list[str]:
    """The targets this page misses (issue 17)."""
    missed = []
    if row["ratio"] < TARGET_RATIO:
        missed.append(f"rate < {TARGET_RATIO}x")
    if not row["p99"] or float(row["p99"]) >= TARGET_P99_MS:
        missed.append(f"p99 >= {TARGET_P99_MS} ms")
    if row["peak_mb"] >= TARGET_PEAK_MB:
        missed.append(f"memory >= {TARGET_PEAK_MB} MB")
    if row["errors"] or row["burst_errors"]:
        missed.append("errors")
    return missed


def table(kind: str, size: int, rows: list[dict]) -> str:
    lines = [f"### {kind}, {size:,} people", "",
             f"| page | status | req/s | p50 ms | p99 ms | one request ms | bytes | queries | rows loaded | "
             f"worker peak MB | x /healthz | errors at {CONNECTIONS} / {BURST} | targets missed |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['page']} | {r['status']} | {r['rate']:.1f} | {r['p50']} | {r['p99']} | "
                     f"{r['one'] * 1000:.0f} | {r['bytes']:,} | {r['queries']} | {r['rows']} | {r['peak_mb']:.0f} | "
                     f"{r['ratio']:.2f} | {r['errors']} / {r['burst_errors']} | {', '.join(misses(r)) or 'none'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    tool = ensure_wrk()
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000 10000 50000").split()]
    kinds = os.environ.get("BENCH_DATABASES", "sqlite postgresql").split()
    load = os.getloadavg()
    sections = []
    for kind in kinds:
        for size in sizes:
            sections.append(table(kind, size, bench(kind, size, tool)))
            RESULTS.with_suffix(".partial.md").write_text("\n".join(sections))
    head = (f"# Benchmark results\n\nWritten by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: gunicorn, "
            f"2 workers, on 127.0.0.1; wrk, 2 threads, {CONNECTIONS} connections for {SECONDS} s per page, then "
            f"{BURST} connections for {BURST_SECONDS} s (errors only). "
            f"Machine: {os.cpu_count()} cores, load average at the start {load[0]:.1f} / {load[1]:.1f} / "
            f"{load[2]:.1f} (shared with other work, so rates are noisy: the query and row counts are the "
            "robust measures). Queries and rows come from one request before the load (X-Bench-* headers, "
            "benchmarks/wsgi_bench.py); for a streamed CSV they cover what ran before the body streamed. "
            "Worker peak is the larger gunicorn worker's peak resident memory during that page's runs (reset before "
            "each page). Targets (issue 17): at least 0.25x the /healthz rate, p99 under 300 ms at 8 connections, "
            "under 300 MB per worker, no errors at 8 or 64 connections.\n\n")
    RESULTS.write_text(head + "\n".join(sections))
    RESULTS.with_suffix(".partial.md").unlink(missing_ok=True)
    log(f"written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
