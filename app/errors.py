"""The one base class of every refusal a person can meet: its message is shown to them as it is."""


class DomainError(Exception):
    """An action refused in the record's current state (an illegal transition, a rule not met, a duplicate)."""

    def describe(self) -> str:
        return str(self)
