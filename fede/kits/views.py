"""Views of the kits app (thin: parse, call one service, render).

Authors (``kits.author``, federation) write and publish kits; section officers
(``kits.run``) run them for the sections in their scope; a member updates the tasks given
to them (« Mes tâches »). Objects of the URL come through ``object_view`` and their
QuerySet's ``in_scope``: another section's run, task or board is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fede.core.access import login_view, object_view, permission_required
from fede.core.forms import csrf_input, submit
from fede.core.lists import PK_MARK, paginate, render_partial
from fede.core.pdf import pdf_response, render_pdf
from fede.organization.models import Unit
from fede.organization.roles import can

from . import selectors, services
from .forms import (
    AssignForm,
    CommentForm,
    FeedbackForm,
    KitCreateForm,
    PublishForm,
    RunStartForm,
    StatusForm,
    StepForm,
    TemplateForm,
    VersionForm,
)
from .models import Category, Kit, KitStep, KitTemplate, KitVersion, Run, Task

PAGE_SIZE = 25


def _crumbs(*items):
    return [(_("Kits"), reverse("kits:library")), *items]


# --- Library -------------------------------------------------------------------------------


@require_GET
@permission_required("kits.library")
def library(request):
    """The federation's kits, by category."""
    category = request.GET.get("categorie", "")
    if category not in Category.values:
        category = ""
    versions = list(selectors.library(request.user, category=category))
    return render(
        request,
        "kits/library.html",
        {
            "versions": versions,
            "categories": Category.choices,
            "category": category,
            "can_author": can(request.user, "kits.author"),
            "can_run": can(request.user, "kits.run"),
            "breadcrumbs": [(_("Kits"), None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("kits.author")
def kit_create(request):
    form = KitCreateForm(request.POST or None)
    if request.method == "GET" and "titre" in request.GET:
        form = KitCreateForm(
            initial={"title": request.GET["titre"], "slug": slugify(request.GET["titre"])}
        )
    if request.method == "POST" and (
        version := submit(form, lambda data: services.kit_create(actor=request.user, **data))
    ):
        messages.success(request, _("Kit créé en brouillon : ajoutez ses étapes."))
        return redirect(version)
    return render(
        request,
        "kits/form.html",
        {
            "form": form,
            "title": _("Nouveau kit"),
            "breadcrumbs": _crumbs((_("Nouveau kit"), None)),
        },
    )


@require_GET
@object_view(lambda: Kit.objects.prefetch_related("versions"), "kits.library")
def kit_detail(request, kit):
    """A kit: its published version (steps, documents); for authors, usage and feedback."""
    versions = list(selectors.kit_versions(kit))
    published = next((v for v in versions if v.status == KitVersion.Status.PUBLISHED), None)
    draft = next((v for v in versions if v.status == KitVersion.Status.DRAFT), None)
    shown = published or draft
    if shown is None:
        raise Http404
    shown = selectors.version_detail_queryset().get(pk=shown.pk)
    is_author = can(request.user, "kits.author")
    context = {
        "kit": kit,
        "version": shown,
        "draft": draft,
        "is_author": is_author,
        "can_run": published is not None and can(request.user, "kits.run"),
        "breadcrumbs": _crumbs((shown.title, None)),
    }
    if is_author:
        context.update(
            versions=versions,
            usage=selectors.kit_usage(kit),
            feedback=list(selectors.kit_feedback(kit)[:50]),
        )
    return render(request, "kits/kit_detail.html", context)


@require_POST
@object_view(Kit, "kits.author")
def kit_edit(request, kit):
    """Open (or reopen) the kit's draft: a published version is never edited in place."""
    draft = services.version_draft(actor=request.user, kit=kit)
    return redirect(draft)


@require_GET
@object_view(selectors.version_detail_queryset, "kits.library", arg="version")
def version_detail(request, version):
    return render(
        request,
        "kits/version_detail.html",
        {
            "version": version,
            "kit": version.kit,
            "is_author": can(request.user, "kits.author"),
            "breadcrumbs": _crumbs(
                (version.title, version.kit.get_absolute_url()),
                (_("Version %(n)s") % {"n": version.number}, None),
            ),
        },
    )


def _draft_or_404(version):
    if not version.is_draft:
        raise Http404
    return version


@require_http_methods(["GET", "POST"])
@object_view(KitVersion.objects.select_related("kit"), "kits.author", arg="version")
def version_edit(request, version):
    _draft_or_404(version)
    form = VersionForm(request.POST or None, instance=version)
    if request.method == "POST" and submit(
        form,
        lambda data: services.version_update(actor=request.user, version=version, **data),
    ):
        messages.success(request, _("Version enregistrée."))
        return redirect(version)
    return render(
        request,
        "kits/form.html",
        {
            "form": form,
            "title": _("Présentation du kit"),
            "back": version.get_absolute_url(),
            "breadcrumbs": _crumbs(
                (version.title, version.get_absolute_url()), (_("Modifier"), None)
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(KitVersion.objects.select_related("kit"), "kits.author", arg="version")
def version_publish(request, version):
    """Confirm, then publish a draft; the author may tick the feedback it answers."""
    _draft_or_404(version)
    pending = (
        selectors.kit_feedback(version.kit)
        .filter(addressed_in__isnull=True)
        .exclude(suggestions="")
    )
    form = PublishForm(request.POST if request.method == "POST" else None, feedback=pending)
    if request.method == "POST" and submit(
        form,
        lambda data: services.version_publish(
            actor=request.user, version=version, addressed=data["addressed"]
        ),
    ):
        messages.success(request, _("Version publiée : les prochains déroulés l'utiliseront."))
        return redirect(version.kit)
    return render(
        request,
        "kits/publish.html",
        {
            "form": form,
            "version": version,
            "breadcrumbs": _crumbs(
                (version.title, version.get_absolute_url()), (_("Publier"), None)
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(KitVersion.objects.select_related("kit"), "kits.author", arg="version")
def step_create(request, version):
    _draft_or_404(version)
    return _step_form(request, version, None)


@require_http_methods(["GET", "POST"])
@object_view(KitStep.objects.select_related("version__kit"), "kits.author", arg="step")
def step_edit(request, step):
    return _step_form(request, _draft_or_404(step.version), step)


def _step_form(request, version, step):
    form = StepForm(request.POST or None, instance=step)
    if request.method == "POST" and submit(
        form,
        lambda data: services.step_save(actor=request.user, version=version, step=step, **data),
    ):
        messages.success(request, _("Étape enregistrée."))
        return redirect(version)
    return render(
        request,
        "kits/form.html",
        {
            "form": form,
            "title": step.title if step else _("Nouvelle étape"),
            "back": version.get_absolute_url(),
            "delete_url": reverse("kits:step_delete", args=[step.pk]) if step else None,
            "breadcrumbs": _crumbs((version.title, version.get_absolute_url()), (_("Étape"), None)),
        },
    )


@require_POST
@object_view(KitStep.objects.select_related("version__kit"), "kits.author", arg="step")
def step_delete(request, step):
    version = _draft_or_404(step.version)
    services.step_delete(actor=request.user, step=step)
    messages.success(request, _("Étape supprimée."))
    return redirect(version)


@require_http_methods(["GET", "POST"])
@object_view(KitVersion.objects.select_related("kit"), "kits.author", arg="version")
def template_create(request, version):
    _draft_or_404(version)
    return _template_form(request, version, None)


@require_http_methods(["GET", "POST"])
@object_view(KitTemplate.objects.select_related("version__kit"), "kits.author", arg="template")
def template_edit(request, template):
    return _template_form(request, _draft_or_404(template.version), template)


def _template_form(request, version, template):
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and submit(
        form,
        lambda data: services.template_save(
            actor=request.user, version=version, template=template, **data
        ),
    ):
        messages.success(request, _("Modèle enregistré."))
        return redirect(version)
    return render(
        request,
        "kits/form.html",
        {
            "form": form,
            "title": template.title if template else _("Nouveau modèle de document"),
            "back": version.get_absolute_url(),
            "delete_url": reverse("kits:template_delete", args=[template.pk]) if template else None,
            "breadcrumbs": _crumbs(
                (version.title, version.get_absolute_url()), (_("Modèle"), None)
            ),
        },
    )


@require_POST
@object_view(KitTemplate.objects.select_related("version__kit"), "kits.author", arg="template")
def template_delete(request, template):
    version = _draft_or_404(template.version)
    services.template_delete(actor=request.user, template=template)
    messages.success(request, _("Modèle supprimé."))
    return redirect(version)


# --- Sections, runs and tasks --------------------------------------------------------------


@require_GET
@permission_required("kits.run")
def boards(request):
    """The sections where the user runs kits (straight to the board when there is one)."""
    sections = list(selectors.runnable_sections(request.user)[:200])
    kit = request.GET.get("kit", "")
    if len(sections) == 1:
        if kit.isdigit():
            return redirect(reverse("kits:run_start", args=[sections[0].pk]) + "?kit=" + kit)
        return redirect("kits:section_board", pk=sections[0].pk)
    return render(
        request,
        "kits/boards.html",
        {"sections": sections, "breadcrumbs": _crumbs((_("Tâches des sections"), None))},
    )


@require_GET
@object_view(Unit.objects.only("name", "kind", "path"), "kits.run", arg="section")
def section_board(request, section):
    """The section's task board: open tasks of its active runs, overdue first; its runs."""
    if not section.is_section:
        raise Http404
    # A page of tasks asked by htmx renders the rows partial only (``render_partial``):
    # the runs are not read for it. The whole page reads them first: their open tasks
    # add up to the number of the board's tasks, the COUNT of its pager.
    htmx = getattr(request, "htmx", None)
    whole = not htmx or htmx.history_restore_request
    runs = selectors.section_board_runs(section) if whole else []
    page = paginate(
        selectors.section_open_tasks(section),
        request.GET.get("page"),
        per_page=PAGE_SIZE,
        total=sum(run["open"] for run in runs) if whole else None,
    )
    today = selectors.today()
    selectors.with_task_display(page.object_list, today)
    finished = selectors.section_finished_runs(section) if whole else []
    return render_partial(
        request,
        "kits/section_board.html",
        {
            "section": section,
            "page": page,
            "tasks": page.object_list,
            "tasks_html": _board_tasks_html(page.object_list),
            "runs": runs,
            "runs_html": _board_runs_html(runs),
            "finished": finished,
            "finished_html": _finished_runs_html(finished),
            "today": today,
            "breadcrumbs": _crumbs((section.name, None)),
        },
    )


# The board's lists, built once in Python (every piece escaped) rather than by the template
# per row; the same HTML as the loops they replace.


def _number(n: int) -> str:
    """``{{ n }}`` of an integer: ``localize`` writes it as ``str`` without separators."""
    return localize(n) if settings.USE_THOUSAND_SEPARATOR else str(n)


def _day(value, days: dict) -> str:
    """``{{ value|date:"DATE_FORMAT" }}``, once per distinct day."""
    if value not in days:
        days[value] = escape(date_filter(value, "DATE_FORMAT"))
    return days[value]


def _board_runs_html(runs: list[dict]) -> str:
    pattern, mark, days = reverse("kits:run_detail", args=[PK_MARK]), str(PK_MARK), {}
    out = []
    for run in runs:
        overdue = (
            f'<span class="badge text-bg-danger">{_number(run["overdue"])}</span>'
            if run["overdue"]
            else "0"
        )
        out.append(
            f'<tr><td><a href="{escape(pattern.replace(mark, str(run["pk"])))}">'
            f"{escape(run['title'])}</a><br>"
            f'<span class="small text-body-secondary">{escape(run["version__title"])}, '
            f"v{_number(run['version__number'])}</span></td>"
            f"<td>{_day(run['target_date'], days)}</td>"
            f"<td>{_number(run['percent'])} % "
            f'<span class="small text-body-secondary">({_number(run["closed"])}/'
            f"{_number(run['total'])})</span></td>"
            f"<td>{overdue}</td></tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def _board_tasks_html(tasks) -> str:
    nobody = format_html('<span class="text-body-secondary">{}</span>', _("personne"))
    out = []
    for task in tasks:
        assignee = task.assignee
        who = nobody if assignee is None else escape(assignee.get_full_name() or assignee.email)
        row = '<tr class="table-danger">' if task.overdue else "<tr>"
        out.append(
            f"{row}"
            f"<td>{escape(task.due_label)}</td>"
            f'<td><a href="{escape(task.row_url)}">{escape(task.title)}</a><br>'
            f'<span class="small">{escape(task.run.title)}</span></td>'
            f"<td>{who}</td><td>{conditional_escape(task.status_badge)}</td></tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def _finished_runs_html(finished: list[tuple]) -> str:
    pattern, mark, days = reverse("kits:run_detail", args=[PK_MARK]), str(PK_MARK), {}
    labels = {value: str(label) for value, label in Run.Status.choices}
    return mark_safe(  # noqa: S308 - every piece is escaped
        "".join(
            f'<li><a href="{escape(pattern.replace(mark, str(pk)))}">{escape(title)}</a>'
            f" — {_day(target_date, days)} — {escape(labels.get(status, status))}</li>"
            for pk, title, target_date, status in finished
        )
    )


@require_http_methods(["GET", "POST"])
@object_view(Unit, "kits.run", arg="section")
def run_start(request, section):
    if not section.is_section:
        raise Http404
    initial = {}
    if request.GET.get("kit", "").isdigit():
        initial["kit"] = int(request.GET["kit"])
    form = RunStartForm(request.POST or None, section=section, initial=initial)
    if request.method == "POST" and (
        run := submit(
            form, lambda data: services.run_start(actor=request.user, section=section, **data)
        )
    ):
        messages.success(
            request, _("Kit lancé : confiez maintenant les tâches aux camarades de la section.")
        )
        return redirect(run)
    return render(
        request,
        "kits/run_start.html",
        {
            "form": form,
            "section": section,
            "breadcrumbs": _crumbs(
                (section.name, reverse("kits:section_board", args=[section.pk])),
                (_("Lancer un kit"), None),
            ),
        },
    )


@require_GET
@object_view(selectors.run_detail_queryset, "kits.run")
def run_detail(request, run):
    """A run: its dated tasks with their assignees, and the kit's documents."""
    tasks = list(selectors.run_tasks(run))
    members = list(services.assignable_members(run.section))
    today = selectors.today()
    for task in tasks:
        task.assign_form = AssignForm(
            section=run.section,
            members=members,
            initial={"assignee": task.assignee_id, "due_date": task.due_date},
            prefix=f"t{task.pk}",
        )
        task.overdue = task.is_overdue(today)
    progress = selectors.run_progress([run.pk]).get(run.pk)
    feedback = getattr(run, "feedback", None) if hasattr(run, "feedback") else None
    return render(
        request,
        "kits/run_detail.html",
        {
            "run": run,
            "tasks": tasks,
            "members": members,
            "progress": progress,
            "templates": list(run.version.templates.all()),
            "feedback": feedback,
            "today": today,
            "status_choices": Task.Status.choices,
            "breadcrumbs": _crumbs(
                (run.section.name, reverse("kits:section_board", args=[run.section_id])),
                (run.title, None),
            ),
        },
    )


@require_POST
@object_view(selectors.run_detail_queryset, "kits.run")
def run_status(request, run):
    status = request.POST.get("status", "")
    if status not in Run.Status.values:
        raise Http404
    services.run_set_status(actor=request.user, run=run, status=status)
    messages.success(
        request,
        {
            Run.Status.COMPLETED: _(
                "Déroulé terminé. Dites à la fédération ce que vous avez pensé du kit."
            ),
            Run.Status.CANCELLED: _("Déroulé abandonné."),
            Run.Status.ACTIVE: _("Déroulé rouvert."),
        }[status],
    )
    if status == Run.Status.COMPLETED:
        return redirect("kits:run_feedback", pk=run.pk)
    return redirect(run)


@require_http_methods(["GET", "POST"])
@object_view(selectors.run_detail_queryset, "kits.run")
def run_feedback(request, run):
    instance = getattr(run, "feedback", None) if hasattr(run, "feedback") else None
    form = FeedbackForm(request.POST or None, instance=instance)
    if request.method == "POST" and submit(
        form, lambda data: services.feedback_save(actor=request.user, run=run, **data)
    ):
        messages.success(request, _("Merci : votre retour est transmis aux auteurs du kit."))
        return redirect(run)
    return render(
        request,
        "kits/form.html",
        {
            "form": form,
            "title": _("Votre avis sur le kit « %(title)s »") % {"title": run.version.title},
            "intro": _(
                "Ce qui a marché, ce qui manquait, une échéance trop courte : les auteurs "
                "du kit lisent chaque retour pour en publier une meilleure version."
            ),
            "back": run.get_absolute_url(),
            "breadcrumbs": _crumbs((run.title, run.get_absolute_url()), (_("Votre avis"), None)),
        },
    )


@require_GET
@object_view(selectors.run_detail_queryset, "kits.run")
def run_document(request, run, template_pk):
    """A document of the kit, filled from the section (name, officers, place, date), as PDF."""
    template = run.version.templates.filter(pk=template_pk).first()
    if template is None:
        raise Http404
    body = selectors.fill_placeholders(template.body, selectors.template_context(run))
    pdf = render_pdf(
        "kits/pdf/document.html",
        {"template": template, "body": body, "run": run},
        request=request,
    )
    return pdf_response(pdf, f"{slugify(template.title) or 'document'}.pdf")


@require_GET
@object_view(selectors.task_detail_queryset, "kits.task")
def task_detail(request, task):
    """A task: the step's instructions, its checklist, its comments."""
    officer = can(request.user, "kits.run", task.run.section)
    return render(
        request,
        "kits/task_detail.html",
        {
            "task": task,
            "officer": officer,
            "assign_form": AssignForm(
                section=task.run.section,
                initial={"assignee": task.assignee_id, "due_date": task.due_date},
            )
            if officer
            else None,
            "status_form": StatusForm(initial={"status": task.status}),
            "comment_form": CommentForm(),
            "overdue": task.is_overdue(),
            "breadcrumbs": _crumbs(
                (task.run.title, task.run.get_absolute_url())
                if officer
                else (_("Mes tâches"), reverse("kits:my_tasks")),
                (task.title, None),
            ),
        },
    )


def _back(request, task):
    target = request.POST.get("next", "")
    if target == "run":
        return redirect(task.run)
    if target == "mine":
        return redirect("kits:my_tasks")
    return redirect(task)


@require_POST
@object_view(selectors.task_detail_queryset, "kits.task")
def task_status(request, task):
    form = StatusForm(request.POST)
    if submit(form, lambda data: services.task_update(actor=request.user, task=task, **data)):
        messages.success(
            request,
            _("« %(task)s » : %(status)s.")
            % {
                "task": task.title,
                "status": Task.Status(form.cleaned_data["status"]).label,
            },
        )
    else:
        messages.error(request, _("État inconnu."))
    return _back(request, task)


@require_POST
@object_view(selectors.task_detail_queryset, "kits.run", arg="task")
def task_assign(request, task):
    prefix = request.POST.get("prefix") or None
    form = AssignForm(request.POST, section=task.run.section, prefix=prefix)
    if submit(form, lambda data: services.task_update(actor=request.user, task=task, **data)):
        messages.success(request, _("Tâche « %(task)s » mise à jour.") % {"task": task.title})
    else:
        errors = [e for field in form.errors.values() for e in field]
        messages.error(request, " ".join(errors))
    return _back(request, task)


@require_POST
@object_view(selectors.task_detail_queryset, "kits.task")
def task_item(request, task, order):
    item = next((i for i in task.items.all() if i.order == order), None)
    if item is None:
        raise Http404
    services.task_item_set(actor=request.user, item=item, done=request.POST.get("done") == "1")
    return _back(request, task)


@require_POST
@object_view(selectors.task_detail_queryset, "kits.task")
def task_comment(request, task):
    form = CommentForm(request.POST)
    if submit(form, lambda data: services.task_comment_add(actor=request.user, task=task, **data)):
        messages.success(request, _("Commentaire ajouté."))
    else:
        messages.error(request, _("Écrivez un commentaire."))
    return redirect(task)


@require_GET
@login_view
def my_tasks(request):
    """« Mes tâches »: the tasks given to the user, earliest first; overdue highlighted."""
    done = request.GET.get("vue") == "faites"
    page = paginate(
        selectors.my_tasks(request.user, done=done), request.GET.get("page"), per_page=PAGE_SIZE
    )
    today = selectors.today()
    selectors.with_task_display(page.object_list, today, due_format="l j F Y")
    return render_partial(
        request,
        "kits/my_tasks.html",
        {
            "page": page,
            "tasks": page.object_list,
            "tasks_html": _my_tasks_html(request, page.object_list, done=done),
            "done": done,
            "today": today,
            "status_choices": Task.Status.choices,
            "breadcrumbs": [(_("Mes tâches"), None)],
        },
    )


def _my_tasks_html(request, tasks, *, done: bool) -> str:
    """The items of « Mes tâches », built once in Python (every piece escaped): the HTML
    the template's loop wrote, its forms' CSRF token included."""
    due = _("Pour le %(d)s")
    # As ``{% translate … as label %}`` wrote them: the catalogue's own text, not escaped.
    start, finish = _("Je m'y mets"), _("C'est fait")
    csrf = csrf_input(request)
    out = []
    for task in tasks:
        title = escape(task.title)
        danger = " list-group-item-danger" if not done and task.overdue else ""
        item = [
            f'<li class="list-group-item{danger}">\n'
            '<div class="d-flex flex-wrap justify-content-between gap-2">\n'
            f'<a class="fw-semibold" href="{escape(task.row_url)}">{title}</a>\n'
            f"<span>{conditional_escape(task.status_badge)}</span>\n</div>\n"
            f'<p class="small mb-2">{escape(due % {"d": task.due_label})} · '
            f"{escape(task.run.title)} · {escape(task.run.section.name)}</p>\n"
        ]
        if not done:
            item.append(
                f'<form method="post" action="{escape(task.status_url)}" '
                f'class="d-flex flex-wrap gap-2">\n{csrf}'
                '<input type="hidden" name="next" value="mine">\n'
            )
            if task.status == Task.Status.TODO:
                item.append(
                    '<button class="btn btn-sm btn-outline-primary" type="submit" '
                    f'name="status" value="in_progress">{start}'
                    f'<span class="visually-hidden"> — {title}</span></button>'
                )
            item.append(
                '\n<button class="btn btn-sm btn-success" type="submit" name="status" '
                f'value="done">{finish}<span class="visually-hidden"> — {title}</span>'
                "</button>\n</form>\n"
            )
        item.append("</li>\n")
        out.append("".join(item))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


# --- Federation ----------------------------------------------------------------------------


@require_GET
@permission_required("kits.author")
def federation(request):
    """Runs across the sections, and overdue tasks by section."""
    kit_id = request.GET.get("kit")
    kit_id = int(kit_id) if kit_id and kit_id.isdigit() else None
    sections = list(selectors.federation_sections(request.user)[:200])
    page = paginate(
        selectors.federation_runs(request.user, kit_id=kit_id),
        request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    progress = selectors.run_progress([r.pk for r in page.object_list])
    for run in page.object_list:
        run.progress = progress.get(run.pk, {"percent": 100, "overdue": 0, "total": 0, "closed": 0})
    kits = list(
        KitVersion.objects.filter(status=KitVersion.Status.PUBLISHED)
        .order_by("title")
        .values_list("kit_id", "title")
    )
    return render_partial(
        request,
        "kits/federation.html",
        {
            "sections": sections,
            "page": page,
            "runs": page.object_list,
            "kits": kits,
            "kit_id": kit_id,
            "breadcrumbs": _crumbs((_("Suivi fédéral"), None)),
        },
    )
