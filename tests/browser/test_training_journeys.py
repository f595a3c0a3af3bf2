"""Browser journeys for training: schedule, book, waitlist and promotion, the phone register, the record."""
import re
from datetime import date, timedelta
from datetime import time as datetime_time

from playwright.sync_api import expect
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.training.models import TrainingSession
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.training.factories import load_catalogue


def _sign_in(tab, user):
    browser_sign_in(tab, user.email, DEFAULT_PASSWORD)
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Hello")


def _book(tab, user, assert_accessible, button="Book a place"):
    _sign_in(tab, user)
    tab.get_by_role("link", name="Book training").click()
    expect(tab.get_by_role("heading", name="Training sessions")).to_be_visible()
    assert_accessible(tab, "catalogue")
    tab.get_by_role("link", name="Taster day").first.click()
    assert_accessible(tab, "session page")
    tab.get_by_role("button", name=button).click()


def test_schedule_book_waitlist_promote_mark_and_record(page, new_page, phone_page, assert_accessible, smtp):
    load_catalogue()
    coordinator = make_user("coordinator", name="Cora Coordinator")
    trainer = make_user("trainer", name="Tom Trainer")
    ann, ben, cat = (make_user("volunteer", name=n) for n in ("Ann Archer", "Ben Baker", "Cat Carter"))
    db.session.commit()

    # A coordinator schedules a taster day with two seats.
    _sign_in(page, coordinator)
    page.get_by_role("link", name="Schedule a session").first.click()
    assert_accessible(page, "schedule form")
    day = date.today() + timedelta(days=14)
    page.get_by_label("Course").select_option(label="Taster day")
    date_group = page.get_by_role("group", name="Date", exact=True)
    date_group.get_by_label("Day").fill(str(day.day))
    date_group.get_by_label("Month", exact=True).fill(str(day.month))
    date_group.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Start time").fill("10am")
    page.get_by_label("End time").fill("3:30pm")
    page.get_by_label("Venue").select_option(label="Darlington Community Hub (Darlington)")
    page.get_by_label("Seats", exact=True).fill("2")
    page.get_by_label("Tom Trainer").check()
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_text("Taster day is scheduled and open for booking.")).to_be_visible()
    expect(page.get_by_text("10am to 3:30pm")).to_be_visible()
    assert_accessible(page, "new session")

    # Two volunteers take the seats; the third joins the waiting list.
    tabs = {}
    for person, button in ((ann, "Book a place"), (ben, "Book a place"), (cat, "Join the waiting list")):
        tabs[person.email] = tab = new_page()
        _book(tab, person, assert_accessible, button)
    expect(tabs[ann.email].get_by_text("You are booked.")).to_be_visible()
    expect(tabs[cat.email].get_by_text("you are on the waiting list")).to_be_visible()
    assert_accessible(tabs[cat.email], "waitlisted")

    # Ann cancels; Cat is promoted and e-mailed.
    tabs[ann.email].get_by_role("button", name="Cancel my booking").click()  # a link that looks like a button
    tabs[ann.email].get_by_role("button", name="Yes, cancel my place").click()
    expect(tabs[ann.email].get_by_text("Your booking is cancelled.")).to_be_visible()
    tabs[cat.email].reload()
    expect(tabs[cat.email].get_by_text("Booked", exact=True)).to_be_visible()
    assert "You now have a place" in smtp.last(cat.email)["Subject"]

    # The day comes: the session has run. The trainer marks the register on a phone.
    db.session.expire_all()
    item = db.session.scalar(select(TrainingSession))
    item.starts_at = utcnow() - timedelta(hours=6)
    item.ends_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    _sign_in(phone_page, trainer)
    phone_page.goto("/training/teaching")
    assert_accessible(phone_page, "teaching list")
    phone_page.get_by_role("link", name="Register").first.click()
    expect(phone_page.get_by_role("heading", name="Register: Taster day")).to_be_visible()
    assert_accessible(phone_page, "register on a phone")
    phone_page.get_by_role("group", name="Cat Carter").get_by_label("Late").check()
    phone_page.get_by_role("button", name="Save register").click()
    expect(phone_page.locator(".govuk-error-summary")).to_contain_text("Enter how many minutes Cat Carter missed")
    phone_page.get_by_label("Minutes Cat Carter missed").fill("10")  # within the 15 minutes that still count
    phone_page.get_by_role("button", name="Save register").click()
    expect(phone_page.get_by_text("Register saved (1 change).")).to_be_visible()
    phone_page.get_by_role("button", name="Mark everyone not yet marked as present").click()
    expect(phone_page.get_by_text("1 person marked present.")).to_be_visible()
    expect(phone_page.get_by_text("Marked late (missed 10 minutes) by Tom Trainer")).to_be_visible()
    assert_accessible(phone_page, "register after marking")
    # Someone turns up without booking: the trainer finds her by name (nobody is listed until then).
    make_user("volunteer", name="Wendy Walkin")
    phone_page.reload()
    expect(phone_page.get_by_text("Wendy Walkin")).to_have_count(0)
    phone_page.get_by_label("Their name").fill("wend")
    phone_page.get_by_role("button", name="Find").click()
    phone_page.get_by_label("Volunteer").select_option(label="Wendy Walkin")
    assert_accessible(phone_page, "walk-in found by name")
    phone_page.get_by_role("button", name="Add to the register").click()
    expect(phone_page.get_by_text("Wendy Walkin is added to the register and marked present.")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375

    # The completions appear on the volunteers' records.
    cat_tab = tabs[cat.email]
    cat_tab.goto("/training/record")
    expect(cat_tab.get_by_role("cell", name="Taster day")).to_be_visible()
    expect(cat_tab.get_by_role("cell", name="Does not expire")).to_be_visible()
    assert_accessible(cat_tab, "training record")
    assert not cat_tab.console_errors


def test_volunteer_passes_an_online_knowledge_check(page, assert_accessible):
    load_catalogue()
    volunteer = make_user("volunteer", name="Dev Online")
    db.session.commit()
    _sign_in(page, volunteer)
    page.goto("/training/courses/gdpr-induction")
    assert_accessible(page, "online course")
    page.get_by_role("button", name="Start the course").click()
    for lesson in ("What personal data is", "Only what you need", "Sharing and confidentiality", "When things go wrong"):
        expect(page.get_by_role("heading", name=lesson)).to_be_visible()
        assert_accessible(page, lesson)
        page.get_by_role("link", name=re.compile(r"^(Next|Knowledge check)")).click()
    expect(page.get_by_role("heading", name="Knowledge check")).to_be_visible()
    assert_accessible(page, "knowledge check")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("link", name="Answer question 1")).to_be_visible()
    assert_accessible(page, "knowledge check errors")
    answers = ["A client's mental health diagnosis", "Your mentoring partner and your coordinator",
               "Tell your coordinator the same day", "Tell your coordinator straight away",
               "By their reference code, or first name only"]
    for answer in answers:
        page.get_by_label(answer).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("You passed")).to_be_visible()
    assert_accessible(page, "passed")
    page.get_by_role("link", name="See your training record").click()
    expect(page.get_by_role("cell", name="GDPR and confidentiality induction", exact=True)).to_be_visible()


def test_staff_pages_are_accessible(page, phone_page, assert_accessible):
    from app.training import services
    from tests.training.factories import make_session, make_volunteer

    coordinator = make_user("coordinator", name="Cora Coordinator", areas=["Durham"])
    trainer = make_user("trainer", name="Tom Trainer")
    item = make_session("taster-day", trainers=[trainer])
    volunteer = make_volunteer("taster-day", name="Vic Volunteer", areas=["Durham"])  # in the coordinator's area
    services.book_session(make_session("grow-model", trainers=[trainer],
                                       starts_at=utcnow() + timedelta(days=3)), volunteer)
    db.session.commit()
    _sign_in(page, coordinator)
    for url, heading in [("/training/manage", "Training sessions"), ("/training/venues", "Venues"),
                         ("/training/venues/new", "Add a venue"), (f"/training/sessions/{item.id}/edit", "Change the session"),
                         (f"/training/sessions/{item.id}/cancel", "Cancel the session"),
                         (f"/training/sessions/{item.id}/register", "Register: Taster day"),
                         (f"/training/people/{volunteer.id}", "Vic Volunteer's training"),
                         ("/training/courses/adult-safeguarding-level-1", "Adult safeguarding (level 1, accredited)")]:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page, url)
    page.goto("/training/sessions/new")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("link", name="Enter the session date")).to_be_visible()
    assert_accessible(page, "schedule form with errors")
    page.goto("/training/venues/new")
    page.get_by_role("button", name="Save venue").click()
    expect(page.get_by_role("link", name="Enter the venue's name")).to_be_visible()
    assert_accessible(page, "venue form with errors")
    _sign_in(phone_page, trainer)
    assert_accessible(phone_page, "trainer home on a phone")
    phone_page.goto("/training/teaching")
    phone_page.get_by_role("button", name="Get my calendar feed").click()
    expect(phone_page.get_by_text("Your calendar feed is ready.")).to_be_visible()
    assert_accessible(phone_page, "teaching with feed")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375


def test_applicant_finds_a_taster_day_on_the_month_calendar_and_books_it(phone_page, browser, live_server,
                                                                         assert_accessible):
    from app.applications.rules import Status
    from app.timefmt import london_to_utc, today_london
    from app.training import rules
    from tests.applications.factories import make_application
    from tests.training.factories import make_session

    load_catalogue()
    first = rules.shift_month(today_london().replace(day=1), 1)
    day = first + timedelta(days=9)
    make_session("taster-day", starts_at=london_to_utc(day, datetime_time(9, 30)))
    applicant = make_application(status=Status.SUBMITTED, user=make_user("applicant", name="Ana Applicant")).user
    db.session.commit()
    label = f"{day:%A} {day.day} {day:%B}"

    _sign_in(phone_page, applicant)
    phone_page.goto("/training/sessions")
    phone_page.get_by_role("link", name="Show sessions on a month calendar").click()
    phone_page.get_by_label("Month", exact=True).select_option(f"{first:%Y-%m}")
    phone_page.get_by_role("button", name="Show calendar").click()
    expect(phone_page.get_by_text(label)).to_be_visible()  # on a phone: a list of the days with sessions
    quiet = first + timedelta(days=10)
    expect(phone_page.get_by_text(f"{quiet:%A} {quiet.day} {quiet:%B}", exact=True)).to_be_hidden()
    assert_accessible(phone_page, "calendar on a phone")
    phone_page.get_by_role("button", name="Largest text size").click()
    expect(phone_page.get_by_text(label)).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(phone_page, "calendar on a phone, largest text")
    phone_page.get_by_role("link", name=re.compile("Taster day")).click()
    phone_page.get_by_role("button", name="Book a place").click()
    expect(phone_page.get_by_text("You are booked")).to_be_visible()

    # On a desktop, without JavaScript: a real table, one column per weekday, and the filter still works.
    context = browser.new_context(base_url=live_server, java_script_enabled=False, viewport={"width": 1280, "height": 900})
    desk = context.new_page()
    _sign_in(desk, make_user("volunteer", name="Val Volunteer"))
    desk.goto("/training/sessions/calendar")
    desk.get_by_label("Month", exact=True).select_option(f"{first:%Y-%m}")
    desk.get_by_label("Course").select_option("taster-day")
    desk.get_by_role("button", name="Show calendar").click()
    expect(desk.get_by_role("columnheader", name="Monday")).to_be_visible()
    expect(desk.get_by_role("table")).to_contain_text("Taster day")
    url = desk.url
    context.close()
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    desk = context.new_page()  # axe needs JavaScript
    _sign_in(desk, make_user("volunteer", name="Viv Volunteer"))
    desk.goto(url)
    assert_accessible(desk, "calendar on a desktop")
    context.close()


def test_a_busy_day_on_the_calendar_links_to_all_its_sessions(phone_page, browser, live_server, assert_accessible):
    """A day with more sessions than a cell shows: the first few, then a link to that day's list (paged), which
    works without JavaScript on a desktop and is accessible on a phone."""
    from app.timefmt import london_to_utc, today_london
    from app.training import rules
    from tests.training.factories import make_session

    load_catalogue()
    first = rules.shift_month(today_london().replace(day=1), 1)
    day = first + timedelta(days=11)
    trainer = make_user("trainer")
    for n in range(6):
        make_session("taster-day", starts_at=london_to_utc(day, datetime_time(9 + n)), trainers=[trainer], commit=False)
    db.session.commit()
    label = f"{day:%A} {day.day} {day:%B}"

    context = browser.new_context(base_url=live_server, java_script_enabled=False, viewport={"width": 1280, "height": 900})
    desk = context.new_page()
    _sign_in(desk, make_user("volunteer", name="Val Volunteer"))
    desk.goto(f"/training/sessions/calendar?month={first:%Y-%m}")
    cell = desk.get_by_role("cell", name=re.compile(label))
    expect(cell.get_by_role("link", name=re.compile("Taster day"))).to_have_count(3)
    cell.get_by_role("link", name=f"See all 6 sessions on {label}").click()
    expect(desk.get_by_text(f"6 sessions on {label} {day:%Y}.")).to_be_visible()
    expect(desk.locator(".cpm-card")).to_have_count(6)
    desk.get_by_role("link", name="Show sessions on every day").click()
    expect(desk.get_by_text(f"6 sessions on {label}")).to_be_hidden()
    context.close()

    _sign_in(phone_page, make_user("volunteer", name="Vic Volunteer"))
    phone_page.goto(f"/training/sessions/calendar?month={first:%Y-%m}")
    assert_accessible(phone_page, "a busy day on the calendar on a phone")
    phone_page.get_by_role("link", name=f"See all 6 sessions on {label}").click()
    expect(phone_page.get_by_text(f"6 sessions on {label} {day:%Y}.")).to_be_visible()
    assert_accessible(phone_page, "one day's sessions on a phone")


def test_coordinator_records_training_done_elsewhere_on_a_phone(phone_page, assert_accessible):
    """From a volunteer's training record: a course done with another organisation, from the evidence seen."""
    load_catalogue()
    coordinator = make_user("coordinator", areas=["Durham"])
    volunteer = make_user("volunteer", name="Esme Elsewhere", areas=["Durham"])
    _sign_in(phone_page, coordinator)
    phone_page.goto(f"/training/people/{volunteer.id}")
    phone_page.get_by_role("link", name="Record training done elsewhere").click()
    assert_accessible(phone_page, "training done elsewhere")
    phone_page.get_by_label("Course it counts as").select_option(label="Adult safeguarding (level 1, accredited)")
    phone_page.get_by_label("Who ran it").fill("Durham County Council")
    phone_page.get_by_label("Day").fill("3")
    phone_page.get_by_label("Month").fill("2")
    phone_page.get_by_label("Year").fill("2099")
    phone_page.get_by_label("Evidence you saw").fill("Original certificate, number 4471")
    phone_page.get_by_role("button", name="Record training").click()
    expect(phone_page.locator(".govuk-error-summary")).to_contain_text("today or in the past")
    assert_accessible(phone_page, "training done elsewhere, with an error")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.get_by_label("Year").fill("2026")
    phone_page.get_by_role("button", name="Record training").click()
    expect(phone_page.get_by_text("Training recorded for Esme Elsewhere.")).to_be_visible()
    expect(phone_page.get_by_text("done elsewhere: Durham County Council")).to_be_visible()


def test_a_two_day_course_is_completed_when_both_registers_are_marked_on_a_phone(phone_page, new_page, assert_accessible):
    """Recovery coach runs over two days, each with its own register: the record shows it once both are marked."""
    from app.training import services
    from tests.training.factories import make_completion, make_session, make_volunteer

    load_catalogue()
    trainer = make_user("trainer", name="Tess Trainer")
    volunteer = make_volunteer("taster-day", name="Rhys Recovery")
    make_completion(volunteer, "adult-safeguarding-level-1", date.today() - timedelta(days=30))
    start = utcnow().replace(microsecond=0, second=0) + timedelta(days=3)
    day_one = make_session("recovery-coach", starts_at=start, trainers=[trainer])
    day_two = make_session("recovery-coach", starts_at=start + timedelta(days=1), trainers=[trainer])
    day_two.part = 2
    for item in (day_one, day_two):
        services.book_session(item, volunteer)
    now = utcnow().replace(microsecond=0)
    day_one.starts_at, day_one.ends_at = now - timedelta(hours=30), now - timedelta(hours=24)
    day_two.starts_at, day_two.ends_at = now - timedelta(hours=8), now - timedelta(hours=2)
    db.session.commit()
    ids = (day_one.id, day_two.id)
    trainer_email, volunteer_email = trainer.email, volunteer.email
    db.session.remove()

    browser_sign_in(phone_page, trainer_email, DEFAULT_PASSWORD)
    for session_id, heading in zip(ids, ("part 1 of 2", "part 2 of 2"), strict=True):
        phone_page.goto(f"/training/sessions/{session_id}/register")
        expect(phone_page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(phone_page, f"register, {heading}")
        phone_page.get_by_role("group", name="Rhys Recovery").get_by_label("Present").check()
        phone_page.get_by_role("button", name="Save register").click()
        expect(phone_page.get_by_text("Register saved (1 change).")).to_be_visible()
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375

    own = new_page(phone=True)
    browser_sign_in(own, volunteer_email, DEFAULT_PASSWORD)
    own.goto("/training/record")
    expect(own.locator("td[data-label='Course']", has_text="Recovery coach (all addictions)")).to_be_visible()
    assert_accessible(own, "record after a two-day course")
