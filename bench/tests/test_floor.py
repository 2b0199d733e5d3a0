"""The floor of the benchmark: a trivial page behind the login."""

from django.urls import reverse


def test_floor_needs_a_login(client):
    """An anonymous visitor is sent to the login page."""
    response = client.get(reverse("core:ping"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_floor_answers_a_logged_in_user(client, user_factory, django_assert_max_num_queries):
    """A logged-in user gets a tiny uncached text answer, in a handful of queries."""
    client.force_login(user_factory())
    with django_assert_max_num_queries(4):
        response = client.get(reverse("core:ping"))
    assert response.status_code == 200
    assert response.content == b"pong"
    assert "no-cache" in response["Cache-Control"]
