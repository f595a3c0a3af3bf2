"""The shape every domain follows, checked so a new one cannot drift from it."""
import ast
import inspect
import re
from pathlib import Path

import app.actions  # noqa: F401  (loads the mechanism under test)
from app.errors import DomainError

APP = Path(__file__).resolve().parent.parent / "app"
DOMAINS = ["admin", "applications", "auth", "certificates", "core", "expenses", "people", "privacy", "readiness",
           "reports", "training", "vetting"]
VOCABULARY = {"__init__", "views", "forms", "models", "rules", "policy", "queries", "services", "cli"}
SPLITS = ("views_", "services_", "rules_", "queries_")  # a file grown too big, split by role prefix
# Named exceptions, each for one job no vocabulary word covers.
EXTRAS = {
    "vetting": {"enums"},            # the DBS and NPPV enumerations the rules and models share
    "training": {"calendar", "demo"},  # iCalendar documents; demo sessions for `make run`
    "auth": {"passwords", "tokens"},   # hashing and signed e-mail tokens
}


def _views():
    return [p for d in DOMAINS for p in (APP / d).glob("views*.py")]


def test_no_view_commits_or_rolls_back_except_through_the_one_helper():
    offenders = [f"{p.relative_to(APP)}:{n}" for p in _views()
                 for n, line in enumerate(p.read_text().splitlines(), 1)
                 if re.search(r"db\.session\.(commit|rollback)\(", line)]
    assert offenders == [], "views run services through app.actions.perform(): " + ", ".join(offenders)


def test_no_view_catches_a_domain_error_itself():
    names = {cls.__name__ for cls in _all_subclasses(DomainError)} | {"DomainError"}
    offenders = []
    for path in _views():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                caught = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)} | {
                    n.attr for n in ast.walk(node.type) if isinstance(n, ast.Attribute)}
                if caught & names:
                    offenders.append(f"{path.relative_to(APP)}:{node.lineno}")
    assert offenders == []


def test_every_domain_error_is_a_domain_error():
    """Each package's refusals subclass the one DomainError, so perform() shows them all the same way."""
    import app.applications.rules
    import app.auth.services
    import app.certificates.services
    import app.expenses.services
    import app.expenses.services_receipts
    import app.readiness.services
    import app.training.services
    import app.training.services_catalogue
    import app.vetting.services  # noqa: F401

    for module in (app.applications.rules, app.auth.services, app.training.services, app.vetting.services,
                   app.training.services_catalogue, app.expenses.services, app.expenses.services_receipts,
                   app.certificates.services, app.readiness.services):
        errors = [obj for _, obj in inspect.getmembers(module, inspect.isclass)
                  if obj.__module__ == module.__name__ and issubclass(obj, Exception)]
        assert errors and all(issubclass(e, DomainError) for e in errors), module.__name__


def test_one_vocabulary_of_files_in_every_domain():
    for domain in DOMAINS:
        allowed = VOCABULARY | EXTRAS.get(domain, set())
        for path in (APP / domain).glob("*.py"):
            assert path.stem in allowed or path.stem.startswith(SPLITS), f"{domain}/{path.name} is not in the vocabulary"


def test_services_that_move_a_state_hold_what_they_read():
    """Every service touching a Versioned row's state starts by holding it (a conditional write)."""
    must_hold = {
        "app/applications/services.py": ["save_step", "submit_application", "start_review", "request_references",
                                         "chase_reference", "submit_reference", "record_reference_outcome",
                                         "book_chat", "record_chat", "accept_application", "decline_application",
                                         "withdraw_application"],
        "app/vetting/services.py": ["record_dbs_submission", "record_dbs_result", "record_dbs_decision",
                                    "record_update_service", "record_status_check", "confirm_dbs_decision"],
        "app/vetting/services_police.py": ["record_police_outcome", "report_nppv_change", "record_nppv_review"],
        "app/training/services.py": ["update_session", "cancel_session", "cancel_booking"],
        "app/training/services_registers.py": ["mark_attendance", "close_register"],
        "app/auth/services.py": ["verify_email", "set_password", "deactivate_user", "reactivate_user"],
        "app/admin/services.py": ["set_roles", "set_areas"],
        "app/expenses/services.py": ["submit_claim", "decide_claim", "reprice_year"],
        "app/expenses/services_lines.py": ["_editable"],  # add_journey, add_cost and remove_line start with it
        "app/expenses/services_finance.py": ["create_batch", "mark_batch_paid"],
        "app/certificates/services.py": ["revoke_certificate", "revoke_for_correction", "reissue_certificate"],
        "app/readiness/services.py": ["release_volunteer", "stand_down", "suspend_volunteer", "lift_suspension",
                                      "pause_volunteer", "end_pause"],
        "app/readiness/services_pairing.py": ["pair_volunteers", "end_pairing"],
    }
    root = APP.parent
    for path, names in must_hold.items():
        tree = ast.parse((root / path).read_text())
        functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
        for name in names:
            calls = [n.func.id for n in ast.walk(functions[name]) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
            assert "hold" in calls, f"{path}: {name} does not hold what it read"


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)
