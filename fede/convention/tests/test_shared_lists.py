"""The topic's lists once the deadline has passed: the order of the contributions and the
synthesis' citations are kept per process for every reader, the rows are written in
Python. Nobody sees what their scope hides, a change is seen at once (in this process and
in the others), and every value is escaped."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fede.convention import selectors, services
from fede.convention.models import Citation, Contribution
from fede.convention.tests.factories import AT, contribution_data, submit
from fede.core.access import SYSTEM
from fede.organization.tests.factories import make_section

pytestmark = pytest.mark.django_db

NONE = 'text-bg-secondary">Non reprise</span>'


def _contributions(topic, *sections):
    return [
        Contribution.objects.create(topic=topic, section=s, **contribution_data()) for s in sections
    ]


def test_a_reader_outside_the_scope_never_gets_the_shared_order(
    client, member, secretary_a, topic, section_a, section_b, clock
):
    """The order kept after the deadline (every reader reads every contribution) is not
    used when the deadline moves back: the section reads only its own contribution."""
    _contributions(topic, section_a, section_b)
    url = reverse("convention:topic", args=[topic.pk])
    clock.move_to(AT["synthesis"])
    client.force_login(member)
    text = client.get(url).text
    assert section_a.name in text and section_b.name in text
    clock.move_to(AT["debates"])
    client.force_login(secretary_a)
    text = client.get(url).text
    assert section_a.name in text and section_b.name not in text
    text = client.get(reverse("convention:coverage", args=[topic.pk])).text
    assert section_b.name not in text


def test_a_moved_deadline_is_a_new_order(client, member, manager, topic, section_a, clock):
    """The order is keyed on the convention's ``updated_at``: a contribution deposited
    after the deadline was moved later is listed once the new deadline has passed."""
    _contributions(topic, section_a)
    convention = topic.convention
    late = make_section(convention.federation, name="Paris 2 — Bourse")
    url = reverse("convention:topic", args=[topic.pk])
    clock.move_to(AT["synthesis"])
    client.force_login(member)
    assert "1 contribution" in client.get(url).text
    services.convention_update(
        actor=SYSTEM,
        convention=convention,
        contributions_deadline=AT["synthesis"] + datetime.timedelta(days=2),
    )
    Contribution.objects.bulk_create(  # no signal: only the key tells
        [Contribution(topic=topic, section=late, **contribution_data())]
    )
    clock.move_to(AT["synthesis"] + datetime.timedelta(days=3))
    client.force_login(member)
    text = client.get(url).text
    assert "2 contributions" in text and late.name in text


def _copies():
    return dict(selectors._SHARED._data), dict(selectors._SHARED_ROWS._data)


def _restore(copies):
    """What another process still holds after a write in this one."""
    selectors._SHARED._data.update(copies[0])
    selectors._SHARED_ROWS._data.update(copies[1])


def test_citations_are_seen_at_once_by_every_process(client, member, topic, section_a, clock):
    """The citation services and the rapporteurs' notes bump the topic's ``updated_at``,
    which keys the shared citations and coverage rows: a process that did not see the write
    (its copies left in place here) reads them again."""
    (contribution,) = _contributions(topic, section_a)
    clock.move_to(AT["synthesis"])
    paragraph = services.paragraph_create(actor=SYSTEM, topic=topic, text="Le logement.")
    services.synthesis_publish(actor=SYSTEM, topic=topic)
    client.force_login(member)
    url = reverse("convention:coverage", args=[topic.pk])
    assert NONE in client.get(url).text
    clock.shift(datetime.timedelta(minutes=1))
    other_process = _copies()
    services.citation_set(
        actor=SYSTEM, paragraph=paragraph, contribution=contribution, extent="partial"
    )
    _restore(other_process)
    text = client.get(url).text
    assert "En partie</span>" in text and NONE not in text
    assert f"#p{paragraph.pk}" in text
    topic.refresh_from_db()
    assert selectors.coverage_counts(topic)["partial"] == 1
    clock.shift(datetime.timedelta(minutes=1))
    other_process = _copies()
    services.contribution_note(actor=SYSTEM, contribution=contribution, note="Reprise au § 1.")
    _restore(other_process)
    assert "Reprise au § 1." in client.get(url).text
    clock.shift(datetime.timedelta(minutes=1))
    other_process = _copies()
    services.citation_remove(actor=SYSTEM, citation=Citation.objects.get())
    _restore(other_process)
    assert NONE in client.get(url).text


def test_a_new_document_is_listed_at_once(client, member, manager, topic, clock):
    client.force_login(member)
    url = reverse("convention:topic", args=[topic.pk])
    assert "Programme.pdf" not in client.get(url).text
    services.document_add(
        actor=SYSTEM,
        topic=topic,
        title="Programme.pdf",
        file=SimpleUploadedFile("programme.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )
    assert "Programme.pdf" in client.get(url).text


def test_a_new_contribution_or_a_renamed_section_reorders_the_list(
    client, member, topic, federation, section_a, section_b, clock
):
    """Both clear this process's copies (signals)."""
    _contributions(topic, section_a, section_b)
    clock.move_to(AT["synthesis"])
    client.force_login(member)
    url = reverse("convention:topic", args=[topic.pk])
    text = client.get(url).text
    assert text.index(section_a.name) < text.index(section_b.name)
    section_a.name = "Paris 99 — Zénith"
    section_a.save()
    text = client.get(url).text
    assert text.index(section_b.name) < text.index(section_a.name)
    third = make_section(federation, name="Paris 01 — Louvre")
    Contribution.objects.create(topic=topic, section=third, **contribution_data())
    text = client.get(url).text
    assert "3 contributions" in text and text.index(third.name) < text.index(section_b.name)


def test_counts_from_the_shared_citations_agree_with_the_query(topic, federation, clock):
    """Before the deadline the counts come from one query, after it from the shared
    citations: the same figures."""
    sections = [make_section(federation, name=f"Section {n}") for n in range(4)]
    c = _contributions(topic, *sections)
    clock.move_to(AT["synthesis"])
    p1, p2 = (services.paragraph_create(actor=SYSTEM, topic=topic, text=t) for t in "AB")
    for paragraph, contribution, extent in (
        (p1, c[0], "full"),
        (p2, c[0], "partial"),
        (p1, c[1], "partial"),
        (p2, c[2], "full"),
    ):
        services.citation_set(
            actor=SYSTEM, paragraph=paragraph, contribution=contribution, extent=extent
        )
    expected = {"total": 4, "full": 2, "partial": 1, "none": 1}
    assert selectors.coverage_counts(topic) == expected
    clock.move_to(AT["debates"])
    topic.refresh_from_db()
    assert selectors.coverage_counts(topic) == expected


def test_rows_written_in_python_are_escaped(client, member, topic, federation, clock):
    section = make_section(federation, name="<script>alert(1)</script> & Cie")
    contribution = submit(topic, section, text="Des <b>logements</b> & des écoles")
    clock.move_to(AT["synthesis"])
    paragraph = services.paragraph_create(actor=SYSTEM, topic=topic, text="Le logement.")
    services.citation_set(
        actor=SYSTEM,
        paragraph=paragraph,
        contribution=contribution,
        extent="full",
        note="<i>tout</i> & plus",
    )
    services.contribution_note(
        actor=SYSTEM, contribution=contribution, note="Vu <em>en</em> commission & repris"
    )
    services.synthesis_publish(actor=SYSTEM, topic=topic)
    client.force_login(member)
    for url in (
        reverse("convention:topic", args=[topic.pk]),
        reverse("convention:coverage", args=[topic.pk]),
    ):
        text = client.get(url).text
        assert "<script>alert(1)" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in text
        assert contribution.get_absolute_url() in text
    text = client.get(reverse("convention:topic", args=[topic.pk])).text
    assert "Des &lt;b&gt;logements&lt;/b&gt; &amp; des écoles" in text
    assert "12 pour, 2 contre, 1 abstentions (15 présent·es)" in text
    text = client.get(reverse("convention:coverage", args=[topic.pk])).text
    assert "(&lt;i&gt;tout&lt;/i&gt; &amp; plus)" in text
    assert "Vu &lt;em&gt;en&lt;/em&gt; commission &amp; repris" in text
    assert f'#p{paragraph.pk}">§ 1.1</a>' in text
