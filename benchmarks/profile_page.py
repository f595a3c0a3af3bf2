"""Profile one page with pyinstrument, in process, on a database seeded by `flask seed-scale`.

    DATABASE_URL=sqlite:///instance/bench/bench_1000.db .venv/bin/python benchmarks/profile_page.py \
        coordinator /vetting [--requests 50] [--html out.html]

Signs in as the first person holding the role (the seeded staff password), asks for the page once to warm the
caches, then profiles `--requests` requests and prints the call tree (time spent in our code, SQLAlchemy, Jinja,
and so on; SHOW_ALL=1 prints library frames too). Used to find where a page's time goes when `make bench` shows
it below its target.
"""
import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "development")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role")
    parser.add_argument("path")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--html", help="also write pyinstrument's HTML view here")
    args = parser.parse_args()

    from pyinstrument import Profiler

    from app import create_app
    from app.auth.models import Role
    from tests.test_growth_guard import _first_with_role

    app = create_app()
    with app.app_context():
        email = _first_with_role(Role(args.role)).email
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"csrf_token": token, "email": email, "password": "scale-password"})
    first = client.get(args.path)
    print(f"{args.path} as {email}: {first.status_code}, {len(first.get_data()):,} bytes")
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for _ in range(args.requests):
        client.get(args.path).get_data()
    profiler.stop()
    took = time.perf_counter() - started
    print(f"{args.requests} requests in {took:.2f} s: {1000 * took / args.requests:.1f} ms each (profiled)")
    print(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("SHOW_ALL"))))
    if args.html:
        Path(args.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
