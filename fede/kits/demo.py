"""Demo data of the kits app: the federation's eight kits, and runs in a dozen sections at
various stages (just started, under way with overdue tasks, finished with feedback).

Runs after the organisation demo (federation "FED75", sections "S75-…"). Idempotent: the
kits are loaded by ``kits_load`` (no duplicate), and a section that already runs a kit is
left alone. Deterministic: fixed seed, dates relative to one ``today``.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.organization.models import Unit

from . import services
from .content import KITS
from .models import Feedback, Kit, Run, Task, TaskItem

# (section code, kit slug, target date in days from today, stage)
PLAN = [
    ("S75-11-1", "reunion-publique", 18, "started"),
    ("S75-11-1", "accueil-nouvel-adherent", -12, "under_way"),
    ("S75-11-1", "tractage", -20, "finished"),
    ("S75-15-1", "assemblee-generale", 25, "under_way"),
    ("S75-15-1", "reunion-publique", -40, "finished"),
    ("S75-19-1", "preparer-election", 60, "under_way"),
    ("S75-20-1", "collage-affiches", 5, "late"),
    ("S75-10-1", "campagne-cotisations", 12, "late"),
    ("S75-18-1", "reunion-publique", 9, "late"),
    ("S75-13-1", "tractage", 3, "under_way"),
    ("S75-12-1", "assemblee-generale", -10, "finished"),
    ("S75-14-1", "accueil-nouvel-adherent", 2, "started"),
    ("S75-17-1", "reunion-publique", 30, "started"),
    ("SE75-1", "creer-section-entreprise", 20, "late"),
]

FEEDBACK = {
    "tractage": (
        4,
        "Le tableau des horaires de marché nous a fait gagner du temps ; deux nouveaux "
        "adhérents sont venus tracter pour la première fois.",
        "Ajouter une étape « prévenir la section voisine » : nous sommes tombés sur "
        "l'équipe du 10e au même carrefour.",
    ),
    "reunion-publique": (
        5,
        "La liste de l'accueil et la feuille d'émargement prête à imprimer : parfait. "
        "Soixante personnes, dont une vingtaine de non-adhérents.",
        "J-15 pour le tract, c'est juste quand l'imprimerie est prise : proposer J-21.",
    ),
    "assemblee-generale": (
        3,
        "La convocation pré-remplie avec l'ordre du jour nous a évité un oubli.",
        "Prévoir une étape pour la vérification des comptes par une personne hors du "
        "bureau bien plus tôt : notre vérificatrice était en vacances.",
    ),
}


def _members_with_login(section: Unit) -> list:
    return [m.user for m in services.assignable_members(section)]


def _secretary_user(section: Unit):
    mandate = (
        section.mandates.filter(role="section_secretary", member__user__isnull=False)
        .select_related("member__user")
        .first()
    )
    return mandate.member.user if mandate else None


def _advance(run: Run, stage: str, today: datetime.date, rng: random.Random) -> None:
    """Set statuses as a section at this stage would have them."""
    people = _members_with_login(run.section)
    tasks = list(run.tasks.order_by("due_date", "order"))
    for n, task in enumerate(tasks):
        fields: dict = {}
        if people:
            fields["assignee"] = people[n % len(people)]
        if stage == "finished" or (task.due_date < today and stage == "under_way"):
            if rng.random() < 0.1:
                fields["status"] = Task.Status.NOT_APPLICABLE
            else:
                late = rng.choice([-2, -1, 0, 0, 1, 3])
                done_on = min(task.due_date + datetime.timedelta(days=late), today)
                fields["status"] = Task.Status.DONE
                fields["done_at"] = timezone.make_aware(
                    datetime.datetime.combine(done_on, datetime.time(20, 30))
                )
                TaskItem.objects.filter(task=task).update(done=True)
        elif stage == "late" and task.due_date < today:
            fields["status"] = rng.choice([Task.Status.TODO, Task.Status.IN_PROGRESS])
        elif task.due_date <= today + datetime.timedelta(days=3) and stage != "started":
            fields["status"] = Task.Status.IN_PROGRESS
        if fields:
            Task.objects.filter(pk=task.pk).update(**fields)
    if stage == "finished":
        Run.objects.filter(pk=run.pk).update(
            status=Run.Status.COMPLETED,
            completed_at=timezone.make_aware(
                datetime.datetime.combine(max(t.due_date for t in tasks), datetime.time(21))
            ),
        )
        rating, went_well, suggestions = FEEDBACK.get(
            run.kit.slug, (4, "Kit clair et complet.", "")
        )
        Feedback.objects.get_or_create(
            run=run,
            defaults={
                "rating": rating,
                "went_well": went_well,
                "suggestions": suggestions,
                "author": _secretary_user(run.section),
            },
        )


@transaction.atomic
def load(*, stdout, open_data=None) -> list:
    created, updated = services.kits_load(actor=SYSTEM, kits=KITS)
    stdout.write(f"Kits : {created} créés, {updated} mis à jour.")
    rng = random.Random(1905)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    kits = {k.slug: k for k in Kit.objects.all()}
    units = {u.code: u for u in Unit.objects.filter(code__in={code for code, *_ in PLAN})}
    started = 0
    for code, slug, days, stage in PLAN:
        section, kit = units.get(code), kits.get(slug)
        if section is None or kit is None or Run.objects.filter(section=section, kit=kit).exists():
            continue
        run = services.run_start(
            actor=SYSTEM,
            section=section,
            kit=kit,
            target_date=today + datetime.timedelta(days=days),
            target_time=datetime.time(19, 0) if slug != "tractage" else datetime.time(10, 0),
            place=section.meeting_place,
        )
        _advance(run, stage, today, rng)
        started += 1
    stdout.write(f"Kits : {started} déroulés créés dans les sections.")
    return []
