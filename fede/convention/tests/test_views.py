"""Pages: who sees what, scope (404), forms, and query budgets of the lists."""

import pytest
from django.urls import reverse

from fede.convention.models import Citation, Contribution, Paragraph
from fede.convention.tests.factories import AT, contribution_data, submit
from fede.organization.models import Unit

pytestmark = pytest.mark.django_db


def many_sections(federation, n):
    """``n`` sections of ``federation`` written in bulk (paths set like unit_create)."""
    units = Unit.objects.bulk_create(
        Unit(
            kind=Unit.Kind.SECTION,
            name=f"Section {i:04d}",
            code=f"BULK{i:05d}",
            parent=federation,
            depth=federation.depth + 1,
        )
        for i in range(n)
    )
    for unit in units:
        unit.path = f"{federation.path}{unit.pk:08d}."
    Unit.objects.bulk_update(units, ["path"])
    return units


def many_contributions(topic, sections):
    return Contribution.objects.bulk_create(
        Contribution(topic=topic, section=section, **contribution_data(text=f"Texte {n}"))
        for n, section in enumerate(sections)
    )


def test_index_and_detail_for_a_member(client, member, convention):
    client.force_login(member)
    response = client.get(reverse("convention:index"))
    assert response.status_code == 200 and "Convention 2025" in response.text
    response = client.get(convention.get_absolute_url())
    assert response.status_code == 200
    assert "Le logement à Paris" in response.text
    assert "Débats en section" in response.text


def test_a_secretary_submits_through_the_form(client, secretary_a, topic, section_a):
    client.force_login(secretary_a)
    url = reverse("convention:contribution_create", args=[topic.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"section": section_a.pk, **contribution_data(text="Notre texte.")})
    contribution = Contribution.objects.get()
    assert response.status_code == 302 and response.url == contribution.get_absolute_url()
    assert contribution.section == section_a and contribution.submitted_by == secretary_a
    # A second deposit is refused with a clear message, next to the form.
    response = client.post(url, {"section": section_a.pk, **contribution_data()})
    assert response.status_code == 200
    assert "a déjà déposé sa contribution" in response.text
    assert Contribution.objects.count() == 1


def test_the_section_field_ignores_other_sections(client, secretary_a, topic, section_b):
    client.force_login(secretary_a)
    url = reverse("convention:contribution_create", args=[topic.pk])
    response = client.post(url, {"section": section_b.pk, **contribution_data()})
    assert response.status_code == 200
    assert not Contribution.objects.exists()


def test_a_late_submission_is_refused_with_a_message(client, secretary_a, topic, section_a, clock):
    clock.move_to(AT["synthesis"])
    client.force_login(secretary_a)
    url = reverse("convention:contribution_create", args=[topic.pk])
    response = client.post(url, {"section": section_a.pk, **contribution_data()})
    assert response.status_code == 200
    assert "date limite des contributions est passée" in response.text
    assert not Contribution.objects.exists()


def test_another_sections_contribution_is_404_before_the_deadline(
    client, secretary_b, topic, section_a
):
    contribution = submit(topic, section_a)
    client.force_login(secretary_b)
    assert client.get(contribution.get_absolute_url()).status_code == 404
    edit = reverse("convention:contribution_edit", args=[contribution.pk])
    assert client.get(edit).status_code == 404


def test_a_secretary_of_another_federation_gets_404(
    client, secretary_lyon, topic, section_a, clock
):
    contribution = submit(topic, section_a)
    client.force_login(secretary_lyon)
    url = reverse("convention:contribution_create", args=[topic.pk])
    assert client.get(url).status_code == 404
    edit = reverse("convention:contribution_edit", args=[contribution.pk])
    assert client.get(edit).status_code == 404


def test_rapporteur_pages_are_refused_to_section_officers(client, secretary_a, topic):
    client.force_login(secretary_a)
    assert client.get(reverse("convention:groups", args=[topic.pk])).status_code in (403, 404)
    assert client.get(reverse("convention:paragraph_create", args=[topic.pk])).status_code in (
        403,
        404,
    )
    assert client.get(
        reverse("convention:results_entry", args=[topic.convention_id])
    ).status_code in (403, 404)


def test_a_user_with_two_offices_acts_for_both_sections(client, topic, section_a, section_b):
    import datetime

    from django.utils import timezone

    from fede.core.access import SYSTEM
    from fede.organization.models import Role
    from fede.organization.services import mandate_appoint
    from fede.organization.tests.factories import make_officer

    user = make_officer(section_a, Role.SECTION_SECRETARY)
    mandate_appoint(
        actor=SYSTEM,
        member=user.member,
        role=Role.SECTION_BUREAU,
        unit=section_b,
        start=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(user)
    url = reverse("convention:contribution_create", args=[topic.pk])
    response = client.get(url)
    assert section_a.name in response.text and section_b.name in response.text
    client.post(url, {"section": section_b.pk, **contribution_data()})
    assert Contribution.objects.get().section == section_b


def test_a_topic_with_900_contributions_renders_within_its_query_budget(
    client, member, topic, federation, clock, django_assert_num_queries
):
    many_contributions(topic, many_sections(federation, 900))
    clock.move_to(AT["synthesis"])
    client.force_login(member)
    url = reverse("convention:topic", args=[topic.pk])
    # Session, user, topic, the topic's order and documents (kept for the next requests),
    # the page's rows.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    assert "900 contributions" in response.text
    with django_assert_num_queries(4):
        response = client.get(url + "?page=30", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Section 0899" in response.text
    with django_assert_num_queries(3):  # the page's rows are kept too
        again = client.get(url + "?page=30", HTTP_HX_REQUEST="true")
    assert again.content == response.content


def test_coverage_with_900_contributions_within_its_query_budget(
    client, member, topic, federation, clock, django_assert_num_queries
):
    from fede.convention import services
    from fede.core.access import SYSTEM

    contributions = many_contributions(topic, many_sections(federation, 900))
    clock.move_to(AT["synthesis"])
    paragraphs = [
        services.paragraph_create(actor=SYSTEM, topic=topic, text=f"Paragraphe {n}")
        for n in range(3)
    ]
    Citation.objects.bulk_create(
        Citation(paragraph=paragraphs[n % 3], contribution=c, extent="full" if n % 2 else "partial")
        for n, c in enumerate(contributions[:300])
    )
    services.synthesis_publish(actor=SYSTEM, topic=topic)
    client.force_login(member)
    url = reverse("convention:coverage", args=[topic.pk])
    # Session, user, topic, the topic's order and citations (kept for the next requests),
    # the page's rows.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    assert "Non reprise" in response.text
    with django_assert_num_queries(4):
        response = client.get(url + "?reprise=none")
    assert response.status_code == 200 and "Reprise</span>" not in response.text
    with django_assert_num_queries(4):
        response = client.get(url + "?page=20", HTTP_HX_REQUEST="true")
    assert "Section 0599" in response.text and "Page 20 sur 30" in response.text
    with django_assert_num_queries(3):  # the page's rows are kept too
        again = client.get(url + "?page=20", HTTP_HX_REQUEST="true")
    assert again.content == response.content


def test_synthesis_with_many_paragraphs_within_its_query_budget(
    client, member, topic, federation, clock, django_assert_max_num_queries
):
    from fede.convention import services
    from fede.core.access import SYSTEM

    contributions = many_contributions(topic, many_sections(federation, 60))
    clock.move_to(AT["synthesis"])
    for n in range(20):
        paragraph = services.paragraph_create(actor=SYSTEM, topic=topic, text=f"§ {n}")
        Citation.objects.bulk_create(
            Citation(paragraph=paragraph, contribution=c) for c in contributions[n * 3 : n * 3 + 3]
        )
    services.synthesis_publish(actor=SYSTEM, topic=topic)
    client.force_login(member)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("convention:synthesis", args=[topic.pk]))
    assert response.status_code == 200
    assert response.text.count("S&#x27;appuie sur") + response.text.count("S'appuie sur") == 20
    assert Paragraph.objects.count() == 20


def test_amendment_list_within_its_query_budget(
    client, member, convention, federation, clock, django_assert_max_num_queries
):
    from fede.convention import services
    from fede.convention.models import Amendment
    from fede.core.access import SYSTEM

    topic = convention.topics.first()
    sections = many_sections(federation, 40)
    clock.move_to(AT["synthesis"])
    paragraph = services.paragraph_create(actor=SYSTEM, topic=topic, text="Texte")
    services.synthesis_publish(actor=SYSTEM, topic=topic)
    Amendment.objects.bulk_create(
        Amendment(
            paragraph=paragraph,
            section=s,
            proposed_text="x",
            rationale="y",
            members_present=3,
            base_text="Texte",
        )
        for s in sections
    )
    client.force_login(member)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("convention:amendments", args=[convention.pk]))
    assert response.status_code == 200 and "Section 0000" in response.text


def test_results_entry_and_publication(client, manager, convention, clock):
    clock.move_to(AT["convention"])
    client.force_login(manager)
    url = reverse("convention:results_entry", args=[convention.pk])
    assert client.get(url).status_code == 200
    for topic in convention.topics.all():
        prefix = f"topic-{topic.pk}"
        response = client.post(
            url,
            {
                f"{prefix}-item": prefix,
                f"{prefix}-votes_for": 120,
                f"{prefix}-votes_against": 10,
                f"{prefix}-votes_abstain": 3,
            },
        )
        assert response.status_code == 302
    response = client.post(reverse("convention:results_publish", args=[convention.pk]))
    assert response.status_code == 302
    convention.refresh_from_db()
    assert convention.results_published_at is not None
    page = client.get(reverse("convention:results", args=[convention.pk]))
    assert "Adoptée" in page.text


def test_rapporteur_groups_contributions_and_reads_the_groups(
    client, rapporteur, topic, federation, clock, django_capture_on_commit_callbacks
):
    from fede.organization.tests.factories import make_section

    texts = [
        "Encadrer les loyers et construire des logements sociaux.",
        "Construire des logements sociaux et encadrer les loyers.",
        "Un salaire minimum européen pour tous.",
    ]
    for n, text in enumerate(texts):
        submit(topic, make_section(federation, name=f"Section {n}"), text=text)
    clock.move_to(AT["synthesis"])
    client.force_login(rapporteur)
    url = reverse("convention:groups", args=[topic.pk])
    assert "pas encore été regroupées" in client.get(url).text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    page = client.get(url)
    assert "Groupe de 2 contributions" in page.text
    assert "logements sociaux" in page.text


def test_detail_shows_my_sections_status(client, secretary_a, convention, section_a):
    submit(convention.topics.get(scope="paris"), section_a)
    client.force_login(secretary_a)
    response = client.get(convention.get_absolute_url())
    assert "Ma section" in response.text
    assert "contribution déposée (version 1)" in response.text
    assert "déposer la contribution" in response.text


def test_coverage_counts_and_rows_agree_with_the_citations(
    client, member, topic, federation, clock
):
    """Counts from the topic's citations (one query) and each row's coverage from its own
    citations: a contribution cited fully once and partly elsewhere is taken up."""
    from fede.convention import selectors, services
    from fede.core.access import SYSTEM

    c = many_contributions(topic, many_sections(federation, 6))
    clock.move_to(AT["synthesis"])
    p1, p2 = (services.paragraph_create(actor=SYSTEM, topic=topic, text=t) for t in "AB")
    Citation.objects.bulk_create(
        [
            Citation(paragraph=p1, contribution=c[0], extent="full"),
            Citation(paragraph=p2, contribution=c[0], extent="partial"),
            Citation(paragraph=p1, contribution=c[1], extent="partial"),
            Citation(paragraph=p2, contribution=c[1], extent="partial"),
            Citation(paragraph=p2, contribution=c[2], extent="full"),
        ]
    )
    assert selectors.coverage_counts(topic) == {"total": 6, "full": 2, "partial": 1, "none": 3}
    services.synthesis_publish(actor=SYSTEM, topic=topic)
    client.force_login(member)
    url = reverse("convention:coverage", args=[topic.pk])
    for value, sections in (
        ("full", {"Section 0000", "Section 0002"}),
        ("partial", {"Section 0001"}),
        ("none", {"Section 0003", "Section 0004", "Section 0005"}),
    ):
        text = client.get(url, {"reprise": value}).text
        shown = {f"Section {i:04d}" for i in range(6) if f"Section {i:04d}" in text}
        assert shown == sections, value


def test_before_the_deadline_a_section_reads_only_its_own_contribution(
    client, secretary_a, topic, section_a, section_b
):
    """The topic page leaves the scope filter out only once everyone may read everything."""
    Contribution.objects.create(topic=topic, section=section_a, **contribution_data())
    Contribution.objects.create(topic=topic, section=section_b, **contribution_data())
    client.force_login(secretary_a)
    text = client.get(reverse("convention:topic", args=[topic.pk])).text
    assert section_a.name in text and section_b.name not in text
