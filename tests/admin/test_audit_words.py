"""The audit log a manager can read: plain words for every action the app writes, kinds, sign-ins hidden unless
asked, person by name, dates, the CSV export, no free text, vetting for managers only, fixed query counts."""
import ast
import csv
import io
from pathlib import Path

import pytest

from app import audit
from app.admin import rules_audit as words
from app.applications.rules import Action
from app.audit import AuditEvent
from app.expenses.services import DECISIONS
from app.extensions import db
from app.timefmt import format_datetime, today_london
from app.training.models import BookingStatus
from tests.factories import make_user

APP = Path(__file__).resolve().parents[2] / "app"
RECORDERS = {"record", "_audit_step"}  # audit.record(by, action, ...) and applications' _audit_step(by, action, ...)
# f-strings that build an action, with every value they can take (read from the code that builds them).
DYNAMIC = {
    "application.{action.value}": [f"application.{a.value}" for a in Action],
    "training.{booking.status.value}": [f"training.{s.value}" for s in (BookingStatus.BOOKED, BookingStatus.WAITLISTED)],
    "expenses.claim_{claim.status.value}": [f"expenses.claim_{s.value}" for s in DECISIONS.values()],
}


def _fstring(node: ast.JoinedStr) -> str:
    return "".join(part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"
                   for part in node.values)


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            target = ast.unparse(node.func)
            if name in RECORDERS and (target in ("audit.record", "_audit_step")) and len(node.args) >= 2:
                yield node


def action_codes() -> set[str]:
    """Every action string app/ can write, read from the source: literals, module constants, f-strings (expanded
    by DYNAMIC), and a parameter's default plus every `action=` passed to that function anywhere in app/."""
    codes, unknown = set(), []
    trees = {path: ast.parse(path.read_text()) for path in APP.rglob("*.py")}
    keyword_actions = {kw.value.value for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.Call)
                       for kw in node.keywords if kw.arg == "action" and isinstance(kw.value, ast.Constant)}
    for path, tree in trees.items():
        constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                     and isinstance(n.value, ast.Constant) for t in n.targets if isinstance(t, ast.Name)}
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for call in _calls(tree):
            arg = call.args[1]
            if isinstance(arg, ast.IfExp) and all(isinstance(b, ast.Constant) for b in (arg.body, arg.orelse)):
                codes.update((arg.body.value, arg.orelse.value))
            elif isinstance(arg, ast.Constant):
                codes.add(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                template = _fstring(arg)
                if template in DYNAMIC:
                    codes.update(DYNAMIC[template])
                else:
                    unknown.append(f"{path.name}: f-string {template}")
            elif isinstance(arg, ast.Name) and arg.id in constants:
                codes.add(constants[arg.id])
            elif isinstance(arg, ast.Name):
                owner = next((f for f in functions if any(a.arg == arg.id for a in f.args.args)
                              and f.lineno <= call.lineno <= f.end_lineno), None)
                defaults = dict(zip([a.arg for a in owner.args.args][-len(owner.args.defaults):],
                                    owner.args.defaults, strict=False)) if owner and owner.args.defaults else {}
                if arg.id in defaults and isinstance(defaults[arg.id], ast.Constant):
                    codes.add(defaults[arg.id].value)
                    if arg.id == "action":
                        codes.update(keyword_actions)
                elif owner is not None and owner.name == "_audit_step":
                    continue  # its callers are read as calls of _audit_step above
                else:
                    unknown.append(f"{path.name}:{call.lineno}: {ast.unparse(arg)}")
            else:
                unknown.append(f"{path.name}:{call.lineno}: {ast.unparse(arg)}")
    assert not unknown, f"actions this test cannot read; add them to DYNAMIC: {unknown}"
    return codes


def test_every_action_the_app_writes_has_plain_words():
    codes = action_codes()
    assert {"auth.login", "application.accept", "training.booked", "expenses.claim_queried",
            "auth.invitation_accepted", "auth.password_reset", "application.viewed", "vetting.dbs_decision"} <= codes
    assert len(codes) > 90
    missing = sorted(codes - set(words.WORDS))
    assert not missing, f"no plain words in app/admin/rules_audit.py for: {missing}"


def test_every_entry_has_a_kind_and_only_known_placeholders():
    for code, entry in words.WORDS.items():
        assert entry.kind in words.KINDS, code
        for text in filter(None, (entry.text, entry.own)):
            text.format(actor="A", subject="S", subjects="S's")  # no other placeholder
            assert "_" not in text and "." not in text.rstrip("."), f"{code} reads like code: {text}"


def test_sentences():
    assert words.sentence("application.accept", "Sam Coordinator", "Val Volunteer") == \
        "Sam Coordinator accepted Val Volunteer's application"
    assert words.sentence("application.submit", "Val Volunteer", "Val Volunteer", same_person=True) == \
        "Val Volunteer sent their application"
    assert words.sentence("readiness.stood_down", None, "Jess") == \
        "The system stood Jess down from client work (a check lapsed)"
    assert words.sentence("account.deactivated", "Ann", "Chris") == "Ann deactivated Chris' account"
    assert "no plain words yet" in words.sentence("made.up", "Ann", None)


@pytest.fixture
def log(login_as):
    manager = login_as("manager")
    sam = make_user("coordinator", name="Sam Coordinator", email="sam@example.org")
    val = make_user("volunteer", name="Val Volunteer", email="val@example.org")
    audit.record(sam, "application.accept", val, from_status="chat_held", to_status="accepted")
    audit.record(val, "auth.login", val)
    audit.record(val, "auth.logout", val)
    audit.record(sam, "account.deactivated", val, reason="Shouted at the taster day and was drunk")
    audit.record(sam, "vetting.dbs_decision", val)
    audit.record(sam, "role.granted", val, role="trainer")
    db.session.commit()
    return manager, sam, val


def entries(html: str) -> int:
    return html.count('data-label="When"')


def test_the_log_reads_in_plain_words_with_london_times(log):
    manager, sam, val = log
    page = manager.get("/audit").get_data(as_text=True)
    assert "Sam Coordinator accepted Val Volunteer&#39;s application" in page
    assert "from: chat_held; to: accepted" in page
    assert "Applications and references" in page and "<code>application.accept</code>" in page
    event = db.session.query(AuditEvent).filter_by(action="application.accept").one()
    assert format_datetime(event.occurred_at) in page


def test_sign_ins_are_hidden_unless_asked_for(log):
    manager = log[0]
    page = manager.get("/audit").get_data(as_text=True)
    assert "Val Volunteer signed in" not in page and "Val Volunteer signed out" not in page
    assert entries(page) == 4
    shown = manager.get("/audit", query_string={"sessions": "y"}).get_data(as_text=True)
    assert "Val Volunteer signed in" in shown and "Val Volunteer signed out" in shown
    assert entries(shown) == 6
    only = manager.get("/audit", query_string={"action": "session"}).get_data(as_text=True)
    assert entries(only) == 2 and "Val Volunteer signed in" in only


def test_free_text_in_details_is_never_shown(log):
    manager = log[0]
    page = manager.get("/audit").get_data(as_text=True)
    assert "drunk" not in page
    assert "Sam Coordinator deactivated Val Volunteer&#39;s account" in page
    assert "drunk" not in manager.get("/audit/log.csv").get_data(as_text=True)


@pytest.mark.parametrize(("args", "count"), [
    ({"action": "role"}, 1), ({"action": "application"}, 1), ({"action": "vetting"}, 1), ({"action": "expenses"}, 0),
    ({"person": "val volunteer"}, 4), ({"person": "SAM COORD"}, 4), ({"person": "val@example"}, 4),
    ({"person": "nobody here"}, 0), ({"person": "100%"}, 0),
])
def test_filters_by_kind_and_person(log, args, count):
    page = log[0].get("/audit", query_string=args).get_data(as_text=True)
    assert entries(page) == count, page


def test_the_date_range_is_in_uk_days(log):
    manager = log[0]
    today = today_london()
    def on(day):
        return [str(day.day), str(day.month), str(day.year)]
    from datetime import timedelta

    from werkzeug.datastructures import MultiDict
    for frm, to, count in ((today, today, 4), (today + timedelta(days=1), None, 0), (None, today - timedelta(days=1), 0)):
        args = MultiDict()
        for name, day in (("date_from", frm), ("date_to", to)):
            for part in on(day) if day else []:
                args.add(name, part)
        assert entries(manager.get("/audit", query_string=args).get_data(as_text=True)) == count, (frm, to)


def test_the_kinds_are_words_and_vetting_is_offered_to_managers_only(log, login_as):
    manager_page = log[0].get("/audit").get_data(as_text=True)
    assert '<option value="vetting">Vetting (DBS and police)</option>' in manager_page
    admin = login_as("admin")
    admin_page = admin.get("/audit").get_data(as_text=True)
    assert 'value="vetting"' not in admin_page and "DBS certificate" not in admin_page
    refused = admin.get("/audit", query_string={"action": "vetting"})
    assert refused.status_code == 200 and "Choose a kind of action from the list" in refused.get_data(as_text=True)
    assert "vetting." not in admin.get("/audit/log.csv").get_data(as_text=True)


@pytest.mark.parametrize("args", [{"action": "auth.login"}, {"action": "x" * 100}, {"person": "x" * 300},
                                  {"sessions": "maybe"}, {"date_from": "tomorrow"}, {"person": "a\x00b"}])
def test_bad_filters_give_messages_not_errors(log, args):
    response = log[0].get("/audit", query_string=args)
    assert response.status_code == 200
    assert log[0].get("/audit/log.csv", query_string=args).status_code == 200


def test_the_csv_export(log):
    manager, sam, val = log
    hostile = make_user("volunteer", name="=HYPERLINK(\"http://evil\")", email="evil@example.org")
    audit.record(sam, "role.granted", hostile, role="trainer")
    db.session.commit()
    response = manager.get("/audit/log.csv", query_string={"person": "a"})
    assert response.mimetype == "text/csv" and response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["When (UK time)", "What happened", "Kind", "Who", "Who e-mail", "About", "About e-mail",
                       "Details", "Code"]
    accept = next(r for r in rows if r[-1] == "application.accept")
    event = db.session.query(AuditEvent).filter_by(action="application.accept").one()
    assert accept == [format_datetime(event.occurred_at), "Sam Coordinator accepted Val Volunteer's application",
                      "Applications and references", "Sam Coordinator", "sam@example.org", "Val Volunteer",
                      "val@example.org", "from: chat_held; to: accepted", "application.accept"]
    assert not any(r[-1] == "auth.login" for r in rows)  # sign-ins hidden here too
    evil = next(r for r in rows[1:] if "evil@example.org" in r)
    assert evil[5].startswith("'=")
    with_sessions = list(csv.reader(io.StringIO(manager.get("/audit/log.csv?sessions=y").get_data(as_text=True))))
    assert sum(r[-1] in ("auth.login", "auth.logout") for r in with_sessions) == 2
    page = manager.get("/audit", query_string={"action": "role", "person": "val"}).get_data(as_text=True)
    assert 'href="/audit/log.csv?action=role&amp;person=val"' in page


def test_the_page_and_the_export_take_fixed_queries(login_as, count_queries):
    manager = login_as("manager")
    subject = make_user("volunteer")
    for n in range(10):
        audit.record(manager.user, "role.granted", subject, role="trainer", n=n)
    db.session.commit()
    with count_queries() as small:
        manager.get("/audit", query_string={"person": "person"})
    with count_queries() as small_csv:
        manager.get("/audit/log.csv").get_data()
    for n in range(150):
        audit.record(make_user("volunteer", commit=False), "role.granted", subject, role="trainer", n=n)
    db.session.commit()
    with count_queries() as large:
        manager.get("/audit", query_string={"person": "person"})
    with count_queries() as large_csv:
        manager.get("/audit/log.csv").get_data()
    assert len(small) == len(large)
    assert len(small_csv) == len(large_csv)  # one query per EXPORT_CHUNK rows: both sizes fit in one


def test_money_in_details_is_shown_in_pounds_not_pence():
    assert words.details_text({"total_pence": 752, "kind": "mileage"}) == "total: £7.52; type: mileage"
    assert words.details_text({"pence": 12345}) == "amount: £123.45"
    assert words.details_text({"pence": "unknown"}) == "amount: unknown"  # a code is shown as it is


def test_the_total_counts_what_each_reader_is_shown(log, login_as):
    """The page's total is worked out without reading every entry (all of them less those left out): it must
    still be the number listed, for a manager and an admin (no vetting), with and without sign-ins."""
    manager = log[0]
    admin = login_as("admin")
    for client, args, count in ((manager, {}, 4), (manager, {"sessions": "y"}, 6), (admin, {}, 3),
                                (admin, {"sessions": "y"}, 5), (admin, {"action": "role"}, 1)):
        page = client.get("/audit", query_string=args).get_data(as_text=True)
        assert entries(page) == count, (args, count)
        assert f"{count} {'entry' if count == 1 else 'entries'}." in page, (args, count)


def test_the_export_reads_each_entry_once_in_chunks(log, monkeypatch):
    """Chunks follow on from the last entry written (not an OFFSET): with chunks of two, the same lines in the
    same order as in one chunk, none twice, none missed."""
    from app.admin import queries

    manager, sam, val = log
    for n in range(5):
        audit.record(sam, "role.granted", val, role="trainer", n=n)
    db.session.commit()
    whole = manager.get("/audit/log.csv?sessions=y").get_data(as_text=True)
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 2)
    chunked = manager.get("/audit/log.csv?sessions=y").get_data(as_text=True)
    assert chunked == whole
    assert len(whole.splitlines()) == 1 + 11  # the header, the six entries of the log and five more


def test_entries_sharing_one_time_are_exported_once_each_in_chunks(log, monkeypatch):
    """Entries written in bulk can share one time: a chunk then starts just after the last entry written (the
    time and id together), so with chunks of two each entry still comes once, in the log's order."""
    from app.admin import queries

    manager, sam, val = log
    # The database's clock, held still: every entry of the next commit gets the same time.
    monkeypatch.setitem(audit._DB_CLOCK, "sqlite", "strftime('%Y-%m-%d %H:%M:00.000', 'now')")
    monkeypatch.setitem(audit._DB_CLOCK, "postgresql", "transaction_timestamp()")
    for n in range(7):
        audit.record(sam, "role.granted", val, role="trainer", n=n)
    db.session.commit()
    times = db.session.scalars(db.select(AuditEvent.occurred_at).where(AuditEvent.action == "role.granted")).all()
    assert len(times) == 8 and len(set(times[1:])) == 1  # the fixture's entry, then seven at one time

    whole = manager.get("/audit/log.csv?action=role").get_data(as_text=True)
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 2)
    chunked = manager.get("/audit/log.csv?action=role").get_data(as_text=True)
    assert chunked == whole
    assert len(list(csv.reader(io.StringIO(whole)))) == 1 + 8  # none missed (read by time alone, six would be)
