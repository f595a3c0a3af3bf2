"""Vetting records as the rules' facts, read as plain rows for many volunteers at once (no model objects): the
work list's page, the kept work lists (services_lists) and readiness (its gates and CSV) read them this way."""
from collections import defaultdict, namedtuple
from datetime import date

from sqlalchemy import exists, select

from app.db_types import among, plain_rows
from app.vetting import models as vetting_models
from app.vetting.models import DbsCheck, DbsConfirmation, DbsDecision, NppvChange, PoliceVetting, StatusCheck

DBS_COLUMNS = ("id", "volunteer_id", "level", "workforce", "requested_on", "submitted_on", "issued_on", "outcome",
               "subscribed_on", "consent_on", "original_seen_on", "join_route", "renews_on", "consent_withdrawn_on")
NPPV_COLUMNS = ("id", "volunteer_id", "level", "submitted_on", "outcome", "granted_on", "expires_on", "outcome_on")
# The rows as named tuples: reading a named tuple's fields by name costs a third of reading a Row's
DbsRow, NppvRow = namedtuple("DbsRow", DBS_COLUMNS), namedtuple("NppvRow", NPPV_COLUMNS)


def vetting_facts(ids) -> dict[int, tuple[list, list]]:
    """DBS checks (with decisions and status checks) and police vetting, as the rules' facts built from rows (no
    model objects): five queries however many volunteers, each record's parts in the order its model keeps them."""
    checks = plain_rows(select(*[DbsCheck.__table__.c[n] for n in DBS_COLUMNS])
                        .where(among(DbsCheck.volunteer_id, ids)).order_by(DbsCheck.id)).all()
    decisions, status_checks = _dbs_parts(ids)
    found: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for check in map(DbsRow._make, checks):
        found[check.volunteer_id][0].append(vetting_models.dbs_facts(
            check, tuple(decisions.get(check.id, ())), tuple(status_checks.get(check.id, ()))))
    changes: dict[int, list[date]] = defaultdict(list)
    for record_id, reported_on in plain_rows(
            select(NppvChange.police_vetting_id, NppvChange.reported_on)
            .join(PoliceVetting, PoliceVetting.id == NppvChange.police_vetting_id)
            .where(among(PoliceVetting.volunteer_id, ids), NppvChange.reviewed_on.is_(None)).order_by(NppvChange.id)):
        changes[record_id].append(reported_on)
    for record in map(NppvRow._make, plain_rows(select(*[PoliceVetting.__table__.c[n] for n in NPPV_COLUMNS])
                      .where(among(PoliceVetting.volunteer_id, ids)).order_by(PoliceVetting.id))):
        found[record.volunteer_id][1].append(vetting_models.nppv_facts(record, tuple(changes.get(record.id, ()))))
    return found


def _dbs_parts(ids) -> tuple[dict[int, list], dict[int, list]]:
    """Each DBS check's decisions and status checks, as facts, by check id."""
    confirmed = exists(select(DbsConfirmation.id).where(DbsConfirmation.decision_id == DbsDecision.id))
    decisions: dict[int, list] = defaultdict(list)
    for row in plain_rows(
            select(DbsDecision.dbs_check_id, DbsDecision.decision, DbsDecision.decided_on, DbsDecision.created_at,
                   DbsDecision.conditions, DbsDecision.needs_confirmation, DbsDecision.decided_by_id,
                   confirmed.label("confirmed"))
            .join(DbsCheck, DbsCheck.id == DbsDecision.dbs_check_id).where(among(DbsCheck.volunteer_id, ids))
            .order_by(DbsDecision.id)):
        decisions[row.dbs_check_id].append(vetting_models.decision_facts(row, bool(row.confirmed)))
    status_checks: dict[int, list] = defaultdict(list)
    for row in plain_rows(
            select(StatusCheck.dbs_check_id, StatusCheck.checked_on, StatusCheck.outcome, StatusCheck.created_at)
            .join(DbsCheck, DbsCheck.id == StatusCheck.dbs_check_id).where(among(DbsCheck.volunteer_id, ids))
            .order_by(StatusCheck.id)):
        status_checks[row.dbs_check_id].append(vetting_models.status_check_facts(row))
    return decisions, status_checks
