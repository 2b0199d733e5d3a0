import io

import pytest

from fede.consultations import demo
from fede.consultations.models import Comment, Consultation, Paragraph, Rewording
from fede.organization.models import Role
from fede.organization.tests.factories import (
    MemberFactory,
    make_federation,
    make_officer,
    make_section,
)

pytestmark = pytest.mark.django_db


def test_demo_loads_the_projet_federal_parisien_once(db):
    federation = make_federation(code="FED75")
    sections = [make_section(federation, name=f"Paris {n}") for n in (11, 15, 20)]
    for i in range(90):
        MemberFactory(section=sections[i % 3])
    make_officer(federation, Role.FIRST_SECRETARY, section=sections[0], mfa=False)
    demo.load(stdout=io.StringIO())
    consultation = Consultation.objects.get(title="Projet fédéral parisien")
    assert consultation.is_open()
    assert Paragraph.objects.filter(chapter__version__consultation=consultation).count() == 13
    comments = Comment.objects.count()
    assert 200 <= comments <= 600
    assert Comment.objects.exclude(answer="").exists()
    assert Comment.objects.filter(hidden_at__isnull=False).count() == 1
    assert Rewording.objects.exclude(answer="").count() >= 4
    first = Paragraph.objects.order_by("pk").first()
    assert first.comment_count == Comment.objects.filter(paragraph=first, hidden_at=None).count()
    demo.load(stdout=io.StringIO())
    assert Consultation.objects.count() == 1 and Comment.objects.count() == comments
