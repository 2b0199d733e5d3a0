"""Test-wide fixtures. Settings switch to test mode before Django loads them."""

import pytest


@pytest.fixture(autouse=True)
def _empty_process_caches():
    """Every test starts and ends with the per-process caches empty (``fede.core.memo``):
    a value kept by one test must not show in the next one."""
    from fede.core.memo import clear_all

    clear_all()
    yield
    clear_all()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test land in its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def user_factory(db):
    from django.contrib.auth import get_user_model

    def make(email="someone@example.org", password="correct horse battery", **extra):
        return get_user_model().objects.create_user(email=email, password=password, **extra)

    return make
