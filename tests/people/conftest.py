import pytest

from tests.readiness.conftest_support import patch_vetting_extras


@pytest.fixture(autouse=True)
def vetting_extras(monkeypatch):
    """Identity and self-declaration for make_ready_volunteer's people (see tests/readiness/conftest.py)."""
    return patch_vetting_extras(monkeypatch)
