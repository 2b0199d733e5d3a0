import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from fede.core.models import AuditEntry
from fede.organization.models import Role, Unit
from fede.organization.tests.factories import (
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)
from fede.website import demo
from fede.website.models import JoinRequest, NewsPost, Page

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=1))


@pytest.mark.parametrize(
    "day",
    [
        datetime.datetime(2026, 1, 2, 9, 0, tzinfo=PARIS),
        datetime.datetime(2028, 2, 29, 12, 0, tzinfo=PARIS),
    ],
    ids=lambda d: d.date().isoformat(),
)
def test_demo_loads_idempotently_on_any_day(day, client):
    with time_machine.travel(day, tick=False):
        federation = make_federation(code="FED75")
        for code in {row[0] for row in demo.JOIN_REQUESTS}:
            make_section(federation, name=f"Paris {code}", code=code, presentation="")
        demo.load(stdout=io.StringIO())
        counts = (NewsPost.objects.count(), Page.objects.count(), JoinRequest.objects.count())
        assert counts == (len(demo.NEWS), 4, len(demo.JOIN_REQUESTS))
        assert JoinRequest.objects.filter(section__code="S75-11-1", status="pending").count() == 2
        assert not Unit.objects.sections().filter(presentation="").exists()
        html = client.get(reverse("website:news_list")).content.decode()
        assert "Rentrée des sections" in html
        demo.load(stdout=io.StringIO())
        assert (
            NewsPost.objects.count(),
            Page.objects.count(),
            JoinRequest.objects.count(),
        ) == counts


def test_the_federation_writes_and_publishes_a_post(client, site):
    client.force_login(site["first"])
    response = client.post(
        reverse("website:news_create"),
        {
            "unit": site["paris"].pk,
            "title": "Grande réunion publique",
            "slug": "",
            "summary": "",
            "body": "Venez !",
        },
    )
    assert response.status_code == 302
    post = NewsPost.objects.get()
    assert post.slug == "grande-reunion-publique" and post.status == "draft"
    assert client.get(post.get_absolute_url()).status_code == 404
    client.post(reverse("website:news_publish", args=[post.pk]), {"publish": "1"})
    client.logout()
    assert "Venez !" in client.get(post.get_absolute_url()).content.decode()
    client.force_login(site["first"])
    client.post(
        reverse("website:news_edit", args=[post.pk]),
        {
            "title": "Grande réunion publique",
            "slug": post.slug,
            "summary": "Le 12",
            "body": "Venez !",
        },
    )
    entry = AuditEntry.objects.get(code="website.news_update")
    assert entry.changes == {"summary": ["", "Le 12"]}


def test_a_section_secretary_may_not_publish_and_lyon_cannot_edit_paris(client, site):
    client.force_login(site["sec11"])
    assert client.get(reverse("website:manage")).status_code == 403
    lyon_first = make_officer(site["lyon"], Role.FIRST_SECRETARY, section=site["l1"])
    client.force_login(site["first"])
    client.post(
        reverse("website:page_create"),
        {
            "unit": site["paris"].pk,
            "title": "Contact",
            "slug": "contact",
            "summary": "",
            "body": "x",
            "order": 10,
        },
    )
    page = Page.objects.get()
    client.force_login(lyon_first)
    assert client.get(reverse("website:page_edit", args=[page.pk])).status_code == 404
    client.force_login(make_member_user(site["p11"]))
    assert client.get(reverse("website:manage")).status_code == 403
