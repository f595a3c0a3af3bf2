"""The portal as served by `make bench` only: a request sent with the header `X-Bench-Count: 1` is answered with
X-Bench-Queries and X-Bench-Rows (SQL statements run, and rows loaded: rows SELECTs returned through the session
plus ORM instances built) and X-Bench-Peak-KB (the worker's peak resident memory so far). Requests without the
header (the load from wrk) run exactly as the real app does, uncounted: counting rows means buffering every
result, which would slow what is being measured. Never used by a real deployment (wsgi.py is)."""
import resource

from flask import g
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db

app = create_app()


def _start_counting():
    from flask import request

    if request.headers.get("X-Bench-Count") == "1":
        g.bench_queries, g.bench_rows = 0, 0


app.before_request_funcs.setdefault(None, []).insert(0, _start_counting)  # before the app's own hooks


def _counting() -> bool:
    from flask import has_app_context

    return has_app_context() and "bench_queries" in g


with app.app_context():
    @event.listens_for(db.engine, "before_cursor_execute")
    def _query(conn, cursor, statement, parameters, context, executemany):
        if _counting():
            g.bench_queries += 1


@event.listens_for(Session, "do_orm_execute")
def _rows(state):
    if not _counting() or not state.is_select or state.execution_options.get("yield_per"):
        return None  # streamed results are left to stream
    frozen = state.invoke_statement().freeze()
    g.bench_rows += len(frozen().all())
    return frozen()


@event.listens_for(Session, "loaded_as_persistent")
def _instance(session, instance):
    if _counting():
        g.bench_rows += 1


@app.after_request
def _headers(response):
    if _counting():
        response.headers["X-Bench-Queries"] = str(g.bench_queries)
        response.headers["X-Bench-Rows"] = str(g.bench_rows)
        response.headers["X-Bench-Peak-KB"] = str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return response
