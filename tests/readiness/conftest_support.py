"""Stand-in for the safer-recruitment vetting records, shared by readiness tests and browser journeys."""
from datetime import timedelta

from app.readiness import queries, rules
from app.timefmt import today_london

SKIPS: dict[int, set[str]] = {}  # volunteer id -> gate codes left undone (make_ready_volunteer fills it)


def patch_vetting_extras(monkeypatch) -> dict:
    """Replace the adapter: identity checked and self-declaration made, unless the volunteer skipped them."""
    SKIPS.clear()
    skips = SKIPS

    def extras(ids):
        today = today_london()
        found = {}
        for i in ids:
            skip = skips.get(i, set())
            found[i] = (None if "identity" in skip else today - timedelta(days=55),
                        rules.SelfDeclaration.NOT_RECORDED if "self-declaration" in skip else rules.SelfDeclaration.MADE)
        return found

    monkeypatch.setattr(queries, "_vetting_extras", extras)
    return skips
