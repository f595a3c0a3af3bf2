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
QUIET_LOAD = 1.5  # a 1-minute load average above this at the start: the header says the machine was busy
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


def seed_version() -> str:
    """Changes when the generator does: a cached database seeded by another version is seeded again."""
    import hashlib

    return hashlib.sha256((ROOT / "app" / "core" / "services_scale.py").read_bytes()).hexdigest()[:16]


SEED_TIMES: dict[str, str] = {}  # "sqlite 50,000" -> "41.6 s", for the table; cached databases say when they were seeded


def database(kind: str, size: int) -> str:
    """The URL of a seeded database of `size` people, seeding it (timed) only when not cached; migrated to head
    either way (a new index is built on the cached data)."""
    if (kind, size) in _READY:
        return _READY[(kind, size)]
    _READY[(kind, size)] = url = _prepare(kind, size)
    return url


_READY: dict[tuple[str, int], str] = {}
KEEP_TIMES: dict[str, str] = {}  # `flask readiness keep` before each run's pages


def _prepare(kind: str, size: int) -> str:
    CACHE.mkdir(parents=True, exist_ok=True)
    marker = CACHE / (f"bench_{size}.db.seeded" if kind == "sqlite" else f"bench_{size}.pg.seeded")
    if kind == "sqlite":
        path = CACHE / f"bench_{size}.db"
        url = f"sqlite:///{path}"
        cached = path.exists()
    else:
        url = f"{PG}/bench_{size}"
        cached = True
    lines = marker.read_text().split() if marker.exists() else []
    if cached and len(lines) == 2 and lines[1] == seed_version():
        flask(url, "db", "upgrade", quiet=True)
        if kind == "postgresql":  # statistics and visibility maps for any index the upgrade built (as seed-scale)
            subprocess.run(["psql", "-q", "-h", _host(PG), "-U", _user(PG), "-d", f"bench_{size}",
                            "-c", "VACUUM ANALYZE"], check=True)
        SEED_TIMES[f"{kind} {size:,}"] = f"{float(lines[0]):.1f} s (cached)"
        return url
    if kind == "sqlite":
        for leftover in CACHE.glob(f"bench_{size}.db*"):
            leftover.unlink()
    else:
        subprocess.run(["dropdb", "--if-exists", "-h", _host(PG), "-U", _user(PG), f"bench_{size}"], check=True)
        subprocess.run(["createdb", "-h", _host(PG), "-U", _user(PG), f"bench_{size}"], check=True)
    log(f"seeding {kind} with {size:,} people")
    flask(url, "db", "upgrade", quiet=True)
    started = time.monotonic()
    flask(url, "seed-scale", "--volunteers", str(size))
    took = time.monotonic() - started
    log(f"seeded {kind} {size:,} in {took:.1f} s")
    SEED_TIMES[f"{kind} {size:,}"] = f"{took:.1f} s"
    marker.write_text(f"{took:.1f} {seed_version()}\n")
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
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # workers still busy with a slow page's queue
        os.killpg(process.pid, signal.SIGKILL)
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
    except OSError:  # timed out or refused: reported as such, and the run goes on
        return {"status": "no answer", "queries": "", "rows": "", "peak": "", "bytes": 0,
                "one": time.monotonic() - started}
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
    requests = int(m.group(1)) if (m := re.search(r"(\d+) requests in", out)) else 0
    # With no request finished in the window (a long export), wrk prints latencies of 0: none is known.
    return {"rate": float(rate.group(1)) if rate else 0.0, "p50": latency("50") if requests else "",
            "p99": latency("99") if requests else "", "errors": (int(errors.group(1)) if errors else 0) + failed,
            "requests": requests}


def bench(kind: str, size: int, tool: str) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from tests.test_growth_guard import PAGES

    url = database(kind, size)
    # As after the day's `flask readiness sweep` on a running portal: everyone's gate states kept for today.
    started = time.monotonic()
    flask(url, "readiness", "keep", "--no-progress", quiet=True)
    KEEP_TIMES[f"{kind} {size:,}"] = f"{time.monotonic() - started:.1f} s"
    log(f"{kind} {size:,}: flask readiness keep {KEEP_TIMES[f'{kind} {size:,}']}")
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
    drain(base)
    return {**first, **steady, "burst_errors": burst["errors"], "burst_requests": burst["requests"],
            "peak_mb": peak_mb(process)}


def drain(base: str, limit: float = 300) -> None:
    """Wait until the requests wrk left queued (a slow page at 64 connections) are answered, so the next page is
    measured on an idle server."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(base + "/healthz", timeout=limit).read()
        if time.monotonic() - started < 0.2:
            return
        time.sleep(0.2)


def misses(row: dict) -> list[str]:
    """The targets this page misses (issue 17)."""
    missed = []
    if row["ratio"] < TARGET_RATIO:
        missed.append(f"rate < {TARGET_RATIO}x")
    if not row["p99"] or float(row["p99"]) >= TARGET_P99_MS:
        missed.append(f"p99 >= {TARGET_P99_MS} ms")
    if row["peak_mb"] >= TARGET_PEAK_MB:
        missed.append(f"memory >= {TARGET_PEAK_MB} MB")
    if row["errors"] or row["burst_errors"] or row["status"] != 200:
        missed.append("errors")
    return missed


def table(kind: str, size: int, rows: list[dict]) -> str:
    lines = [f"### {kind}, {size:,} people", "",
             f"| page | status | req/s | p50 ms | p99 ms | one request ms | bytes | queries | rows loaded | "
             f"worker peak MB | x /healthz | errors at {CONNECTIONS} / {BURST} | targets missed |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['page']} | {r['status']} | {r['rate']:.1f} | {r['p50'] or 'none done'} | "
                     f"{r['p99'] or 'none done'} | "
                     f"{r['one'] * 1000:.0f} | {r['bytes']:,} | {r['queries']} | {r['rows']} | {r['peak_mb']:.0f} | "
                     f"{r['ratio']:.2f} | {r['errors']} / {r['burst_errors']} | {', '.join(misses(r)) or 'none'} |")
    return "\n".join(lines) + "\n"


COMMANDS = [("vetting", "remind"), ("readiness", "sweep"), ("retention", "sweep")]


def scheduled(kind: str, size: int, url: str) -> list[dict]:
    """Each scheduled command twice (the first run does the work, the second finds nothing due) on a copy of the
    seeded database, timed, with its peak memory (GNU time's maximum resident set size)."""
    if kind == "sqlite":
        copy = CACHE / f"commands_{size}.db"
        shutil.copyfile(urllib.parse.urlparse(url).path, copy)
        target = f"sqlite:///{copy}"
    else:
        name = f"bench_{size}_commands"
        subprocess.run(["dropdb", "--if-exists", "-h", _host(PG), "-U", _user(PG), name], check=True)
        subprocess.run(["createdb", "-h", _host(PG), "-U", _user(PG), "-T", f"bench_{size}", name], check=True)
        target = f"{PG}/{name}"
    outbox = CACHE / "outbox-commands"
    shutil.rmtree(outbox, ignore_errors=True)
    env = os.environ | {"DATABASE_URL": target, "APP_ENV": "development", "FLASK_APP": "wsgi",
                        "MAIL_OUTBOX_DIR": str(outbox)}
    results = []
    for group, command in COMMANDS:
        for attempt in ("first", "second"):
            started = time.monotonic()
            done = subprocess.run(["/usr/bin/time", "-f", "BENCH-PEAK-KB %M", str(BIN / "flask"), "--app", "wsgi",
                                   group, command], cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=COMMAND_TIMEOUT)
            took = time.monotonic() - started
            peak = re.search(r"BENCH-PEAK-KB (\d+)", done.stderr)
            said = [line for line in done.stdout.splitlines() if line.strip()]
            results.append({"command": f"flask {group} {command}", "run": attempt, "seconds": took,
                            "peak_mb": int(peak.group(1)) / 1024 if peak else 0.0, "rc": done.returncode,
                            "said": said[-1][:160] if said else done.stderr.strip().splitlines()[-1][:160]})
            log(f"{kind} {size:,}: flask {group} {command} ({attempt} run) {took:.1f} s, rc {done.returncode}")
    mails = len(list(outbox.glob("*.eml"))) if outbox.exists() else 0
    results.append({"command": "e-mails written by the runs above", "run": "", "seconds": 0, "peak_mb": 0,
                    "rc": 0, "said": f"{mails:,}"})
    if kind == "sqlite":
        copy.unlink(missing_ok=True)
    return results


COMMAND_TIMEOUT = int(os.environ.get("BENCH_COMMAND_TIMEOUT", "600"))


def commands_table(kind: str, size: int, rows: list[dict]) -> str:
    lines = [f"### Scheduled commands, {kind}, {size:,} people", "",
             "| command | run | seconds | peak MB | exit | last line printed |", "|---|---|---|---|---|---|"]
    for r in rows:
        if r["run"]:
            lines.append(f"| `{r['command']}` | {r['run']} | {r['seconds']:.1f} | {r['peak_mb']:.0f} | {r['rc']} | "
                         f"{r['said'].replace('|', '/')} |")
        else:
            lines.append(f"| {r['command']} | | | | | {r['said']} |")
    return "\n".join(lines) + "\n"


def summary(results: dict[str, list[dict]]) -> str:
    """One line per target: how many pages meet it in each run; then the pages missing any."""
    lines = ["## Targets met (pages meeting each, of all pages measured)", "",
             "| run | pages | rate >= 0.25x /healthz | p99 < 300 ms | memory < 300 MB | no errors at 8 and 64 | "
             "pages missing a target |", "|---|---|---|---|---|---|---|"]
    for name, rows in results.items():
        pages = [r for r in rows if not r["page"].startswith("/healthz")]
        count = {key: sum(1 for r in pages if key not in " ".join(misses(r))) for key in ("rate", "p99", "memory",
                                                                                             "errors")}
        missing = [r["page"].split(" ")[0] for r in pages if misses(r)]
        lines.append(f"| {name} | {len(pages)} | {count['rate']} | {count['p99']} | {count['memory']} | "
                     f"{count['errors']} | {', '.join(missing) or 'none'} |")
    return "\n".join(lines) + "\n"


NOTES_START, NOTES_END = "<!-- notes: kept by make bench -->", "<!-- /notes -->"


def kept_notes() -> str:
    """The hand-written notes in RESULTS.md (between the markers), kept when the tables are written again."""
    if not RESULTS.exists():
        return f"{NOTES_START}\n{NOTES_END}\n"
    text = RESULTS.read_text()
    if NOTES_START in text and NOTES_END in text:
        return text[text.index(NOTES_START):text.index(NOTES_END) + len(NOTES_END)] + "\n"
    return f"{NOTES_START}\n{NOTES_END}\n"


def main() -> None:
    tool = ensure_wrk()
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000 10000 50000").split()]
    kinds = os.environ.get("BENCH_DATABASES", "sqlite postgresql").split()
    with_commands = os.environ.get("BENCH_COMMANDS", "1") != "0"
    load = os.getloadavg()
    sections, results, command_sections = [], {}, []
    for kind in kinds:
        for size in sizes:
            rows = bench(kind, size, tool)
            results[f"{kind}, {size:,}"] = rows
            sections.append(table(kind, size, rows))
            if with_commands and size == max(sizes):
                command_sections.append(commands_table(kind, size, scheduled(kind, size, database(kind, size))))
            RESULTS.with_suffix(".partial.md").write_text("\n".join(sections + command_sections))
    head = (f"# Benchmark results\n\nWritten by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: gunicorn, "
            f"2 workers, on 127.0.0.1; wrk, 2 threads, {CONNECTIONS} connections for {SECONDS} s per page, then "
            f"{BURST} connections for {BURST_SECONDS} s (errors only). "
            f"Machine: {os.cpu_count()} cores, load average at the start {load[0]:.1f} / {load[1]:.1f} / "
            f"{load[2]:.1f} ({'busy before the run' if load[0] > QUIET_LOAD else 'quiet at the start'}; rates "
            "are noisy wherever anything else runs: the query and row counts are the robust measures). "
            "Queries and rows come from one counted request before the load (X-Bench-* headers, "
            "benchmarks/wsgi_bench.py; the load itself runs uncounted); for a streamed CSV they cover what ran "
            "before the body streamed, and 'one request ms' is the time to its last byte. "
            "Worker peak is the larger gunicorn worker's peak resident memory during that page's runs (reset before "
            "each page). Targets (issue 17): at least 0.25x the /healthz rate, p99 under 300 ms at 8 connections, "
            "under 300 MB per worker, no errors at 8 or 64 connections.\n\n"
            "Seeding (`flask seed-scale`): " + "; ".join(f"{k}: {v}" for k, v in SEED_TIMES.items()) + ". "
            "Before each run's pages, everyone's readiness gate states are kept for the day, as the daily "
            "`flask readiness sweep` leaves them (`flask readiness keep`): "
            + "; ".join(f"{k}: {v}" for k, v in KEEP_TIMES.items()) + ".\n\n")
    RESULTS.write_text(head + kept_notes() + "\n" + summary(results) + "\n## Scheduled commands\n\n"
                       + ("\n".join(command_sections) or "Not run (BENCH_COMMANDS=0).\n")
                       + "\n## Every page\n\n" + "\n".join(sections))
    RESULTS.with_suffix(".partial.md").unlink(missing_ok=True)
    log(f"written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
