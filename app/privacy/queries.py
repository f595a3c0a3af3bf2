"""What the portal holds about one person, as a subject access request would give it: read with a fixed number
of queries whatever the size of their record, as sections of records of (key, label, value).

Withheld or redacted, and why (UK GDPR Article 15(4) and DPA 2018 Schedule 2):
- What referees wrote: confidential references (Schedule 2, paragraph 24). The referee's name and relationship
  (which the person gave us), when it was asked for and received, and whether it was satisfactory are shown.
- Other people: the other mentor in a pairing and fellow volunteers carried as passengers are not named;
  a client is shown by area only (the portal holds no client details; their reference is not the person's).
- Staff free text about the person (application notes, the reasons written for a DBS decision) is left out
  of the self-service copy, because it can mention other people; staff producing a copy for a request
  (`include_staff_notes`) get it, to review and redact before sending. Who on the staff did each thing is
  not shown, except the supervisor named at induction.
- The audit log is given as codes and dates (what was done, to which kind of record, when), not who did it.
"""
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from sqlalchemy import or_, select
from sqlalchemy.orm import raiseload, selectinload

from app.applications.models import Application, ApplicationNote
from app.audit import AuditEvent
from app.auth.models import User
from app.certificates.models import Certificate
from app.expenses.models import Claim, DriverYear, Line, Receipt, SavedJourney
from app.extensions import db
from app.readiness.models import (
    AgreementSignature,
    ClientContact,
    EmergencyContact,
    Induction,
    MentorStanding,
    Pairing,
    StandDown,
)
from app.training.models import Booking, Completion, TrainingSession
from app.vetting.models import DbsCheck, DbsDecision, IdentityCheck, PoliceVetting, SelfDeclaration

WITHHELD = ("What your referees wrote is not included: references given in confidence are exempt "
            "(Data Protection Act 2018, Schedule 2, paragraph 24).")


@dataclass
class Section:
    key: str
    title: str
    records: list[list[tuple[str, str, object]]]  # each record: (key, label, value)
    note: str = ""

    def as_json(self) -> list[dict]:
        return [{key: _plain(value) for key, _, value in record} for record in self.records]


def _plain(value):
    """A JSON value: dates as ISO text, enumerations as their codes, lists item by item."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def person_data(person: User, include_staff_notes: bool = False) -> list[Section]:
    """Every section of the person's data, in the order the page shows them."""
    pid = person.id
    # Account: the person's own row, roles and areas (2 queries: grants, areas).
    roles = sorted(g.role.value for g in person.role_grants)
    account = [[("full_name", "Name", person.full_name), ("email", "Email address", person.email),
                ("roles", "Roles", roles), ("areas", "Areas", [a.name for a in person.areas]),
                ("created_at", "Account made", person.created_at),
                ("email_verified_at", "Email address confirmed", person.email_verified_at),
                ("last_login_at", "Last signed in", person.last_login_at),
                ("password_changed_at", "Password last changed", person.password_changed_at),
                ("deactivated_at", "Account closed", person.deactivated_at),
                ("text_size", "Text size", person.text_size)]]

    applications = db.session.scalars(
        select(Application).where(Application.user_id == pid).order_by(Application.id)
        .options(selectinload(Application.areas), selectinload(Application.referees),
                 raiseload(Application.user), raiseload(Application.decided_by))).all()
    notes = {}
    if include_staff_notes and applications:
        for note in db.session.scalars(select(ApplicationNote).where(
                ApplicationNote.application_id.in_([a.id for a in applications]), ApplicationNote.text.is_not(None))
                .options(raiseload(ApplicationNote.audit_event)).order_by(ApplicationNote.id)):
            notes.setdefault(note.application_id, []).append(note)
    application_records, referee_records = [], []
    from app.applications.rules import policy as application_policy

    words = application_policy().label  # the words the applicant chose from, not the stored codes
    for a in applications:
        record = [("status", "Status", a.status), ("created_at", "Started", a.created_at),
                  ("submitted_at", "Sent", a.submitted_at), ("decided_at", "Decided", a.decided_at),
                  ("full_name", "Name given", a.full_name), ("preferred_name", "Preferred name", a.preferred_name),
                  ("date_of_birth", "Date of birth", a.date_of_birth), ("phone", "Phone", a.phone),
                  ("email", "Email address given", a.email), ("address", "Address", a.address),
                  ("postcode", "Postcode", a.postcode), ("areas", "Areas", [x.name for x in a.areas]),
                  ("availability", "When you can volunteer", [words("availability", v) for v in a.availability or []]),
                  ("availability_note", "About when you can volunteer", a.availability_note),
                  ("motivation", "Why you want to volunteer", a.motivation),
                  ("lived_experience", "Lived experience you chose to share",
                   [words("lived_experience", v) for v in a.lived_experience or []]),
                  ("consent_data", "Agreed to how we use your information", a.consent_data),
                  ("consent_checks", "Agreed to the checks", a.consent_checks),
                  ("chat_booked_for", "Informal chat booked for", a.chat_booked_for),
                  ("chat_held_on", "Informal chat held on", a.chat_held_on),
                  ("chat_outcome", "Informal chat outcome", words("chat_outcome", a.chat_outcome) or None),
                  ("decline_reason", "Reason not accepted", words("decline_reason", a.decline_reason) or None),
                  ("anonymised_at", "Personal details removed", a.anonymised_at)]
        if include_staff_notes:
            record += [("chat_booking_note", "Staff note: chat booking", a.chat_booking_note),
                       ("chat_notes", "Staff note: chat", a.chat_notes),
                       ("decline_note", "Staff note: decision", a.decline_note),
                       ("step_notes", "Staff notes with steps", [n.text for n in notes.get(a.id, [])])]
        application_records.append(record)
        for r in a.referees:
            referee_records.append([("application_started", "Application started", a.created_at),
                                    ("name", "Name", r.name),
                                    ("relationship", "How they know you", words("relationship", r.relationship_kind)),
                                    ("email", "Email address", r.email), ("phone", "Phone", r.phone),
                                    ("requested_at", "Reference asked for", r.requested_at),
                                    ("received_at", "Reference received", r.received_at),
                                    ("state", "Reference", r.state)])

    dbs = db.session.scalars(select(DbsCheck).where(DbsCheck.volunteer_id == pid).order_by(DbsCheck.id)
                             .options(raiseload(DbsCheck.original_seen_by),
                                      selectinload(DbsCheck.decisions).raiseload(DbsDecision.decided_by))).all()
    from app.vetting.policy import current_policy as vetting_policy

    labels = vetting_policy().condition_labels
    dbs_records = []
    for c in dbs:
        decision = c.decisions[-1] if c.decisions else None
        record = [("level", "Level", c.level), ("workforce", "Workforce", c.workforce),
                  ("requested_on", "Asked for", c.requested_on), ("submitted_on", "Application sent", c.submitted_on),
                  ("certificate_number", "Certificate number", c.certificate_number),
                  ("issued_on", "Certificate issued", c.issued_on), ("outcome", "Certificate", c.outcome),
                  ("subscribed_on", "Joined the Update Service", c.subscribed_on),
                  ("consent_on", "Consent to status checks given", c.consent_on),
                  ("consent_withdrawn_on", "Consent withdrawn", c.consent_withdrawn_on),
                  ("original_seen_on", "Original certificate seen", c.original_seen_on),
                  ("status_checks", "Update Service status checks",
                   [f"{s.checked_on.isoformat()}: {s.outcome.value}" for s in c.status_checks]),
                  ("decision", "Decision", decision.decision if decision else None),
                  ("decided_on", "Decided on", decision.decided_on if decision else None),
                  ("conditions", "Conditions on the approval",
                   [labels.get(code, code) for code in (decision.conditions or [])] if decision else []),
                  ("confirmed", "Confirmed by a manager", bool(decision and decision.confirmation))]
        if include_staff_notes:
            record.append(("decision_rationale", "Staff note: reasons for the decision",
                           decision.rationale if decision else None))
        dbs_records.append(record)

    identity = db.session.scalars(select(IdentityCheck).where(IdentityCheck.volunteer_id == pid)
                                  .options(raiseload(IdentityCheck.checked_by)).order_by(IdentityCheck.id)).all()
    declarations = db.session.scalars(select(SelfDeclaration).where(SelfDeclaration.volunteer_id == pid)
                                      .order_by(SelfDeclaration.id)).all()
    police = db.session.scalars(select(PoliceVetting).where(PoliceVetting.volunteer_id == pid)
                                .order_by(PoliceVetting.id)).all()

    bookings = db.session.scalars(select(Booking).where(Booking.user_id == pid).order_by(Booking.id)
                                  .options(raiseload(Booking.user), raiseload(Booking.marked_by),
                                           raiseload(Booking.session))).all()
    sessions = {s.id: s for s in db.session.scalars(select(TrainingSession).where(
        TrainingSession.id.in_({b.session_id for b in bookings} or {-1})).options(raiseload(TrainingSession.trainers)))}
    completions = db.session.scalars(select(Completion).where(Completion.user_id == pid).order_by(Completion.id)).all()
    certificates = db.session.scalars(select(Certificate).where(Certificate.user_id == pid)
                                      .options(raiseload(Certificate.holder)).order_by(Certificate.id)).all()

    standing = db.session.scalar(select(MentorStanding).where(MentorStanding.volunteer_id == pid)
                                 .options(raiseload(MentorStanding.released_by)))
    agreements = db.session.scalars(select(AgreementSignature).where(AgreementSignature.volunteer_id == pid)
                                    .order_by(AgreementSignature.id)).all()
    inductions = db.session.scalars(select(Induction).where(Induction.volunteer_id == pid).order_by(Induction.id)).all()
    contact = db.session.scalar(select(EmergencyContact).where(EmergencyContact.volunteer_id == pid))
    stand_downs = db.session.scalars(select(StandDown).where(StandDown.volunteer_id == pid).order_by(StandDown.id)).all()
    pairings = db.session.scalars(select(Pairing).where(or_(Pairing.first_id == pid, Pairing.second_id == pid))
                                  .options(raiseload(Pairing.first), raiseload(Pairing.second)).order_by(Pairing.id)).all()
    contacts = db.session.scalars(select(ClientContact).where(ClientContact.volunteer_id == pid)
                                  .order_by(ClientContact.contact_on, ClientContact.id)).all()

    claims = db.session.scalars(select(Claim).where(Claim.claimant_id == pid).order_by(Claim.id)
                                .options(raiseload(Claim.claimant), raiseload(Claim.decided_by),
                                         selectinload(Claim.lines).raiseload(Line.passengers),
                                         selectinload(Claim.lines).raiseload(Line.training_session))).all()
    passengers = {}
    line_ids = [line.id for claim in claims for line in claim.lines]
    if line_ids:
        from sqlalchemy import func

        from app.expenses.models import line_passengers
        passengers = dict(db.session.execute(select(line_passengers.c.line_id, func.count()).where(
            line_passengers.c.line_id.in_(line_ids)).group_by(line_passengers.c.line_id)).all())
    receipts = db.session.scalars(select(Receipt).where(Receipt.owner_id == pid).order_by(Receipt.id)).all()
    journeys = db.session.scalars(select(SavedJourney).where(SavedJourney.user_id == pid).order_by(SavedJourney.id)).all()
    driver_years = db.session.scalars(select(DriverYear).where(DriverYear.user_id == pid).order_by(DriverYear.tax_year)).all()

    events = db.session.execute(select(AuditEvent.action, AuditEvent.occurred_at, AuditEvent.object_type)
                                .where(AuditEvent.subject_id == pid).order_by(AuditEvent.id)).all()

    return [
        Section("account", "Your account", account),
        Section("applications", "Your applications", application_records,
                "" if include_staff_notes else "Notes staff wrote about your application are not shown here, "
                "because they can mention other people. Ask for them and we will review them and send them."),
        Section("referees", "Your referees", referee_records, WITHHELD),
        Section("identity_checks", "Identity checks", [[
            ("checked_on", "Checked on", i.checked_on), ("route", "Route", i.route),
            ("documents", "Document types seen (never a copy)", list(i.document_labels)),
            ("names_confirmed", "All names confirmed", i.names_confirmed),
            ("addresses_confirmed", "Five years of addresses confirmed", i.addresses_confirmed)] for i in identity]),
        Section("self_declarations", "Your self-declarations", [[
            ("made_on", "Made on", d.made_on), ("has_something", "Something to declare", d.has_something),
            ("details", "What you declared", d.details),
            ("details_purged_at", "Details deleted", d.details_purged_at)] for d in declarations]),
        Section("dbs_checks", "DBS checks", dbs_records,
                "" if include_staff_notes else "The reasons staff wrote for a decision are not shown here."),
        Section("police_vetting", "Police vetting", [[
            ("level", "Level", p.level), ("force_reference", "Force reference", p.force_reference),
            ("submitted_on", "Sent to the force", p.submitted_on), ("outcome", "Outcome", p.outcome),
            ("outcome_on", "Outcome on", p.outcome_on), ("granted_on", "Granted on", p.granted_on),
            ("expires_on", "Expires on", p.expires_on),
            ("changes", "Changes of circumstances you reported",
             [f"{c.reported_on.isoformat()}: {c.kind.value}"
              + (f" (reviewed {c.reviewed_on.isoformat()}: {c.review_outcome.value})" if c.reviewed_on else "")
              for c in p.changes])] for p in police]),
        Section("training_bookings", "Training bookings", [[
            ("course", "Course", sessions[b.session_id].course.title if b.session_id in sessions else None),
            ("starts_at", "Session starts", sessions[b.session_id].starts_at if b.session_id in sessions else None),
            ("status", "Booking", b.status), ("attendance", "Attendance", b.attendance),
            ("minutes_missed", "Minutes missed", b.minutes_missed),
            ("cancelled_at", "Cancelled", b.cancelled_at)] for b in bookings]),
        Section("training_completions", "Training completed", [[
            ("course", "Course", c.course.title), ("completed_on", "Completed on", c.completed_on),
            ("expires_on", "Expires on", c.expires_on), ("source", "How", c.source), ("score", "Score (%)", c.score),
            ("provider", "Provider", c.provider)] for c in completions]),
        Section("certificates", "Certificates", [[
            ("course", "Course", c.course_title), ("holder_name", "Name on it", c.holder_name),
            ("completed_on", "Completed on", c.completed_on), ("expires_on", "Expires on", c.expires_on),
            ("issued_at", "Issued", c.issued_at), ("revoked_at", "Revoked", c.revoked_at)] for c in certificates]),
        Section("readiness", "Readiness to work with clients", ([[
            ("standing", "Standing", standing.status), ("first_released_on", "First released on", standing.first_released_on),
            ("released_on", "Last released on", standing.released_on), ("changed_at", "Last changed", standing.changed_at)]]
            if standing else []) + [[("agreement_version", "Volunteer agreement version", s.version),
                                     ("signed_on", "Signed on", s.signed_on), ("typed_name", "Name typed", s.typed_name)]
                                    for s in agreements]
            + [[("induction_held_on", "Induction held on", i.held_on),
                ("supervisor", "Supervisor", i.supervisor.display_name if i.supervisor else None)] for i in inductions]
            + [[("stood_down_on", "Stood down on", s.stood_down_on), ("reasons", "Reasons (codes)", list(s.gate_codes))]
               for s in stand_downs]),
        Section("emergency_contact", "Your emergency contact", [[
            ("name", "Name", contact.name), ("relationship", "Relationship", contact.relationship_kind),
            ("phone", "Phone", contact.phone)]] if contact else []),
        Section("pairings", "Your pairings", [[
            ("area", "Client's area", p.client.area.name), ("started_on", "Started on", p.started_on),
            ("ended_on", "Ended on", p.ended_on), ("end_reason", "Why it ended", p.end_reason)] for p in pairings],
            "The other mentor and the client are not named."),
        Section("client_contacts", "Contacts with clients you logged", [[
            ("contact_on", "Day", c.contact_on), ("minutes", "Minutes", c.minutes), ("kind", "How", c.kind)]
            for c in contacts]),
        Section("expense_claims", "Expense claims", [[
            ("status", "Status", c.status), ("created_at", "Started", c.created_at),
            ("submitted_at", "Sent", c.submitted_at), ("decided_at", "Decided", c.decided_at),
            ("comment", "Comment to you", c.comment), ("total_pence", "Total (pence)", c.total_pence),
            ("lines", "Lines", [
                {"kind": line.kind.value, "spent_on": line.spent_on.isoformat(), "description": line.description,
                 "from": line.from_place, "to": line.to_place,
                 "miles": None if line.miles is None else str(line.miles), "pence": line.pence,
                 "passengers": passengers.get(line.id, 0), "receipt": line.receipt_id is not None}
                for line in c.lines])] for c in claims], "Passengers are counted, not named."),
        Section("receipts", "Receipts you uploaded", [[
            ("uploaded_at", "Uploaded", r.uploaded_at), ("content_type", "Kind of file", r.content_type),
            ("size_bytes", "Size (bytes)", r.size_bytes)] for r in receipts]),
        Section("saved_journeys", "Saved journeys", [[
            ("name", "Name", j.name), ("from", "From", j.from_place), ("to", "To", j.to_place),
            ("miles", "Miles", str(j.miles)), ("vehicle", "Vehicle", j.vehicle)] for j in journeys]),
        Section("driver_years", "Driver confirmations", [[
            ("tax_year", "Tax year starting", d.tax_year), ("confirmed_at", "Confirmed", d.confirmed_at),
            ("other_miles", "Miles driven for others", str(d.other_miles))] for d in driver_years]),
        Section("audit_events", "What was recorded about you", [[
            ("action", "What", e.action), ("record", "Kind of record", e.object_type), ("occurred_at", "When", e.occurred_at)]
            for e in events], "From the portal's log: what was done and when, as codes."),
    ]


def as_json(person: User, sections: list[Section]) -> dict:
    from app.db_types import utcnow

    return {"person_id": person.id, "produced_at": utcnow().isoformat(),
            "withheld": [WITHHELD] + [s.note for s in sections if s.note and s.key != "referees"],
            **{s.key: s.as_json() for s in sections}}
