"""Phase rules and who may do what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fede.convention import services
from fede.convention.models import VIEW, Contribution, Convention, Phase
from fede.convention.tests.factories import AT, amendment_data, submit
from fede.core.access import SYSTEM
from fede.organization.roles import can

pytestmark = pytest.mark.django_db


def test_phases_follow_the_dates(convention, clock):
    for phase, moment in AT.items():
        clock.move_to(moment)
        assert convention.phase == phase
    clock.move_to(AT["convention"])
    services.result_record(
        actor=SYSTEM,
        convention=convention,
        votes_for=1,
        votes_against=0,
        votes_abstain=0,
        topic=convention.topics.first(),
    )


def test_no_contribution_after_the_deadline(topic, section_a, secretary_a, clock):
    clock.move_to(AT["synthesis"])
    with pytest.raises(ValidationError) as error:
        submit(topic, section_a, actor=secretary_a)
    assert "date limite des contributions est passée" in str(error.value)
    assert not Contribution.objects.exists()


def test_no_contribution_before_the_debates(topic, section_a, secretary_a, clock):
    clock.move_to(AT["topics"])
    with pytest.raises(ValidationError, match="s'ouvrent avec les débats"):
        submit(topic, section_a, actor=secretary_a)


def test_no_edit_after_the_deadline(topic, section_a, secretary_a, clock):
    contribution = submit(topic, section_a, actor=secretary_a)
    clock.move_to(AT["synthesis"])
    with pytest.raises(ValidationError, match="date limite"):
        services.contribution_update(actor=secretary_a, contribution=contribution, text="Autre")
    contribution.refresh_from_db()
    assert contribution.version == 1 and not contribution.revisions.exists()


def test_a_second_contribution_of_a_section_on_a_topic_is_refused(topic, section_a, secretary_a):
    submit(topic, section_a, actor=secretary_a)
    with pytest.raises(ValidationError, match="a déjà déposé sa contribution"):
        submit(topic, section_a, actor=secretary_a, text="Un doublon")
    assert Contribution.objects.count() == 1


def test_a_section_submits_only_for_itself(topic, section_a, section_b, secretary_a):
    with pytest.raises(PermissionDenied):
        submit(topic, section_b, actor=secretary_a)
    assert not Contribution.objects.exists()


def test_a_section_of_another_federation_cannot_contribute(topic, section_lyon, secretary_lyon):
    with pytest.raises(ValidationError, match="ne relève pas"):
        submit(topic, section_lyon, actor=secretary_lyon)


def test_a_secretary_cannot_edit_another_sections_contribution(topic, section_a, secretary_b):
    contribution = submit(topic, section_a)
    with pytest.raises(PermissionDenied):
        services.contribution_update(actor=secretary_b, contribution=contribution, text="x")


def test_more_votes_than_members_present_is_refused(topic, section_a, secretary_a):
    with pytest.raises(ValidationError) as error:
        submit(topic, section_a, actor=secretary_a, members_present=5)
    assert "members_present" in error.value.error_dict


def _published_paragraph(topic, clock):
    clock.move_to(AT["synthesis"])
    paragraph = services.paragraph_create(actor=SYSTEM, topic=topic, text="Un paragraphe.")
    services.synthesis_publish(actor=SYSTEM, topic=topic)
    return paragraph


def test_no_amendment_before_the_synthesis(topic, section_a, secretary_a, clock):
    clock.move_to(AT["synthesis"])
    paragraph = services.paragraph_create(actor=SYSTEM, topic=topic, text="Un paragraphe.")
    clock.move_to(AT["amendments"])
    with pytest.raises(ValidationError, match="sur la synthèse publiée"):
        services.amendment_submit(
            actor=secretary_a, paragraph=paragraph, section=section_a, **amendment_data()
        )


def test_no_amendment_during_the_synthesis_phase(topic, section_a, secretary_a, clock):
    paragraph = _published_paragraph(topic, clock)
    with pytest.raises(ValidationError, match="Les amendements s'ouvrent"):
        services.amendment_submit(
            actor=secretary_a, paragraph=paragraph, section=section_a, **amendment_data()
        )


def test_no_amendment_after_the_amendments_deadline(topic, section_a, secretary_a, clock):
    paragraph = _published_paragraph(topic, clock)
    clock.move_to(AT["convention"])
    with pytest.raises(ValidationError, match="date limite des amendements"):
        services.amendment_submit(
            actor=secretary_a, paragraph=paragraph, section=section_a, **amendment_data()
        )


def test_an_amendment_is_tabled_once_per_section_and_paragraph(
    topic, section_a, secretary_a, clock
):
    paragraph = _published_paragraph(topic, clock)
    clock.move_to(AT["amendments"])
    services.amendment_submit(
        actor=secretary_a, paragraph=paragraph, section=section_a, **amendment_data()
    )
    with pytest.raises(ValidationError, match="déjà déposé un amendement"):
        services.amendment_submit(
            actor=secretary_a, paragraph=paragraph, section=section_a, **amendment_data()
        )


def test_the_synthesis_is_not_written_during_the_debates(topic, rapporteur):
    with pytest.raises(ValidationError, match="après la date limite"):
        services.paragraph_create(actor=rapporteur, topic=topic, text="Trop tôt.")


def test_results_are_entered_only_on_the_convention_day(convention, manager, clock):
    topic = convention.topics.first()
    clock.move_to(AT["amendments"])
    with pytest.raises(ValidationError, match="jour de la convention"):
        services.result_record(
            actor=manager,
            convention=convention,
            topic=topic,
            votes_for=10,
            votes_against=1,
            votes_abstain=0,
        )


def test_results_are_published_once_every_synthesis_has_its_vote(convention, manager, clock):
    clock.move_to(AT["convention"])
    topics = list(convention.topics.all())
    services.result_record(
        actor=manager,
        convention=convention,
        topic=topics[0],
        votes_for=10,
        votes_against=1,
        votes_abstain=0,
    )
    with pytest.raises(ValidationError, match="Saisissez d'abord"):
        services.results_publish(actor=manager, convention=convention)
    for topic in topics[1:]:
        services.result_record(
            actor=manager,
            convention=convention,
            topic=topic,
            votes_for=10,
            votes_against=1,
            votes_abstain=0,
        )
    services.results_publish(actor=manager, convention=convention)
    convention.refresh_from_db()
    assert convention.phase == Phase.RESULTS
    with pytest.raises(ValidationError):
        services.result_record(
            actor=manager,
            convention=convention,
            topic=topics[0],
            votes_for=1,
            votes_against=10,
            votes_abstain=0,
        )


@pytest.mark.parametrize(
    ("who", "may_manage", "may_report", "may_contribute"),
    [
        ("secretary_a", False, False, True),
        ("member", False, False, False),
        ("rapporteur", False, True, False),
        ("manager", True, True, False),
    ],
)
def test_capabilities_per_role(
    request, federation, section_a, who, may_manage, may_report, may_contribute
):
    user = request.getfixturevalue(who)
    assert can(user, "convention.manage", federation) is may_manage
    assert can(user, "convention.rapporteur", federation) is may_report
    assert can(user, "convention.contribute", section_a) is may_contribute


def test_section_bureau_contributes_and_first_secretary_manages(federation, section_a):
    from fede.organization.models import Role
    from fede.organization.tests.factories import make_officer

    bureau = make_officer(section_a, Role.SECTION_BUREAU)
    first = make_officer(federation, Role.FIRST_SECRETARY, section=section_a)
    treasurer = make_officer(section_a, Role.SECTION_TREASURER)
    assert can(bureau, "convention.contribute", section_a)
    assert can(first, "convention.manage", federation)
    assert can(first, "convention.rapporteur", federation)
    assert not can(treasurer, "convention.contribute", section_a)


def test_only_managers_create_conventions(federation, secretary_a, rapporteur, manager):
    from fede.convention.tests.factories import convention_dates

    for user in (secretary_a, rapporteur):
        with pytest.raises(PermissionDenied):
            services.convention_create(
                actor=user, federation=federation, year=2030, title="X", **convention_dates()
            )
    services.convention_create(
        actor=manager, federation=federation, year=2030, title="X", **convention_dates()
    )


def test_contributions_are_read_by_all_after_the_deadline_only(
    topic, section_a, secretary_a, secretary_b, member, rapporteur, clock
):
    contribution = submit(topic, section_a, actor=secretary_a)

    def visible(user):
        return Contribution.objects.in_scope(user, VIEW).filter(pk=contribution.pk).exists()

    assert visible(secretary_a) and visible(rapporteur)
    assert not visible(secretary_b) and not visible(member)
    clock.move_to(AT["synthesis"])
    assert visible(secretary_b) and visible(member)


def test_unpublished_conventions_are_hidden_from_members(federation, member, manager, clock):
    import datetime

    from fede.convention.tests.factories import convention_dates

    dates = convention_dates()
    dates = {k: v + datetime.timedelta(days=60) for k, v in dates.items()}
    draft = services.convention_create(
        actor=manager, federation=federation, year=2026, title="Brouillon", **dates
    )
    assert not Convention.objects.in_scope(member, VIEW).filter(pk=draft.pk).exists()
    assert Convention.objects.in_scope(manager, VIEW).filter(pk=draft.pk).exists()
