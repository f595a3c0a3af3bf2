"""Loading the course catalogue from courses/<code>.toml and venues from policy/venues.toml.

Every file is read and checked before anything is written, so a bad file loads nothing.
"""
import re
import tomllib
from pathlib import Path

from sqlalchemy import select

from app.core.models import Area
from app.errors import DomainError
from app.extensions import db
from app.training.models import Course, Venue

DELIVERY_MODES = {"face_to_face", "online", "remote"}
CODE_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class CatalogueError(DomainError):
    """A course or venue file that cannot be loaded: names the file, the field and what is wrong."""

    def __init__(self, path: Path, field: str, problem: str):
        super().__init__(f"{path.name}: {field}: {problem}")
        self.path, self.field, self.problem = path, field, problem


def _require(data: dict, path: Path, field: str, kind: type, *, optional: bool = False, label: str | None = None):
    value = data.get(field)
    field = label or field
    if value is None:
        if optional:
            return None
        raise CatalogueError(path, field, "is missing")
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise CatalogueError(path, field, f"must be {_KIND_WORDS[kind]}")
    if kind is str and not value.strip():
        raise CatalogueError(path, field, "must not be empty")
    return value


_KIND_WORDS = {str: "text", int: "a whole number", bool: "true or false", list: "a list", dict: "a table"}


def _text_list(data: dict, path: Path, field: str, *, allow_empty: bool) -> list[str]:
    items = _require(data, path, field, list)
    if not allow_empty and not items:
        raise CatalogueError(path, field, "needs at least one entry")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise CatalogueError(path, field, "every entry must be non-empty text")
    return [i.strip() for i in items]


def _positive(data: dict, path: Path, field: str, *, optional: bool = False) -> int | None:
    value = _require(data, path, field, int, optional=optional)
    if value is not None and value <= 0:
        raise CatalogueError(path, field, "must be more than 0")
    return value


def read_course_file(path: Path) -> dict:
    """Parse and check one course file, returning the values for a Course row."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(path, "file", f"is not valid TOML ({exc})") from exc
    code = _require(data, path, "code", str)
    if not CODE_PATTERN.match(code):
        raise CatalogueError(path, "code", "must be lower-case letters, digits and hyphens, like gdpr-induction")
    if code != path.stem:
        raise CatalogueError(path, "code", f"is {code!r} but the file is named {path.name}; they must match")
    delivery = _text_list(data, path, "delivery", allow_empty=False)
    unknown = sorted(set(delivery) - DELIVERY_MODES)
    if unknown:
        raise CatalogueError(path, "delivery", f"has {', '.join(unknown)}; use face_to_face, online or remote")
    course = {
        "code": code,
        "title": _require(data, path, "title", str).strip(),
        "summary": _require(data, path, "summary", str).strip(),
        "outcomes": _text_list(data, path, "outcomes", allow_empty=False),
        "duration_minutes": _positive(data, path, "duration_minutes"),
        "delivery_modes": delivery,
        "default_capacity": _positive(data, path, "default_capacity"),
        "prerequisites": _text_list(data, path, "prerequisites", allow_empty=True) if "prerequisites" in data else [],
        "validity_months": _positive(data, path, "validity_months", optional=True),
        "parts": _positive(data, path, "parts", optional=True) or 1,
        "certifies": bool(_require(data, path, "certifies", bool)),
        "accredited": bool(_require(data, path, "accredited", bool, optional=True) or False),
        "open_to_applicants": bool(_require(data, path, "open_to_applicants", bool, optional=True) or False),
        "position": _require(data, path, "position", int, optional=True) or 0,
        "online": _read_online(data, path, delivery),
        **_read_certificate_fields(data, path),
    }
    if course["parts"] > 10:
        raise CatalogueError(path, "parts", "must be between 1 and 10")
    if course["parts"] > 1 and course["online"]:
        raise CatalogueError(path, "parts", "a self-paced online course cannot be in parts")
    if code in course["prerequisites"]:
        raise CatalogueError(path, "prerequisites", "a course cannot be its own prerequisite")
    from app.training.policy import unknown_policy_words

    texts = [course["summary"], *course["outcomes"], *(lesson["body"] for lesson in (course["online"] or {}).get("lessons", []))]
    missing = [word for text in texts for word in unknown_policy_words(text)]
    if missing:
        raise CatalogueError(path, "text", f"refers to {', '.join(missing)}, which no policy file holds")
    return course


def _read_certificate_fields(data: dict, path: Path) -> dict:
    """What a certificate needs: accrediting body and number (accredited courses only), hours and version."""
    accredited = bool(data.get("accredited"))
    body = _bounded_text(data, path, "accrediting_body", 200)
    number = _bounded_text(data, path, "accreditation_number", 80)
    if accredited and not (body and number):
        raise CatalogueError(path, "accrediting_body" if not body else "accreditation_number",
                             "is missing: an accredited course names its accrediting body and accreditation number")
    if not accredited and (body or number):
        raise CatalogueError(path, "accredited", "must be true when the course names an accrediting body or number")
    hours = data.get("hours")
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 1000):
        raise CatalogueError(path, "hours", "must be a number of hours from 0.25 to 1000, like 6 or 3.5")
    minutes = None if hours is None else round(hours * 60)
    if minutes is not None and minutes < 15:
        raise CatalogueError(path, "hours", "must be a number of hours from 0.25 to 1000, like 6 or 3.5")
    version = _bounded_text(data, path, "version", 40) or "1"
    return {"accrediting_body": body, "accreditation_number": number, "learning_minutes": minutes,
            "course_version": version}


def _bounded_text(data: dict, path: Path, field: str, limit: int) -> str | None:
    value = _require(data, path, field, str, optional=True)
    if value is not None and len(value.strip()) > limit:
        raise CatalogueError(path, field, f"must be {limit} characters or fewer")
    return value.strip() if value is not None else None


def _read_online(data: dict, path: Path, delivery: list[str]) -> dict | None:
    online = _require(data, path, "online", dict, optional=True)
    if online is None:
        return None
    if "online" not in delivery:
        raise CatalogueError(path, "online", "lessons need 'online' in delivery")
    lessons = online.get("lessons")
    if not isinstance(lessons, list) or not lessons:
        raise CatalogueError(path, "online.lessons", "needs at least one lesson")
    for n, lesson in enumerate(lessons, 1):
        for key in ("title", "body"):
            if not isinstance(lesson.get(key), str) or not lesson[key].strip():
                raise CatalogueError(path, f"online.lessons[{n}].{key}", "is missing")
    check = online.get("check")
    if not isinstance(check, dict):
        raise CatalogueError(path, "online.check", "is missing: self-paced courses end with a knowledge check")
    pass_mark = check.get("pass_mark")
    if not isinstance(pass_mark, int) or isinstance(pass_mark, bool) or not 1 <= pass_mark <= 100:
        raise CatalogueError(path, "online.check.pass_mark", "must be a percentage from 1 to 100")
    questions = check.get("questions") or []
    if not questions:
        raise CatalogueError(path, "online.check.questions", "needs at least one question")
    return {"lessons": [{"title": lsn["title"].strip(), "body": lsn["body"].strip()} for lsn in lessons],
            "check": {"pass_mark": pass_mark, "questions": [_read_question(q, path, n)
                                                            for n, q in enumerate(questions, 1)]}}


def _read_question(question: dict, path: Path, n: int) -> dict:
    field = f"online.check.questions[{n}]"
    if not isinstance(question.get("question"), str) or not question["question"].strip():
        raise CatalogueError(path, f"{field}.question", "is missing")
    options = question.get("options")
    if not isinstance(options, list) or len(options) < 2 or not all(isinstance(o, str) and o.strip() for o in options):
        raise CatalogueError(path, f"{field}.options", "needs at least two non-empty options")
    answer = question.get("answer")
    if not isinstance(answer, int) or isinstance(answer, bool) or not 1 <= answer <= len(options):
        raise CatalogueError(path, f"{field}.answer", f"must be the number of the right option, 1 to {len(options)}")
    # Files count options from 1 for the people who edit them; the portal counts from 0.
    return {"question": question["question"].strip(), "options": [o.strip() for o in options], "answer": answer - 1}


def read_catalogue(folder: Path) -> list[dict]:
    """Read and check every course file in the folder, including that prerequisites name real courses."""
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise CatalogueError(folder, "folder", "has no course files (*.toml)")
    courses = [read_course_file(p) for p in paths]
    codes = {c["code"] for c in courses}
    for path, course in zip(paths, courses, strict=True):
        unknown = [p for p in course["prerequisites"] if p not in codes]
        if unknown:
            raise CatalogueError(path, "prerequisites", f"names {', '.join(unknown)}, which is not a course file")
    return courses


def sync_courses(folder: Path) -> tuple[int, int, int]:
    """Add and update courses from the folder; retire courses whose file is gone. Returns (added, updated, retired)."""
    courses = read_catalogue(folder)
    existing = {c.code: c for c in db.session.scalars(select(Course))}
    added = updated = 0
    for values in courses:
        course = existing.pop(values["code"], None)
        if course is None:
            db.session.add(Course(active=True, **values))
            added += 1
            continue
        changed = {k: v for k, v in values.items() if getattr(course, k) != v}
        if changed or not course.active:
            for key, value in changed.items():
                setattr(course, key, value)
            course.active = True
            updated += 1
    retired = 0
    for course in existing.values():
        if course.active:
            course.active = False
            retired += 1
    db.session.flush()
    return added, updated, retired


def read_venues(path: Path) -> list[dict]:
    """Read and check policy/venues.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(path, "file", f"cannot be read ({exc})") from exc
    venues = []
    for n, item in enumerate(data.get("venue", []), 1):
        venues.append({key: _require(item, path, key, str, label=f"venue[{n}].{key}") for key in ("name", "address", "area")}
                      | {"access_notes": item.get("access_notes", "")})
    return venues


def sync_venues(path: Path) -> int:
    """Add venues listed in the file that the database lacks (coordinators' edits are kept). Returns how many."""
    venues = read_venues(path)
    areas = {a.name: a for a in db.session.scalars(select(Area))}
    known = set(db.session.scalars(select(Venue.name)))
    for n, item in enumerate(venues, 1):
        if item["area"] not in areas:
            raise CatalogueError(path, f"venue[{n}].area", f"{item['area']!r} is not one of the scheme's areas")
    added = 0
    for item in venues:
        if item["name"] in known:
            continue
        db.session.add(Venue(name=item["name"], address=item["address"].strip(), area=areas[item["area"]],
                             access_notes=item["access_notes"].strip()))
        added += 1
    db.session.flush()
    return added
