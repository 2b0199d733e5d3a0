import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from fede.core.access import SYSTEM
from fede.kits import services
from fede.kits.models import KitVersion, Run, Task
from fede.kits.tests.factories import load_all_kits
from fede.organization.models import Role
from fede.organization.tests.factories import make_member_user, make_officer, make_section

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_library_lists_published_kits_for_officers(client, kit, secretary_a):
    response = login(client, secretary_a).get(reverse("kits:library"))
    assert response.status_code == 200
    assert "Kit de test" in response.content.decode()


def test_plain_members_see_their_tasks_not_the_library(client, member_a):
    login(client, member_a)
    assert client.get(reverse("kits:library")).status_code == 403
    response = client.get(reverse("kits:my_tasks"))
    assert response.status_code == 200
    assert "Aucune tâche ne vous est confiée" in response.content.decode()


def test_only_officers_of_the_section_reach_its_runs_and_board(
    client, run_a, section_a, secretary_b, member_a, section_north
):
    """Another section's secretary, a plain member, an officer of another federation: 404."""
    north = make_officer(section_north, Role.SECTION_SECRETARY)
    task = run_a.tasks.first()
    urls = [
        reverse("kits:run_detail", args=[run_a.pk]),
        reverse("kits:section_board", args=[section_a.pk]),
        reverse("kits:run_start", args=[section_a.pk]),
        reverse("kits:run_feedback", args=[run_a.pk]),
        reverse("kits:task_detail", args=[task.pk]),
    ]
    for user in (secretary_b, north):
        login(client, user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        response = client.post(
            reverse("kits:run_start", args=[section_a.pk]),
            {"kit": run_a.kit_id, "target_date": "2031-01-01"},
        )
        assert response.status_code == 404
    login(client, member_a)
    for url in urls:
        assert client.get(url).status_code in (403, 404)
    assert Run.objects.count() == 1


def test_secretary_starts_a_run_from_the_form(client, kit, section_a, secretary_a):
    login(client, secretary_a)
    page = client.get(reverse("kits:run_start", args=[section_a.pk]))
    assert page.status_code == 200 and "Local, 12 rue Oberkampf" in page.content.decode()
    response = client.post(
        reverse("kits:run_start", args=[section_a.pk]),
        {"kit": kit.pk, "target_date": "2030-05-20", "target_time": "19:00", "title": ""},
    )
    run = Run.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.section == section_a and run.tasks.count() == 3
    again = client.post(
        reverse("kits:run_start", args=[section_a.pk]),
        {"kit": kit.pk, "target_date": "2030-05-20"},
    )
    assert again.status_code == 200
    assert "déjà lancé" in again.content.decode()
    assert Run.objects.count() == 1


def test_assign_and_tick_from_the_run_page(client, run_a, secretary_a, member_a):
    login(client, secretary_a)
    task = run_a.tasks.get(order=1)
    response = client.post(
        reverse("kits:task_assign", args=[task.pk]),
        {
            "prefix": f"t{task.pk}",
            f"t{task.pk}-assignee": member_a.pk,
            f"t{task.pk}-due_date": "2030-04-30",
            "next": "run",
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee == member_a and task.due_date == datetime.date(2030, 4, 30)
    login(client, member_a)
    assert client.get(reverse("kits:task_detail", args=[task.pk])).status_code == 200
    client.post(reverse("kits:task_item", args=[task.pk, 1]), {"done": "1"})
    client.post(reverse("kits:task_status", args=[task.pk]), {"status": "done", "next": "mine"})
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.items.get(order=1).done
    # The assignee may not reassign.
    assert client.post(reverse("kits:task_assign", args=[task.pk]), {}).status_code == 404


def test_template_pdf_contains_the_section_name_and_officers(client, section_a, secretary_a, kit):
    treasurer = make_officer(
        section_a, Role.SECTION_TREASURER, first_name="Sophie", last_name="Marchand"
    )
    assert treasurer
    run = services.run_start(
        actor=secretary_a,
        section=section_a,
        kit=kit,
        target_date=datetime.date(2030, 5, 20),
        target_time=datetime.time(19, 0),
        place="Salle Jean-Jaurès",
    )
    template = run.version.templates.get()
    response = login(client, secretary_a).get(
        reverse("kits:run_document", args=[run.pk, template.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Paris 11 — Oberkampf" in text
    assert secretary_a.member.full_name in text and treasurer.member.full_name in text
    assert "Salle Jean-Jaurès" in text and "lundi 20 mai 2030" in text and "19 h" in text
    assert "{inconnu}" in text  # unknown placeholders stay as written


def test_document_of_another_kit_is_404(client, run_a, secretary_a):
    kits = load_all_kits()
    other = kits["reunion-publique"].versions.get().templates.first()
    response = login(client, secretary_a).get(
        reverse("kits:run_document", args=[run_a.pk, other.pk])
    )
    assert response.status_code == 404


def test_author_edits_a_published_kit_through_a_new_version(client, kit, author):
    login(client, author)
    response = client.post(reverse("kits:kit_edit", args=[kit.pk]))
    draft = kit.versions.get(status="draft")
    assert response["Location"] == draft.get_absolute_url()
    published = kit.versions.get(status="published")
    assert client.get(reverse("kits:version_edit", args=[published.pk])).status_code == 404
    client.post(
        reverse("kits:step_create", args=[draft.pk]),
        {"title": "Bilan", "offset_days": "7", "office": "", "instructions": "", "checklist": ""},
    )
    assert draft.steps.count() == 4
    client.post(reverse("kits:version_publish", args=[draft.pk]), {})
    assert KitVersion.objects.get(pk=draft.pk).status == "published"
    assert client.get(reverse("kits:kit_detail", args=[kit.pk])).status_code == 200


def test_section_officers_cannot_author(client, kit, secretary_a):
    login(client, secretary_a)
    assert client.post(reverse("kits:kit_edit", args=[kit.pk])).status_code == 404
    assert client.get(reverse("kits:kit_create")).status_code == 403
    assert client.get(reverse("kits:federation")).status_code == 403


def _busy_section(federation, kits, n):
    section = make_section(federation, name=f"Section chargée {n}")
    officer = make_officer(section, Role.SECTION_SECRETARY)
    members = [make_member_user(section) for _ in range(3)]
    for i, slug in enumerate(["reunion-publique", "assemblee-generale", "tractage"]):
        run = services.run_start(
            actor=SYSTEM,
            section=section,
            kit=kits[slug],
            target_date=datetime.date(2020, 1, 10 + i),  # in the past: every task overdue
        )
        for j, task in enumerate(run.tasks.all()):
            services.task_update(actor=SYSTEM, task=task, assignee=members[j % 3])
    return section, officer, members


def test_query_counts_are_pinned(client, federation, author, django_assert_max_num_queries):
    kits = load_all_kits()
    section, officer, members = _busy_section(federation, kits, 1)
    _busy_section(federation, kits, 2)
    run = section.kit_runs.first()
    login(client, officer)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("kits:section_board", args=[section.pk]))
    assert response.status_code == 200 and "En retard" in response.content.decode()
    with django_assert_max_num_queries(5):
        assert (
            client.get(
                reverse("kits:section_board", args=[section.pk]), HTTP_HX_REQUEST="true"
            ).status_code
            == 200
        )
    with django_assert_max_num_queries(9):
        assert client.get(reverse("kits:run_detail", args=[run.pk])).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("kits:library")).status_code == 200
    login(client, members[0])
    with django_assert_max_num_queries(4):
        response = client.get(reverse("kits:my_tasks"))
    assert response.content.decode().count("list-group-item-danger") >= 5
    login(client, author)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("kits:federation"))
    assert "Section chargée 1" in response.content.decode()
    with django_assert_max_num_queries(15):
        assert (
            client.get(reverse("kits:kit_detail", args=[kits["reunion-publique"].pk])).status_code
            == 200
        )


def test_feedback_form_and_usage_for_authors(client, run_a, secretary_a, author):
    login(client, secretary_a)
    client.post(reverse("kits:run_status", args=[run_a.pk]), {"status": "completed"})
    response = client.post(
        reverse("kits:run_feedback", args=[run_a.pk]),
        {"rating": "2", "went_well": "Clair.", "suggestions": "Commencer plus tôt."},
    )
    assert response.status_code == 302
    login(client, author)
    page = client.get(reverse("kits:kit_detail", args=[run_a.kit_id])).content.decode()
    assert "Commencer plus tôt." in page and "2/5" in page


def test_a_members_open_tasks_are_on_their_home_page(client, run_a, member_a):
    """The home page's "Mes tâches" panel lists what is given to the member, with its date."""
    task = run_a.tasks.order_by("due_date").first()
    services.task_update(actor=SYSTEM, task=task, assignee=member_a)
    login(client, member_a)
    page = client.get(reverse("core:home")).content.decode()
    assert 'id="panel-kits_tasks"' in page
    assert task.title in page and task.get_absolute_url() in page
    services.task_update(actor=SYSTEM, task=task, status="done")
    assert task.title not in client.get(reverse("core:home")).content.decode()


def test_section_board_rows_built_in_python_escape_names_and_titles(
    client, run_a, section_a, secretary_a, member_a, kit
):
    """Runs, tasks and finished runs of the board are built in Python: every name and title
    shows escaped, with the links and badges the template wrote."""
    Run.objects.filter(pk=run_a.pk).update(title="<b>R&D</b>")
    task = run_a.tasks.order_by("due_date", "order").first()
    Task.objects.filter(pk=task.pk).update(title='<script>alert("t")</script>')
    member_a.first_name, member_a.last_name = "<i>Ana</i>", "& Co"
    member_a.save(update_fields=["first_name", "last_name"])
    services.task_update(actor=SYSTEM, task=Task.objects.get(pk=task.pk), assignee=member_a)
    done = services.run_start(
        actor=SYSTEM, section=section_a, kit=kit, target_date=datetime.date(2020, 3, 1)
    )
    Run.objects.filter(pk=done.pk).update(title="<u>fini</u>", status=Run.Status.COMPLETED)
    html = login(client, secretary_a).get(reverse("kits:section_board", args=[section_a.pk]))
    html = html.content.decode()
    assert "<b>R&D</b>" not in html and "&lt;b&gt;R&amp;D&lt;/b&gt;" in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    assert "<i>Ana</i>" not in html and "&lt;i&gt;Ana&lt;/i&gt; &amp; Co" in html
    assert (
        f'<li><a href="{reverse("kits:run_detail", args=[done.pk])}">&lt;u&gt;fini&lt;/u&gt;</a>'
        " — 1 mars 2020 — " in html
    )
    assert f'<a href="{reverse("kits:run_detail", args=[run_a.pk])}">&lt;b&gt;' in html
    assert f'<a href="{reverse("kits:task_detail", args=[task.pk])}">&lt;script' in html


def test_my_tasks_items_built_in_python_escape_titles(client, run_a, section_a, member_a):
    task = run_a.tasks.order_by("due_date", "order").first()
    services.task_update(actor=SYSTEM, task=task, assignee=member_a)
    Task.objects.filter(pk=task.pk).update(title="<script>x</script> & co")
    Run.objects.filter(pk=run_a.pk).update(title="<b>R</b>")
    html = login(client, member_a).get(reverse("kits:my_tasks")).content.decode()
    assert "<script>x" not in html and "<b>R</b>" not in html
    assert (
        f'<a class="fw-semibold" href="{reverse("kits:task_detail", args=[task.pk])}">'
        "&lt;script&gt;x&lt;/script&gt; &amp; co</a>" in html
    )
    assert "· &lt;b&gt;R&lt;/b&gt; · " in html
    assert '<span class="visually-hidden"> — &lt;script&gt;x&lt;/script&gt; &amp; co</span>' in html
    assert f'action="{reverse("kits:task_status", args=[task.pk])}"' in html
    assert 'name="csrfmiddlewaretoken"' in html and "Je m'y mets" in html


def test_board_pager_counts_the_open_tasks_of_active_runs(client, federation, monkeypatch):
    """The board's pager adds up the runs' open tasks (no COUNT): the same total."""
    import math

    from fede.kits import views

    monkeypatch.setattr(views, "PAGE_SIZE", 5)

    kits = load_all_kits()
    section, officer, members = _busy_section(federation, kits, 1)
    run = section.kit_runs.first()
    Task.objects.filter(pk=run.tasks.first().pk).update(status=Task.Status.DONE)
    services.run_set_status(
        actor=SYSTEM, run=section.kit_runs.order_by("pk").last(), status=Run.Status.CANCELLED
    )
    count = Task.objects.open().filter(run__section=section, run__status=Run.Status.ACTIVE).count()
    pages = math.ceil(count / 5)
    assert pages >= 3
    login(client, officer)
    url = reverse("kits:section_board", args=[section.pk])
    assert f"Page 1 sur {pages}" in client.get(url).content.decode()
    last = client.get(url, {"page": 99}).content.decode()
    assert f"Page {pages} sur {pages}" in last
    partial = client.get(url, {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert f"Page 2 sur {pages}" in partial and "Kits en cours" not in partial
