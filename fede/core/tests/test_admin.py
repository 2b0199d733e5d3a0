"""In the admin, the access log can be read but never written or erased."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from fede.core.models import AccessLog

from .factories import AccessLogFactory, TaskProgressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    """A superuser with two-factor authentication on, as production requires."""
    admin = django_user_model.objects.create_superuser(
        email="root@example.org", password="correct horse battery"
    )
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={})
    client.force_login(admin)
    return client


def test_access_log_is_listed(staff_client, django_assert_max_num_queries):
    AccessLogFactory.create_batch(15)
    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("admin:core_accesslog_changelist"))
    assert response.status_code == 200
    assert "Adhérents de la section Paris 11" in response.content.decode()


def test_access_log_cannot_be_added_changed_or_deleted(staff_client):
    entry = AccessLogFactory()
    assert staff_client.get(reverse("admin:core_accesslog_add")).status_code == 403

    change_url = reverse("admin:core_accesslog_change", args=[entry.pk])
    page = staff_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    staff_client.post(change_url, {"what": "falsifié"})
    entry.refresh_from_db()
    assert entry.what == "Adhérents de la section Paris 11"

    delete_url = reverse("admin:core_accesslog_delete", args=[entry.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_task_progress_is_listed(staff_client, django_assert_max_num_queries):
    TaskProgressFactory.create_batch(15)
    with django_assert_max_num_queries(7):
        response = staff_client.get(reverse("admin:core_taskprogress_changelist"))
    assert response.status_code == 200
    assert "Import des adhérents" in response.content.decode()
