"""send_email(): render now, send once the database transaction commits (and never if it rolls back)."""
from pathlib import Path

from flask import current_app, render_template
from flask_mail import Message, email_dispatched
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.db_types import utcnow
from app.extensions import db, mail


def send_email(to: str, subject: str, template: str, attachments=(), alternatives=(), **context) -> Message:
    """Queue a plain-text e-mail rendered from templates/email/<template>.txt."""
    context.setdefault("scheme_name", current_app.config["SCHEME_NAME"])
    context.setdefault("contact_email", current_app.config["SCHEME_CONTACT_EMAIL"])
    context.setdefault("contact_phone", current_app.config["SCHEME_CONTACT_PHONE"])
    subject = " ".join(subject.split())  # a header is one line: a name with CR/LF in it must not stop the send
    msg = Message(subject=subject, recipients=[to], body=render_template(f"email/{template}.txt", **context))
    for filename, content_type, data in attachments:
        msg.attach(filename, content_type, data)
    for content_type, data in alternatives:
        msg.alts[content_type] = data
    db.session.connection()  # the message belongs to the current transaction: begin one if none
    db.session.info.setdefault("outbox", []).append(msg)
    return msg


@event.listens_for(Session, "after_commit")
def _send_outbox(session):
    outbox = session.info.pop("outbox", [])
    for msg in outbox:
        try:
            mail.send(msg)
        except Exception:  # a mail outage must not undo a committed decision
            current_app.logger.exception("Could not send e-mail %r to %s", msg.subject, msg.recipients)


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session):
    session.info.pop("outbox", None)


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
