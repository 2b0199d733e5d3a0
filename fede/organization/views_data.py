"""Screens of the member import and of personal data.

- Import (capability ``members.import``): upload → dry-run report → confirmation → task
  with a progress bar → report of what was written.
- "Mes données" (any member with a login): read and download their data, change their
  consents, ask for erasure.
- Erasure requests (capability ``personal_data.process``): list and anonymise.

Writes go through the services of imports.py and personal_data.py.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fede.core.access import login_view, object_view, permission_required
from fede.core.audit import log_access
from fede.core.lists import Page, page_number, paginate, render_partial
from fede.core.models import AccessLog, TaskProgress
from fede.core.tasks import INTERRUPTED

from . import imports, personal_data, selectors
from .forms_data import AnonymiseForm, ConsentsForm, ErasureRequestForm, MemberImportForm
from .models import Member
from .roles import reach

ERRORS_PER_PAGE = 100
REQUESTS_PER_PAGE = 50


def _import_crumbs(*extra) -> list:
    return [
        (_("Adhérents"), reverse("organization:member_list")),
        (_("Importer"), reverse("organization:member_import") if extra else None),
        *extra,
    ]


def _list_page(items: list, page_param, per_page: int) -> Page:
    """One page of a Python list, for the core pager."""
    count = len(items)
    number = min(page_number(page_param), max(1, -(-count // per_page)))
    start = (number - 1) * per_page
    return Page(
        object_list=items[start : start + per_page],
        number=number,
        per_page=per_page,
        has_next=start + per_page < count,
        count=count,
    )


def _import_progress(request, pk) -> TaskProgress:
    """A dry run or import of the user's own (404 for anyone else's)."""
    return get_object_or_404(TaskProgress, pk=pk, owner=request.user, result__kind="member_import")


# --- Import -------------------------------------------------------------------------------


@permission_required("members.import")
@require_http_methods(["GET", "POST"])
def member_import(request):
    """Upload a member file; its dry run starts at once."""
    posted = request.method == "POST"
    form = MemberImportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        uploaded = form.cleaned_data["file"]
        stored = imports.import_file_save(uploaded=uploaded)
        progress = imports.member_import_start(
            actor=request.user,
            stored_name=stored,
            original_name=getattr(uploaded, "original_name", ""),
            dry_run=True,
        )
        progress.refresh_from_db()
        if progress.finished:
            return redirect("organization:member_import_report", pk=progress.pk)
        return redirect(progress)
    recent = TaskProgress.objects.filter(owner=request.user, result__kind="member_import").order_by(
        "-created_at"
    )[:5]
    return render(
        request,
        "organization/data/import_form.html",
        {"form": form, "recent": recent, "breadcrumbs": _import_crumbs()},
    )


@permission_required("members.import")
@require_GET
def member_import_report(request, pk):
    """What the dry run found (bad rows, counts), or what the import wrote."""
    progress = _import_progress(request, pk)
    if not progress.finished:
        return redirect(progress)
    result = progress.result or {}
    report = imports.ImportReport.from_dict(result.get("report") or {})
    if "report" not in result:  # stopped before it could report
        report.dry_run = not result.get("dry_run_progress")
    page = _list_page(report.errors, request.GET.get("page"), ERRORS_PER_PAGE)
    confirmed = None
    if result.get("import_progress"):
        confirmed = TaskProgress.objects.filter(
            pk=result["import_progress"], owner=request.user
        ).first()
    failed = progress.status == TaskProgress.Status.FAILED or progress.is_stuck
    # A failed or interrupted import wrote nothing: it can be confirmed again, from the
    # page of the import or from that of its dry run.
    retry_pk = result.get("dry_run_progress") if failed and not report.dry_run else None
    confirmed_failed = confirmed is not None and (
        confirmed.status == TaskProgress.Status.FAILED or confirmed.is_stuck
    )
    return render_partial(
        request,
        "organization/data/import_report.html",
        {
            "progress": progress,
            "report": report,
            "original_name": result.get("original_name", ""),
            "page": page,
            "confirmed": confirmed,
            "confirmed_failed": confirmed_failed,
            "failed": failed,
            "failure_message": _(INTERRUPTED) if progress.is_stuck else progress.message,
            "retry_pk": retry_pk,
            "breadcrumbs": _import_crumbs((_("Rapport"), None)),
        },
    )


@permission_required("members.import")
@require_POST
def member_import_confirm(request, pk):
    """Start the import the dry run validated (a second click starts nothing more; after
    a failed or interrupted import, a new run). Only queues the task: the file is read by
    the worker, never inside the request."""
    dry_run = _import_progress(request, pk)
    try:
        progress = imports.member_import_confirm(dry_run_progress=dry_run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("organization:member_import_report", pk=dry_run.pk)
    progress.refresh_from_db()
    if progress.finished:
        return redirect("organization:member_import_report", pk=progress.pk)
    return redirect(progress)


# --- Mes données --------------------------------------------------------------------------


def _own_member(request):
    member = selectors.member_of_user(request.user)
    if member is None or member.anonymised_at is not None:
        raise Http404
    return member


@login_view
@never_cache
@require_GET
def my_data(request):
    """ "Mes données": everything the federation holds about the logged-in member."""
    member = selectors.member_of_user(request.user)
    context = {"breadcrumbs": [(_("Mes données"), None)], "member": member}
    if member is not None:
        context["data"] = data = personal_data.member_personal_data(member)
        # The page shows objects and dates in French; the JSON keeps ISO dates.
        context.update(selectors.member_history(member))
        context["registrations"] = [
            {**row, "start": parse_datetime(row["start"]) if row.get("start") else None}
            for row in data.get("registrations", [])
        ]
        context["consents_form"] = ConsentsForm(
            initial={
                "share_contact": member.consent_share_contact,
                "newsletter": member.consent_newsletter,
            }
        )
    return render(request, "organization/data/my_data.html", context)


@login_view
@never_cache
@require_GET
def my_data_export(request):
    """The same data as a JSON file (right of access and portability)."""
    member = _own_member(request)
    data = personal_data.member_personal_data(member)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-{day}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_view
@require_POST
def my_consents(request):
    """Change one's own consents."""
    member = _own_member(request)
    form = ConsentsForm(request.POST)
    if form.is_valid():
        personal_data.member_consents_update(
            actor=request.user,
            member=member,
            share_contact=form.cleaned_data["share_contact"],
            newsletter=form.cleaned_data["newsletter"],
        )
        messages.success(request, _("Vos choix sont enregistrés."))
    return redirect("organization:my_data")


@login_view
@require_http_methods(["GET", "POST"])
def my_erasure(request):
    """Ask for erasure, after a confirmation step."""
    member = _own_member(request)
    form = ErasureRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if personal_data.member_erasure_request(actor=request.user, member=member):
            messages.success(
                request,
                _(
                    "Votre demande d'effacement est enregistrée. La fédération la traitera "
                    "dans un délai d'un mois."
                ),
            )
        else:
            messages.info(request, _("Votre demande d'effacement était déjà enregistrée."))
        return redirect("organization:my_data")
    return render(
        request,
        "organization/data/my_erasure.html",
        {
            "member": member,
            "form": form,
            "breadcrumbs": [
                (_("Mes données"), reverse("organization:my_data")),
                (_("Demander l'effacement"), None),
            ],
        },
    )


@login_view
@require_POST
def my_erasure_withdraw(request):
    """Withdraw one's erasure request while the federation has not processed it."""
    member = _own_member(request)
    if personal_data.member_erasure_withdraw(actor=request.user, member=member):
        messages.success(request, _("Votre demande d'effacement est retirée."))
    else:
        messages.info(request, _("Aucune demande d'effacement en attente."))
    return redirect("organization:my_data")


# --- Erasure requests (federation) --------------------------------------------------------


def _federation_crumbs(*extra) -> list:
    return [
        (_("Demandes d'effacement"), reverse("organization:erasure_requests") if extra else None),
        *extra,
    ]


@permission_required("personal_data.process")
@require_GET
def erasure_requests(request):
    """Pending erasure requests in the user's scope, oldest first."""
    requests = personal_data.erasure_requests_for(request.user)
    page = paginate(requests, request.GET.get("page"), per_page=REQUESTS_PER_PAGE)
    due = personal_data.former_members_due().in_scope(request.user, "personal_data.process")
    log_access(
        actor=request.user,
        action=AccessLog.Action.LIST,
        code="organization.erasure_list",
        scope=reach(request.user, "personal_data.process"),
        row_count=len(page.object_list),
    )
    return render_partial(
        request,
        "organization/data/erasure_requests.html",
        {
            "page": page,
            "former_due": due.count(),
            "retention_years": settings.FEDE_ANONYMISE_AFTER_YEARS,
            "breadcrumbs": _federation_crumbs(),
        },
    )


@object_view(
    lambda: Member.objects.select_related("section", "user"),
    "personal_data.process",
    scope="members.view",
)
@require_http_methods(["GET", "POST"])
def erasure_process(request, member):
    """Anonymise the member who asked for erasure (confirmation step first)."""
    if member.erasure_requested_at is None or member.anonymised_at is not None:
        raise Http404
    form = AnonymiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        personal_data.member_anonymise(member=member, actor=request.user)
        messages.success(request, _("La fiche a été anonymisée."))
        return redirect("organization:erasure_requests")
    log_access(
        actor=request.user,
        action=AccessLog.Action.VIEW,
        code="organization.erasure_view",
        params={"member": member.pk},
        obj=member,
    )
    return render(
        request,
        "organization/data/erasure_process.html",
        {
            "member": member,
            "form": form,
            "breadcrumbs": _federation_crumbs((member.full_name, None)),
        },
    )
