"""The public pages as a visitor sees them: home, news, pages, directory, section page,
map, sitemap and robots."""

import datetime
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from fede.core.models import OutgoingMail
from fede.events.models import Event
from fede.events.tests.factories import EventFactory, in_days
from fede.organization.models import Territory
from fede.organization.tests.factories import make_member_user
from fede.website import selectors

from .conftest import NOW, publish_news, publish_page

pytestmark = pytest.mark.django_db


# --- Home ------------------------------------------------------------------------------------


def test_home_shows_news_public_events_finder_and_join_call(
    client, site, django_assert_num_queries
):
    publish_news(site, "rentree", title="Rentrée des sections", at=NOW)
    publish_news(site, "brouillon", title="Brouillon secret", publish=False)
    publish_news(
        site, "plus-tard", title="Annonce future", at=timezone.now() + datetime.timedelta(days=2)
    )
    EventFactory(
        organiser=site["p11"],
        title="Réunion publique logement",
        start=in_days(3, 19),
        end=in_days(3, 21),
        visibility=Event.Visibility.PUBLIC,
    )
    EventFactory(
        organiser=site["p11"],
        title="Réunion interne",
        start=in_days(3, 19),
        end=in_days(3, 21),
        visibility=Event.Visibility.MEMBERS,
    )
    EventFactory(
        organiser=site["p11"],
        title="Réunion passée",
        start=in_days(-3, 19),
        end=in_days(-3, 21),
        visibility=Event.Visibility.PUBLIC,
    )
    publish_page(site, "mentions-legales", title="Mentions légales")
    with django_assert_num_queries(3):  # news, events, footer pages
        response = client.get(reverse("website:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rentrée des sections" in html
    assert "Brouillon secret" not in html and "Annonce future" not in html
    assert "Réunion publique logement" in html
    assert "Réunion interne" not in html and "Réunion passée" not in html
    assert "Trouver ma section" in html and reverse("website:join") in html
    assert "Mentions légales" in html  # footer pages
    assert "votes internes" not in html and "journal" not in html.lower()
    assert '<meta name="description"' in html and 'property="og:title"' in html
    assert "favicon.svg" in html
    assert "Se connecter" in html


def test_logged_in_users_get_their_member_home(client, site):
    user = make_member_user(site["p11"])
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "vous êtes connecté·e avec" in html
    assert "Raccourcis" in html or "Trouver ma section" not in html


# --- News and pages --------------------------------------------------------------------------


def test_news_list_paginates_published_posts_only(client, site, django_assert_num_queries):
    for n in range(12):
        publish_news(
            site,
            f"post-{n}",
            title=f"Actualité numéro {n:02d}",
            at=NOW + datetime.timedelta(hours=n),
        )
    publish_news(site, "draft", title="Brouillon", publish=False)
    with django_assert_num_queries(3):
        response = client.get(reverse("website:news_list"))
    html = response.content.decode()
    assert "Actualité numéro 11" in html and "Actualité numéro 02" in html
    assert "Actualité numéro 01" not in html  # page 2
    assert "Brouillon" not in html
    page2 = client.get(reverse("website:news_list"), {"page": 2}).content.decode()
    assert "Actualité numéro 01" in page2 and "Actualité numéro 00" in page2


def test_a_draft_post_is_404_and_a_published_one_renders_markdown(client, site):
    draft = publish_news(site, "projet", publish=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    post = publish_news(site, "publie", body="Un texte <script>alert(1)</script> **important**")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<strong>important</strong>" in html and "<script>alert" not in html
    assert 'property="og:type" content="article"' in html


def test_pages_draft_404_published_shown(client, site):
    page = publish_page(site, "qui-sommes-nous", title="Qui sommes-nous ?")
    draft = publish_page(site, "confidentialite", publish=False)
    assert "Qui sommes-nous ?" in client.get(page.get_absolute_url()).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404


# --- Sections directory and page -------------------------------------------------------------


def test_directory_groups_by_arrondissement_and_sector(client, site, django_assert_num_queries):
    with django_assert_num_queries(2):  # sections, footer pages
        html = client.get(reverse("website:sections")).content.decode()
    assert "11e arrondissement" in html and "Transports" in html
    assert "Paris 11 – Folie-Méricourt" in html and "Section RATP" in html


@pytest.mark.parametrize(
    "params,shown,hidden",
    [
        ({"q": "75011"}, ["Folie-Méricourt", "Roquette"], ["Auteuil", "RATP"]),
        ({"q": "75116"}, ["Auteuil"], ["Roquette"]),
        ({"q": "11e"}, ["Roquette"], ["Auteuil"]),
        ({"q": "roquette"}, ["Roquette"], ["Folie-Méricourt"]),
        ({"arrondissement": "16"}, ["Auteuil"], ["Roquette"]),
        ({"secteur": "transport"}, ["RATP"], ["Roquette"]),
    ],
)
def test_directory_filters(client, site, params, shown, hidden):
    html = client.get(reverse("website:sections"), params).content.decode()
    for name in shown:
        assert name in html
    for name in hidden:
        assert name not in html


def test_section_page_shows_presentation_place_and_public_events(
    client, site, django_assert_num_queries
):
    p11 = site["p11"]
    EventFactory(
        organiser=p11,
        title="Débat sur les écoles",
        start=in_days(5, 19),
        end=in_days(5, 21),
        visibility=Event.Visibility.PUBLIC,
    )
    EventFactory(
        organiser=site["p16"],
        title="Débat ailleurs",
        start=in_days(5, 19),
        end=in_days(5, 21),
        visibility=Event.Visibility.PUBLIC,
    )
    with django_assert_num_queries(3):
        response = client.get(reverse("website:section", args=[p11.pk]))
    html = response.content.decode()
    assert "<strong>active</strong>" in html and "12 rue Oberkampf" in html
    assert "Débat sur les écoles" in html and "Débat ailleurs" not in html
    assert "secretaire11@example.org" not in html
    assert client.get(reverse("website:section", args=[site["paris"].pk])).status_code == 404


def test_contact_form_reaches_officers_without_showing_them(client, site):
    url = reverse("website:section_contact", args=[site["p11"].pk])
    data = {
        "name": "Jeanne",
        "email": "jeanne@example.org",
        "message": "Quand vous réunissez-vous ?",
    }
    response = client.post(url, data, follow=True)
    assert "Votre message est transmis à la section." in response.content.decode()
    assert "secretaire11@example.org" not in response.content.decode()
    (sent,) = OutgoingMail.objects.all()
    assert sent.to == ["secretaire11@example.org"] and sent.reply_to == ["jeanne@example.org"]
    assert "Quand vous réunissez-vous ?" in sent.body
    [html] = sent.alternatives
    assert html["mimetype"] == "text/html" and "Quand vous réunissez-vous ?" in html["content"]
    # A section with a public contact address gets the message there.
    client.post(reverse("website:section_contact", args=[site["p16"].pk]), data)
    assert OutgoingMail.objects.latest("pk").to == ["auteuil@example.org"]


def test_contact_form_honeypot_writes_nothing(client, site):
    url = reverse("website:section_contact", args=[site["p11"].pk])
    data = {"name": "Bot", "email": "bot@example.org", "message": "Spam", "site_web": "http://spam"}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert OutgoingMail.objects.count() == 0 and mail.outbox == []


def test_contact_form_is_rate_limited(client, site):
    url = reverse("website:section_contact", args=[site["p11"].pk])
    data = {"name": "Jeanne", "email": "jeanne@example.org", "message": "Bonjour"}
    for _ in range(5):
        assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 429
    assert "Trop de messages envoyés depuis cette connexion" in response.content.decode()
    assert OutgoingMail.objects.count() == 5


# --- Map --------------------------------------------------------------------------------------


def test_map_has_one_link_per_arrondissement_with_a_text_list(client, site):
    html = client.get(reverse("website:map")).content.decode()
    for number in (11, 16):
        link = f"{reverse('website:sections')}?arrondissement={number}"
        assert html.count(f'href="{link}"') == 2  # the area on the map, the list below
    assert html.count("<path ") == 2
    assert "2 sections" in html


REAL = (
    Path(settings.BASE_DIR).parent / "shared" / "data" / "paris" / "paris_arrondissements.geojson"
)


@pytest.mark.skipif(not REAL.is_file(), reason="Données ouvertes de Paris absentes.")
def test_map_of_the_real_arrondissements(client, db):
    from fede.organization.territories import arrondissements_import

    arrondissements_import(path=REAL)
    shapes, height = selectors.arrondissement_map()
    assert [s.number for s in shapes] == list(range(1, 21))
    assert 300 < height < 700
    html = client.get(reverse("website:map")).content.decode()
    assert html.count("<path ") == 20
    assert all(f'?arrondissement={n}"' in html for n in range(1, 21))
    # Every point lies inside the viewBox.
    for shape in shapes:
        numbers = [
            float(v)
            for part in shape.path.replace("M", " ").replace("L", " ").replace("Z", " ").split()
            for v in part.split(",")
        ]
        assert all(-1 <= v <= max(selectors.MAP_WIDTH, height) + 1 for v in numbers)


def test_map_without_geometry_says_so(client, db):
    Territory.objects.create(kind=Territory.Kind.ARRONDISSEMENT, code="75101", name="1er", number=1)
    html = client.get(reverse("website:map")).content.decode()
    assert "La carte n'est pas encore disponible." in html


# --- Sitemap, robots ---------------------------------------------------------------------------


def test_sitemap_lists_published_news_pages_and_sections_but_no_draft(client, site):
    post = publish_news(site, "publiee")
    draft = publish_news(site, "cachee", publish=False)
    page = publish_page(site, "contact")
    draft_page = publish_page(site, "brouillon", publish=False)
    response = client.get(reverse("website:sitemap"))
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response, parsed as any sitemap reader would
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {el.text for el in root.findall("s:url/s:loc", ns)}
    assert f"http://testserver{post.get_absolute_url()}" in locs
    assert f"http://testserver{page.get_absolute_url()}" in locs
    assert f"http://testserver{reverse('website:section', args=[site['p11'].pk])}" in locs
    assert f"http://testserver{draft.get_absolute_url()}" not in locs
    assert f"http://testserver{draft_page.get_absolute_url()}" not in locs


def test_robots_txt(client, db):
    response = client.get("/robots.txt")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in body and "Disallow: /compte/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_favicon_redirects_to_the_static_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("website/favicon.svg")


def test_geojson_fixture_is_valid(site):
    assert json.loads(json.dumps(site["p11"].territory.geometry))["type"] == "Polygon"


# --- What the public pages keep a minute per process ----------------------------------------


def test_public_pages_read_nothing_twice_and_show_a_change_at_once(
    client, site, django_assert_num_queries
):
    p11 = site["p11"]
    publish_news(site, "rentree", title="Rentrée des sections", at=NOW)
    client.get(reverse("website:home"))
    client.get(reverse("website:section", args=[p11.pk]))
    client.get(reverse("website:sections"), {"q": "75011"})
    with django_assert_num_queries(0):  # news, events, section, directory, footer: kept
        client.get(reverse("website:home"))
        html = client.get(reverse("website:section", args=[p11.pk])).content.decode()
        client.get(reverse("website:sections"), {"q": "75011"})
    assert "Débat du jeudi" not in html
    # A change made here is shown on the next request (this process forgets what it kept).
    EventFactory(
        organiser=p11,
        title="Débat du jeudi",
        start=in_days(4, 19),
        end=in_days(4, 21),
        visibility=Event.Visibility.PUBLIC,
    )
    publish_news(site, "nouvelle", title="Une nouvelle actualité", at=NOW)
    publish_page(site, "mentions", title="Mentions légales")
    p11.name = "Paris 11 – Folie-Méricourt & Oberkampf"
    p11.save()
    html = client.get(reverse("website:section", args=[p11.pk])).content.decode()
    assert "Débat du jeudi" in html and "Mentions légales" in html
    assert "Folie-Méricourt &amp; Oberkampf" in html
    assert "Une nouvelle actualité" in client.get(reverse("website:home")).content.decode()
    directory = client.get(reverse("website:sections"), {"q": "75011"}).content.decode()
    assert "Folie-Méricourt &amp; Oberkampf" in directory


def test_the_kept_contact_form_is_the_unbound_form_and_a_sent_one_keeps_its_values(client, site):
    from fede.website.forms import ContactForm

    url = reverse("website:section", args=[site["p11"].pk])
    assert str(ContactForm()) in client.get(url).content.decode()
    response = client.post(
        reverse("website:section_contact", args=[site["p11"].pk]),
        {"name": "<b>Camille</b>", "email": "pas-une-adresse", "message": "Bonjour"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="&lt;b&gt;Camille&lt;/b&gt;"' in html and "<b>Camille</b>" not in html
