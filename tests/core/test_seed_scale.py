"""`flask seed-scale`: realistic histories in bulk, the audit chain intact, refused under production."""
import pytest
from sqlalchemy import func, select

from app.applications.models import Application
from app.audit import verify_chain
from app.core.services_scale import seed_scale
from app.extensions import db
from app.readiness.models import MentorStanding
from app.vetting.models import DbsCheck, PoliceVetting


def test_seed_scale_fills_every_state_and_keeps_the_audit_chain(app, monkeypatch):
    import app.core.services_scale as scale

    monkeypatch.setattr(scale, "BATCH", 97)  # many batches: the chain must run on across them
    report = seed_scale(300, seed=7, password_hash="x")
    assert report.people == 300 and report.volunteers > 150
    states = set(db.session.scalars(select(Application.status).distinct()))
    assert {s.value for s in states} >= {"draft", "submitted", "in_review", "accepted", "declined", "withdrawn"}
    standings = {s.value for s in db.session.scalars(select(MentorStanding.status).distinct())}
    assert standings == {"released", "not_released", "stood_down", "suspended", "paused"}
    assert db.session.scalar(select(func.count()).select_from(DbsCheck)) == report.volunteers
    assert db.session.scalar(select(func.count()).select_from(PoliceVetting)) == report.volunteers
    result = verify_chain()
    assert result.ok, result.problem
    assert result.rows == report.rows["audit_events"] > 0


def test_the_same_seed_gives_the_same_people(app):
    seed_scale(40, seed=3, password_hash="x")
    first = list(db.session.execute(select(Application.full_name, Application.status).order_by(Application.id)))
    seed_scale(40, seed=3, password_hash="x")
    second = list(db.session.execute(select(Application.full_name, Application.status).order_by(Application.id)))
    assert second[:40] == first and second[40:] == first


def test_seed_scale_refuses_production(app):
    runner = app.test_cli_runner()
    app.config["ENV_NAME"] = "production"
    try:
        result = runner.invoke(args=["seed-scale", "--volunteers", "5"])
    finally:
        app.config["ENV_NAME"] = "testing"
    assert result.exit_code != 0 and "production" in result.output
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


@pytest.mark.real_commits
def test_seed_scale_command_reports_and_commits(app):
    result = app.test_cli_runner().invoke(args=["seed-scale", "--volunteers", "25", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "25 people" in result.output
    assert db.session.scalar(select(func.count()).select_from(Application)) == 25


def test_seeded_volunteers_in_client_work_pass_every_gate(app):
    """Released and paused volunteers have passed their gates, as a real scheme's have: otherwise the first
    `readiness sweep` on a seeded copy would stand most of them down, and the benchmark would measure that."""
    from app.readiness.models import MentorStanding
    from app.readiness.queries import readiness_for

    seed_scale(300, seed=11, password_hash="x")
    working = list(db.session.scalars(select(MentorStanding.volunteer_id)
                                      .where(MentorStanding.status.in_(["released", "paused"]))))
    assert len(working) > 50
    failing = {v: [g.code for g in r.failing] for v, r in readiness_for(working).items() if not r.ready}
    assert failing == {}


def test_people_seeded_in_bulk_reach_the_kept_work_lists(app):
    """Vetting records written past the ORM mark the kept lists out of date; the next rewrite has everyone."""
    from app.timefmt import today_london
    from app.vetting import services_lists
    from app.vetting.models import WorkListEntry, WorkListState
    from app.vetting.policy import current_policy

    services_lists.refresh(today_london(), current_policy())
    report = seed_scale(60, seed=5, password_hash="x")
    assert db.session.get(WorkListState, 1).on_day is None
    assert services_lists.ensure(today_london(), current_policy()) is True
    assert 0 < db.session.scalar(select(func.count()).select_from(WorkListEntry)) <= report.volunteers
