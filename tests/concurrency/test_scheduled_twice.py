"""Scheduled commands started twice at the same moment (two servers' cron): each reminder goes once."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.extensions import db
from app.urls import portal_url_context
from app.vetting.models import SentReminder
from app.vetting.policy import current_policy
from tests.concurrency.conftest import settle
from tests.factories import make_user
from tests.vetting.factories import make_dbs, make_nppv

pytestmark = pytest.mark.real_commits

ISSUED = date(2024, 3, 1)
DUE = date(2027, 3, 1)


def test_vetting_remind_run_twice_at_once_sends_each_reminder_once(app, race, smtp, monkeypatch):
    import app.vetting.services_reminders as reminders

    monkeypatch.setattr(reminders, "BATCH", 3)  # several batches
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    volunteers = [make_user(Role.VOLUNTEER, areas=["Durham"]) for _ in range(8)]
    for volunteer in volunteers:
        make_dbs(volunteer, issued_on=ISSUED)
        make_nppv(volunteer, granted_on=date(2026, 6, 15))
    db.session.commit()
    emails = [v.email for v in volunteers]
    coordinator_email = coordinator.email

    def run(_):
        with portal_url_context():
            sent = reminders.send_reminders(DUE - timedelta(days=60), current_policy())
            db.session.commit()
            return sent

    results = race(2, run)
    assert sum(results) == 8, results
    settle(smtp, 8 + 1)
    assert all(len(smtp.to(e)) == 1 for e in emails), [len(smtp.to(e)) for e in emails]
    digests = smtp.to(coordinator_email)
    assert 1 <= len(digests) <= 2  # one per run that sent something, listing what that run sent
    listed = sum(smtp.body(d).count("DBS recheck due on") for d in digests)
    assert listed == 8
    assert db.session.scalar(select(func.count()).select_from(SentReminder)) == 8
