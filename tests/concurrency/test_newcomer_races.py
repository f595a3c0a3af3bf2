"""Two trainers adding the same newcomer (one e-mail address) at the same moment: one account, one place, one
invitation; the other trainer is told plainly that the address has an account now."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.db_types import utcnow
from app.extensions import db
from app.training import services_seats as seats
from app.training.models import Booking, TrainingSession
from tests.concurrency.conftest import audit_count, settle
from tests.conftest import sign_in_client
from tests.factories import area_named, make_user
from tests.training.factories import make_session

pytestmark = pytest.mark.real_commits


def _running_taster(trainers):
    item = make_session("taster-day", starts_at=utcnow().replace(microsecond=0) + timedelta(days=1), trainers=trainers)
    item.starts_at = utcnow().replace(microsecond=0) - timedelta(hours=1)
    item.ends_at = item.starts_at + timedelta(hours=6)
    db.session.commit()
    return item


@pytest.mark.parametrize("people", [2, 5])
def test_trainers_adding_one_address_at_once_make_one_person(app, race, smtp, people):
    trainers = [make_user(Role.TRAINER) for _ in range(people - 1)]
    item = _running_taster(trainers)
    staff = [*trainers, make_user(Role.COORDINATOR, areas=["Durham"])]  # a coordinator as well as trainers
    clients = [sign_in_client(app, person) for person in staff]
    url = f"/training/sessions/{item.id}/register/new-person"
    area = str(area_named("Durham").id)
    smtp.clear()

    def act(i):
        response = clients[i].post(url, data={"full_name": f"Sam Same {i}", "email": ["sam@example.org", "SAM@example.org"][i % 2],
                                              "phone": "", "area": area}, follow_redirects=True)
        return response.status_code, response.get_data(as_text=True)

    results = race(people, act)
    assert [status for status, _ in results] == [200] * people
    won = [text for _, text in results if "is added to the register and marked present" in text]
    lost = [text for _, text in results if "sam@example.org already has an account, so we cannot make another one." in text]
    assert len(won) == 1 and len(lost) == people - 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "sam@example.org")) == 1
    person = db.session.scalar(select(User).where(User.email == "sam@example.org"))
    assert db.session.scalar(select(func.count()).select_from(Booking).where(Booking.user_id == person.id)) == 1
    assert audit_count("account.invited") == 1 and audit_count("training.walk_in_added") == 1
    assert [m["To"] for m in settle(smtp, 1)] == ["sam@example.org"]
    session = db.session.get(TrainingSession, item.id)
    assert session.seats_taken == seats.booked_count(item.id) == 1


def test_an_account_made_between_the_check_and_the_insert_is_refused_plainly(app, login_as, smtp, monkeypatch):
    """The loser's path when its check ran before the winner committed: the database's unique e-mail refuses the
    insert, and the trainer gets the same plain words (and nothing of theirs is kept)."""
    from app.admin import services as admin

    item = _running_taster([make_user(Role.TRAINER)])
    made = admin.new_invited_account

    def made_elsewhere_first(email, *args, **kwargs):
        with db.engine.begin() as other:  # another trainer's request commits the same address first
            other.execute(User.__table__.insert().values(email=email, full_name="Sam Other", password_hash="x",
                                                         session_token="elsewhere-token", text_size="normal", version=1))
        return made(email, *args, **kwargs)

    monkeypatch.setattr(admin, "new_invited_account", made_elsewhere_first)
    smtp.clear()
    page = login_as(item.trainers[0]).post(f"/training/sessions/{item.id}/register/new-person", data={
        "full_name": "Sam Same", "email": "sam@example.org", "phone": "", "area": str(area_named("Durham").id)}).text
    assert "sam@example.org already has an account, so we cannot make another one." in page
    assert "Sam Other" not in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "sam@example.org")) == 1
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    assert audit_count("account.invited") == 0 and settle(smtp, 0, timeout=0.5) == []
