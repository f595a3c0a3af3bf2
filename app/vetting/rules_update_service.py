"""Update Service and request rules: the join window, the renewal and consent facts, like-for-like status
checks, and the levels staff may request. Pure functions of plain values (dates passed in); the conventions
are in rules.py's docstring."""
from datetime import date, timedelta

from app.timefmt import format_date
from app.vetting.enums import JoinRoute
from app.vetting.policy import VettingPolicy
from app.vetting.rules import JOIN_DAYS, DbsFacts


def join_window_problem(route: JoinRoute | None, subscribed_on: date | None, issued_on: date | None,
                        applied_on: date | None) -> str | None:
    """Why this subscription date cannot be right for how the holder joined (None when it can)."""
    if subscribed_on is None:
        return None
    if route is None:
        return "Select how they joined the Update Service"
    start = issued_on if route == JoinRoute.CERTIFICATE else applied_on
    if start is None:
        return None
    what = "the certificate's date of issue" if route == JoinRoute.CERTIFICATE else "the date they applied"
    last = start + timedelta(days=JOIN_DAYS[route])
    if subscribed_on < start:
        return f"Date joined must be on or after {what} ({format_date(start)})"
    if subscribed_on > last:
        return (f"Date joined must be within {JOIN_DAYS[route]} days of {what}, by {format_date(last)}: the DBS does "
                "not accept later subscriptions, so check the date or how they joined")
    return None


def update_service_problems(check: DbsFacts) -> dict[str, str]:
    """What is wrong with this check's Update Service details, by field (empty when nothing is)."""
    problems = {}
    join = join_window_problem(check.join_route, check.subscribed_on, check.issued_on, check.submitted_on)
    if join:
        problems["join_route" if check.join_route is None else "subscribed_on"] = join
    if check.renews_on is not None and (check.subscribed_on is None or check.renews_on <= check.subscribed_on):
        problems["renews_on"] = "Renewal date must be after the date they joined"
    checked = [c.checked_on for c in check.status_checks]
    for name, day, what in (("consent_on", check.consent_on, "Date of consent"),
                            ("original_seen_on", check.original_seen_on, "Date seen")):
        if day is not None and checked and day > min(checked):
            problems[name] = f"{what} must be on or before the first status check ({format_date(min(checked))})"
    if check.original_seen_on is not None and check.issued_on and check.original_seen_on < check.issued_on:
        problems["original_seen_on"] = f"Date seen must be on or after the date of issue ({format_date(check.issued_on)})"
    withdrawn = check.consent_withdrawn_on
    if withdrawn is not None:
        if check.consent_on is None or withdrawn < check.consent_on:
            problems["consent_withdrawn_on"] = "Date consent was withdrawn must be on or after the date of consent"
        elif checked and withdrawn <= max(checked):
            problems["consent_withdrawn_on"] = ("Date consent was withdrawn must be after the last status check "
                                                f"({format_date(max(checked))})")
    return problems


def status_check_problems(check: DbsFacts, policy: VettingPolicy, on: date | None = None,
                          identity_checked: bool = True) -> list[str]:
    """Why a status check may not be done on this certificate (on `on`, when given); empty when it may.

    Reuse is like for like: the same level, and a workforce that covers the role's.
    """
    problems = []
    if not check.has_result:
        problems.append("Record the certificate first")
    if not identity_checked:
        problems.append("Record the volunteer's identity check first")
    if not check.subscribed:
        problems.append("The volunteer is not subscribed to the DBS Update Service")
    if check.consent_on is None:
        problems.append("Record the volunteer's consent to status checks")
    if check.consent_withdrawn_on is not None and (on is None or on >= check.consent_withdrawn_on):
        problems.append(f"The volunteer withdrew consent on {format_date(check.consent_withdrawn_on)}: "
                        "no status check may be made after that")
    if check.original_seen_on is None:
        problems.append("Record who saw the original certificate in person")
    if check.level != policy.dbs_level:
        problems.append(f"The certificate is {check.level.label}; status checks must be for the same level "
                        f"as the role ({policy.dbs_level.label})")
    if not check.workforce.covers(policy.dbs_workforce):
        problems.append(f"The certificate is for the {check.workforce.label.lower()}; the role is in the "
                        f"{policy.dbs_workforce.label.lower()}")
    if on is not None and check.has_result:
        problems += _status_check_date_problems(check, on)
    return problems


def _status_check_date_problems(check: DbsFacts, on: date) -> list[str]:
    problems = []
    if check.subscribed and not check.subscribed_on_day(on):
        problems.append(f"The subscription was not active on {format_date(on)} (joined "
                        f"{format_date(check.subscribed_on)}, renewal due {format_date(check.renewal_date)})")
    if check.consent_on is not None and check.consent_on > on:
        problems.append(f"Consent was given on {format_date(check.consent_on)}, after the date of the status check")
    if check.original_seen_on is not None and check.original_seen_on > on:
        problems.append(f"The original certificate was seen on {format_date(check.original_seen_on)}, after the "
                        "date of the status check")
    return problems


def request_problems(level, workforce, policy: VettingPolicy) -> list[str]:
    """Why a DBS check at this level and workforce may not be requested: never above what the role is eligible for."""
    problems = []
    if level.rank > policy.dbs_level.rank:
        problems.append(f"The role is eligible for {policy.dbs_level.label}, not {level.label}: asking for a "
                        "higher level than the role is eligible for is an offence")
    if workforce != policy.dbs_workforce:
        problems.append(f"The role is in the {policy.dbs_workforce.label.lower()}: a check for the "
                        f"{workforce.label.lower()} cannot be requested")
    return problems
