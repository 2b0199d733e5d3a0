import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from fede.core.access import SYSTEM
from fede.kits import services
from fede.kits.content import KITS
from fede.kits.models import Feedback, Kit, KitVersion, Run, Task, TaskItem
from fede.kits.tests.factories import SMALL_KIT, make_kit
from fede.organization.models import Role
from fede.organization.tests.factories import make_member_user, make_officer

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def due_dates(run):
    return {t.title: t.due_date for t in run.tasks.all()}


# --- Library and versions ------------------------------------------------------------------


def test_load_kits_creates_the_eight_federal_kits_once():
    """`load_kits` publishes the 8 kits; a second run changes nothing."""
    call_command("load_kits", stdout=io.StringIO())
    assert Kit.objects.count() == len(KITS) >= 8
    assert KitVersion.objects.filter(status="published").count() == len(KITS)
    meeting = Kit.objects.get(slug="reunion-publique").versions.get()
    assert meeting.title == "Organiser une réunion publique"
    assert [s.offset_days for s in meeting.steps.all()][:2] == [-30, -28]
    assert meeting.templates.filter(kind="emargement").exists()
    call_command("load_kits", stdout=io.StringIO())
    assert KitVersion.objects.count() == len(KITS)


def test_changed_content_is_published_as_a_new_version():
    kit = make_kit()
    changed = {**SMALL_KIT, "summary": "Un kit court, revu."}
    assert services.kits_load(actor=SYSTEM, kits=[changed]) == (0, 1)
    assert list(kit.versions.values_list("number", "status")) == [
        (2, "published"),
        (1, "superseded"),
    ]


def test_a_published_version_is_never_edited_in_place(kit, author):
    published = kit.versions.get()
    with pytest.raises(ValidationError):
        services.version_update(actor=author, version=published, title="Autre titre")
    with pytest.raises(ValidationError):
        services.step_save(actor=author, version=published, title="Nouvelle", offset_days=1)


def test_editing_makes_a_draft_copy_and_publishing_supersedes(kit, author):
    draft = services.version_draft(actor=author, kit=kit)
    assert draft.number == 2 and draft.is_draft
    assert draft.steps.count() == 3 and draft.templates.count() == 1
    assert services.version_draft(actor=author, kit=kit) == draft  # one draft at a time
    services.version_publish(actor=author, version=draft)
    assert list(kit.versions.values_list("number", "status")) == [
        (2, "published"),
        (1, "superseded"),
    ]
    services.version_publish(actor=author, version=draft)  # second click: nothing more
    assert kit.versions.filter(status="published").count() == 1


def test_section_officers_cannot_write_kits(kit, secretary_a):
    with pytest.raises(PermissionDenied):
        services.version_draft(actor=secretary_a, kit=kit)


def test_version_pinning_runs_keep_their_version(kit, author, section_a, secretary_a):
    """A run started on v1 keeps v1's steps and dates after v2 is published; a new run
    takes v2."""
    run = services.run_start(
        actor=secretary_a, section=section_a, kit=kit, target_date=datetime.date(2030, 6, 1)
    )
    draft = services.version_draft(actor=author, kit=kit)
    first = draft.steps.get(order=1)
    services.step_save(
        actor=author, version=draft, step=first, title="Préparer plus tôt", offset_days=-30
    )
    services.step_save(actor=author, version=draft, title="Faire le bilan", offset_days=7)
    services.version_publish(actor=author, version=draft)

    run.refresh_from_db()
    assert run.version.number == 1
    assert due_dates(run) == {
        "Préparer": datetime.date(2030, 5, 11),
        "Faire": datetime.date(2030, 6, 1),
        "Remercier": datetime.date(2030, 6, 4),
    }
    assert [s.title for s in run.version.steps.all()] == ["Préparer", "Faire", "Remercier"]
    later = services.run_start(
        actor=secretary_a, section=section_a, kit=kit, target_date=datetime.date(2030, 9, 1)
    )
    assert later.version == draft
    assert due_dates(later)["Préparer plus tôt"] == datetime.date(2030, 8, 2)
    assert later.tasks.count() == 4


# --- Runs ----------------------------------------------------------------------------------


def test_due_dates_across_dst_changes(kit, section_a, secretary_a):
    """Deadlines are calendar days: J-21 before the spring change and J+3 after the
    autumn change fall on the right dates, whatever the clock does."""
    spring = services.run_start(
        actor=secretary_a, section=section_a, kit=kit, target_date=datetime.date(2025, 4, 5)
    )
    assert due_dates(spring) == {
        "Préparer": datetime.date(2025, 3, 15),  # before the 30 March change
        "Faire": datetime.date(2025, 4, 5),
        "Remercier": datetime.date(2025, 4, 8),
    }
    autumn = services.run_start(
        actor=secretary_a, section=section_a, kit=kit, target_date=datetime.date(2025, 10, 24)
    )
    assert due_dates(autumn)["Remercier"] == datetime.date(2025, 10, 27)  # after 26 October
    assert due_dates(autumn)["Préparer"] == datetime.date(2025, 10, 3)


def test_overdue_is_decided_on_the_paris_date_across_the_dst_night(kit, section_a, secretary_a):
    run = services.run_start(
        actor=secretary_a, section=section_a, kit=kit, target_date=datetime.date(2025, 3, 30)
    )
    task = run.tasks.get(title="Faire")  # due Sunday 30 March, the night clocks go forward
    # 23:30 in Paris on the 30th is 21:30 UTC: still the 30th, not overdue.
    with time_machine.travel(datetime.datetime(2025, 3, 30, 23, 30, tzinfo=PARIS), tick=False):
        assert not Task.objects.overdue().filter(pk=task.pk).exists()
    # 00:30 in Paris on the 31st is 22:30 UTC on the 30th: overdue already.
    with time_machine.travel(datetime.datetime(2025, 3, 31, 0, 30, tzinfo=PARIS), tick=False):
        assert Task.objects.overdue().filter(pk=task.pk).exists()


def test_a_run_makes_dated_tasks_with_their_checklist(run_a):
    tasks = list(run_a.tasks.order_by("order"))
    assert [t.title for t in tasks] == ["Préparer", "Faire", "Remercier"]
    assert [t.office for t in tasks] == ["section_secretary", "section_bureau", ""]
    assert list(tasks[0].items.values_list("label", flat=True)) == ["Salle", "Tract"]
    assert run_a.title == "Kit de test"


def test_only_officers_run_kits_for_their_own_section(
    kit, section_a, section_b, secretary_b, member_a
):
    with pytest.raises(PermissionDenied):
        services.run_start(
            actor=secretary_b, section=section_a, kit=kit, target_date=datetime.date(2030, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        services.run_start(
            actor=member_a, section=section_a, kit=kit, target_date=datetime.date(2030, 1, 1)
        )


def test_federal_offices_run_kits_on_their_subtree(kit, section_a, author, section_north):
    run = services.run_start(
        actor=author, section=section_a, kit=kit, target_date=datetime.date(2030, 1, 1)
    )
    assert run.section == section_a
    with pytest.raises(PermissionDenied):
        services.run_start(
            actor=author, section=section_north, kit=kit, target_date=datetime.date(2030, 1, 1)
        )


def test_starting_the_same_run_twice_is_refused(run_a, secretary_a, section_a, kit):
    with pytest.raises(ValidationError) as error:
        services.run_start(
            actor=secretary_a, section=section_a, kit=kit, target_date=run_a.target_date
        )
    assert "déjà lancé" in str(error.value)
    assert Run.objects.count() == 1


def test_a_cancelled_run_can_be_started_again(run_a, secretary_a, section_a, kit):
    services.run_set_status(actor=secretary_a, run=run_a, status=Run.Status.CANCELLED)
    again = services.run_start(
        actor=secretary_a, section=section_a, kit=kit, target_date=run_a.target_date
    )
    assert again.pk != run_a.pk


def test_kit_without_published_version_cannot_run(section_a, secretary_a, author):
    version = services.kit_create(
        actor=author, slug="brouillon", category="autre", title="Brouillon", summary="…", effort="…"
    )
    with pytest.raises(ValidationError):
        services.run_start(
            actor=secretary_a,
            section=section_a,
            kit=version.kit,
            target_date=datetime.date(2030, 1, 1),
        )


# --- Tasks ---------------------------------------------------------------------------------


def test_officer_assigns_a_member_with_a_login_of_the_section(
    run_a, secretary_a, member_a, secretary_b
):
    task = run_a.tasks.get(order=1)
    services.task_update(actor=secretary_a, task=task, assignee=member_a)
    assert Task.objects.get(pk=task.pk).assignee == member_a
    with pytest.raises(ValidationError):
        services.task_update(actor=secretary_a, task=task, assignee=secretary_b)


def test_assignee_updates_status_but_cannot_reassign(run_a, secretary_a, member_a, section_a):
    task = run_a.tasks.get(order=1)
    services.task_update(actor=secretary_a, task=task, assignee=member_a)
    services.task_update(actor=member_a, task=task, status=Task.Status.DONE)
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.done_at is not None
    other = make_member_user(section_a)
    with pytest.raises(PermissionDenied):
        services.task_update(actor=member_a, task=task, assignee=other)
    with pytest.raises(PermissionDenied):
        services.task_update(actor=other, task=task, status=Task.Status.TODO)


def test_ticking_a_point_starts_the_task(run_a, secretary_a):
    task = run_a.tasks.get(order=1)
    item = task.items.get(order=1)
    services.task_item_set(actor=secretary_a, item=item, done=True)
    assert TaskItem.objects.get(pk=item.pk).done
    assert Task.objects.get(pk=task.pk).status == Task.Status.IN_PROGRESS


def test_comment_needs_text(run_a, secretary_a):
    task = run_a.tasks.first()
    with pytest.raises(ValidationError):
        services.task_comment_add(actor=secretary_a, task=task, body="   ")
    comment = services.task_comment_add(actor=secretary_a, task=task, body="Salle confirmée.")
    assert comment.author == secretary_a


# --- Reminders -----------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2030, 4, 28, 8, 0, tzinfo=PARIS), tick=False)
def test_reminders_are_sent_once(run_a, secretary_a, member_a, django_capture_on_commit_callbacks):
    """Tasks due within two days (or overdue) with an assignee get one mail, once."""
    first, second, third = run_a.tasks.order_by("order")  # due 29 Apr, 20 May, 23 May
    for task in (first, second, third):
        services.task_update(actor=secretary_a, task=task, assignee=member_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(actor=SYSTEM) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member_a.email]
    assert "Préparer" in message.subject and "29/04/2030" in message.subject
    assert f"/kits/taches/{first.pk}/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and f"/kits/taches/{first.pk}/" in html
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(actor=SYSTEM) == 0
        call_command("send_kit_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 1


@time_machine.travel(datetime.datetime(2030, 4, 28, 8, 0, tzinfo=PARIS), tick=False)
def test_a_new_assignee_is_reminded_again_and_done_tasks_are_not(
    run_a, secretary_a, member_a, section_a, django_capture_on_commit_callbacks
):
    first = run_a.tasks.get(order=1)
    services.task_update(actor=secretary_a, task=first, assignee=member_a)
    services.reminders_send(actor=SYSTEM)
    other = make_member_user(section_a)
    services.task_update(actor=secretary_a, task=first, assignee=other)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(actor=SYSTEM) == 1
    assert mail.outbox[0].to == [other.email]
    services.task_update(actor=secretary_a, task=first, assignee=member_a)
    services.task_update(actor=member_a, task=first, status=Task.Status.DONE)
    assert services.reminders_send(actor=SYSTEM) == 0


@pytest.mark.parametrize(
    "now,said",
    [
        (
            datetime.datetime(2030, 4, 28, 8, 0, tzinfo=PARIS),
            "La tâche suivante est à faire pour le lundi 29 avril 2030 :",
        ),
        (
            datetime.datetime(2030, 4, 30, 8, 0, tzinfo=PARIS),
            "La tâche suivante devait être faite pour le lundi 29 avril 2030 :",
        ),
    ],
)
def test_the_reminder_mail_says_the_same_in_text_and_html(
    run_a, secretary_a, member_a, section_a, now, said, django_capture_on_commit_callbacks
):
    """One template, two parts: the task, its run, its section and its link in both; the
    names escaped in the HTML only."""
    first = run_a.tasks.get(order=1)  # due 29 Apr
    services.task_update(actor=secretary_a, task=first, assignee=member_a)
    Task.objects.filter(pk=first.pk).update(title="Préparer <b>& tracter")
    Run.objects.filter(pk=run_a.pk).update(title="Tractage <b>& marché")
    type(section_a).objects.filter(pk=section_a.pk).update(name="Paris 11 <b>& Oberkampf")
    member_a.first_name = "Zoé <b>&"
    member_a.save(update_fields=["first_name"])
    mail.outbox.clear()
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(actor=SYSTEM) == 1
    [message] = mail.outbox
    assert message.to == [member_a.email]
    assert message.subject == "Rappel : « Préparer <b>& tracter » pour le 29/04/2030"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    text = message.body
    url = settings.FEDE_SITE_URL.rstrip("/") + f"/kits/taches/{first.pk}/"
    assert (
        f"Bonjour Zoé <b>&,\n\n{said}\n\n  Préparer <b>& tracter\n"
        "  Tractage <b>& marché — Paris 11 <b>& Oberkampf (date visée : 20 mai 2030)\n\n"
        f"Les instructions, la liste à cocher et les commentaires :\n{url}\n\n"
        "Si vous ne pouvez pas vous en charger"
    ) in text
    assert "Bonjour Zoé &lt;b&gt;&amp;," in html and said in html
    assert "Préparer &lt;b&gt;&amp; tracter" in html
    assert "Tractage &lt;b&gt;&amp; marché — Paris 11 &lt;b&gt;&amp; Oberkampf" in html
    assert "(date visée : 20 mai 2030)" in html
    assert f'<a href="{url}">{url}</a>' in html
    assert "<b>&" not in html and "&lt;" not in text


def test_reminders_are_for_the_scheduler_only(secretary_a):
    with pytest.raises(PermissionDenied):
        services.reminders_send(actor=secretary_a)


# --- Feedback ------------------------------------------------------------------------------


def test_feedback_once_per_run_and_addressed_by_a_new_version(run_a, secretary_a, author, kit):
    services.feedback_save(actor=secretary_a, run=run_a, rating=3, suggestions="Plus tôt.")
    services.feedback_save(actor=secretary_a, run=run_a, rating=4, suggestions="Plus tôt !")
    feedback = Feedback.objects.get()
    assert feedback.rating == 4
    draft = services.version_draft(actor=author, kit=kit)
    services.version_publish(actor=author, version=draft, addressed=[feedback])
    assert Feedback.objects.get().addressed_in == draft
    with pytest.raises(ValidationError):
        services.feedback_save(actor=secretary_a, run=run_a, rating=9)


def test_feedback_only_by_the_section(run_a, secretary_b):
    with pytest.raises(PermissionDenied):
        services.feedback_save(actor=secretary_b, run=run_a, rating=5)


def test_treasurer_and_bureau_run_kits(kit, section_a):
    for role in (Role.SECTION_TREASURER, Role.SECTION_BUREAU):
        officer = make_officer(section_a, role)
        services.run_start(
            actor=officer,
            section=section_a,
            kit=kit,
            target_date=datetime.date(2030, 2, 1 + len(role)),
        )
