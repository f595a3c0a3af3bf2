"""Vetting records at any stage, committed."""
from datetime import date

from app.dates import add_years
from app.extensions import db
from app.vetting.enums import (
    DbsLevel,
    DbsOutcome,
    Decision,
    IdDocument,
    IdRoute,
    NppvLevel,
    NppvOutcome,
    StatusOutcome,
    Workforce,
)
from app.vetting.models import DbsCheck, DbsDecision, IdentityCheck, PoliceVetting, StatusCheck


def make_dbs(volunteer, *, requested_on=date(2026, 1, 5), submitted_on=date(2026, 1, 6), issued_on=date(2026, 2, 1),
             outcome=DbsOutcome.CLEAR, level=DbsLevel.ENHANCED, workforce=Workforce.ADULT, number="001234567890",
             decision=None, decided_on=None, rationale="Offence over ten years ago; references strong.",
             decided_by=None, subscribed_on=None, consent_on=None, seen_on=None, commit=True) -> DbsCheck:
    """A DBS check; pass submitted_on=None or outcome=None to stop it at an earlier stage."""
    check = DbsCheck(volunteer_id=volunteer.id, level=level, workforce=workforce, volunteer_check=True,
                     requested_on=requested_on, submitted_on=submitted_on,
                     subscribed_on=subscribed_on, consent_on=consent_on, original_seen_on=seen_on)
    if submitted_on is not None and outcome is not None:
        check.certificate_number, check.issued_on, check.outcome = number, issued_on, outcome
    if decision is not None:
        check.decisions.append(DbsDecision(decision=decision, rationale=rationale,
                                           decided_on=decided_on or issued_on,
                                           decided_by_id=decided_by.id if decided_by else None))
    db.session.add(check)
    if commit:
        db.session.commit()
    return check


def add_status_check(check, checked_on, outcome=StatusOutcome.NO_CHANGE):
    check.status_checks.append(StatusCheck(checked_on=checked_on, outcome=outcome))
    db.session.commit()


def make_nppv(volunteer, *, submitted_on=date(2026, 1, 6), outcome=NppvOutcome.GRANTED, granted_on=date(2026, 2, 10),
              level=NppvLevel.NPPV2_ABBREVIATED, years=3, commit=True) -> PoliceVetting:
    """A police vetting application; outcome=None leaves it waiting for the force."""
    record = PoliceVetting(volunteer_id=volunteer.id, level=level, force_reference="DUR/2026/0042",
                           submitted_on=submitted_on)
    if outcome is not None:
        record.outcome, record.outcome_on = outcome, granted_on
        if outcome == NppvOutcome.GRANTED:
            record.granted_on, record.expires_on = granted_on, add_years(granted_on, years)
    db.session.add(record)
    if commit:
        db.session.commit()
    return record


__all__ = ["make_dbs", "make_nppv", "make_identity", "add_status_check", "Decision"]


def make_identity(volunteer, *, checked_on=date(2026, 1, 5), checked_by=None, commit=True) -> IdentityCheck:
    """A route 1 identity check (passport and a bank statement), all names and addresses confirmed."""
    row = IdentityCheck(volunteer_id=volunteer.id, route=IdRoute.ROUTE_1,
                        documents=[IdDocument.PASSPORT.value, IdDocument.BANK_STATEMENT.value],
                        names_confirmed=True, addresses_confirmed=True, checked_on=checked_on,
                        checked_by_id=checked_by.id if checked_by else None)
    db.session.add(row)
    if commit:
        db.session.commit()
    return row
