"""The audit log in plain words: one sentence per action code, the kinds of action a reader filters by, and
which details are safe to show (codes and numbers only, never free text).

Every action code written anywhere in app/ has an entry here; tests/admin/test_audit_words.py reads the source
for every audit.record call and fails if one has none. A template names the people with:
  {actor}    who did it ("Sam Coordinator", or "The system" for scheduled jobs)
  {subject}  who it was about ("Val Volunteer")
  {subjects} the same, possessive ("Val Volunteer's")
When the actor is the subject, the `own` template (if given) reads better: "Val Volunteer sent their application".
"""
import re
from dataclasses import dataclass

from app.expenses.rules import pounds

SYSTEM = "The system"
SOMEONE = "someone"


@dataclass(frozen=True)
class Words:
    kind: str
    text: str
    own: str | None = None


# The kinds of action, in the order the filter offers them. "session" is sign-ins and sign-outs: hidden unless asked.
KINDS: dict[str, str] = {
    "application": "Applications and references",
    "vetting": "Vetting (DBS and police)",
    "training": "Training and certificates",
    "readiness": "Readiness and release",
    "pairing": "Clients and pairs",
    "expenses": "Expenses",
    "role": "Roles",
    "account": "Accounts and passwords",
    "area": "Areas",
    "retention": "Deleting old records",
    "session": "Sign-ins and sign-outs",
}
SESSION_KIND = "session"
VETTING_KIND = "vetting"

W = Words
WORDS: dict[str, Words] = {
    # ---- signing in and out (hidden unless asked for)
    "auth.login": W("session", "{actor} signed in"),
    "auth.logout": W("session", "{actor} signed out"),
    "auth.login_failed": W("session", "Someone failed to sign in as {subject}"),
    # ---- accounts, roles, areas
    "account.created": W("account", "{actor} created an account", "{actor} created an account"),
    "account.email_verified": W("account", "{actor} confirmed their e-mail address"),
    "account.invited": W("account", "{actor} invited {subject} to the portal"),
    "account.deactivated": W("account", "{actor} deactivated {subjects} account"),
    "account.reactivated": W("account", "{actor} reactivated {subjects} account"),
    "privacy.data_produced": W("account", "{actor} produced a copy of the data the portal holds about {subject}",
                               "{actor} downloaded a copy of the data the portal holds about them"),
    "auth.reset_requested": W("account", "{subject} asked for a password reset link"),
    "auth.password_changed": W("account", "{actor} changed their password"),
    "auth.password_reset": W("account", "{actor} reset their password from an e-mailed link"),
    "auth.invitation_accepted": W("account", "{actor} accepted their invitation and chose a password"),
    "role.granted": W("role", "{actor} gave {subject} a role"),
    "role.removed": W("role", "{actor} removed a role from {subject}"),
    "areas.changed": W("area", "{actor} changed the areas {subject} works in"),
    "area.saved": W("area", "{actor} saved an area's details"),
    # ---- applications
    "application.started": W("application", "{actor} started an application", "{actor} started an application"),
    "application.viewed": W("application", "{actor} opened {subjects} application"),
    "application.submit": W("application", "{actor} sent {subjects} application", "{actor} sent their application"),
    "application.start_review": W("application", "{actor} started reviewing {subjects} application"),
    "application.request_references": W("application", "{actor} asked for {subjects} references"),
    "application.book_chat": W("application", "{actor} booked an informal chat with {subject}"),
    "application.record_chat": W("application", "{actor} recorded the informal chat with {subject}"),
    "application.accept": W("application", "{actor} accepted {subjects} application"),
    "application.decline": W("application", "{actor} declined {subjects} application"),
    "application.withdraw": W("application", "{actor} withdrew {subjects} application",
                              "{actor} withdrew their application"),
    "application.duplicate_flagged": W("application", "{actor} flagged {subjects} application as a possible duplicate"),
    "application.reference_chased": W("application", "{actor} chased a reference for {subject}"),
    "application.reference_received": W("application", "A referee sent a reference for {subject}"),
    "application.reference_assessed": W("application", "{actor} assessed a reference for {subject}"),
    "application.notes_purged": W("retention", "{actor} deleted the notes kept on {subjects} application"),
    "retention.application_anonymised": W("retention", "{actor} removed the personal details from {subjects} old application"),
    "retention.person_anonymised": W("retention", "{actor} removed the personal details of {subject}, who has left"),
    "retention.sweep": W("retention", "{actor} ran the sweep that deletes old records"),
    # ---- vetting (managers only)
    "vetting.viewed": W("vetting", "{actor} opened {subjects} vetting record"),
    "vetting.list_viewed": W("vetting", "{actor} opened the vetting work list"),
    "vetting.dbs_requested": W("vetting", "{actor} started a DBS check for {subject}"),
    "vetting.dbs_submitted": W("vetting", "{actor} recorded that {subjects} DBS application was sent"),
    "vetting.dbs_result": W("vetting", "{actor} recorded {subjects} DBS certificate"),
    "vetting.dbs_decision": W("vetting", "{actor} recorded a decision on {subjects} DBS certificate"),
    "vetting.dbs_decision_confirmed": W("vetting", "{actor} confirmed the decision on {subjects} DBS certificate"),
    "vetting.onboarding_ended": W("vetting", "{actor} ended {subjects} onboarding"),
    "vetting.update_service_recorded": W("vetting", "{actor} recorded {subjects} DBS Update Service subscription"),
    "vetting.status_check": W("vetting", "{actor} recorded a DBS status check for {subject}"),
    "vetting.note_purged": W("vetting", "{actor} deleted the reasons written for a DBS decision about {subject}"),
    "vetting.identity_checked": W("vetting", "{actor} checked {subjects} identity"),
    "vetting.self_declared": W("vetting", "{actor} made a self-declaration", "{actor} made their self-declaration"),
    "vetting.declaration_purged": W("vetting", "{actor} deleted what {subjects} self-declaration said"),
    "vetting.nppv_submitted": W("vetting", "{actor} recorded that {subjects} police vetting was applied for"),
    "vetting.nppv_outcome": W("vetting", "{actor} recorded the outcome of {subjects} police vetting"),
    "vetting.nppv_change_reported": W("vetting", "{actor} recorded a change reported in {subjects} circumstances"),
    "vetting.nppv_change_reviewed": W("vetting", "{actor} reviewed a change in {subjects} circumstances"),
    # ---- training and certificates
    "training.session_scheduled": W("training", "{actor} scheduled a training session"),
    "training.session_changed": W("training", "{actor} changed a training session"),
    "training.session_cancelled": W("training", "{actor} cancelled a training session"),
    "training.booked": W("training", "{actor} booked a place on a training session",
                         "{actor} booked a place on a training session"),
    "training.waitlisted": W("training", "{actor} joined the waiting list for a training session",
                             "{actor} joined the waiting list for a training session"),
    "training.booking_cancelled": W("training", "{actor} cancelled {subjects} training booking",
                                    "{actor} cancelled their training booking"),
    "training.promoted_from_waitlist": W("training", "{subject} got a place from the waiting list"),
    "training.waitlist_skipped": W("training", "{subject} was passed over on the waiting list (not eligible yet)"),
    "training.venue_saved": W("training", "{actor} saved a training venue"),
    "training.feed_regenerated": W("training", "{actor} made a new calendar feed address"),
    "training.completion_recorded": W("training", "{actor} recorded that {subject} completed a course"),
    "training.completion_withdrawn": W("training", "{actor} withdrew a course completion from {subjects} record"),
    "training.attendance_marked": W("training", "{actor} marked {subjects} attendance"),
    "training.walk_in_added": W("training", "{actor} added {subject} to a register as a walk-in"),
    "training.register_closed": W("training", "{actor} closed a session's register"),
    "training.knowledge_check": W("training", "{actor} took a knowledge check", "{actor} took a knowledge check"),
    "training.external_completion_recorded": W("training", "{actor} recorded training {subject} did elsewhere"),
    "certificates.issued": W("training", "{actor} issued a certificate to {subject}"),
    "certificates.revoked": W("training", "{actor} revoked one of {subjects} certificates"),
    "certificates.superseded": W("training", "{actor} replaced one of {subjects} certificates"),
    "certificates.reissued": W("training", "{actor} reissued a certificate to {subject} in their new name"),
    "certificates.transcript_shared": W("training", "{actor} shared their training transcript"),
    "certificates.transcript_share_stopped": W("training", "{actor} stopped sharing their training transcript"),
    # ---- readiness and release
    "readiness.agreement_signed": W("readiness", "{actor} signed the volunteer agreement"),
    "readiness.emergency_contact_saved": W("readiness", "{actor} saved their emergency contact"),
    "readiness.induction_recorded": W("readiness", "{actor} recorded {subjects} induction meeting"),
    "readiness.released": W("readiness", "{actor} released {subject} to client work"),
    "readiness.stood_down": W("readiness", "{actor} stood {subject} down from client work (a check lapsed)"),
    "readiness.suspended": W("readiness", "{actor} suspended {subject}"),
    "readiness.suspension_lifted": W("readiness", "{actor} lifted {subjects} suspension"),
    "readiness.paused": W("readiness", "{actor} paused {subjects} volunteering", "{actor} paused their volunteering"),
    "readiness.pause_ended": W("readiness", "{actor} ended {subjects} pause", "{actor} ended their pause"),
    # ---- clients and pairs
    "readiness.client_added": W("pairing", "{actor} added a client"),
    "readiness.client_known": W("pairing", "{actor} recorded that {subject} knows a client"),
    "readiness.paired": W("pairing", "{actor} paired {subject} with a client"),
    "readiness.pairing_ended": W("pairing", "{actor} ended {subjects} pairing"),
    # ---- expenses
    "expenses.claim_started": W("expenses", "{actor} started an expense claim"),
    "expenses.claim_submitted": W("expenses", "{actor} sent an expense claim"),
    "expenses.claim_resubmitted": W("expenses", "{actor} sent an expense claim again"),
    "expenses.claim_approved": W("expenses", "{actor} approved {subjects} expense claim"),
    "expenses.claim_queried": W("expenses", "{actor} sent {subjects} expense claim back with a question"),
    "expenses.claim_rejected": W("expenses", "{actor} rejected {subjects} expense claim"),
    "expenses.claim_paid": W("expenses", "{actor} marked {subjects} expense claim as paid"),
    "expenses.line_added": W("expenses", "{actor} added a line to an expense claim"),
    "expenses.line_removed": W("expenses", "{actor} removed a line from an expense claim"),
    "expenses.line_reversed": W("expenses", "{actor} reversed a line on an expense claim"),
    "expenses.driver_confirmed": W("expenses", "{actor} confirmed their driving details"),
    "expenses.batch_created": W("expenses", "{actor} made a payment batch"),
}
del W

# Detail keys that carry codes, numbers or dates (never free text), shown with the sentence. Anything else a
# service put in the details (reasons typed by staff, names, e-mail addresses typed at sign-in) is not shown.
SAFE_DETAILS: dict[str, str] = {
    "role": "role", "roles": "roles", "course": "course", "part": "part", "level": "level",
    "workforce": "workforce", "from_status": "from", "to_status": "to", "outcome": "outcome",
    "attendance": "attendance", "score": "score", "passed": "passed", "version": "agreement version",
    "release": "release number", "gates": "checks that lapsed", "total_pence": "total",
    "pence": "amount", "kind": "type", "route": "route", "referee": "referee",
    "marked_absent": "marked absent", "applications_anonymised": "applications anonymised",
    "held_on": "held on", "day": "day", "issued_on": "issued on", "submitted_on": "sent on",
    "checked_on": "checked on", "outcome_on": "outcome on", "reported_on": "reported on",
    "reviewed_on": "reviewed on", "released_on": "released on", "on": "on", "tax_year": "tax year",
    "register_correction": "register correction", "name_changed": "name changed",
}
MONEY = {"total_pence", "pence"}  # kept in pence, shown in pounds
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/+-]{0,39}")


def words_for(action: str) -> Words | None:
    return WORDS.get(action)


def kind_of(action: str) -> str | None:
    entry = WORDS.get(action)
    return entry.kind if entry else None


def codes_of_kind(kind: str) -> list[str]:
    return sorted(code for code, entry in WORDS.items() if entry.kind == kind)


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def sentence(action: str, actor_name: str | None, subject_name: str | None, same_person: bool = False) -> str:
    """"Sam Coordinator accepted Val Volunteer's application"; an unknown code says it has no words yet."""
    actor = actor_name or SYSTEM
    subject = subject_name or SOMEONE
    entry = WORDS.get(action)
    if entry is None:
        return f"{actor}: an action with no plain words yet (see its code)"
    text = entry.own if same_person and entry.own else entry.text
    if same_person and not entry.own:
        text = text.replace("{subjects}", "their").replace("{subject}", "themself")
    words = text.format(actor=actor, subject=subject, subjects=possessive(subject))
    return words[:1].upper() + words[1:]


def _safe_value(value) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and CODE.fullmatch(value):
        return value
    if isinstance(value, list) and value and all(_safe_value(v) is not None for v in value):
        return ", ".join(_safe_value(v) for v in value)
    return None


def safe_details(details: dict | None) -> list[tuple[str, str]]:
    """The (label, value) pairs of an entry's details that carry codes or numbers; nothing typed by a person."""
    shown = []
    for key, label in SAFE_DETAILS.items():
        if details and key in details:
            value = _safe_value(details[key])
            if value is not None and key in MONEY and isinstance(details[key], int):
                value = pounds(details[key])
            if value is not None:
                shown.append((label, value))
    return shown


def details_text(details: dict | None) -> str:
    return "; ".join(f"{label}: {value}" for label, value in safe_details(details))
