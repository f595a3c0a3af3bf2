"""Password hashing (argon2id) and the password rules: length, not common, nothing else."""
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return _hasher_for(cfg["PASSWORD_HASH_TIME_COST"], cfg["PASSWORD_HASH_MEMORY_COST"], cfg["PASSWORD_HASH_PARALLELISM"])


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the stored hash is weaker than today's parameters."""
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


# A constant dummy hash so a login for an unknown e-mail costs the same time as a real one.
def dummy_verify(password: str) -> None:
    verify_password(_dummy_hash(), password)


def _dummy_hash() -> str:
    cfg = current_app.config
    return _dummy_for(cfg["PASSWORD_HASH_TIME_COST"], cfg["PASSWORD_HASH_MEMORY_COST"], cfg["PASSWORD_HASH_PARALLELISM"])


@lru_cache(maxsize=4)
def _dummy_for(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher_for(time_cost, memory_cost, parallelism).hash("not-a-real-password")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords from zxcvbn's lists (long enough to be allowed by length)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why a new password is refused, in plain words, or None if it is fine (NIST 800-63B rules)."""
    cfg = current_app.config
    if len(password) < cfg["PASSWORD_MIN_LENGTH"]:
        return f"Password must be {cfg['PASSWORD_MIN_LENGTH']} characters or more"
    if len(password) > cfg["PASSWORD_MAX_LENGTH"]:
        return f"Password must be {cfg['PASSWORD_MAX_LENGTH']} characters or fewer"
    lowered = password.lower()
    if lowered in common_passwords():
        return "That password is too common. Choose one that is harder to guess, like three random words"
    if email and lowered == email.lower():
        return "Password must not be the same as your e-mail address"
    if len(set(password)) < 3:
        return "Password must not be one or two characters repeated"
    return None
