"""Pure rules for applications: the state machine, policy, and field checks. No database, no request."""
import enum
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.core.policy import current_policy
from app.errors import DomainError


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    REFERENCES_REQUESTED = "references_requested"
    CHAT_BOOKED = "chat_booked"
    CHAT_HELD = "chat_held"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.DRAFT: "Not yet sent",
    Status.SUBMITTED: "Received",
    Status.IN_REVIEW: "In review",
    Status.REFERENCES_REQUESTED: "References requested",
    Status.CHAT_BOOKED: "Chat booked",
    Status.CHAT_HELD: "Chat held",
    Status.ACCEPTED: "Accepted",
    Status.DECLINED: "Not accepted",
    Status.WITHDRAWN: "Withdrawn",
}

TERMINAL = frozenset({Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN})
OPEN = frozenset(Status) - TERMINAL - {Status.DRAFT}


class Action(enum.StrEnum):
    SUBMIT = "submit"
    START_REVIEW = "start_review"
    REQUEST_REFERENCES = "request_references"
    BOOK_CHAT = "book_chat"
    RECORD_CHAT = "record_chat"
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"


S = Status
# The whole state machine: (from status, action) -> new status. Anything not listed is refused.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (S.DRAFT, Action.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Action.START_REVIEW): S.IN_REVIEW,
    (S.IN_REVIEW, Action.REQUEST_REFERENCES): S.REFERENCES_REQUESTED,
    (S.IN_REVIEW, Action.BOOK_CHAT): S.CHAT_BOOKED,
    (S.IN_REVIEW, Action.RECORD_CHAT): S.CHAT_HELD,
    (S.REFERENCES_REQUESTED, Action.BOOK_CHAT): S.CHAT_BOOKED,
    (S.REFERENCES_REQUESTED, Action.RECORD_CHAT): S.CHAT_HELD,
    (S.CHAT_BOOKED, Action.RECORD_CHAT): S.CHAT_HELD,
    (S.CHAT_BOOKED, Action.REQUEST_REFERENCES): S.CHAT_BOOKED,
    (S.CHAT_BOOKED, Action.BOOK_CHAT): S.CHAT_BOOKED,
    (S.CHAT_HELD, Action.REQUEST_REFERENCES): S.CHAT_HELD,
    (S.CHAT_HELD, Action.ACCEPT): S.ACCEPTED,
    **{(s, Action.DECLINE): S.DECLINED for s in (S.SUBMITTED, S.IN_REVIEW, S.REFERENCES_REQUESTED, S.CHAT_BOOKED, S.CHAT_HELD)},
    **{(s, Action.WITHDRAW): S.WITHDRAWN for s in (S.DRAFT, *OPEN)},
}


class ApplicationError(DomainError):
    """An application action that is not allowed; the message is shown to the person."""


class IllegalTransition(ApplicationError):
    """An action that the application's current status does not allow."""


class NotDecider(ApplicationError):
    """A decision by someone who is not the area coordinator (nor a manager)."""


def next_status(current: Status, action: Action) -> Status:
    """The status after `action`, or IllegalTransition if the state machine has no such edge."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise IllegalTransition(f"You cannot {action.value.replace('_', ' ')} an application that is {current.label.lower()}.") from None


def allowed_actions(current: Status) -> frozenset[Action]:
    """Every action the state machine allows from `current`."""
    return frozenset(action for (status, action) in TRANSITIONS if status == current)


def accept_blockers(reference_outcomes: list[bool | None], chat_held: bool) -> list[str]:
    """Why an application cannot be accepted yet (empty when it can)."""
    problems = []
    if len(reference_outcomes) < 2 or any(o is None for o in reference_outcomes):
        problems.append("Record whether both references are satisfactory")
    elif not all(reference_outcomes):
        problems.append("A reference was not satisfactory")
    if not chat_held:
        problems.append("Record the informal chat")
    return problems


# ------------------------------------------------------------------ policy

@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    family: bool = False


@dataclass(frozen=True)
class Policy:
    minimum_age: int
    reference_link_days: int
    availability: tuple[Choice, ...]
    lived_experience: tuple[Choice, ...]
    relationship: tuple[Choice, ...]
    decline_reason: tuple[Choice, ...]
    chat_outcome: tuple[Choice, ...]

    def label(self, kind: str, value: str | None) -> str:
        """The label for a stored value, or the value itself if the policy has since dropped it."""
        return next((c.label for c in getattr(self, kind) if c.value == value), value or "")


def parse_policy(data: dict, path: Path | None = None) -> Policy:
    lists = {k: tuple(Choice(**c) for c in data[k])
             for k in ("availability", "lived_experience", "relationship", "decline_reason", "chat_outcome")}
    return Policy(minimum_age=int(data["minimum_age"]), reference_link_days=int(data["reference_link_days"]), **lists)


def policy() -> Policy:
    """The scheme's application policy from policy/applications.toml (re-read when the file changes)."""
    return current_policy("applications.toml", parse_policy)


# ------------------------------------------------------------------ field checks

def age_on(born: date, on: date) -> int:
    """Whole years old on a day (someone born on 29 February turns a year older on 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


POSTCODE_RE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})$")


def normalise_postcode(text: str) -> str | None:
    """'dh1 3le' -> 'DH1 3LE'; None when it is not a UK postcode."""
    compact = re.sub(r"\s+", "", (text or "").upper())
    if not POSTCODE_RE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def normalise_phone(text: str) -> str | None:
    """A UK phone number as 11 digits starting 0 ('+44 7700 900982' -> '07700900982'); None if not one."""
    digits = re.sub(r"[\s\-()]", "", text or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].removeprefix("0")
    # Mobiles (07) and 02/03 numbers have 11 digits; a few 01 area numbers have 10.
    if re.fullmatch(r"0[237]\d{9}", digits) or re.fullmatch(r"01\d{8,9}", digits):
        return digits
    return None
