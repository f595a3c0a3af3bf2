"""The stages of the volunteer pipeline, in order, and their words. Each is decided in SQL (app/people/queries.py);
a person is at the furthest stage they have reached:

- applied:  sent an application (any application with a sent date);
- accepted: an application accepted;
- vetted:   accepted, and both checks current today: a DBS certificate issued within the recheck period
            (policy/vetting.toml [dbs] recheck_years) that is clear or has an approved decision (confirmed, where a
            decision needs a manager's confirmation), and police vetting granted that has not expired;
- trained:  vetted, and every course gate in policy/readiness.toml completed and not expired today;
- released: released to client work now (MentorStanding.status = released);
- active:   released and in at least one pair that has not ended.

These are the list's stages, for finding people; whether someone may be released is still decided by every gate
on their readiness page (references, identity, agreement, induction and the rest).
"""
import enum


class Stage(enum.StrEnum):
    NONE = "none"
    APPLIED = "applied"
    ACCEPTED = "accepted"
    VETTED = "vetted"
    TRAINED = "trained"
    RELEASED = "released"
    ACTIVE = "active"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS = {
    Stage.NONE: "Not applied yet",
    Stage.APPLIED: "Applied",
    Stage.ACCEPTED: "Accepted",
    Stage.VETTED: "Vetted",
    Stage.TRAINED: "Trained",
    Stage.RELEASED: "Released",
    Stage.ACTIVE: "Active in pairs",
}
PIPELINE = [Stage.APPLIED, Stage.ACCEPTED, Stage.VETTED, Stage.TRAINED, Stage.RELEASED, Stage.ACTIVE]
PER_PAGE = 25
