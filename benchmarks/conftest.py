"""Benchmarks reuse the test fixtures; run with `make benchmark` (not part of `make test`)."""
from tests.conftest import *  # noqa: F401,F403
