"""E-mail is never lost: written to the outbox with the decision, sent after commit, retried by
`flask mail retry` until it is sent, and never sent twice, even by two retry runs at once."""
import threading
import time
from datetime import timedelta

import flask_mail
import pytest
from sqlalchemy import select, update

from app import email as app_email
from app.applications.rules import Status
from app.auth.models import User
from app.db_types import utcnow
from app.email import MailStatus, OutboxMessage, retry_delay, retry_pending, send_email
from app.extensions import db
from tests.applications.factories import make_application
from tests.factories import make_user

# Other connections (triggers lifted, threads, servers, cron) must see these rows: they commit for real.
pytestmark = pytest.mark.real_commits


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def as_if_later(minutes: int = 5) -> None:
    """Move every waiting message's next attempt into the past, as if `minutes` had gone by."""
    for message in outbox():
        message.next_attempt_at -= timedelta(minutes=minutes)
        if message.claimed_at:
            message.claimed_at -= timedelta(minutes=minutes)
    db.session.commit()


def retry(app, *args):
    return app.test_cli_runner().invoke(args=["mail", "retry", *args])


def emailing_actions(client, login_as):
    """Three things people do that send four e-mails: sign up, ask for a reset, request references."""
    client.post("/sign-up", data={"full_name": "Outage Person", "email": "outage@example.org",
                                  "password": "river lantern meadow", "confirm": "river lantern meadow"})
    make_user("volunteer", email="forgetful@example.org")
    client.post("/password/forgot", data={"email": "forgetful@example.org"})
    application = make_application(status=Status.IN_REVIEW)
    login_as("coordinator", areas=["Durham"]).post(f"/applications/{application.id}/references")
    return ["outage@example.org", "forgetful@example.org"] + [r.email for r in application.referees]


def test_mail_sent_during_an_outage_arrives_exactly_once_after_retry(app, client, login_as, smtp, smtp_down):
    addresses = emailing_actions(client, login_as)
    assert db.session.scalar(select(User).where(User.email == "outage@example.org")) is not None  # committed
    waiting = outbox()
    assert sorted(m.recipient for m in waiting) == sorted(addresses)
    assert all(m.status is MailStatus.PENDING and m.attempts == 1 and m.last_error for m in waiting)
    assert all(m.next_attempt_at > utcnow() for m in waiting)  # not retried at once
    smtp_down()  # the mail server is back

    result = retry(app)
    assert result.exit_code == 0 and "mail: 0 sent, 4 still waiting" in result.output  # not due yet
    as_if_later(minutes=2)
    result = retry(app)
    assert result.exit_code == 0, result.output
    assert "mail: 4 sent, 0 still waiting" in result.output
    for address in addresses:
        assert len(smtp.to(address)) == 1, address
    assert "/confirm-email/" in smtp.body(smtp.last("outage@example.org"))
    assert all(m.status is MailStatus.SENT and m.content is None and m.sent_at for m in outbox())

    as_if_later(minutes=60)
    result = retry(app)
    assert "mail: 0 sent, 0 still waiting" in result.output
    assert len(smtp.messages) == 4


def test_a_retried_message_is_the_same_message(app, smtp, smtp_down):
    with app.test_request_context():
        send_email("same@example.org", "Hello", "auth/password_changed", user=User(full_name="Sam"))
        db.session.commit()
    written = outbox()[0].content
    smtp_down()
    as_if_later()
    retry(app)
    received = smtp.last("same@example.org")
    assert received["Message-ID"] and received["Message-ID"] in written.decode()
    assert received["Date"] in written.decode()


def test_two_retry_runs_at_once_send_each_message_once(app, smtp, smtp_down, monkeypatch):
    with app.test_request_context():
        for n in range(12):
            send_email(f"person{n}@example.org", "Hello", "auth/password_changed", user=User(full_name="P"))
        db.session.commit()
    smtp_down()
    as_if_later()
    monkeypatch.setattr(app_email, "BULK", 2)  # small steps, so the two runs take turns claiming
    real_send = flask_mail.Connection.send

    def slow_send(connection, message):  # keep both runs busy at the same time
        time.sleep(0.02)
        real_send(connection, message)

    monkeypatch.setattr(flask_mail.Connection, "send", slow_send)
    reports = []

    def run():
        with app.app_context():
            reports.append(retry_pending(stuck_after=5))

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    assert sum(r.sent for r in reports) == 12
    assert all(r.sent for r in reports), "the two runs did not overlap"
    for n in range(12):
        assert len(smtp.to(f"person{n}@example.org")) == 1


def test_a_message_that_keeps_failing_is_reported_as_stuck_and_still_retried(app, smtp, smtp_down):
    with app.test_request_context():
        send_email("stuck@example.org", "Your booking", "auth/password_changed", user=User(full_name="S"))
        db.session.commit()
    for _ in range(4):
        as_if_later(minutes=300)
        result = retry(app, "--stuck-after", "5")
    assert result.exit_code == 1
    [message] = outbox()
    assert message.attempts == 5 and message.status is MailStatus.PENDING
    assert f"stuck: message {message.id} to stuck@example.org ('Your booking'), 5 attempts" in result.output
    assert "ConnectionRefusedError" in result.output
    assert "1 e-mail could not be sent in 5 or more attempts" in result.output
    smtp_down()
    as_if_later(minutes=300)
    assert retry(app).exit_code == 0
    assert len(smtp.to("stuck@example.org")) == 1


def test_a_send_abandoned_halfway_is_tried_again(app, smtp, smtp_down):
    """A process that died while sending leaves the row claimed: after an hour it is pending again."""
    with app.test_request_context():
        send_email("abandoned@example.org", "Hello", "auth/password_changed", user=User(full_name="A"))
        db.session.commit()
    smtp_down()
    db.session.execute(update(OutboxMessage).values(status=MailStatus.SENDING, claimed_at=utcnow()))
    db.session.commit()
    as_if_later(minutes=30)
    assert "0 sent" in retry(app).output  # it may still be sending
    as_if_later(minutes=31)
    assert "1 sent" in retry(app).output
    assert len(smtp.to("abandoned@example.org")) == 1


def test_a_rolled_back_decision_leaves_no_message(app, smtp):
    with app.test_request_context():
        send_email("never@example.org", "Never", "auth/password_changed", user=User(full_name="N"))
        db.session.rollback()
    assert outbox() == [] and smtp.to("never@example.org") == []


def test_a_rolled_back_savepoint_drops_only_its_own_message(app, smtp):
    with app.test_request_context():
        send_email("kept@example.org", "Kept", "auth/password_changed", user=User(full_name="K"))
        savepoint = db.session.begin_nested()
        send_email("dropped@example.org", "Dropped", "auth/password_changed", user=User(full_name="D"))
        savepoint.rollback()
        db.session.commit()
    assert len(smtp.to("kept@example.org")) == 1 and smtp.to("dropped@example.org") == []
    assert [m.recipient for m in outbox()] == ["kept@example.org"]


def test_the_gap_between_attempts_doubles_up_to_four_hours():
    assert [retry_delay(n) for n in range(1, 6)] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert retry_delay(9) == timedelta(hours=4) and retry_delay(100) == timedelta(hours=4)
