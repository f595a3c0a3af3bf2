"""Time the staff readiness CSV end to end, through the Flask test client, on the database in DATABASE_URL.

    DATABASE_URL=sqlite:////work/helpers/bench_50000.db .venv/bin/python benchmarks/time_export.py \
        [--role manager] [--runs 2] [--out readiness.csv]

Signs in as the first person holding the role (the seeded staff password), then streams
/readiness/staff/readiness.csv `--runs` times, reading every chunk as it comes. Prints, for each run, the
seconds, the rows (lines after the header) and the process's peak resident memory so far.
"""
import argparse
import os
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "development")
PATH = "/readiness/staff/readiness.csv"


def _signed_in_client(app, role: str):
    from app.auth.models import Role
    from tests.test_growth_guard import _first_with_role

    with app.app_context():
        email = _first_with_role(Role(role)).email
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"csrf_token": token, "email": email, "password": "scale-password"})
    return client


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", default="manager")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", help="write the last run's CSV here (to compare two versions byte for byte)")
    args = parser.parse_args()

    from app import create_app

    client = _signed_in_client(create_app(), args.role)
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        response = client.get(PATH, buffered=False)
        lines, size = 0, 0
        out = open(args.out, "wb") if args.out and run == args.runs else None  # noqa: SIM115
        for chunk in response.response:
            data = chunk if isinstance(chunk, bytes) else chunk.encode()
            lines += data.count(b"\n")
            size += len(data)
            if out:
                out.write(data)
        response.close()
        if out:
            out.close()
        took = time.perf_counter() - started
        print(f"run {run}: {response.status_code} {took:.2f} s, {lines - 1:,} rows, {size:,} bytes, "
              f"peak RSS {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
