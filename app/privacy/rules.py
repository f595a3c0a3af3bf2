"""When the retention schedule says a record is due: pure date rules, one per kind of record.

Every period ends on its anniversary: a record is kept through the day before and is due on the day itself
(as `flask vetting purge` and the applications' anonymising do).
"""
from datetime import date

from app.dates import add_years
from app.expenses.rules import tax_year_bounds, tax_year_of


def leaver_cutoff(today: date, years: int) -> date:
    """The last day of leaving that is due today: someone who left on it or before is anonymised."""
    return add_years(today, -years)


def leaver_due(left_on: date, today: date, years: int) -> bool:
    return left_on <= leaver_cutoff(today, years)


def finance_before(today: date, years: int) -> date:
    """Finance records settled before this day are due: kept `years` full tax years after the end of the tax
    year (5 April) they were settled in, so they go on 6 April."""
    return tax_year_bounds(tax_year_of(today) - years)[0]


def finance_due(settled_on: date, today: date, years: int) -> bool:
    return settled_on < finance_before(today, years)


def finance_tax_year_due(tax_year: int, today: date, years: int) -> bool:
    """A record for a whole tax year (a driver's confirmation), starting in `tax_year`."""
    return tax_year < tax_year_of(today) - years


def audit_cutoff(today: date, years: int) -> date:
    """Audit events that happened on this day (London) or before are due."""
    return add_years(today, -years)


def audit_due(occurred_on: date, today: date, years: int) -> bool:
    return occurred_on <= audit_cutoff(today, years)
