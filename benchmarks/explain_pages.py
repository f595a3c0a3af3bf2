"""The query plan of every SQL statement each guarded page runs, on a seeded database: benchmarks/PLANS.md.

    DATABASE_URL=sqlite:///instance/bench/bench_50000.db .venv/bin/python benchmarks/explain_pages.py [--pages vetting]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_50000 .venv/bin/python benchmarks/explain_pages.py

Every page of tests/test_growth_guard.py's PAGES is requested once (signed in as its role, in process), its
statements are captured with their parameters, and each is explained afterwards: `EXPLAIN QUERY PLAN` on SQLite,
`EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL (it runs the statement; only SELECTs are explained). A statement whose
plan reads a whole large table without an index (SQLite "SCAN t" without "USING INDEX"; PostgreSQL "Seq Scan on
t" over more than `--rows` rows) is marked, with its time on PostgreSQL, so the plans needing an index stand out.
"""
import argparse
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "development")


def capture(app, client, path: str) -> list[tuple[str, object]]:
    from sqlalchemy import event

    from app.extensions import db

    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(path)
        response.get_data()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return seen


def explain(app, statement: str, parameters, min_rows: int) -> tuple[str, bool]:
    from app.extensions import db

    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            if db.engine.dialect.name == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                lines = [row[3] for row in cursor.fetchall()]
                flagged = any(re.match(r"SCAN \w+$", line.strip()) and not line.strip().startswith("SCAN CONSTANT")
                              for line in lines)
            else:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                lines = [row[0] for row in cursor.fetchall()]
                flagged = any(
                    "Seq Scan" in line and int(m.group(1)) > min_rows
                    for line in lines if (m := re.search(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+)", line)))
            connection.rollback()
        finally:
            connection.close()
    return "\n".join(lines), flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="", help="only page ids containing this")
    parser.add_argument("--rows", type=int, default=5000, help="PostgreSQL: a Seq Scan reading more is marked")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "PLANS.md"))
    args = parser.parse_args()

    import re as _re

    from app import create_app
    from app.auth.models import Role
    from tests.test_growth_guard import PAGES, _first_with_role, _pick_ids

    app = create_app()
    with app.app_context():
        from app.extensions import db

        kind = db.engine.dialect.name
        emails = {r.value: _first_with_role(r).email for r in Role}
        ids = _pick_ids()
    clients = {}
    sections, marked = [], []
    for item in PAGES:
        if args.pages not in item.id:
            continue
        if item.role not in clients:
            client = app.test_client()
            page = client.get("/sign-in").get_data(as_text=True)
            token = _re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            client.post("/sign-in", data={"csrf_token": token, "email": emails[item.role],
                                          "password": "scale-password"})
            clients[item.role] = client
        path = item.url(ids)
        statements = capture(app, clients[item.role], path)
        parts = [f"## {item.id} `{path}`: {len(statements)} SELECTs", ""]
        for n, (statement, parameters) in enumerate(statements, 1):
            plan, flagged = explain(app, statement, parameters, args.rows)
            if flagged:
                marked.append(f"{item.id} #{n}")
            short = " ".join(statement.split())
            parts += [f"### {n}{' (full scan)' if flagged else ''}", "", "```sql", short[:1500], "```", "",
                      "```", plan, "```", ""]
        sections.append("\n".join(parts))
        print(f"{item.id}: {len(statements)} statements, {sum(1 for m in marked if m.startswith(item.id + ' '))} "
              "marked", flush=True)
    head = (f"# Query plans of the guarded pages ({kind})\n\nWritten by benchmarks/explain_pages.py on "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Statements marked (full scan): "
            f"{', '.join(marked) or 'none'}.\n\n")
    Path(args.out).write_text(head + "\n".join(sections))
    print(f"written {args.out}: {len(marked)} marked")


if __name__ == "__main__":
    main()
