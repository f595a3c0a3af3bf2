"""Pure rules for accounts: how long a sign-in must wait after failures."""
from datetime import timedelta


def sign_in_delay(failures: int, free: int, first: timedelta, longest: timedelta) -> timedelta:
    """The wait before the next sign-in attempt to one account from one address, after `failures` failed ones.

    The first `free` failures cost nothing; from then on each failure doubles the wait, from `first` up to
    `longest`. (A stranger's failures come from their address, so they never slow the owner down.)"""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 32)  # 2**32 * any sensible first delay is far past any longest
    return min(first * 2 ** doublings, longest)


def wait_in_words(wait: timedelta) -> str:
    """A wait said plainly, rounded up: "30 seconds", "1 minute", "15 minutes", "2 hours"."""
    seconds = max(1, -(-(wait // timedelta(microseconds=1)) // 1_000_000))  # whole microseconds, rounded up
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = -(-minutes // 60)
    return f"{hours} hours"
