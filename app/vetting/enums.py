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
        return _DBSLEVEL_RANKS[self]


class Workforce(Labelled):
    ADULT = "adult"
    CHILD = "child"
    # "both" (not "child_and_adult") because the column holds 10 characters and widening it on SQLite would
    # copy the table, and the copy would cascade-delete its decisions and status checks.
    CHILD_AND_ADULT = "both"
    OTHER = "other"

    def covers(self, required: "Workforce") -> bool:
        """A child-and-adult check covers an adult or a child requirement; otherwise only the same workforce."""
        return self == required or (self == Workforce.CHILD_AND_ADULT and required in (Workforce.ADULT, Workforce.CHILD))


class JoinRoute(Labelled):
    """How the holder joined the DBS Update Service, which sets the window they had to join in."""
    CERTIFICATE = "certificate"
    APPLICATION = "application"


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
        return _NPPVLEVEL_RANKS[self]


class NppvOutcome(Labelled):
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ReminderKind(Labelled):
    DBS_RECHECK = "dbs_recheck"
    STATUS_CHECK = "status_check"
    NPPV_EXPIRY = "nppv_expiry"
    NPPV_REVIEW = "nppv_review"


class ChangeKind(Labelled):
    """Changes of circumstances a clearance holder reports to the force (aftercare), as codes only."""
    NAME = "name"
    ADDRESS = "address"
    HOUSEHOLD = "household"
    RELATIONSHIP = "relationship"
    FINANCES = "finances"
    POLICE_CONTACT = "police_contact"
    # Values never equal another vocabulary's (the labels are keyed by value): not "other".
    OTHER = "something_else"


class ReviewOutcome(Labelled):
    CONTINUES = "continues"
    WITHDRAWN = "ended"  # not "withdrawn", which is NppvOutcome's


class IdRoute(Labelled):
    """The DBS identity-checking routes, by the documents seen."""
    ROUTE_1 = "route_1"
    ROUTE_2 = "route_2"
    ROUTE_3 = "route_3"


LABELS = {
    DbsLevel.ENHANCED_BARRED: "Enhanced with barred lists",
    Workforce.ADULT: "Adult workforce",
    Workforce.CHILD: "Child workforce",
    Workforce.CHILD_AND_ADULT: "Child and adult workforce",
    Workforce.OTHER: "Other workforce",
    JoinRoute.CERTIFICATE: "With the certificate number (within 30 days of issue)",
    JoinRoute.APPLICATION: "With the application form reference (within 28 days of applying)",
    IdRoute.ROUTE_1: "Route 1",
    IdRoute.ROUTE_2: "Route 2",
    IdRoute.ROUTE_3: "Route 3",
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
    ReminderKind.NPPV_REVIEW: "Police vetting review",
    ChangeKind.NAME: "Change of name",
    ChangeKind.ADDRESS: "Change of address",
    ChangeKind.HOUSEHOLD: "Someone new living at home",
    ChangeKind.RELATIONSHIP: "New partner or relationship",
    ChangeKind.FINANCES: "Financial circumstances",
    ChangeKind.POLICE_CONTACT: "Arrest, charge, caution or conviction",
    ChangeKind.OTHER: "Something else the force should know",
    ReviewOutcome.CONTINUES: "The force confirmed the clearance continues",
    ReviewOutcome.WITHDRAWN: "The force withdrew the clearance",
}


class IdDocument(Labelled):
    """Identity documents from the DBS ID checking guidelines, by group (1, 2a, 2b). The value starts with the group."""
    PASSPORT = "g1_passport"
    BIOMETRIC_PERMIT = "g1_biometric_permit"
    PHOTO_LICENCE_UK = "g1_photo_licence"
    BIRTH_CERTIFICATE_AT_BIRTH = "g1_birth_cert"
    ADOPTION_CERTIFICATE = "g1_adoption_cert"
    PAPER_LICENCE_UK = "g2a_paper_licence"
    PHOTO_LICENCE_OTHER = "g2a_photo_licence"
    BIRTH_CERTIFICATE_LATER = "g2a_birth_cert_later"
    MARRIAGE_CERTIFICATE = "g2a_marriage_cert"
    FORCES_ID = "g2a_forces_id"
    FIREARMS_LICENCE = "g2a_firearms"
    MORTGAGE_STATEMENT = "g2b_mortgage"
    BANK_STATEMENT = "g2b_bank_statement"
    UTILITY_BILL = "g2b_utility_bill"
    COUNCIL_TAX = "g2b_council_tax"
    BENEFIT_STATEMENT = "g2b_benefit_statement"
    P45_P60 = "g2b_p45_p60"

    @property
    def group(self) -> str:
        """'1', '2a' or '2b'."""
        return self.value.split("_", 1)[0][1:]


LABELS.update({
    IdDocument.PASSPORT: "Passport (any current)",
    IdDocument.BIOMETRIC_PERMIT: "Biometric residence permit (UK)",
    IdDocument.PHOTO_LICENCE_UK: "Photocard driving licence (UK, Isle of Man, Channel Islands)",
    IdDocument.BIRTH_CERTIFICATE_AT_BIRTH: "Birth certificate (UK, issued within 12 months of birth)",
    IdDocument.ADOPTION_CERTIFICATE: "Adoption certificate (UK)",
    IdDocument.PAPER_LICENCE_UK: "Paper driving licence (UK, issued before 1998)",
    IdDocument.PHOTO_LICENCE_OTHER: "Photocard driving licence (other countries)",
    IdDocument.BIRTH_CERTIFICATE_LATER: "Birth certificate (UK, issued later than 12 months after birth)",
    IdDocument.MARRIAGE_CERTIFICATE: "Marriage or civil partnership certificate (UK)",
    IdDocument.FORCES_ID: "HM Forces ID card (UK)",
    IdDocument.FIREARMS_LICENCE: "Firearms licence (UK)",
    IdDocument.MORTGAGE_STATEMENT: "Mortgage statement (UK, last 12 months)",
    IdDocument.BANK_STATEMENT: "Bank or building society statement (last 3 months)",
    IdDocument.UTILITY_BILL: "Utility bill (UK, last 3 months, not mobile phone)",
    IdDocument.COUNCIL_TAX: "Council tax statement (UK, last 12 months)",
    IdDocument.BENEFIT_STATEMENT: "Benefit statement (last 3 months)",
    IdDocument.P45_P60: "P45 or P60 (UK, last 12 months)",
})


# Each level's place in its order (asked for every record of every person on a list or in an export).
_DBSLEVEL_RANKS = {level: n for n, level in enumerate(DbsLevel)}
_NPPVLEVEL_RANKS = {level: n for n, level in enumerate(NppvLevel)}
