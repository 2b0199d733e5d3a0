"""Kits at national scale: the federation's library (one kit per category, each with a
superseded first version and a published second one, their steps and documents), and in
every section a few runs of these kits (past ones completed, current ones active) whose
dated tasks are given to the section's officers, with checklists, comments and feedback.

The largest sections (those of the secretaries the load run logs in as) run more kits at
once: their task board and their secretary's « Mes tâches » are the heaviest.
"""

from __future__ import annotations

import bisect
import datetime

from bench.pages import Page, url

APP = "kits"

KITS = (
    ("reunion-publique", "reunion_publique", "Organiser une réunion publique"),
    ("tractage", "tractage", "Préparer un tractage"),
    ("collage", "collage", "Organiser un collage d'affiches"),
    ("accueil", "accueil", "Accueillir un nouvel adhérent"),
    ("assemblee-generale", "assemblee_generale", "Tenir l'assemblée générale de section"),
    ("tresorerie", "tresorerie", "Faire le point sur les cotisations"),
    ("election", "election", "Préparer une élection"),
    ("section-entreprise", "section_entreprise", "Créer une section d'entreprise"),
    ("porte-a-porte", "autre", "Organiser un porte-à-porte"),
)
STEP_TITLES = (
    "Choisir la date et le lieu",
    "Réserver la salle",
    "Inviter les intervenant·es",
    "Rédiger le tract",
    "Imprimer les tracts",
    "Diffuser l'invitation aux adhérent·es",
    "Prévenir la presse locale",
    "Préparer le matériel",
    "Organiser l'accueil",
    "Tenir la feuille d'émargement",
    "Faire le compte rendu",
    "Remercier les participant·es",
)
OFFICES = ("section_secretary", "section_treasurer", "section_bureau", "")
TEMPLATE_KINDS = ("tract", "convocation", "communique", "emargement", "courrier")


def generate(conn, ctx):
    try:
        from fede.kits.models import (
            Feedback,
            Kit,
            KitStep,
            KitTemplate,
            KitVersion,
            Run,
            Task,
            TaskComment,
            TaskItem,
        )
    except ImportError:
        ctx.skip("l'application kits n'a pas encore ces modèles")
    org = ctx.shared.get("organization")
    if org is None:
        ctx.skip("pas d'organisation générée")

    rng = ctx.rng(APP)
    now = ctx.now
    today = ctx.today
    sections = org["sections"]
    starts, per_section = org["section_members"]
    user_of = org["user_of"]
    secretary = org["section_secretary"]
    fed_first = org["fed_first_secretary"]
    author = user_of[fed_first[0]]

    # Logins of each section's members (officers and a few plain members).
    login_members = sorted(user_of)
    section_users: list[list[int]] = []
    for si in range(len(sections)):
        lo = bisect.bisect_left(login_members, starts[si])
        hi = bisect.bisect_left(login_members, starts[si] + per_section[si])
        section_users.append([user_of[m] for m in login_members[lo:hi]])

    # --- The library -----------------------------------------------------------------
    kits, versions, steps, templates = [], [], [], []
    # kit index -> [(version id, [(step id, order, offset, office, title, checklist)])]
    kit_versions: list[list[tuple[int, list[tuple]]]] = []
    for ki, (slug, category, title) in enumerate(KITS):
        kid = ki + 1
        created = now - datetime.timedelta(days=400 + ki)
        kits.append((kid, slug, category, author, created))
        per_kit = []
        for number, status in ((1, "superseded"), (2, "published")):
            vid = len(versions) + 1
            published = created + datetime.timedelta(days=10 + 200 * (number - 1))
            versions.append(
                (
                    vid,
                    kid,
                    number,
                    status,
                    title,
                    category,
                    f"Un guide pas à pas pour **{title.lower()}**, de J-21 au lendemain.",
                    f"{rng.randint(2, 6)} militant·es, {rng.randint(4, 20)} heures",
                    "" if number == 1 else "Étapes réordonnées après les retours des sections.",
                    published,
                    author,
                    published,
                )
            )
            n_steps = rng.randint(8, len(STEP_TITLES))
            offsets = sorted(rng.sample(range(-30, 4), n_steps))
            vsteps = []
            for order, offset in enumerate(offsets, start=1):
                sid = len(steps) + 1
                office = rng.choice(OFFICES)
                checklist = "\n".join(
                    f"Point {k} de l'étape {order}" for k in range(1, rng.randint(1, 4) + 1)
                )
                step_title = STEP_TITLES[(order - 1) % len(STEP_TITLES)]
                steps.append(
                    (
                        sid,
                        vid,
                        order,
                        step_title,
                        f"Ce qu'il faut faire pour « {step_title.lower()} ».",
                        offset,
                        office,
                        checklist,
                    )
                )
                vsteps.append((sid, order, offset, office, step_title, checklist))
            for order, kind in enumerate(rng.sample(TEMPLATE_KINDS, 2)):
                templates.append(
                    (
                        len(templates) + 1,
                        vid,
                        kind,
                        f"{kind.capitalize()} : {title.lower()}",
                        "La {section} vous invite le {date} à {heure}, {lieu}.\n\n{contact}",
                        order,
                    )
                )
            per_kit.append((vid, vsteps))
        kit_versions.append(per_kit)
    ctx.copy(Kit, ["id", "slug", "category", "created_by_id", "created_at"], kits)
    ctx.copy(
        KitVersion,
        [
            "id",
            "kit_id",
            "number",
            "status",
            "title",
            "category",
            "summary",
            "effort",
            "change_notes",
            "published_at",
            "published_by_id",
            "created_at",
        ],
        versions,
    )
    ctx.copy(
        KitStep,
        [
            "id",
            "version_id",
            "order",
            "title",
            "instructions",
            "offset_days",
            "office",
            "checklist",
        ],
        steps,
    )
    ctx.copy(KitTemplate, ["id", "version_id", "kind", "title", "body", "order"], templates)

    # --- Runs and their tasks ----------------------------------------------------------
    personas = {
        s["section_id"] for s in ctx.targets.get("organization", {}).get("section_secretaries", [])
    }
    runs, tasks, items, comments, feedback = [], [], [], [], []
    for si, (section_id, *_rest) in enumerate(sections):
        heavy = section_id in personas
        n_runs = len(KITS) if heavy else rng.choice((0, 1, 1, 2, 3))
        if not n_runs:
            continue
        users = section_users[si] or [user_of[secretary[si]]]
        sec_user = user_of[secretary[si]]
        for ki in rng.sample(range(len(KITS)), n_runs):
            rid = len(runs) + 1
            if heavy and len([r for r in runs if r[3] == section_id]) < 6:
                target = today + datetime.timedelta(days=rng.randint(-2, 25))
            else:
                target = today + datetime.timedelta(days=rng.randint(-200, 30))
            active = target >= today - datetime.timedelta(days=5)
            x = rng.random()
            status = "active" if active else ("completed" if x < 0.85 else "cancelled")
            vid, vsteps = kit_versions[ki][
                1 if target > today - datetime.timedelta(days=150) else 0
            ]
            started = now - (today - target + datetime.timedelta(days=rng.randint(25, 40)))
            completed = (
                now - (today - target) + datetime.timedelta(days=3)
                if status == "completed"
                else None
            )
            runs.append(
                (
                    rid,
                    ki + 1,
                    vid,
                    section_id,
                    f"{KITS[ki][2]} ({target:%d/%m})",
                    target,
                    datetime.time(19),
                    "Local de la section",
                    status,
                    sec_user,
                    completed,
                    started,
                )
            )
            for sid, order, offset, office, step_title, checklist in vsteps:
                tid = len(tasks) + 1
                due = target + datetime.timedelta(days=offset)
                if status == "completed":
                    tstatus = "done" if rng.random() < 0.9 else "na"
                elif status == "cancelled":
                    tstatus = "todo"
                elif due < today:
                    tstatus = "done" if rng.random() < 0.7 else "todo"
                else:
                    tstatus = rng.choices(("todo", "in_progress", "done"), (70, 20, 10))[0]
                if office == "section_secretary" or (heavy and rng.random() < 0.5):
                    assignee = sec_user
                else:
                    assignee = rng.choice(users) if rng.random() < 0.8 else None
                done_at = (
                    datetime.datetime.combine(due, datetime.time(18), now.tzinfo)
                    if tstatus == "done"
                    else None
                )
                tasks.append(
                    (
                        tid,
                        rid,
                        sid,
                        order,
                        step_title,
                        due,
                        office,
                        assignee,
                        tstatus,
                        done_at,
                        started,
                    )
                )
                for k, line in enumerate(checklist.splitlines(), start=1):
                    items.append((len(items) + 1, tid, k, line, tstatus == "done"))
                if rng.random() < 0.15:
                    comments.append(
                        (
                            len(comments) + 1,
                            tid,
                            rng.choice(users),
                            "C'est noté, je m'en occupe cette semaine.",
                            started + datetime.timedelta(days=2),
                        )
                    )
            if status == "completed" and rng.random() < 0.5:
                feedback.append(
                    (
                        len(feedback) + 1,
                        rid,
                        rng.randint(2, 5),
                        "La liste datée nous a évité les oublis.",
                        "Prévoir une étape pour la sono.",
                        sec_user,
                        completed,
                    )
                )

    ctx.copy_timed(
        Run,
        [
            "id",
            "kit_id",
            "version_id",
            "section_id",
            "title",
            "target_date",
            "target_time",
            "place",
            "status",
            "started_by_id",
            "completed_at",
            "created_at",
        ],
        runs,
    )
    ctx.copy_timed(
        Task,
        [
            "id",
            "run_id",
            "step_id",
            "order",
            "title",
            "due_date",
            "office",
            "assignee_id",
            "status",
            "done_at",
            "created_at",
        ],
        tasks,
    )
    ctx.copy_timed(TaskItem, ["id", "task_id", "order", "label", "done"], items)
    ctx.copy(TaskComment, ["id", "task_id", "author_id", "body", "created_at"], comments)
    ctx.copy(
        Feedback,
        ["id", "run_id", "rating", "went_well", "suggestions", "author_id", "created_at"],
        feedback,
    )

    secretaries = ctx.targets.get("organization", {}).get("section_secretaries", [])
    ctx.targets[APP] = {
        "users": [{"user_id": s["user_id"], "section_id": s["section_id"]} for s in secretaries],
    }


def pages(targets: dict) -> list[Page]:
    users = targets.get(APP, {}).get("users", [])
    return [
        Page(
            "kits.section_board",
            "Tableau des tâches d'une grande section (secrétaire)",
            users,
            lambda e: [url("kits:section_board", e["section_id"])],
            weight=2,
        ),
        Page(
            "kits.my_tasks",
            "« Mes tâches » (secrétaire de section)",
            users,
            lambda e: [url("kits:my_tasks")],
            weight=2,
        ),
        Page(
            "kits.library",
            "Bibliothèque des kits (secrétaire de section)",
            users,
            lambda e: [url("kits:library")],
        ),
    ]
