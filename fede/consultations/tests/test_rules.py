"""Who reads and who takes part: the audience rules, and the authors' capabilities."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from fede.consultations import services
from fede.consultations.models import Consultation
from fede.consultations.tests.factories import make_consultation, paragraphs
from fede.organization.models import Role
from fede.organization.roles import can
from fede.organization.tests.factories import make_officer

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Consultation.objects.in_scope(user, "consultations.view"))


def test_federation_audience_members_of_the_federation_only(
    federation, section_a, section_b, member_a, member_b, lyon_member
):
    consultation = make_consultation(federation)
    assert consultation in visible(member_a) and consultation in visible(member_b)
    assert consultation not in visible(lyon_member)
    assert consultation not in visible(AnonymousUser())
    with pytest.raises(PermissionDenied):
        services.comment_create(
            actor=lyon_member, paragraph=paragraphs(consultation)[0], text="Depuis Lyon"
        )


def test_section_audience_members_of_that_section_only(
    federation, section_a, section_b, member_a, member_b
):
    consultation = make_consultation(federation, audience="section", section=section_a)
    assert consultation in visible(member_a)
    assert consultation not in visible(member_b)
    paragraph = paragraphs(consultation)[0]
    services.comment_create(actor=member_a, paragraph=paragraph, text="Dans ma section")
    with pytest.raises(PermissionDenied):
        services.comment_create(actor=member_b, paragraph=paragraph, text="Je n'en suis pas")


def test_public_audience_readable_by_anyone_commented_by_members(federation, lyon_member):
    consultation = make_consultation(federation, audience="public")
    assert consultation in visible(AnonymousUser())
    assert consultation in visible(lyon_member)
    services.comment_create(
        actor=lyon_member, paragraph=paragraphs(consultation)[0], text="Vu de Lyon"
    )
    with pytest.raises(PermissionDenied):
        services.comment_create(
            actor=AnonymousUser(), paragraph=paragraphs(consultation)[0], text="Anonyme"
        )


def test_drafts_are_seen_by_their_authors_only(federation, member_a, author, lyon_author):
    draft = make_consultation(federation, open_=False, audience="public")
    assert draft not in visible(member_a)
    assert draft not in visible(AnonymousUser())
    assert draft in visible(author)
    assert draft not in visible(lyon_author)


def test_a_lapsed_member_no_longer_takes_part(federation, member_a):
    consultation = make_consultation(federation)
    member_a.member.status = "lapsed"
    member_a.member.save()
    vars(member_a).pop("_consultations_member", None)
    assert consultation not in visible(member_a)
    with pytest.raises(PermissionDenied):
        services.comment_create(actor=member_a, paragraph=paragraphs(consultation)[0], text="x")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.FIRST_SECRETARY, True),
        (Role.FEDERAL_STAFF, True),
        (Role.FEDERAL_SECRETARY, True),
        (Role.FEDERAL_TREASURER, False),
        (Role.COUNCIL_MEMBER, False),
        (Role.JOURNAL_EDITOR, False),
    ],
)
def test_federal_roles_manage_and_moderate(federation, section_a, role, allowed):
    user = make_officer(federation, role, section=section_a, mfa=False)
    assert can(user, "consultations.manage", federation) is allowed
    assert can(user, "consultations.moderate", federation) is allowed


@pytest.mark.parametrize(
    "role", [Role.SECTION_SECRETARY, Role.SECTION_TREASURER, Role.SECTION_BUREAU]
)
def test_section_offices_neither_manage_nor_moderate(section_a, role):
    user = make_officer(section_a, role, mfa=False)
    assert not can(user, "consultations.manage", section_a)
    assert not can(user, "consultations.moderate", section_a)


def test_a_user_with_two_offices_manages_only_where_granted(
    federation, other_federation, section_a, lyon_section
):
    """Section secretary in Lyon and federal staff in Paris: manages Paris only."""
    from fede.core.access import SYSTEM
    from fede.organization import services as org_services

    user = make_officer(federation, Role.FEDERAL_STAFF, section=section_a, mfa=False)
    org_services.mandate_appoint(
        actor=SYSTEM,
        member=user.member,
        role=Role.SECTION_SECRETARY,
        unit=lyon_section,
        start=__import__("datetime").date(2020, 1, 1),
    )
    paris = make_consultation(federation, open_=False)
    lyon = make_consultation(other_federation, open_=False)
    managed = set(Consultation.objects.in_scope(user, "consultations.manage"))
    assert paris in managed and lyon not in managed


@pytest.mark.parametrize(
    ("audience", "on_section"), [("federation", False), ("section", True), ("public", False)]
)
def test_participation_follows_the_audience_rules(
    audience, on_section, federation, section_a, member_a, member_b, lyon_member
):
    """The page's « may take part » (read on the loaded objects, without a query) says what
    ``audience_q`` says in SQL, for members inside and outside the audience."""
    from fede.consultations.models import audience_q
    from fede.consultations.selectors import participation

    consultation = make_consultation(
        federation, audience=audience, section=section_a if on_section else None
    )
    consultation = Consultation.objects.select_related("unit", "section").get(pk=consultation.pk)
    for user in (member_a, member_b, lyon_member):
        in_sql = Consultation.objects.filter(audience_q(user), pk=consultation.pk).exists()
        assert participation(user, consultation).allowed is in_sql
    assert participation(member_a, consultation).allowed
    assert participation(lyon_member, consultation).allowed is (audience == "public")


def test_reading_pages_fetch_their_consultation_compiled_once_as_get_in_scope(
    federation, section_a, member_a, member_b, lyon_member, author, lyon_author
):
    """The consultation of the text and synthesis pages (get_in_scope_compiled_or_404) is
    what get_in_scope_or_404 gives each reader — units and current version's number — and
    a 404 where it is: a draft for a member, a section's text for another section,
    another federation's text, a visitor. Consultation.in_scope is filter(scope_q)."""
    from fede.consultations.selectors import consultation_page_queryset
    from fede.core.testing import check_compiled_fetch

    texts = (
        make_consultation(federation),
        make_consultation(federation, audience="section", section=section_a),
        make_consultation(federation, audience="public"),
        make_consultation(federation, open_=False, audience="public"),
    )
    readers = [member_a, member_b, lyon_member, author, lyon_author, AnonymousUser()]

    def shown(consultation):
        section = consultation.section.name if consultation.section_id else None
        return (
            consultation.pk,
            consultation.title,
            consultation.unit.name,
            section,
            consultation.current_version_id,
            consultation.current_version_number,
        )

    for reader in readers:
        assert str(Consultation.objects.in_scope(reader, "consultations.view").query) == str(
            Consultation.objects.filter(
                Consultation.objects.all().scope_q(reader, "consultations.view")
            ).query
        )
    outcomes = check_compiled_fetch(
        consultation_page_queryset, "consultations.view", readers, texts, shown
    )
    assert outcomes == {"found", "404"}


def test_paragraph_counts_say_for_each_reader_whether_they_support_it(
    federation, member_a, member_b
):
    """One statement compiled for every reader: the "supported" flag is the reader's own,
    the counters are the paragraph's, a visitor supports nothing."""
    from fede.consultations.selectors import current_version, paragraph_counts

    consultation = make_consultation(federation)
    first, second = paragraphs(consultation)[:2]
    services.paragraph_support(actor=member_a, paragraph=first)
    services.paragraph_support(actor=member_b, paragraph=second)
    version = current_version(consultation)
    for reader, supported in ((member_a, first), (member_b, second)):
        counts = paragraph_counts(version.pk, reader.member)
        assert counts[first.pk][0] == counts[second.pk][0] == 1
        assert {pk for pk, row in counts.items() if row[3]} == {supported.pk}
    assert not any(row[3] for row in paragraph_counts(version.pk).values())
