"""Who sees which event: the visibility rules, in SQL, for every audience."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from fede.events.models import Event, Invitation
from fede.events.selectors import (
    AgendaFilters,
    agenda_events,
    event_search,
    events_visible_to,
    month_grid,
)
from fede.organization.models import Member, Role
from fede.organization.tests.factories import MemberFactory, UserFactory, make_officer, make_section

from .factories import EventFactory

pytestmark = pytest.mark.django_db

V = Event.Visibility


@pytest.fixture
def events(section, other_section, federation):
    return {
        "public": EventFactory(organiser=section, visibility=V.PUBLIC),
        "members": EventFactory(organiser=section, visibility=V.MEMBERS),
        "up_to_date": EventFactory(organiser=section, visibility=V.UP_TO_DATE),
        "unit": EventFactory(organiser=section, visibility=V.UNIT_MEMBERS),
        "federation_unit": EventFactory(organiser=federation, visibility=V.UNIT_MEMBERS),
        "other_unit": EventFactory(organiser=other_section, visibility=V.UNIT_MEMBERS),
        "invitation": EventFactory(organiser=section, visibility=V.INVITATION),
        "other_invitation": EventFactory(organiser=other_section, visibility=V.INVITATION),
    }


def visible(user, events) -> set[str]:
    ids = set(events_visible_to(user).values_list("pk", flat=True))
    return {name for name, event in events.items() if event.pk in ids}


def test_anonymous_sees_public_events_only(events):
    assert visible(AnonymousUser(), events) == {"public"}


def test_user_without_member_record_sees_public_events_only(events):
    assert visible(UserFactory(), events) == {"public"}


def test_member_sees_members_events_their_units_and_invitations(events, member_user):
    Invitation.objects.create(event=events["invitation"], member=member_user.member)
    assert visible(member_user, events) == {
        "public",
        "members",
        "up_to_date",
        "unit",
        "federation_unit",
        "invitation",
    }


def test_lapsed_member_still_sees_up_to_date_events(events, lapsed_user):
    """They see it — and registration tells them why they cannot register."""
    assert "up_to_date" in visible(lapsed_user, events)


def test_former_member_sees_public_events_only(events, section):
    from fede.organization.tests.factories import make_member_user

    user = make_member_user(section, status=Member.Status.RESIGNED)
    assert visible(user, events) == {"public"}


def test_co_organiser_members_see_unit_events(events, other_section):
    from fede.organization.tests.factories import make_member_user

    user = make_member_user(other_section)
    assert "unit" not in visible(user, events)
    events["unit"].co_organisers.add(other_section)
    user = type(user).objects.get(pk=user.pk)
    assert "unit" in visible(user, events)


def test_section_organiser_sees_all_their_section_events(events, section):
    secretary = make_officer(section, Role.SECTION_SECRETARY)
    seen = visible(secretary, events)
    assert {"invitation", "unit"} <= seen
    assert "other_invitation" not in seen


def test_federation_organiser_sees_every_event_below(events, federation, section):
    staff = make_officer(federation, Role.FEDERAL_SECRETARY, section=make_section(federation))
    assert visible(staff, events) == set(events)


def test_search_respects_visibility(section):
    EventFactory(organiser=section, title="Débat sur le logement", visibility=V.PUBLIC)
    EventFactory(organiser=section, title="Stratégie logement interne", visibility=V.MEMBERS)
    found = {e.title for e in event_search(AnonymousUser(), "logement")}
    assert found == {"Débat sur le logement"}
    member = MemberFactory(section=section, user=UserFactory())
    found = {e.title for e in event_search(member.user, "logement")}
    assert found == {"Débat sur le logement", "Stratégie logement interne"}


# --- "Not ended yet", driven by start time ------------------------------------------------


def test_ending_after_keeps_long_events_that_began_long_ago(section):
    """The bound ``start >= t - longest event`` is exact: a festival begun ten days ago and
    still running is upcoming; short events that ended are not."""
    now = timezone.now()
    running = EventFactory(
        organiser=section,
        visibility=V.PUBLIC,
        start=now - datetime.timedelta(days=10),
        end=now + datetime.timedelta(days=2),
    )
    ended = EventFactory(
        organiser=section,
        visibility=V.PUBLIC,
        start=now - datetime.timedelta(days=3),
        end=now - datetime.timedelta(days=3) + datetime.timedelta(hours=2),
    )
    coming = EventFactory(organiser=section, visibility=V.PUBLIC)
    upcoming = set(Event.objects.upcoming(now).values_list("pk", flat=True))
    assert upcoming == {running.pk, coming.pk}
    assert ended.pk not in set(Event.objects.ending_after(now).values_list("pk", flat=True))
    agenda = agenda_events(AnonymousUser(), AgendaFilters(), now=now)
    assert [e.pk for e in agenda] == [running.pk, coming.pk]


def test_month_grid_shows_an_event_begun_in_the_previous_month(section):
    now = timezone.localtime()
    first = now.date().replace(day=1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time(10)))
    long_one = EventFactory(
        organiser=section,
        visibility=V.PUBLIC,
        start=start - datetime.timedelta(days=5),
        end=start + datetime.timedelta(days=1),
    )
    weeks = month_grid(AnonymousUser(), AgendaFilters(), first.year, first.month)
    days = [day for week in weeks for day in week if day.date == first]
    assert [e.pk for e in days[0].events] == [long_one.pk]
    assert days[0].events[0].url == long_one.get_absolute_url()


def test_kept_organiser_lists_give_each_viewer_their_own_sections(client):
    """The agenda's filter lists are kept a minute per process, yet each viewer is offered
    the sections of their own federation; an anonymous visitor none."""
    from django.urls import reverse

    from fede.events import selectors as event_selectors
    from fede.organization.tests.factories import make_federation, make_member_user

    north = make_federation("Fédération du Nord", code="NORD")
    south = make_federation("Fédération du Sud", code="SUD")
    lille = make_section(north, name="Section Lille")
    nice = make_section(south, name="Section Nice")
    north_user, south_user = make_member_user(lille), make_member_user(nice)

    def offered(user):
        options = event_selectors.organiser_choices(user)
        return [name for _federation, units in options.sections for _pk, name in units]

    event_selectors.clear_filter_lists()
    assert offered(north_user) == ["Section Lille"]
    assert offered(south_user) == ["Section Nice"]  # the lists are warm now
    assert offered(north_user) == ["Section Lille"]
    assert offered(AnonymousUser()) == []
    for user, own, other in (
        (north_user, "Section Lille", "Section Nice"),
        (south_user, "Section Nice", "Section Lille"),
    ):
        client.force_login(user)
        page = client.get(reverse("events:agenda")).content.decode()
        assert own in page and other not in page
    client.logout()
    page = client.get(reverse("events:agenda")).content.decode()
    assert "Section Lille" not in page and "Section Nice" not in page


def test_kept_organiser_lists_forget_a_unit_saved_in_this_process():
    from fede.events import selectors as event_selectors
    from fede.organization.tests.factories import make_federation, make_member_user

    north = make_federation("Fédération du Nord", code="NORD")
    lille = make_section(north, name="Section Lille")
    user = make_member_user(lille)
    event_selectors.clear_filter_lists()
    event_selectors.organiser_choices(user)
    make_section(north, name="Section Roubaix")
    lille.name = "Section Lille-Centre"
    lille.save()
    options = event_selectors.organiser_choices(user)
    assert [name for _f, units in options.sections for _pk, name in units] == [
        "Section Lille-Centre",
        "Section Roubaix",
    ]


def test_one_event_page_sees_exactly_what_the_visibility_rules_allow(
    events, section, other_section, federation, member_user, lapsed_user
):
    """``event_for_user`` decides common cases on the row in Python: for every audience
    and every event (drafts, co-organised and invitations included) it agrees with SQL."""
    from django.http import Http404

    from fede.events.selectors import event_for_user
    from fede.organization.tests.factories import make_member_user

    events = dict(events)
    events["draft"] = EventFactory(
        organiser=section, visibility=V.PUBLIC, status=Event.Status.DRAFT
    )
    events["co_organised"] = EventFactory(organiser=other_section, visibility=V.UNIT_MEMBERS)
    events["co_organised"].co_organisers.add(section)
    Invitation.objects.create(event=events["invitation"], member=member_user.member)
    inactive = make_member_user(section)
    inactive.is_active = False
    inactive.save()
    audiences = [
        AnonymousUser(),
        UserFactory(),
        member_user,
        lapsed_user,
        make_member_user(other_section),
        make_member_user(section, status=Member.Status.RESIGNED),
        inactive,
        make_officer(section, Role.SECTION_SECRETARY),
        make_officer(federation, Role.FEDERAL_SECRETARY, section=make_section(federation)),
        UserFactory(is_superuser=True),
    ]
    for user in audiences:
        expected = visible(user, events)
        seen = set()
        for name, event in events.items():
            fresh = type(user).objects.get(pk=user.pk) if user.pk else user
            try:
                event_for_user(fresh, event.pk)
            except Http404:
                continue
            seen.add(name)
        assert seen == expected, user


def test_figures_come_with_the_visitors_own_registration(section, member_user):
    """One query gives the event's figures and the id of the visitor's registration."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fede.events.models import Registration
    from fede.events.selectors import event_figures, figures_and_registration_of

    from .factories import RegistrationFactory

    event = EventFactory(organiser=section, visibility=V.PUBLIC, capacity=10)
    S = Registration.Status
    RegistrationFactory(event=event, member=MemberFactory(section=section), attended=True)
    RegistrationFactory(event=event, member=MemberFactory(section=section))
    RegistrationFactory(event=event, member=MemberFactory(section=section), status=S.WAITING)
    RegistrationFactory(event=event, guest_name="Invitée", guest_email="i@example.org")
    RegistrationFactory(event=event, member=MemberFactory(section=section), status=S.CANCELLED)
    RegistrationFactory(event=EventFactory(organiser=section), member=member_user.member)
    expected = {
        "registered": 3,
        "present": 1,
        "absent": 2,
        "waiting": 1,
        "pending": 0,
        "cancelled": 1,
        "no_show": 0,
        "free": 7,
    }
    assert event_figures(event) == expected
    with CaptureQueriesContext(connection) as ctx:
        assert figures_and_registration_of(event, member_user.member) == (expected, None)
        assert figures_and_registration_of(event, None) == (expected, None)
    assert len(ctx.captured_queries) == 2
    mine = RegistrationFactory(event=event, member=member_user.member, status=S.PENDING)
    figures, registration = figures_and_registration_of(event, member_user.member)
    assert registration == mine and figures["pending"] == 1
