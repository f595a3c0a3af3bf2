"""`flask retention sweep`: declined and withdrawn applications are anonymised after policy/retention.toml's
period, each sweep audited; a dry run changes nothing, and a second run finds nothing more to do."""
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from app.applications.models import Referee
from app.applications.rules import Status
from app.audit import AuditEvent
from app.extensions import db
from tests.applications.factories import make_application


def sweep(app, day: date, *flags: str) -> str:
    result = app.test_cli_runner().invoke(args=["retention", "sweep", "--today", day.isoformat(), *flags])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[0]


def count(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_sweep_anonymises_unsuccessful_applications_after_six_months_and_is_safe_to_run_again(app):
    declined = make_application(status=Status.DECLINED, decline_note="Risk", chat_notes="Talked about the past")
    declined.decided_at = datetime(2026, 1, 10, 12, tzinfo=UTC)
    withdrawn = make_application(status=Status.WITHDRAWN)
    withdrawn.decided_at = datetime(2026, 3, 1, 12, tzinfo=UTC)
    accepted = make_application(status=Status.ACCEPTED)
    accepted.decided_at = datetime(2025, 1, 1, 12, tzinfo=UTC)
    db.session.commit()

    assert sweep(app, date(2026, 7, 9)) == "retention: 0 declined or withdrawn applications anonymised"
    assert sweep(app, date(2026, 7, 10), "--dry-run") == \
        "retention (dry run): 1 declined or withdrawn applications would be anonymised"
    db.session.refresh(declined)
    assert declined.full_name is not None and declined.anonymised_at is None  # the dry run changed nothing
    assert sweep(app, date(2026, 7, 10)) == "retention: 1 declined or withdrawn applications anonymised"
    db.session.refresh(declined)
    assert declined.anonymised_at and declined.full_name is None and declined.email is None
    assert declined.motivation is None and declined.lived_experience == [] and declined.decline_note is None
    assert declined.status == Status.DECLINED and declined.decided_at  # that it happened, and when, are kept
    assert db.session.scalar(select(func.count()).select_from(Referee).where(Referee.application_id == declined.id)) == 0
    assert sweep(app, date(2026, 7, 10)) == "retention: 0 declined or withdrawn applications anonymised"  # again
    assert sweep(app, date(2026, 9, 1)) == "retention: 1 declined or withdrawn applications anonymised"  # withdrawn
    db.session.refresh(accepted)
    assert accepted.full_name is not None  # volunteers' applications are not unsuccessful
    assert count("retention.application_anonymised") == 2 and count("retention.sweep") == 4


def test_a_broken_retention_file_is_a_clear_error(app, tmp_path):
    (tmp_path / "retention.toml").write_text("[applications]\nunsuccessful_months = 0\n")
    old, app.config["POLICY_DIR"] = app.config["POLICY_DIR"], str(tmp_path)
    try:
        result = app.test_cli_runner().invoke(args=["retention", "sweep"])
    finally:
        app.config["POLICY_DIR"] = old
    assert result.exit_code != 0 and "unsuccessful_months must be a whole number" in result.output
