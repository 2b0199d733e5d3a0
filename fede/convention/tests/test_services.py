"""Contributions, synthesis, citations, amendments and results: what each service writes."""

import pytest
from django.core.exceptions import ValidationError

from fede.convention import services
from fede.convention.models import Amendment, Citation, ContributionRevision, VoteResult
from fede.convention.tests.factories import AT, amendment_data, submit
from fede.core.access import SYSTEM
from fede.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_an_edit_keeps_the_previous_version(topic, section_a, secretary_a):
    contribution = submit(topic, section_a, actor=secretary_a, text="Première version.")
    services.contribution_update(
        actor=secretary_a,
        contribution=contribution,
        text="Deuxième version.",
        votes_for=13,
        members_present=16,
    )
    contribution.refresh_from_db()
    assert contribution.version == 2 and contribution.text == "Deuxième version."
    revision = ContributionRevision.objects.get(contribution=contribution)
    assert revision.version == 1 and revision.text == "Première version."
    assert revision.votes_for == 12
    codes = list(AuditEntry.objects.values_list("code", flat=True))
    assert "convention.contribution_submit" in codes and "convention.contribution_update" in codes


def test_an_unchanged_edit_writes_nothing(topic, section_a, secretary_a):
    contribution = submit(topic, section_a, actor=secretary_a)
    services.contribution_update(actor=secretary_a, contribution=contribution)
    assert not ContributionRevision.objects.exists()


def _paragraph_citing(topic, contribution, clock, extent="full"):
    clock.move_to(AT["synthesis"])
    paragraph = services.paragraph_create(actor=SYSTEM, topic=topic, text="Le logement d'abord.")
    services.citation_set(
        actor=SYSTEM,
        paragraph=paragraph,
        contribution=contribution,
        extent=extent,
        note="Logements sociaux",
    )
    return paragraph


def test_traceability_survives_edits_of_both_sides(
    topic, section_a, secretary_a, rapporteur, clock
):
    contribution = submit(topic, section_a, actor=secretary_a)
    services.contribution_update(actor=secretary_a, contribution=contribution, text="Version 2.")
    paragraph = _paragraph_citing(topic, contribution, clock)
    citation = Citation.objects.get()
    assert citation.contribution_version == 2
    services.paragraph_update(actor=rapporteur, paragraph=paragraph, text="Réécrit.")
    services.paragraph_update(actor=rapporteur, paragraph=paragraph, text="Réécrit encore.")
    paragraph.refresh_from_db()
    assert paragraph.version == 3
    assert list(paragraph.contributions.all()) == [contribution]
    assert [r.text for r in paragraph.revisions.order_by("version")] == [
        "Le logement d'abord.",
        "Réécrit.",
    ]


def test_traceability_survives_an_amendment_merge(
    topic, section_a, section_b, secretary_b, rapporteur, clock
):
    contribution = submit(topic, section_a)
    paragraph = _paragraph_citing(topic, contribution, clock)
    services.synthesis_publish(actor=rapporteur, topic=topic)
    clock.move_to(AT["amendments"])
    amendment = services.amendment_submit(
        actor=secretary_b, paragraph=paragraph, section=section_b, **amendment_data()
    )
    services.amendment_answer(
        actor=rapporteur,
        amendment=amendment,
        decision="merged",
        merged_text="Rédaction commune.",
        answer="Intégré en partie.",
    )
    paragraph.refresh_from_db()
    assert paragraph.text == "Rédaction commune."
    assert list(paragraph.contributions.all()) == [contribution]
    revision = paragraph.revisions.get()
    assert revision.amendment == amendment and revision.text == "Le logement d'abord."
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.MERGED
    assert amendment.base_text == "Le logement d'abord."


def test_accepting_an_amendment_takes_its_wording(topic, section_a, secretary_a, rapporteur, clock):
    contribution = submit(topic, section_a)
    paragraph = _paragraph_citing(topic, contribution, clock)
    services.synthesis_publish(actor=rapporteur, topic=topic)
    clock.move_to(AT["amendments"])
    amendment = services.amendment_submit(
        actor=secretary_a, paragraph=paragraph, section=section_a, **amendment_data()
    )
    services.amendment_answer(actor=rapporteur, amendment=amendment, decision="accepted")
    paragraph.refresh_from_db()
    assert paragraph.text == amendment.proposed_text
    with pytest.raises(ValidationError, match="déjà reçu une réponse"):
        services.amendment_answer(
            actor=rapporteur, amendment=amendment, decision="rejected", answer="Non"
        )


def test_a_rejection_needs_an_answer(topic, section_a, secretary_a, rapporteur, clock):
    paragraph = _paragraph_citing(topic, submit(topic, section_a), clock)
    services.synthesis_publish(actor=rapporteur, topic=topic)
    clock.move_to(AT["amendments"])
    amendment = services.amendment_submit(
        actor=secretary_a, paragraph=paragraph, section=section_a, **amendment_data()
    )
    with pytest.raises(ValidationError) as error:
        services.amendment_answer(actor=rapporteur, amendment=amendment, decision="rejected")
    assert "answer" in error.value.error_dict
    services.amendment_answer(
        actor=rapporteur,
        amendment=amendment,
        decision="rejected",
        answer="Contraire à l'orientation de la synthèse.",
    )
    assert AuditEntry.objects.filter(code="convention.amendment_answer").count() == 1


def test_a_paragraph_cites_only_contributions_of_its_topic(convention, section_a, clock):
    topics = list(convention.topics.order_by("scope"))
    other = submit(topics[1], section_a)
    clock.move_to(AT["synthesis"])
    paragraph = services.paragraph_create(actor=SYSTEM, topic=topics[0], text="Texte.")
    with pytest.raises(ValidationError):
        services.citation_set(actor=SYSTEM, paragraph=paragraph, contribution=other, extent="full")


def test_a_corrected_result_replaces_the_first_and_is_audited(convention, manager, clock):
    clock.move_to(AT["convention"])
    topic = convention.topics.first()
    services.result_record(
        actor=manager,
        convention=convention,
        topic=topic,
        votes_for=100,
        votes_against=20,
        votes_abstain=5,
    )
    services.result_record(
        actor=manager,
        convention=convention,
        topic=topic,
        votes_for=101,
        votes_against=20,
        votes_abstain=5,
    )
    result = VoteResult.objects.get()
    assert result.votes_for == 101 and result.adopted
    entries = AuditEntry.objects.filter(code="convention.result_record").order_by("pk")
    assert entries.count() == 2 and entries.last().changes["votes"][1] == [101, 20, 5]


def test_grouping_runs_as_a_task_with_progress(
    topic, federation, rapporteur, clock, django_capture_on_commit_callbacks
):
    from fede.organization.tests.factories import make_section

    texts = [
        "Encadrer les loyers et construire des logements sociaux.",
        "Construire des logements sociaux et encadrer les loyers dans Paris.",
        "Développer le vélo et les pistes cyclables sécurisées.",
        "Des pistes cyclables sécurisées et le vélo pour tous.",
    ]
    for n, text in enumerate(texts):
        submit(topic, make_section(federation, name=f"Section {n}"), text=text)
    clock.move_to(AT["synthesis"])
    with django_capture_on_commit_callbacks(execute=True):
        progress = services.grouping_request(actor=rapporteur, topic=topic)
    progress.refresh_from_db()
    assert progress.status == "done", progress.message
    grouping = topic.groupings.get()
    sizes = sorted(len(g["contributions"]) for g in grouping.groups)
    assert sizes == [2, 2]
    assert any("logements sociaux" in g["phrases"] for g in grouping.groups)
