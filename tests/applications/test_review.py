"""The coordinators' side: detail page, actions through the state machine, references, chat and decisions."""
from datetime import timedelta

import pytest

from app.applications import services
from app.applications.models import Application, Referee
from app.applications.rules import ApplicationError, IllegalTransition, NotDecider, Status
from app.audit import AuditEvent
from app.auth.models import Role
from app.db_types import utcnow
from app.extensions import db
from app.timefmt import today_london
from tests.applications.factories import make_application, ready_to_accept
from tests.factories import area_named, make_user


def actions(application):
    """The decisions audited on the application (staff views are audited too, but are not decisions)."""
    return [e.action for e in db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.object_type == "Application", AuditEvent.object_id == application.id,
        AuditEvent.action != "application.viewed").order_by(AuditEvent.id))]


def reference_links(smtp, application):
    return {r.position: smtp.link(smtp.last(r.email), "/reference/") for r in application.referees}


def path(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.fixture
def coordinator(login_as):
    return login_as("coordinator", areas=["Durham"])


def test_detail_shows_everything_including_lived_experience(coordinator):
    application = make_application(status=Status.SUBMITTED)
    page = coordinator.get(f"/applications/{application.id}").get_data(as_text=True)
    for text in ("07700900982", "DH1 3LE", "Durham", "Weekends", "I want to give back.", "Homelessness",
                 "Rita Referee", "Start review"):
        assert text in page
    assert "About your lived experience" not in page  # categories only: no free text about it


def test_managers_see_lived_experience_too(login_as):
    application = make_application(status=Status.SUBMITTED)
    page = login_as("manager").get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Homelessness" in page


def test_drafts_are_not_shown_to_coordinators(coordinator):
    application = make_application(status=Status.DRAFT)
    assert coordinator.get(f"/applications/{application.id}").status_code == 404


def test_illegal_transition_is_refused_over_http(coordinator):
    application = make_application(status=Status.SUBMITTED)
    response = coordinator.post(f"/applications/{application.id}/accept", data={}, follow_redirects=True)
    assert "You cannot accept an application that is received" in response.get_data(as_text=True)
    response = coordinator.post(f"/applications/{application.id}/references", follow_redirects=True)
    assert "You cannot request references" in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.status == Status.SUBMITTED
    assert actions(application) == []


def test_withdrawn_application_cannot_be_accepted_or_declined(coordinator):
    application = make_application(status=Status.WITHDRAWN)
    coordinator.post(f"/applications/{application.id}/decline", data={"reason": "other", "note": "x"})
    db.session.refresh(application)
    assert application.status == Status.WITHDRAWN


def test_references_links_are_unique_expiring_and_single_use(coordinator, client, smtp):
    application = make_application(status=Status.IN_REVIEW)
    coordinator.post(f"/applications/{application.id}/references")
    db.session.refresh(application)
    assert application.status == Status.REFERENCES_REQUESTED
    links = reference_links(smtp, application)
    assert links[1] != links[2]
    token = links[1].rsplit("/", 1)[1]
    stored = db.session.scalars(db.select(Referee.token_hash)).all()
    assert token not in stored and len(stored[0]) == 64  # only a hash is kept
    form = client.get(path(links[1])).get_data(as_text=True)
    assert "Reference for" in form and "Rita Referee" in form
    assert "07700900982" not in form and "homeless" not in form  # the referee sees only the form
    missing = client.post(path(links[1]), data={"known_for": "", "strengths": ""}).get_data(as_text=True)
    assert "Enter how long you have known them" in missing and "Tick to confirm you are not related" in missing
    answer = {"known_for": "5 years", "strengths": "Kind and steady", "not_family": "y"}
    assert "Reference sent" in client.post(path(links[1]), data=answer).get_data(as_text=True)
    again = client.get(path(links[1]))
    assert again.status_code == 410 and "already sent this reference" in again.get_data(as_text=True)
    assert client.post(path(links[1]), data=answer | {"strengths": "changed"}).status_code == 410
    db.session.refresh(application)
    assert application.referees[0].answers["strengths"] == "Kind and steady"
    assert client.get("/reference/not-a-real-token").status_code == 404


def test_reference_link_expires(coordinator, client, smtp, request_ctx):
    application = make_application(status=Status.IN_REVIEW)
    services.request_references(application, coordinator.user, now=utcnow() - timedelta(days=15))
    db.session.commit()
    link = reference_links(smtp, application)[1]
    response = client.get(path(link))
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)


def test_chasing_sends_a_fresh_link_and_the_old_one_stops(coordinator, client, smtp):
    application = make_application(status=Status.IN_REVIEW)
    coordinator.post(f"/applications/{application.id}/references")
    old = reference_links(smtp, application)[2]
    referee = application.referees[1]
    coordinator.post(f"/applications/{application.id}/references/{referee.id}/chase")
    new = smtp.link(smtp.last(referee.email), "/reference/")
    assert "Reminder" in smtp.last(referee.email)["Subject"] and new != old
    assert client.get(path(old)).status_code == 404
    assert client.get(path(new)).status_code == 200
    assert "application.reference_chased" in actions(application)


def test_whole_decision_path_to_accepted(coordinator, client, smtp):
    application = make_application(status=Status.SUBMITTED, areas=("Durham", "Weardale"))
    applicant = application.user
    base = f"/applications/{application.id}"
    coordinator.post(f"{base}/start-review")
    coordinator.post(f"{base}/references")
    for link in reference_links(smtp, application).values():
        client.post(path(link), data={"known_for": "2 years", "strengths": "Good listener", "not_family": "y"})
    blocked = coordinator.post(f"{base}/accept", data={}, follow_redirects=True).get_data(as_text=True)
    assert "You cannot accept" in blocked or "Record" in blocked
    today = today_london()
    day = [str(today.day), str(today.month), str(today.year)]
    coordinator.post(f"{base}/chat/book", data={"day": day, "note": "Phone call at 2pm"})
    assert "A chat about volunteering" in smtp.last(application.email)["Subject"]
    page = coordinator.post(f"{base}/chat/record", data={"held_on": day, "outcome": "", "notes": ""}).get_data(as_text=True)
    assert "Choose how the chat went" in page and "Enter a few notes" in page
    coordinator.post(f"{base}/chat/record", data={"held_on": day, "outcome": "positive", "notes": "Lovely chat"})
    db.session.refresh(application)
    assert application.status == Status.CHAT_HELD
    still_blocked = coordinator.post(f"{base}/accept", data={}, follow_redirects=True).get_data(as_text=True)
    assert "Record whether both references are satisfactory" in still_blocked
    for referee in application.referees:
        coordinator.post(f"{base}/references/{referee.id}/outcome", data={"satisfactory": "yes"})
    response = coordinator.post(f"{base}/accept", data={"note": "Welcome"}, follow_redirects=True)
    assert "is now a volunteer" in response.get_data(as_text=True)
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status == Status.ACCEPTED and application.decided_by_id == coordinator.user.id
    assert applicant.has_role(Role.VOLUNTEER)
    assert {a.name for a in applicant.areas} == {"Durham", "Weardale"}
    assert smtp.last(application.email)["Subject"] == "Welcome to the team"
    assert actions(application) == [
        "application.start_review", "application.request_references", "application.reference_received",
        "application.reference_received", "application.book_chat", "application.record_chat",
        "application.reference_assessed", "application.reference_assessed", "application.accept"]
    granted = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "role.granted"))
    assert granted.subject_id == applicant.id and granted.actor_id == coordinator.user.id


def test_unsatisfactory_reference_blocks_acceptance(coordinator, request_ctx):
    application = make_application(status=Status.CHAT_HELD, chat_held_on=today_london())
    for referee, ok in zip(application.referees, (True, False), strict=True):
        referee.requested_at = referee.received_at = utcnow()
        referee.satisfactory = ok
    db.session.commit()
    with pytest.raises(ApplicationError, match="A reference was not satisfactory"):
        services.accept_application(application, coordinator.user)


def test_decline_needs_reason_and_note_and_sends_a_kind_email(coordinator, smtp):
    application = make_application(status=Status.IN_REVIEW)
    page = coordinator.post(f"/applications/{application.id}/decline", data={}).get_data(as_text=True)
    assert "Choose a reason" in page and "Enter a note explaining the decision" in page
    coordinator.post(f"/applications/{application.id}/decline", data={"reason": "not_ready", "note": "Maybe next year"})
    db.session.refresh(application)
    assert application.status == Status.DECLINED and application.decline_reason == "not_ready"
    body = smtp.body(smtp.last(application.email))
    assert "welcome to apply again" in body and "Maybe next year" not in body
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "application.decline"))
    assert event.actor_id == coordinator.user.id
    assert "not_ready" not in str(event.details) and "Maybe next year" not in str(event.details)  # admins read it
    assert application.decline_note == "Maybe next year"


def test_duplicates_are_flagged_not_refused(login_as, coordinator, request_ctx):
    first = make_application(status=Status.SUBMITTED, full_name="Jo Bloggs")
    same_email = login_as("applicant")
    second = make_application(same_email.user, email=first.email, full_name="Joanne Other")
    services.submit_application(second)
    same_person = make_application(full_name="jo bloggs", date_of_birth=first.date_of_birth, email="new@example.org")
    services.submit_application(same_person)
    stranger = make_application(full_name="Jo Bloggs", email="another@example.org")
    stranger.date_of_birth = stranger.date_of_birth.replace(year=1990)
    services.submit_application(stranger)
    db.session.commit()
    assert second.status == Status.SUBMITTED and second.possible_duplicate
    assert same_person.possible_duplicate and not stranger.possible_duplicate
    assert first.possible_duplicate  # the earlier application is flagged too
    page = coordinator.get(f"/applications/{second.id}").get_data(as_text=True)
    assert "Possible duplicate" in page and f"application {first.id}" in page
    assert "Possible duplicate" in coordinator.get("/applications?area=").get_data(as_text=True)
    flagged = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "application.duplicate_flagged",
                                                            AuditEvent.object_id == second.id))
    assert flagged.details["matches"] == [first.id]


def test_service_refuses_illegal_transitions(request_ctx):
    coordinator = make_user(Role.COORDINATOR)
    application = make_application(status=Status.DECLINED)
    for call in (lambda: services.start_review(application, coordinator),
                 lambda: services.request_references(application, coordinator),
                 lambda: services.record_chat(application, today_london(), "positive", "n", coordinator),
                 lambda: services.withdraw_application(application, application.user)):
        with pytest.raises(IllegalTransition):
            call()


def test_a_chat_cannot_be_booked_in_the_past(coordinator):
    application = make_application(status=Status.IN_REVIEW)
    page = coordinator.post(f"/applications/{application.id}/chat/book",
                            data={"day": "2020-01-01", "note": "Phone"}).get_data(as_text=True)
    assert "Date of the chat must be today or in the future" in page
    db.session.refresh(application)
    assert application.status == Status.IN_REVIEW


def test_trainers_never_see_lived_experience(login_as):
    application = make_application(status=Status.SUBMITTED)
    trainer = login_as("trainer")
    assert not application.can_see_lived_experience(trainer.user)
    assert trainer.get(f"/applications/{application.id}").status_code == 403
    assert application.can_see_lived_experience(make_user(Role.COORDINATOR))
    assert application.can_see_lived_experience(make_user(Role.MANAGER))


def test_detail_page_with_two_references_to_assess_has_unique_ids(coordinator):
    import collections
    import re

    application = make_application(status=Status.REFERENCES_REQUESTED)
    for referee in application.referees:
        referee.requested_at = referee.received_at = utcnow()
        referee.answers = {"known_for": "4 years", "strengths": "Calm"}
    db.session.commit()
    page = coordinator.get(f"/applications/{application.id}").get_data(as_text=True)
    ids = collections.Counter(re.findall(r'\bid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    assert "Record reference from Rita" in page and "Record reference from Sam" in page


def test_reference_link_stops_when_the_application_closes(coordinator, client, smtp):
    application = make_application(status=Status.IN_REVIEW)
    coordinator.post(f"/applications/{application.id}/references")
    links = reference_links(smtp, application)
    coordinator.post(f"/applications/{application.id}/decline", data={"reason": "no_contact", "note": "No reply"})
    response = client.get(path(links[1]))
    assert response.status_code == 410 and "no longer needed" in response.get_data(as_text=True)
    answer = {"known_for": "1 year", "strengths": "Kind", "not_family": "y"}
    assert client.post(path(links[2]), data=answer).status_code == 410
    db.session.refresh(application)
    assert all(r.received_at is None for r in application.referees)


def test_only_a_coordinator_for_the_area_makes_the_final_decision(coordinator, smtp):
    application = ready_to_accept(areas=("Weardale",))  # the coordinator covers Durham only
    base = f"/applications/{application.id}"
    # Need to know: outside their areas the application is not found, so nothing can be decided on it.
    assert coordinator.get(base).status_code == 404
    assert coordinator.post(f"{base}/accept", data={"note": "Welcome"}).status_code == 404
    assert coordinator.get(f"{base}/decline").status_code == 404
    assert coordinator.post(f"{base}/decline", data={"reason": "other", "note": "Not mine to decide"}).status_code == 404
    db.session.refresh(application)
    assert application.status == Status.CHAT_HELD and actions(application) == []
    assert not application.user.has_role(Role.VOLUNTEER)


def test_the_area_coordinator_can_decide(login_as, smtp):
    application = ready_to_accept(areas=("Durham", "Weardale"))
    weardale = login_as("coordinator", areas=["Teesdale", "Weardale"])
    assert "Accept as a volunteer" in weardale.get(f"/applications/{application.id}").get_data(as_text=True)
    weardale.post(f"/applications/{application.id}/accept", data={"note": "Welcome"})
    db.session.refresh(application)
    assert application.status == Status.ACCEPTED and application.decided_by_id == weardale.user.id


def test_a_manager_can_decide_in_any_area(login_as, smtp):
    application = ready_to_accept(areas=("Weardale",))
    manager = login_as("manager")
    assert manager.get(f"/applications/{application.id}/decline").status_code == 200
    manager.post(f"/applications/{application.id}/decline", data={"reason": "not_ready", "note": "Next year"})
    db.session.refresh(application)
    assert application.status == Status.DECLINED and application.decided_by_id == manager.user.id


def test_decision_services_refuse_someone_outside_the_area(request_ctx):
    application = ready_to_accept(areas=("Weardale",))
    outsider = make_user(Role.COORDINATOR, areas=[area_named("Durham")])
    no_areas = make_user(Role.COORDINATOR)
    for person in (outsider, no_areas):
        with pytest.raises(NotDecider):
            services.accept_application(application, person)
        with pytest.raises(NotDecider):
            services.decline_application(application, "other", "n", person)
    assert application.status == Status.CHAT_HELD


def test_each_step_can_record_why_and_the_history_shows_who_and_why(coordinator, smtp):
    application = make_application(status=Status.SUBMITTED)
    base = f"/applications/{application.id}"
    page = coordinator.get(base).get_data(as_text=True)
    assert "Note for the record (optional)" in page
    coordinator.post(f"{base}/start-review", data={"note": "Picked up from the Durham list"})
    assert "Note for the record (optional)" in coordinator.get(base).get_data(as_text=True)
    coordinator.post(f"{base}/references", data={"note": "Both referees said they were happy to help"})
    db.session.refresh(application)
    assert application.status == Status.REFERENCES_REQUESTED
    events = {e.action: e for e in db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.object_type == "Application", AuditEvent.object_id == application.id))}
    assert "note" not in events["application.start_review"].details  # the audit log carries codes only
    assert events["application.start_review"].actor_id == coordinator.user.id
    page = coordinator.get(base).get_data(as_text=True)
    history = page[page.index('id="history"'):]
    assert "Started the review</strong>: " + coordinator.user.full_name in history
    assert "Why: Picked up from the Durham list" in history
    assert "Requested references" in history and "Why: Both referees said they were happy to help" in history


def test_a_too_long_note_is_refused_and_nothing_changes(coordinator):
    application = make_application(status=Status.SUBMITTED)
    response = coordinator.post(f"/applications/{application.id}/start-review", data={"note": "x" * 501},
                                follow_redirects=True)
    assert "Your note must be 500 characters or fewer" in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.status == Status.SUBMITTED and actions(application) == []


def test_history_shows_decline_reason_and_withdraw_reason(login_as, coordinator, smtp):
    declined = make_application(status=Status.IN_REVIEW)
    coordinator.post(f"/applications/{declined.id}/decline", data={"reason": "not_ready", "note": "Maybe next year"})
    page = coordinator.get(f"/applications/{declined.id}").get_data(as_text=True)
    history = page[page.index('id="history"'):]
    assert "Declined</strong>" in history and "Why: Not the right time for the applicant. Maybe next year" in history
    applicant = login_as("applicant")
    withdrawn = make_application(applicant.user, status=Status.SUBMITTED)
    applicant.post("/apply/withdraw", data={"reason": "Moving away"})
    page = coordinator.get(f"/applications/{withdrawn.id}").get_data(as_text=True)
    assert "Withdrew the application</strong>: " + applicant.user.full_name in page and "Why: Moving away" in page


def test_a_referee_must_really_tick_not_related(coordinator, client, smtp):
    application = make_application(status=Status.IN_REVIEW)
    coordinator.post(f"/applications/{application.id}/references")
    link = reference_links(smtp, application)[1]
    answer = {"known_for": "5 years", "strengths": "Kind and steady", "not_family": "false"}
    page = client.post(path(link), data=answer).get_data(as_text=True)
    assert "Tick to confirm you are not related to them" in page and "Kind and steady" in page
    db.session.refresh(application)
    assert application.referees[0].received_at is None
