"""The fixed vocabularies of vetting: DBS levels, workforces, outcomes, police vetting levels."""
import enum


class Labelled(enum.StrEnum):
    """An enum whose members carry a plain-English label."""

    @property
    def label(self) -> str:
        return LABELS.get(self, self.value.replace("_", " ").capitalize())


class DbsLevel(Labelled):
    BASIC = "basic"
    STANDARD = "standard"
    ENHANCED = "enhanced"
    ENHANCED_BARRED = "enhanced_barred"

    @property
    def rank(self) -> int:
        return list(DbsLevel).index(self)


class Workforce(Labelled):
    ADULT = "adult"
    CHILD = "child"
    OTHER = "other"


class DbsOutcome(Labelled):
    CLEAR = "clear"
    DISCLOSED = "disclosed"


class Decision(Labelled):
    APPROVED = "approved"
    DECLINED = "declined"


class StatusOutcome(Labelled):
    NO_CHANGE = "no_change"
    CHANGED = "changed"
    NO_SUBSCRIPTION = "no_subscription"


class NppvLevel(Labelled):
    NPPV1 = "nppv1"
    NPPV2_ABBREVIATED = "nppv2_abbreviated"
    NPPV2_FULL = "nppv2_full"
    NPPV3 = "nppv3"

    @property
    def rank(self) -> int:
        return list(NppvLevel).index(self)


class NppvOutcome(Labelled):
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ReminderKind(Labelled):
    DBS_RECHECK = "dbs_recheck"
    STATUS_CHECK = "status_check"
    NPPV_EXPIRY = "nppv_expiry"


LABELS = {
    DbsLevel.ENHANCED_BARRED: "Enhanced with barred lists",
    Workforce.ADULT: "Adult workforce",
    Workforce.CHILD: "Child workforce",
    Workforce.OTHER: "Other workforce",
    DbsOutcome.CLEAR: "Clear",
    DbsOutcome.DISCLOSED: "Information disclosed",
    StatusOutcome.NO_CHANGE: "No change",
    StatusOutcome.CHANGED: "Changed: new information",
    StatusOutcome.NO_SUBSCRIPTION: "No active subscription",
    NppvLevel.NPPV1: "NPPV1 (premises)",
    NppvLevel.NPPV2_ABBREVIATED: "NPPV2 (abbreviated)",
    NppvLevel.NPPV2_FULL: "NPPV2 (full)",
    NppvLevel.NPPV3: "NPPV3",
    ReminderKind.DBS_RECHECK: "DBS recheck",
    ReminderKind.STATUS_CHECK: "Update Service status check",
    ReminderKind.NPPV_EXPIRY: "Police vetting expiry",
}
