"""Training policy from policy/training.toml: register windows and the recertification window."""
from app.core.policy import current_policy
from app.training import rules


def policy() -> rules.TrainingPolicy:
    """The training policy from policy/training.toml (re-read when the file changes)."""
    return current_policy("training.toml", rules.parse_policy)
