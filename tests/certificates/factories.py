"""Certificate factories: a volunteer with a completion of a certifying course, and its certificate."""
from datetime import date, timedelta

from app.certificates import queries
from app.certificates import services as certificates
from app.extensions import db
from tests.training.factories import make_completion, make_volunteer


def make_certificate(code: str = "adult-safeguarding-level-1", on: date | None = None, user=None, commit=True, **kwargs):
    """Issue a certificate for a completion of `code` on `on` (default 30 days ago). Returns (certificate, its code)."""
    user = user or make_volunteer(**({"areas": ["Durham"]} | kwargs))
    completion = make_completion(user, code, on or date.today() - timedelta(days=30), commit=False)
    db.session.flush()
    certificate = certificates.issue_certificate(completion, None)
    if commit:
        db.session.commit()
    return certificate, queries.code_of(certificate)
