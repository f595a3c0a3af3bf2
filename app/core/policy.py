"""The scheme's policy files (policy/*.toml): read with clear errors, cached until the file changes."""
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


class PolicyFileError(Exception):
    """A policy file that cannot be used, with where and why."""


def read_policy_file(path: Path | str) -> dict:
    """The parsed TOML of a policy file; a missing or malformed file raises PolicyFileError naming it."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyFileError(f"{path}: {exc}") from exc


_cache: dict[str, tuple[float, object]] = {}


def current_policy(name: str, parse: Callable[[dict, Path], T]) -> T:
    """policy/<name> under POLICY_DIR, parsed by `parse(data, path)`; re-read only when the file changes."""
    path = Path(current_app.config["POLICY_DIR"]) / name
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise PolicyFileError(f"{path}: {exc}") from exc
    key = str(path)
    cached = _cache.get(key)
    if cached is None or cached[0] != mtime:
        cached = _cache[key] = (mtime, parse(read_policy_file(path), path))
    return cached[1]
