import pytest

from tests.readiness.conftest_support import patch_vetting_extras


@pytest.fixture(autouse=True)
def vetting_extras(monkeypatch):
    """Identity checks and self-declarations as the safer-recruitment records will give them (see
    app/readiness/queries.py `_vetting_extras`): made for everyone, except what a test's volunteer skips."""
    return patch_vetting_extras(monkeypatch)
