"""Training pages for volunteers: the catalogue, sessions, booking, online courses, the training record."""
from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.actions import perform
from app.auth.models import Role
from app.core.models import Area
from app.db_types import utcnow
from app.extensions import db
from app.forms import ActionForm
from app.navigation import register_nav
from app.pagination import govuk_pagination, page_number
from app.permissions import person_in_scope, public, roles_required
from app.timefmt import to_london, today_london
from app.training import calendar, queries, rules, services, services_registers
from app.training.cli import courses_cli, training_cli
from app.training.forms import (
    CatalogueFilterForm,
    ExternalCompletionForm,
    knowledge_check_form,
    month_choices,
)
from app.training.models import Booking, BookingStatus, CalendarFeed, Course
from app.training.policy import policy_words

bp = Blueprint("training", __name__, url_prefix="/training")
bp.add_app_template_filter(policy_words, "policy_words")  # {policy:...} in course text: the value in force
bp.record_once(lambda state: (state.app.cli.add_command(courses_cli), state.app.cli.add_command(training_cli)))
register_nav("Training", "training.catalogue", Role.VOLUNTEER, Role.APPLICANT, order=30)
register_nav("Your training", "training.record", Role.VOLUNTEER, Role.APPLICANT, order=31)

# Applicants see the catalogue and may book a taster day (courses with open_to_applicants) once they have applied.
LEARNERS = (Role.VOLUNTEER, Role.APPLICANT, Role.TRAINER, Role.COORDINATOR, Role.MANAGER, Role.ADMIN)
BOOKERS = (Role.VOLUNTEER, Role.APPLICANT)


def _filter_form(extra_month: str | None = None) -> tuple[CatalogueFilterForm, list[Course], dict]:
    """The course / area / month filter shared by the list and the calendar, and its valid values.

    The calendar always shows one month (extra_month, already checked), so that replaces whatever was asked for.
    """
    courses = list(db.session.scalars(select(Course).where(Course.active.is_(True)).order_by(Course.position)))
    args = request.args.copy()
    if extra_month:
        args["month"] = extra_month
    form = CatalogueFilterForm(args)
    form.course.choices = [("", "All courses")] + [(c.code, c.title) for c in courses]
    form.area.choices = [("", "All areas")] + [(str(a.id), a.name) for a in
                                               db.session.scalars(select(Area).order_by(Area.position))]
    months = month_choices(today_london())
    if extra_month and extra_month not in dict(months):
        months.append((extra_month, datetime.strptime(extra_month, "%Y-%m").strftime("%B %Y")))
    form.month.choices = [("", "Any month")] + months
    return form, courses, (form.data if form.validate() else {})


@bp.route("/sessions")
@roles_required(*LEARNERS)
def catalogue():
    """Upcoming sessions by course, area and month (or one day, from the calendar), with seats left."""
    day = rules.parse_day(request.args.get("day"))
    form, courses, filters = _filter_form(f"{day:%Y-%m}" if day else None)
    query = queries.catalogue_sessions(utcnow(), filters.get("course"), int(filters.get("area") or 0) or None,
                                       filters.get("month"), day)
    pager = db.paginate(query, page=page_number(), per_page=25, error_out=False)
    mine = queries.my_bookings_for(current_user, [s.id for s in pager.items])
    return render_template("training/catalogue.html", form=form, pager=pager, mine=mine, courses=courses, day=day,
                           pagination=govuk_pagination(pager, "training.catalogue"),
                           every_day_args={k: v for k, v in request.args.items() if k in ("course", "area")},
                           calendar_args={k: v for k, v in request.args.items() if k in ("course", "area", "month")}
                           | ({"month": f"{day:%Y-%m}"} if day else {}))


@bp.route("/sessions/calendar")
@roles_required(*LEARNERS)
def month_calendar():
    """Upcoming sessions on a month calendar (a table; a list of days on a phone), with seats left. A busy day
    shows its first few sessions and a link to the list of all of them, so the page is the same size in any month."""
    today = today_london()
    first = rules.parse_month(request.args.get("month"), today)
    form, _, filters = _filter_form(f"{first:%Y-%m}")
    now, course, area = utcnow(), filters.get("course"), int(filters.get("area") or 0) or None
    counts = queries.calendar_day_counts(now, first, course, area)
    sessions = queries.calendar_first_sessions(now, first, course, area) if counts else []
    by_day: dict = {}
    for item in sessions:
        by_day.setdefault(to_london(item.starts_at).date(), []).append(item)
    keep = {k: v for k, v in request.args.items() if k in ("course", "area")}
    earlier, later = rules.shift_month(first, -1), rules.shift_month(first, 1)
    return render_template("training/calendar.html", form=form, first=first, weeks=rules.month_weeks(first),
                           by_day=by_day, day_counts=counts, count=sum(counts.values()), today=today, keep=keep,
                           mine=queries.my_bookings_for(current_user, [s.id for s in sessions]),
                           earlier=earlier if earlier >= today.replace(day=1) else None, later=later)


@bp.route("/courses/<code>")
@roles_required(*LEARNERS)
def course(code):
    """A course's summary, outcomes and upcoming sessions, or its lessons if it is self-paced."""
    item = queries.get_course_or_404(code)
    sessions = db.session.scalars(queries.catalogue_sessions(utcnow(), course_code=code).limit(20)).all()
    current = services.current_completions(current_user, today_london())
    prerequisites = queries.prerequisite_courses(item)
    missing = [c for c in prerequisites if c.code not in current]
    return render_template("training/course.html", course=item, sessions=sessions, done=current.get(code),
                           prerequisites=prerequisites, missing=missing)


@bp.route("/sessions/<int:session_id>")
@roles_required(*LEARNERS)
def session(session_id):
    """One session: when, where, seats left, and your booking."""
    item = queries.get_session_or_404(session_id)
    booking = queries.my_bookings_for(current_user, [item.id]).get(item.id)
    verdict = services.eligibility(item, current_user) if booking is None else None
    return render_template("training/session.html", session=item, booking=booking, verdict=verdict,
                           form=ActionForm(), can_manage=item.can_manage(current_user),
                           started=item.phase() is rules.Phase.STARTED)


@bp.route("/sessions/<int:session_id>/book", methods=["POST"])
@roles_required(*BOOKERS)
def book(session_id):
    """Book a place, or join the waiting list when it is full."""
    item = queries.get_session_or_404(session_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = perform(services.book_session, item, current_user)
    outcome.flash(outcome.ok and (
        "You are booked. We have e-mailed you a calendar invitation." if outcome.value.status is BookingStatus.BOOKED
        else "The session is full, so you are on the waiting list. We will e-mail you if a place comes up."))
    return redirect(url_for("training.session", session_id=item.id))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@roles_required(*BOOKERS)
def cancel_booking(booking_id):
    """Give up your place or leave the waiting list, after a page that asks to be sure (works without JavaScript)."""
    booking = db.get_or_404(Booking, booking_id)
    if booking.user_id != current_user.id:
        abort(404)
    form = ActionForm()
    if request.method == "GET":
        return render_template("training/cancel_booking.html", booking=booking, form=form)
    if not form.validate_on_submit():
        abort(400)
    waiting = booking.status is BookingStatus.WAITLISTED
    perform(services.cancel_booking, booking, current_user).flash(
        "You have left the waiting list." if waiting else "Your booking is cancelled.")
    return redirect(url_for("training.session", session_id=booking.session_id))


@bp.route("/sessions/<int:session_id>/calendar.ics")
@roles_required(*LEARNERS)
def session_ics(session_id):
    """Download a session as a calendar file."""
    item = queries.get_session_or_404(session_id)
    booking = queries.my_bookings_for(current_user, [item.id]).get(item.id)
    with_link = item.can_manage(current_user) or (booking is not None and booking.status is BookingStatus.BOOKED)
    return Response(calendar.session_file(item, with_link=with_link), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="training-session-{item.id}.ics"'})


@bp.route("/record")
@roles_required(Role.VOLUNTEER, Role.APPLICANT)
def record():
    """Your training record: completions, upcoming bookings and what to do next. Applicants have one too: the
    taster day they came to (booked, or added on the day by a trainer) shows here."""
    return _record_page(current_user, own=True)


def _record_page(person, own: bool):
    today = today_london()
    feed = services.feed_for(person, create=False) if own else None
    bookings = queries.upcoming_bookings(person, utcnow())
    from app.certificates import queries as certificates

    return render_template("training/record.html", person=person, own=own, today=today,
                           certificates=certificates.live_by_completion(person),
                           share=certificates.share_of(person) if own else None,
                           refresh_from=today + services.policy().recertify_window,
                           completions=services.completions_of(person), bookings=bookings,
                           mine={b.session_id: b for b in bookings},
                           next_steps=queries.next_steps(person, today, bookings), feed=feed, form=ActionForm(),
                           can_record_external=not own and current_user.has_role(Role.COORDINATOR))


@bp.route("/people/<int:user_id>")
@roles_required(Role.COORDINATOR, Role.MANAGER)
def person_record(user_id):
    """A volunteer's training record, for coordinators (people in their areas) and managers."""
    from app.auth.models import User

    person = db.get_or_404(User, user_id)
    if not person_in_scope(current_user, person):
        abort(404)
    return _record_page(person, own=False)


@bp.route("/people/<int:user_id>/done-elsewhere", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def external_completion(user_id):
    """Record training a volunteer did elsewhere, from the evidence seen (never a copy of it)."""
    from app.auth.models import User

    person = db.get_or_404(User, user_id)
    if not person_in_scope(current_user, person):
        abort(404)
    form = ExternalCompletionForm()
    form.course.choices = [(c.id, c.title) for c in queries.active_courses()]
    if form.validate_on_submit():
        outcome = perform(services_registers.record_external_completion, person, db.get_or_404(Course, form.course.data),
                          provider=form.provider.data, completed_on=form.completed_on.data,
                          evidence=form.evidence.data, by=current_user)
        if outcome.flash(f"Training recorded for {person.display_name}."):
            return redirect(url_for("training.person_record", user_id=person.id))
    return render_template("training/external_completion.html", form=form, person=person)


@bp.route("/calendar-feed", methods=["POST"])
@roles_required(Role.VOLUNTEER, Role.TRAINER)
def new_feed():
    """Make (or remake, with a new address) your private calendar feed."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if services.feed_for(current_user, create=False) is None:
        perform(services.feed_for, current_user).flash("Your calendar feed is ready. Copy its address into your calendar app.")
    else:
        perform(services.regenerate_feed, current_user).flash(
            "Your calendar feed has a new address. The old address no longer works.")
    return redirect(request.form.get("next") if request.form.get("next", "").startswith("/training/")
                    else url_for("training.record"))


@bp.route("/calendar/<token>.ics")
@public
def feed(token):
    """A person's private calendar feed: the random token is the key, and it carries session details only."""
    row = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if row is None:
        abort(404)
    from app.auth.models import User

    person = db.session.get(User, row.user_id)
    if not person.is_active:
        abort(404)
    body = calendar.feed(queries.feed_sessions(person), "Community Peer Mentors training")
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=900"})


# ------------------------------------------------------------------ self-paced online courses

def _online_course_or_404(code: str) -> Course:
    item = queries.get_course_or_404(code)
    if not item.self_paced:
        abort(404)
    return item


@bp.route("/courses/<code>/lessons/<int:number>")
@roles_required(Role.VOLUNTEER)
def lesson(code, number):
    """One lesson page of a self-paced course."""
    item = _online_course_or_404(code)
    if not 1 <= number <= len(item.lessons):
        abort(404)
    return render_template("training/lesson.html", course=item, number=number, lesson=item.lessons[number - 1])


@bp.route("/courses/<code>/check", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def knowledge_check(code):
    """The knowledge check at the end of a self-paced course; passing records a completion."""
    item = _online_course_or_404(code)
    form = knowledge_check_form(item.check["questions"], formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        answers = {n: field.data for n, field in enumerate(form.questions)}
        outcome = perform(services_registers.submit_knowledge_check, item, current_user, answers)
        if not outcome:
            flash(outcome.message, "error")
            return redirect(url_for("training.knowledge_check", code=item.code))
        score, completion = outcome.value
        return render_template("training/check_result.html", course=item, score=score, completion=completion)
    return render_template("training/check.html", course=item, form=form)


from app.training import views_staff  # noqa: E402,F401  (registers the staff pages on bp)


@bp.app_template_global("training_home_sessions")
def training_home_sessions(user) -> list:
    """The next three sessions a trainer teaches, for their home page."""
    return queries.taught_sessions(user, utcnow(), limit=3)


@bp.app_template_global("training_home_summary")
def training_home_summary(user) -> dict:
    """A volunteer's next booking and next course, for their home page."""
    bookings = queries.upcoming_bookings(user, utcnow())
    return {"next_booking": bookings[0] if bookings else None,
            "next_steps": queries.next_steps(user, today_london(), bookings)}
