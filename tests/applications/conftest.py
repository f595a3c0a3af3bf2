import pytest


@pytest.fixture
def request_ctx(app):
    """A request context, for calling services that build external links (e-mails) directly."""
    with app.test_request_context():
        yield
