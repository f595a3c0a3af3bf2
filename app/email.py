"""send_email(): written to the outbox in the same transaction as the decision, sent once it commits, retried until sent.

A message is rendered and stored as an OutboxMessage row, so it commits (or rolls back) with the decision it
reports. After the commit it is sent straight away; if the mail server is down it stays pending, and
`flask mail retry` (cron) tries again with growing gaps. Each send first claims the row with a conditional
UPDATE, so two runs at once never send the same message twice. Many messages at once (a scheduled command's
reminders, a retry run) are claimed, sent over one connection and marked BULK at a time.
"""
import enum
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_mail import Message, email_dispatched
from sqlalchemy import Integer, LargeBinary, String, Text, delete, event, func, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db_types import UTCDateTime, enum_column, utcnow
from app.extensions import db, mail

MAX_RETRY_DELAY = timedelta(hours=4)
ABANDONED_AFTER = timedelta(hours=1)  # a send that never finished (the process died): try it again
KEEP_SENT = timedelta(days=30)


class MailStatus(enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"


class OutboxMessage(db.Model):
    """One e-mail to one person: the whole message until it is sent, then only who, what and when."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254))
    sender: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # the MIME message; cleared once sent (it holds links)
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus, "mail_status", 10),
                                               default=MailStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


def send_email(to: str, subject: str, template: str, attachments=(), alternatives=(), **context) -> Message:
    """Queue a plain-text e-mail rendered from templates/email/<template>.txt; it is sent after the commit."""
    context.setdefault("scheme_name", current_app.config["SCHEME_NAME"])
    context.setdefault("contact_email", current_app.config["SCHEME_CONTACT_EMAIL"])
    context.setdefault("contact_phone", current_app.config["SCHEME_CONTACT_PHONE"])
    subject = " ".join(subject.split())  # a header is one line: a name with CR/LF in it must not stop the send
    msg = Message(subject=subject, recipients=[to], body=render_template(f"email/{template}.txt", **context))
    for filename, content_type, data in attachments:
        msg.attach(filename, content_type, data)
    for content_type, data in alternatives:
        msg.alts[content_type] = data
    row = OutboxMessage(recipient=to, sender=msg.sender, subject=subject, content=msg.as_bytes())
    db.session.add(row)
    db.session.info.setdefault("outbox", []).append(row)
    return msg


@event.listens_for(Session, "after_commit")
def _send_outbox(session):
    # SQLAlchemy calls after_commit when a SAVEPOINT (begin_nested) is released too: the messages wait for
    # the real commit (before, every message queued before a later savepoint in the same transaction was lost).
    if session.in_nested_transaction():
        return
    rows = session.info.pop("outbox", [])
    # ids are known without a query (the session cannot run SQL here); all of them go over one connection
    ids = [identity[0] for identity in (inspect(row).identity for row in rows) if identity is not None]
    if ids:
        deliver_many(ids)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session, previous_transaction):
    """Forget the messages whose rows were rolled back: all of them, or only a savepoint's."""
    kept = [row for row in session.info.pop("outbox", []) if inspect(row).persistent or inspect(row).pending]
    if kept:
        session.info["outbox"] = kept


class StoredMessage(Message):
    """A message exactly as it was written to the outbox (same Message-ID and Date on every attempt)."""

    def __init__(self, row):
        super().__init__(subject=row.subject, recipients=[row.recipient], sender=row.sender)
        self.content = row.content

    def as_bytes(self) -> bytes:
        return self.content

    def as_string(self) -> str:
        return self.content.decode()


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed sends: 1, 2, 4, 8 ... minutes, at most MAX_RETRY_DELAY."""
    return min(timedelta(minutes=2 ** min(max(attempts - 1, 0), 16)), MAX_RETRY_DELAY)


def own_transaction():
    """A short transaction of its own on a fresh connection, so SMTP never holds the database.

    (The test suite, which runs each test in one rolled-back transaction, points this at that transaction.)"""
    return db.engine.begin()


BULK = 50  # messages claimed, sent and marked per step: if the process dies mid-step, at most these wait "sending"


def deliver_many(message_ids: list[int], now: datetime | None = None) -> int:
    """Send these messages if still pending, over one connection to the mail server: BULK at a time, each step
    one UPDATE claiming the step's messages, the sends, and one UPDATE marking those sent. Returns how many this
    call sent.

    A message another process has claimed is skipped (on PostgreSQL without waiting for it). A message the server
    refuses waits for its retry alone; if the server cannot be reached, the rest wait for `flask mail retry`. If
    the step is cut short (a request killed by its timeout, Ctrl-C), what went is still marked sent; the rest of
    the step's messages were not sent and wait "sending" until retried as abandoned."""
    sent = 0
    with _Sender() as sender:
        for start in range(0, len(message_ids), BULK):
            claimed_at = now or utcnow()  # each step's own time: a long run's later steps are not taken as abandoned
            rows = _claim(message_ids[start:start + BULK], claimed_at)
            done, failed = [], []
            try:
                sender.send_all(rows, done, failed)
            finally:  # even when interrupted: a message that went is marked sent, so it is never sent again
                _mark(done, failed, claimed_at, now)
            sent += len(done)
            if sender.unreachable:
                break  # the claimed ones wait for their retry; the rest are still pending, as they were
    return sent


def _claim(message_ids: list[int], claimed_at: datetime) -> list:
    """Mark these messages as being sent by this process, and read them, in one short transaction of its own."""
    table = OutboxMessage.__table__
    pending = (select(table.c.id).where(table.c.id.in_(message_ids), table.c.status == MailStatus.PENDING)
               .with_for_update(skip_locked=True))  # SQLite has no row locks: the status condition settles it
    with own_transaction() as conn:  # its own short transactions: never hold the database during SMTP
        rows = conn.execute(update(table).where(table.c.id.in_(pending), table.c.status == MailStatus.PENDING)
                            .values(status=MailStatus.SENDING, attempts=table.c.attempts + 1, claimed_at=claimed_at)
                            .returning(table.c.id, table.c.recipient, table.c.sender, table.c.subject,
                                       table.c.content, table.c.attempts)).all()
    return sorted(rows, key=lambda row: row.id)


def _mark(done: list[int], failed: list[tuple[int, int, str]], claimed_at: datetime, now: datetime | None) -> None:
    """Those sent: sent, their content dropped. Those not: pending again, due after their retry delay. Only rows
    still held by this claim are changed (one a retry run took over as abandoned is that run's now)."""
    if not done and not failed:
        return
    table = OutboxMessage.__table__
    ours = (table.c.status == MailStatus.SENDING, table.c.claimed_at == claimed_at)
    with own_transaction() as conn:
        if done:
            conn.execute(update(table).where(table.c.id.in_(done), *ours)
                         .values(status=MailStatus.SENT, sent_at=utcnow(), content=None, last_error=None))
        for message_id, attempts, error in failed:
            conn.execute(update(table).where(table.c.id == message_id, *ours)
                         .values(status=MailStatus.PENDING, next_attempt_at=(now or utcnow()) + retry_delay(attempts),
                                 last_error=error))


# The server's answer about one message (a refused address, a refused sender, a refused message): the connection
# is still good for the next one.
ABOUT_ONE_MESSAGE = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class _Sender:
    """One connection to the mail server for many messages, opened when first needed and again after an error."""

    def __init__(self):
        self.connection = None
        self.unreachable: str | None = None  # why the server could not be reached, once it could not

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._close()

    def send_all(self, rows, done: list[int], failed: list[tuple[int, int, str]]) -> None:
        """Send each row, noting its id in `done` as it goes (so an interruption leaves `done` right), or in
        `failed` with its attempts and the error."""
        for row in rows:
            if self.unreachable:
                failed.append((row.id, row.attempts, self.unreachable))
                continue
            try:
                if self.connection is None:
                    self.connection = self._open()
                self.connection.send(StoredMessage(row))
            except Exception as exc:  # a mail outage must not undo a committed decision: the message waits instead
                current_app.logger.exception("Could not send e-mail %r to %s (attempt %d); it will be retried",
                                             row.subject, row.recipient, row.attempts)
                failed.append((row.id, row.attempts, f"{type(exc).__name__}: {exc}"[:500]))
                if not isinstance(exc, ABOUT_ONE_MESSAGE):
                    self._close()  # the connection may be broken: the next message starts on a fresh one
            else:
                done.append(row.id)

    def _open(self):
        try:
            return mail.connect().__enter__()
        except Exception as exc:
            self.unreachable = f"{type(exc).__name__}: {exc}"[:500]
            raise

    def _close(self):
        connection, self.connection = self.connection, None
        if connection is not None and connection.host is not None:
            try:
                connection.host.quit()
            except Exception:  # already broken: nothing more to say to it
                connection.host.close()


@dataclass
class RetryReport:
    sent: int = 0
    waiting: int = 0
    stuck: list[OutboxMessage] = field(default_factory=list)


def retry_pending(stuck_after: int, now: datetime | None = None) -> RetryReport:
    """Send every pending message that is due; report those still failing after `stuck_after` attempts."""
    now = now or utcnow()
    table = OutboxMessage.__table__
    with db.engine.begin() as conn:
        conn.execute(update(table).where(table.c.status == MailStatus.SENDING, table.c.claimed_at < now - ABANDONED_AFTER)
                     .values(status=MailStatus.PENDING, last_error="abandoned while sending"))
        conn.execute(delete(table).where(table.c.status == MailStatus.SENT, table.c.sent_at < now - KEEP_SENT))
    due = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == MailStatus.PENDING,
                                                            OutboxMessage.next_attempt_at <= now)
                             .order_by(OutboxMessage.id)).all()
    db.session.commit()  # end the read before sending, so nothing is held open while SMTP works
    report = RetryReport(sent=deliver_many(due, now))
    report.waiting = db.session.scalar(select(func.count()).where(OutboxMessage.status != MailStatus.SENT))
    report.stuck = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status != MailStatus.SENT, OutboxMessage.attempts >= stuck_after)
        .order_by(OutboxMessage.id)).all()
    return report


def write_to_outbox(app, message: Message) -> None:
    """Development: keep each message as a .eml file in instance/outbox/ and log where it went."""
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}.eml"
    path.write_bytes(message.as_bytes())
    app.logger.warning("E-mail to %s written to %s", ", ".join(message.recipients), path)


def init_mail(app) -> None:
    """Send through MAIL_SERVER when set; otherwise write messages to the outbox folder."""
    if not app.config.get("MAIL_SERVER"):
        app.config["MAIL_SUPPRESS_SEND"] = True
        email_dispatched.connect(write_to_outbox, app, weak=False)
    else:
        app.config.setdefault("MAIL_SUPPRESS_SEND", False)  # Flask-Mail would otherwise suppress under TESTING
    mail.init_app(app)
