"""Many e-mails at once (a scheduled command's reminders, a retry run): claimed, sent over one connection to the
mail server and marked a step at a time; a refused address waits alone; an unreachable server is tried once."""
import flask_mail
import pytest
from sqlalchemy import event, select

from app import email as app_email
from app.auth.models import User
from app.email import MailStatus, OutboxMessage, retry_pending, send_email
from app.extensions import db
from tests.core.test_mail_outbox import as_if_later, outbox

pytestmark = pytest.mark.real_commits


@pytest.fixture
def connections(monkeypatch):
    """How many connections to the mail server the app opened (tried, when the server is down)."""
    opened = []
    real = flask_mail.Connection.configure_host

    def counted(connection):
        opened.append(True)
        return real(connection)

    monkeypatch.setattr(flask_mail.Connection, "configure_host", counted)
    return opened


@pytest.fixture
def outbox_updates(app):
    """The UPDATE statements run on the outbox."""
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE OUTBOX_MESSAGES"):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def queue(app, addresses):
    with app.test_request_context():
        for address in addresses:
            send_email(address, "Hello", "auth/password_changed", user=User(full_name="P"))
        db.session.commit()


def test_many_messages_go_over_one_connection_a_step_at_a_time(app, smtp, connections, outbox_updates, monkeypatch):
    monkeypatch.setattr(app_email, "BULK", 4)
    addresses = [f"bulk{n}@example.org" for n in range(10)]
    queue(app, addresses)
    assert all(len(smtp.to(a)) == 1 for a in addresses)
    assert len(connections) == 1
    assert len(outbox_updates) == 2 * 3  # three steps of at most four: one claim and one mark each
    assert all(m.status is MailStatus.SENT and m.content is None and m.attempts == 1 for m in outbox())


def test_an_address_the_server_refuses_waits_alone(app, smtp, connections):
    addresses = ["first@example.org", "refused.mailbox@example.org", "third@example.org"]
    queue(app, addresses)
    assert len(connections) == 1  # the server's "no such mailbox" leaves the connection good for the next
    assert len(smtp.to("first@example.org")) == 1 and len(smtp.to("third@example.org")) == 1
    refused = {m.recipient: m for m in outbox()}["refused.mailbox@example.org"]
    assert refused.status is MailStatus.PENDING and refused.attempts == 1
    assert "SMTPRecipientsRefused" in refused.last_error and refused.content
    assert [m.status for m in outbox() if m.recipient != refused.recipient] == [MailStatus.SENT] * 2


def test_an_unreachable_server_is_tried_once_and_everything_waits(app, smtp, smtp_down, connections, monkeypatch):
    monkeypatch.setattr(app_email, "BULK", 3)
    addresses = [f"later{n}@example.org" for n in range(7)]
    queue(app, addresses)  # the server is down
    assert len(connections) == 1  # not once per message
    waiting = outbox()
    assert all(m.status is MailStatus.PENDING for m in waiting)
    tried = [m for m in waiting if m.attempts]
    assert len(tried) == 3 and all("ConnectionRefusedError" in m.last_error for m in tried)  # the first step
    smtp_down()  # the server is back
    as_if_later(minutes=2)
    report = retry_pending(stuck_after=5)
    assert report.sent == 7 and report.waiting == 0
    assert all(len(smtp.to(a)) == 1 for a in addresses)


def test_a_message_claimed_by_another_process_is_left_to_it(app, smtp):
    with app.test_request_context():
        send_email("theirs@example.org", "Hello", "auth/password_changed", user=User(full_name="T"))
        db.session.flush()
        message_id = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.recipient == "theirs@example.org"))
        db.session.info.pop("outbox")  # as if this process had died before sending
        db.session.commit()
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(status=MailStatus.SENDING))
    db.session.commit()
    with app.app_context():
        assert app_email.deliver_many([message_id]) == 0
    assert smtp.to("theirs@example.org") == []


def test_a_step_cut_short_marks_what_went_and_never_sends_it_again(app, smtp, monkeypatch):
    """A worker killed by its timeout (SystemExit) in the middle of a step: the two sent are marked sent; the
    rest, never sent, wait as abandoned and go once on a later retry."""
    addresses = [f"cut{n}@example.org" for n in range(5)]
    real_send, calls = flask_mail.Connection.send, []

    def killed_on_the_third(connection, message):
        calls.append(message)
        if len(calls) == 3:
            raise SystemExit(1)
        real_send(connection, message)

    monkeypatch.setattr(flask_mail.Connection, "send", killed_on_the_third)
    with pytest.raises(SystemExit):
        queue(app, addresses)
    db.session.close()  # the killed request's session (a real worker is gone with it)
    monkeypatch.setattr(flask_mail.Connection, "send", real_send)
    by_address = {m.recipient: m.status for m in outbox()}
    assert [by_address[a] for a in addresses] == [MailStatus.SENT] * 2 + [MailStatus.SENDING] * 3
    as_if_later(minutes=61)  # past ABANDONED_AFTER
    assert retry_pending(stuck_after=5).sent == 3
    assert [len(smtp.to(a)) for a in addresses] == [1] * 5


def test_a_late_mark_leaves_alone_a_message_another_run_took_over(app, smtp):
    """A step that outlived ABANDONED_AFTER: a retry run took its message over and sent it; the first run's late
    mark must not make it pending again (its content is gone: it could never be sent)."""
    with app.test_request_context():
        send_email("late@example.org", "Hello", "auth/password_changed", user=User(full_name="L"))
        db.session.info.pop("outbox")
        db.session.commit()
    [message] = outbox()
    first_claim = app_email.utcnow()
    with app.app_context():
        [row] = app_email._claim([message.id], first_claim)
        db.session.execute(db.update(OutboxMessage).where(OutboxMessage.id == message.id).values(
            status=MailStatus.SENT, claimed_at=first_claim + app_email.ABANDONED_AFTER, content=None))
        db.session.commit()
        app_email._mark([], [(row.id, row.attempts, "TimeoutError: too slow")], first_claim, None)
    [message] = outbox()
    assert message.status is MailStatus.SENT and message.last_error is None
