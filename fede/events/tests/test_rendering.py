"""HTML written in Python (agenda rows), the kept filter form, and the home panel's
shortcut of the visibility rules: the same output as before, escaped, never shared
across scopes."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from fede.events import selectors
from fede.events.models import Event, Invitation, Registration
from fede.events.rendering import agenda_rows
from fede.organization.models import Role
from fede.organization.tests.factories import (
    MemberFactory,
    UserFactory,
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)

from .factories import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

#: The row of ``events/agenda.html`` before it was written in Python.
OLD_ROW = """{% load i18n %}{% for event in events %}
        <li class="list-group-item py-3">
          <div class="d-flex gap-3">
            <div class="event-date text-center flex-shrink-0" aria-hidden="true">
              <div class="small text-uppercase">{{ event.day_abbr }}</div>
              <div class="fs-4 fw-bold lh-1">{{ event.day_number }}</div>
              <div class="small">{{ event.month_abbr }}</div>
            </div>
            <div class="flex-grow-1 min-w-0">
              <h3 class="h5 mb-1"><a href="{{ event.url }}">{{ event.title }}</a></h3>
              <p class="mb-1 small">
                <time datetime="{{ event.start_iso }}">{{ event.when }}</time>
                – {{ event.end_time }}
                · {{ event.organiser.name }}
                {% if event.place_label %}· {{ event.place_label }}{% endif %}
              </p>
              <p class="mb-0">
                <span class="badge text-bg-light border">{{ event.get_kind_display }}</span>
                {% if event.is_cancelled %}<span class="badge text-bg-danger">{% translate "Annulé" %}</span>{% endif %}
                {% if event.visibility != "public" %}<span class="badge text-bg-secondary text-wrap text-start">{{ event.get_visibility_display }}</span>{% endif %}
                {% if event.my_status == "confirmed" %}<span class="badge text-bg-success">{% translate "Inscrit·e" %}</span>
                {% elif event.my_status == "waiting" %}<span class="badge text-bg-warning">{% translate "Liste d'attente" %}</span>{% endif %}
                {% if event.registration_enabled and not event.is_cancelled and event.capacity %}
                  {% if event.seats_left == 0 %}
                    <span class="badge text-bg-dark text-wrap text-start">{% translate "Complet — liste d'attente" %}</span>
                  {% else %}
                    <span class="small text-body-secondary">{% blocktranslate count free=event.seats_left %}{{ free }} place restante{% plural %}{{ free }} places restantes{% endblocktranslate %}</span>
                  {% endif %}
                {% endif %}
              </p>
            </div>
          </div>
        </li>
      {% endfor %}"""


def words(html: str) -> list[str]:
    """The HTML as its words (whitespace between tags and words does not count)."""
    return html.split()


def test_agenda_rows_write_what_the_row_template_wrote(section, member_user):
    organiser = section
    organiser.name = "Section <b>Paris</b> & co"
    organiser.save()
    other = MemberFactory(section=section)
    events = [
        EventFactory(
            organiser=organiser,
            title="<script>alert('x')</script> & débat",
            visibility=Event.Visibility.PUBLIC,
            capacity=3,
            place_name="Café <i>Le Zinc</i>",
            address="",
            start=in_days(2, 18, 30),
        ),
        EventFactory(organiser=organiser, capacity=1, start=in_days(2, 20)),  # full
        EventFactory(organiser=organiser, capacity=2, start=in_days(3)),  # 1 seat left
        EventFactory(
            organiser=organiser,
            status=Event.Status.CANCELLED,
            visibility=Event.Visibility.UNIT_MEMBERS,
            start=in_days(4),
        ),
        EventFactory(
            organiser=organiser,
            registration_enabled=False,
            capacity=10,
            kind=Event.Kind.CONFERENCE,
            visibility=Event.Visibility.UP_TO_DATE,
            address="",
            online_url="https://visio.example.org/a",
            start=in_days(40, 9, 5),
        ),
        EventFactory(organiser=organiser, kind=Event.Kind.TRAINING, start=in_days(5)),
    ]
    member = member_user.member
    RegistrationFactory(event=events[0], member=member)
    RegistrationFactory(event=events[1], member=other)
    RegistrationFactory(event=events[2], member=other)
    RegistrationFactory(event=events[2], member=member, status=Registration.Status.WAITING)
    RegistrationFactory(event=events[5], member=member)
    rows = list(selectors.agenda_events(member_user, selectors.AgendaFilters()))
    assert len(rows) == len(events)
    selectors.listing_rows(rows)
    new = agenda_rows(rows)
    old = Template(OLD_ROW).render(Context({"events": rows}))
    assert words(new) == words(old)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; débat" in new
    assert "<script>" not in new and "<b>Paris" not in new and "<i>Le Zinc" not in new
    for text in ("Complet", "1 place restante", "Liste d'attente", "Inscrit·e", "Annulé"):
        assert text in new, text


def test_listing_rows_format_dates_as_date_format_did(section):
    from django.utils.formats import date_format

    event = EventFactory(organiser=section, start=in_days(3, 9, 5))
    selectors.listing_rows([event])
    start = timezone.localtime(event.start)
    assert event.day_abbr == date_format(start, "D")
    assert event.month_abbr == date_format(start, "M")
    assert event.start_iso == date_format(start, "c")
    assert event.when == date_format(start, "l j F Y, H:i")
    assert event.end_time == f"{timezone.localtime(event.end):%H:%M}"


def organiser_select(content: str) -> str:
    match = re.search(r'<select name="organiser".*?</select>', content, re.S)
    assert match, content
    return match.group(0)


@pytest.mark.parametrize("name", ["events:agenda", "events:month"])
def test_kept_filter_form_never_shows_another_scope(client, name):
    """The filter form is kept per scope: whoever asks first, each viewer is offered the
    sections of their own federation only (and a visitor none)."""
    north = make_federation("Fédération du Nord", code="NORD")
    south = make_federation("Fédération du Sud", code="SUD")
    lille = make_section(north, name="Section Lille")
    nice = make_section(south, name="Section Nice")
    north_user, south_user = make_member_user(lille), make_member_user(nice)
    south_secretary = make_officer(nice, Role.SECTION_SECRETARY)
    selectors.clear_filter_lists()
    expected = [
        (north_user, "Section Lille", "Section Nice"),
        (south_user, "Section Nice", "Section Lille"),
        (south_secretary, "Section Nice", "Section Lille"),
        (None, None, "Section"),
    ]
    for _round in range(2):  # computed, then read from what was kept
        for user, own, other in expected:
            client.logout()
            if user is not None:
                client.force_login(user)
            options = organiser_select(client.get(reverse(name)).content.decode())
            if own:
                assert own in options
            assert other not in options.replace("Sections —", "")
    # A federation asked for, then another: each page offers the sections asked for.
    client.logout()
    for federation, own, other in ((north, "Lille", "Nice"), (south, "Nice", "Lille")):
        options = organiser_select(
            client.get(reverse(name), {"organiser": federation.pk}).content.decode()
        )
        assert f'<option value="{federation.pk}" selected>' in options
        assert own in options and other not in options


def test_kept_filter_form_is_the_form_as_written_then(client, section, member_user):
    client.force_login(member_user)
    url = reverse("events:agenda")
    params = {"kind": "conference", "organiser": section.pk, "periode": "passes"}
    selectors.clear_filter_lists()
    fresh = client.get(url, params).content.decode()
    kept = client.get(url, params).content.decode()
    form = re.search(r'<form method="get".*?</form>', fresh, re.S).group(0)
    assert form == re.search(r'<form method="get".*?</form>', kept, re.S).group(0)
    assert f'<option value="{section.pk}" selected>{section.name}</option>' in form
    assert '<option value="conference" selected>' in form
    # A search typed in is shown escaped, and not kept.
    page = client.get(url, {"q": '"><script>x</script>'}).content.decode()
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in page
    assert not any("><script>" in str(key) for key in selectors._FILTER_LISTS._data)


def test_kept_filter_form_follows_the_language(client, section):
    url = reverse("events:agenda")
    selectors.clear_filter_lists()
    french = client.get(url).content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    form_fr = re.search(r'<form method="get".*?</form>', french, re.S).group(0)
    form_en = re.search(r'<form method="get".*?</form>', english, re.S).group(0)
    if 'lang="en"' in english:
        assert form_fr != form_en
    assert "Rechercher" in form_fr


def test_invalid_organiser_is_ignored_as_before(client, section):
    EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC, title="Réunion visible")
    other = make_federation("Fédération du Nord", code="NORD")
    hidden = make_section(other, name="Section Lille")
    content = client.get(reverse("events:agenda"), {"organiser": "abc"}).content.decode()
    assert "Réunion visible" in content
    # A section offered once its federation is known: valid, and filters.
    content = client.get(reverse("events:agenda"), {"organiser": hidden.pk}).content.decode()
    assert "Réunion visible" not in content
    content = client.get(reverse("events:agenda"), {"organiser": 999999}).content.decode()
    assert "Réunion visible" in content


def test_own_section_visibility_is_visibility_q_on_the_section_events(section, other_section):
    """The home panel's shortcut selects exactly what ``visibility_q`` selects among the
    published events of the member's own section, for every kind of viewer."""
    member_user = make_member_user(section)
    invited_user = make_member_user(section)
    secretary = make_officer(section, Role.SECTION_SECRETARY)
    neighbour_secretary = make_officer(other_section, Role.SECTION_SECRETARY, section=section)
    federal = make_officer(section.parent, Role.FEDERAL_SECRETARY, section=section)
    superuser = UserFactory(is_superuser=True)
    MemberFactory(section=section, user=superuser, email=superuser.email)
    inactive = make_member_user(section)
    inactive.is_active = False
    inactive.save()
    for visibility in Event.Visibility.values:
        for status in Event.Status.values:
            event = EventFactory(organiser=section, visibility=visibility, status=status)
            if visibility == Event.Visibility.INVITATION:
                Invitation.objects.create(event=event, member=invited_user.member)
    EventFactory(organiser=other_section, visibility=Event.Visibility.PUBLIC)
    users = (
        member_user,
        invited_user,
        secretary,
        neighbour_secretary,
        federal,
        superuser,
        inactive,
    )
    own = Event.objects.filter(organiser=section).exclude(status=Event.Status.DRAFT)
    for user in users:
        user = type(user).objects.get(pk=user.pk)  # nothing kept from an earlier read
        member = user.member
        expected = set(own.filter(selectors.visibility_q(user, member)).values_list("pk"))
        got = set(own.filter(selectors.own_section_visibility_q(user, member)).values_list("pk"))
        assert got == expected, user
        assert expected  # every viewer sees something here


def test_home_panel_lists_the_section_meetings_the_member_may_see(client, section):
    user = make_member_user(section)
    EventFactory(organiser=section, title="Réunion ouverte", start=in_days(2))
    EventFactory(
        organiser=section,
        title="Réunion sur invitation",
        visibility=Event.Visibility.INVITATION,
        start=in_days(1),
    )
    EventFactory(
        organiser=section, title="Réunion annulée", status=Event.Status.CANCELLED, start=in_days(1)
    )
    EventFactory(organiser=section, title="Brouillon", status=Event.Status.DRAFT, start=in_days(1))
    past = timezone.now() - datetime.timedelta(days=3)
    EventFactory(
        organiser=section,
        title="Réunion passée",
        start=past,
        end=past + datetime.timedelta(hours=2),
    )
    client.force_login(user)
    content = client.get(reverse("core:home")).content.decode()
    assert "Réunion ouverte" in content
    for hidden in ("Réunion sur invitation", "Réunion annulée", "Brouillon", "Réunion passée"):
        assert hidden not in content, hidden
    event = Event.objects.get(title="Réunion ouverte")
    assert event.get_absolute_url() in content


def test_filter_lists_of_anonymous_visitors_hold_no_member(client, section):
    selectors.clear_filter_lists()
    client.get(reverse("events:agenda"))
    options = selectors.organiser_choices(AnonymousUser())
    assert options.scope == ()
