import io

import pytest

from fede.kits import demo
from fede.kits.models import Feedback, Kit, Run, Task
from fede.organization.tests.factories import make_federation, make_officer, make_section

pytestmark = pytest.mark.django_db


def test_demo_loads_kits_and_runs_idempotently():
    federation = make_federation(code="FED75")
    for code, _slug, _days, _stage in demo.PLAN:
        if not federation.children.filter(code=code).exists():
            section = make_section(federation, name=f"Section {code}", code=code)
            make_officer(section, mfa=False)
    demo.load(stdout=io.StringIO())
    counts = (Kit.objects.count(), Run.objects.count(), Task.objects.count())
    assert counts[0] == 8 and counts[1] == len(demo.PLAN)
    assert Run.objects.filter(status="completed").exists() and Feedback.objects.exists()
    assert Task.objects.overdue().exists()
    demo.load(stdout=io.StringIO())
    assert (Kit.objects.count(), Run.objects.count(), Task.objects.count()) == counts
