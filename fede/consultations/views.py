"""Views of the consultations app (thin: parse, call one service, render).

Reading: public consultations are open to anonymous visitors; the others to the members
of their audience and to their authors (``Consultation.objects.in_scope``: 404 outside).
Writing: every POST goes to one service, which decides (PermissionDenied: 403; a closed
consultation: a French message).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fede.core.access import (
    get_in_scope_compiled_or_404,
    get_in_scope_or_404,
    object_view,
    permission_required,
    public_view,
)
from fede.core.audit import log_access
from fede.core.exports import stream_csv
from fede.core.forms import submit
from fede.core.lists import paginate, render_partial
from fede.core.models import AccessLog
from fede.core.pdf import pdf_response, render_pdf

from . import selectors, services
from .forms import (
    AnswerForm,
    CommentForm,
    ConsultationForm,
    HideForm,
    ReportForm,
    RewordingForm,
    VersionForm,
)
from .models import Comment, Consultation, Rewording, Version
from .rows import (
    CommentContext,
    CommentWriter,
    RewordingWriter,
    comment_form_html,
    rewording_form_html,
    synthesis_html,
    text_html,
)

COMMENTS_PER_PAGE = 20


def _crumbs(*items):
    return [(_("Consultations"), reverse("consultations:list")), *items]


def _consultation(request, pk) -> Consultation:
    return get_in_scope_or_404(
        Consultation.objects.select_related("unit", "section"),
        actor=request.user,
        capability="consultations.view",
        pk=pk,
    )


def _consultation_with_version(request, pk) -> tuple[Consultation, Version | None]:
    """The consultation and what the reading pages need of its current version (its id,
    number and stamp), in one query compiled once per reader's scope condition."""
    consultation = get_in_scope_compiled_or_404(
        selectors.consultation_page_queryset,
        actor=request.user,
        capability="consultations.view",
        field="pk",
        value=pk,
    )
    return consultation, selectors.annotated_version(consultation)


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- Reading ----------------------------------------------------------------------------------


@public_view
@require_GET
def consultation_list(request):
    """The consultations the visitor may read (public ones for anonymous visitors)."""
    page = paginate(selectors.consultations_for(request.user), request.GET.get("page"))
    return render_partial(
        request,
        "consultations/consultation_list.html",
        {
            "page": page,
            "consultations": page.object_list,
            "can_manage": request.user.has_perm("consultations.manage"),
            "can_moderate": request.user.has_perm("consultations.moderate"),
            "breadcrumbs": [(_("Consultations"), None)],
        },
    )


@public_view
@require_GET
def consultation_detail(request, pk):
    """The text of the current version, chapter by chapter, with each paragraph's counts."""
    consultation, version = _consultation_with_version(request, pk)
    state = selectors.participation(request.user, consultation)
    return render(
        request,
        "consultations/consultation_detail.html",
        {
            "consultation": consultation,
            "version": version,
            "text_html": text_html(request, version, allowed=state.allowed, member=state.member),
            "state": state,
            "can_manage": selectors.may_manage(request.user, consultation),
            "breadcrumbs": _crumbs((consultation.title, None)),
        },
    )


@public_view
@require_GET
def paragraph_detail(request, pk):
    """A paragraph with its comments (paginated, replies under each), its proposed
    rewordings (most supported first) and the forms to take part."""
    paragraph = selectors.paragraph_for_page(request.user, pk)
    version = paragraph.chapter.version
    consultation = version.consultation
    state = selectors.participation(request.user, consultation)
    is_current = paragraph.current_version_id == version.pk
    page = selectors.comment_page(paragraph, request.GET.get("page"), COMMENTS_PER_PAGE)
    selectors.with_comment_display(page.object_list)
    can_manage = selectors.may_manage(request.user, consultation)
    can_moderate = selectors.may_moderate(request.user, consultation)
    ctx = CommentContext(
        request=request,
        allowed=state.allowed,
        is_current=is_current,
        authenticated=request.user.is_authenticated,
        can_manage=can_manage,
        can_moderate=can_moderate,
        create_url=reverse("consultations:comment_create", args=[paragraph.pk]),
    )
    comments_html = CommentWriter(ctx).page(page.object_list)

    def rewordings_html():
        # Called by the template when it writes the whole page (not for the comments'
        # partial, which has no use for the rewordings).
        rewordings = selectors.with_rewording_display(
            selectors.rewordings_of(paragraph, supported_by=state.member)
        )
        return RewordingWriter(ctx, paragraph.text).page(
            rewordings, {r.pk for r in rewordings if r.member_supports}
        )

    with_forms = state.allowed and is_current
    return render_partial(
        request,
        "consultations/paragraph_detail.html",
        {
            "paragraph": paragraph,
            "consultation": consultation,
            "version": version,
            "is_current": is_current,
            "state": state,
            "page": page,
            "comments": page.object_list,
            "comments_html": comments_html,
            "rewordings_html": rewordings_html,
            "supported": state.allowed and paragraph.member_supports,
            # The empty forms' fields (two "text" fields: distinct ids for their labels).
            "comment_field_html": comment_form_html() if with_forms else "",
            "rewording_fields_html": rewording_form_html(paragraph.text) if with_forms else "",
            "can_manage": can_manage,
            "can_moderate": can_moderate,
            "breadcrumbs": _crumbs(
                (consultation.title, consultation.get_absolute_url()),
                (
                    _("Paragraphe %(ref)s")
                    % {"ref": f"{paragraph.chapter.position}.{paragraph.position}"},
                    None,
                ),
            ),
        },
        partial="comments",
    )


@public_view
@require_GET
def version_detail(request, pk, number):
    """A version of the text: what changed from the previous one, and why."""
    consultation = _consultation(request, pk)
    try:
        version = consultation.versions.get(number=number)
    except Version.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "consultations/version_detail.html",
        {
            "consultation": consultation,
            "version": version,
            "versions": list(consultation.versions.values_list("number", flat=True)),
            "changes": selectors.version_changes(version),
            "breadcrumbs": _crumbs(
                (consultation.title, consultation.get_absolute_url()),
                (_("Version %(n)s") % {"n": number}, None),
            ),
        },
    )


@public_view
@require_GET
def synthesis(request, pk):
    """Per paragraph: supports, comments, rewordings and the most supported rewordings."""
    consultation, version = _consultation_with_version(request, pk)
    chapters_html, totals = synthesis_html(version)
    return render(
        request,
        "consultations/synthesis.html",
        {
            "consultation": consultation,
            "version": version,
            "chapters_html": chapters_html,
            "totals": totals,
            "can_manage": selectors.may_manage(request.user, consultation),
            "breadcrumbs": _crumbs(
                (consultation.title, consultation.get_absolute_url()), (_("Synthèse"), None)
            ),
        },
    )


# --- Taking part ------------------------------------------------------------------------------


def _back(paragraph, anchor: str = "") -> str:
    return reverse("consultations:paragraph", args=[paragraph.pk]) + anchor


@require_POST
@object_view(selectors.paragraph_queryset, "consultations.view")
def comment_create(request, paragraph):
    """Post a comment on a paragraph, or a reply to a comment."""
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Écrivez votre commentaire."))
        return redirect(_back(paragraph, "#commenter"))
    parent = None
    if form.cleaned_data.get("parent"):
        parent = get_in_scope_or_404(
            Comment,
            actor=request.user,
            capability="consultations.view",
            pk=form.cleaned_data["parent"],
            paragraph=paragraph,
        )
    try:
        comment = services.comment_create(
            actor=request.user, paragraph=paragraph, text=form.cleaned_data["text"], parent=parent
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(_back(paragraph))
    messages.success(request, _("Votre commentaire est publié."))
    return redirect(_back(paragraph, f"#commentaire-{comment.pk}"))


@require_POST
@object_view(selectors.paragraph_queryset, "consultations.view")
def paragraph_support(request, paragraph):
    """« Je soutiens » this paragraph, or withdraw the support."""
    support = request.POST.get("action") != "retirer"
    try:
        services.paragraph_support(actor=request.user, paragraph=paragraph, support=support)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("Votre soutien est enregistré.") if support else _("Votre soutien est retiré."),
        )
    if request.POST.get("next") == "texte":
        consultation = paragraph.chapter.version.consultation
        return redirect(f"{consultation.get_absolute_url()}#paragraphe-{paragraph.pk}")
    return redirect(_back(paragraph))


@require_POST
@object_view(selectors.paragraph_queryset, "consultations.view")
def rewording_create(request, paragraph):
    """Propose another wording of a paragraph."""
    form = RewordingForm(request.POST)
    if form.is_valid():
        try:
            rewording = services.rewording_create(
                actor=request.user, paragraph=paragraph, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Votre proposition de rédaction est publiée."))
            return redirect(_back(paragraph, f"#reformulation-{rewording.pk}"))
    else:
        messages.error(request, _("Écrivez la rédaction que vous proposez."))
    return redirect(_back(paragraph, "#reformuler"))


@require_POST
@object_view(
    lambda: Rewording.objects.select_related("paragraph__chapter__version__consultation"),
    "consultations.view",
)
def rewording_support(request, rewording):
    """« Je soutiens » a proposed rewording, or withdraw the support."""
    support = request.POST.get("action") != "retirer"
    try:
        services.rewording_support(actor=request.user, rewording=rewording, support=support)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("Votre soutien est enregistré.") if support else _("Votre soutien est retiré."),
        )
    return redirect(_back(rewording.paragraph, f"#reformulation-{rewording.pk}"))


def _comment_queryset():
    return Comment.objects.select_related(
        "author__section", "paragraph__chapter__version__consultation__unit"
    )


@require_http_methods(["GET", "POST"])
@object_view(_comment_queryset, "consultations.view")
def comment_report(request, comment):
    """Report a comment to the moderators (confirmation page, then the report)."""
    form = ReportForm(request.POST or None)
    if request.method == "POST" and submit(
        form, lambda data: services.comment_report(actor=request.user, comment=comment, **data)
    ):
        messages.success(request, _("Merci : les modérateur·rices vont examiner ce commentaire."))
        return redirect(_back(comment.paragraph, f"#commentaire-{comment.pk}"))
    return _contribution_form(request, comment, form, _("Signaler un commentaire"), _("Signaler"))


def _contribution_form(request, item, form, title, button, *, danger=False):
    paragraph = item.paragraph
    consultation = paragraph.chapter.version.consultation
    return render(
        request,
        "consultations/contribution_form.html",
        {
            "item": item,
            "form": form,
            "title": title,
            "button": button,
            "danger": danger,
            "paragraph": paragraph,
            "consultation": consultation,
            "breadcrumbs": _crumbs(
                (consultation.title, consultation.get_absolute_url()),
                (_("Paragraphe"), paragraph.get_absolute_url()),
                (title, None),
            ),
        },
    )


# --- Moderation -------------------------------------------------------------------------------


@require_GET
@permission_required("consultations.moderate")
def moderation(request):
    """Reported comments of the consultations in the moderator's scope."""
    page = paginate(selectors.reported_comments(request.user), request.GET.get("page"), count=False)
    reasons = selectors.report_reasons([c.pk for c in page.object_list])
    for comment in page.object_list:
        comment.report_reasons = reasons.get(comment.pk, [])
    return render_partial(
        request,
        "consultations/moderation.html",
        {
            "page": page,
            "comments": page.object_list,
            "breadcrumbs": _crumbs((_("Modération"), None)),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(_comment_queryset, "consultations.moderate")
def comment_hide(request, comment):
    """Hide a comment with a reason (confirmation page)."""
    form = HideForm(request.POST or None)
    if request.method == "POST" and submit(
        form, lambda data: services.comment_hide(actor=request.user, comment=comment, **data)
    ):
        messages.success(request, _("Commentaire masqué."))
        return redirect(_back(comment.paragraph, f"#commentaire-{comment.pk}"))
    return _contribution_form(
        request, comment, form, _("Masquer un commentaire"), _("Masquer"), danger=True
    )


@require_POST
@object_view(_comment_queryset, "consultations.moderate")
def comment_unhide(request, comment):
    services.comment_unhide(actor=request.user, comment=comment)
    messages.success(request, _("Commentaire rétabli."))
    return redirect(_back(comment.paragraph, f"#commentaire-{comment.pk}"))


@require_POST
@object_view(_comment_queryset, "consultations.moderate")
def reports_dismiss(request, comment):
    services.reports_dismiss(actor=request.user, comment=comment)
    messages.success(request, _("Commentaire maintenu : les signalements sont traités."))
    return redirect("consultations:moderation")


def _rewording_queryset():
    return Rewording.objects.select_related(
        "author__section", "paragraph__chapter__version__consultation__unit"
    )


@require_http_methods(["GET", "POST"])
@object_view(_rewording_queryset, "consultations.moderate")
def rewording_hide(request, rewording):
    form = HideForm(request.POST or None)
    if request.method == "POST" and submit(
        form, lambda data: services.rewording_hide(actor=request.user, rewording=rewording, **data)
    ):
        messages.success(request, _("Proposition masquée."))
        return redirect(_back(rewording.paragraph, f"#reformulation-{rewording.pk}"))
    return _contribution_form(
        request,
        rewording,
        form,
        _("Masquer une proposition de rédaction"),
        _("Masquer"),
        danger=True,
    )


@require_POST
@object_view(_rewording_queryset, "consultations.moderate")
def rewording_unhide(request, rewording):
    services.rewording_unhide(actor=request.user, rewording=rewording)
    messages.success(request, _("Proposition rétablie."))
    return redirect(_back(rewording.paragraph, f"#reformulation-{rewording.pk}"))


# --- Answers ----------------------------------------------------------------------------------


def _answer_form(item):
    return AnswerForm(initial={"answer": item.answer, "answer_text": item.answer_text})


@require_http_methods(["GET", "POST"])
@object_view(_comment_queryset, "consultations.manage")
def comment_answer(request, comment):
    """The authors answer a comment: retenu, pris en compte, non retenu, with a reason."""
    form = AnswerForm(request.POST) if request.method == "POST" else _answer_form(comment)
    if request.method == "POST" and submit(
        form, lambda data: services.comment_answer(actor=request.user, comment=comment, **data)
    ):
        messages.success(request, _("Réponse publiée."))
        return redirect(_back(comment.paragraph, f"#commentaire-{comment.pk}"))
    return _contribution_form(
        request, comment, form, _("Répondre au commentaire"), _("Publier la réponse")
    )


@require_http_methods(["GET", "POST"])
@object_view(_rewording_queryset, "consultations.manage")
def rewording_answer(request, rewording):
    """The authors answer a proposed rewording, with a reason."""
    form = AnswerForm(request.POST) if request.method == "POST" else _answer_form(rewording)
    if request.method == "POST" and submit(
        form,
        lambda data: services.rewording_answer(actor=request.user, rewording=rewording, **data),
    ):
        messages.success(request, _("Réponse publiée."))
        return redirect(_back(rewording.paragraph, f"#reformulation-{rewording.pk}"))
    return _contribution_form(
        request, rewording, form, _("Répondre à la proposition"), _("Publier la réponse")
    )


# --- Authors: create, edit, open, close, new version, export -----------------------------------


def _default_dates():
    now = timezone.localtime().replace(second=0, microsecond=0)
    return now, now + datetime.timedelta(days=30)


@require_http_methods(["GET", "POST"])
@permission_required("consultations.manage")
def consultation_create(request):
    """Create a consultation by importing its text in markdown (saved as a draft)."""
    opens, closes = _default_dates()
    form = ConsultationForm(
        request.POST or None, actor=request.user, initial={"opens_at": opens, "closes_at": closes}
    )
    if request.method == "POST" and (
        consultation := submit(
            form, lambda data: services.consultation_create(actor=request.user, **data)
        )
    ):
        messages.success(
            request, _("Consultation enregistrée en brouillon : relisez le texte puis ouvrez-la.")
        )
        return redirect(consultation)
    return render(
        request,
        "consultations/consultation_form.html",
        {
            "form": form,
            "title": _("Nouvelle consultation"),
            "breadcrumbs": _crumbs((_("Nouvelle consultation"), None)),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(Consultation, "consultations.manage")
def consultation_edit(request, consultation):
    form = ConsultationForm(
        request.POST or None,
        actor=request.user,
        with_source=False,
        initial={
            "title": consultation.title,
            "summary": consultation.summary,
            "audience": consultation.audience,
            "section": consultation.section_id,
            "opens_at": timezone.localtime(consultation.opens_at),
            "closes_at": timezone.localtime(consultation.closes_at),
        },
    )
    if request.method == "POST" and submit(
        form,
        lambda data: services.consultation_update(
            actor=request.user, consultation=consultation, **data
        ),
    ):
        messages.success(request, _("Consultation modifiée."))
        return redirect(consultation)
    return render(
        request,
        "consultations/consultation_form.html",
        {
            "form": form,
            "consultation": consultation,
            "title": _("Modifier la consultation"),
            "breadcrumbs": _crumbs(
                (consultation.title, consultation.get_absolute_url()), (_("Modifier"), None)
            ),
        },
    )


@require_POST
@object_view(Consultation, "consultations.manage")
def consultation_open(request, consultation):
    services.consultation_open(actor=request.user, consultation=consultation)
    messages.success(request, _("La consultation est ouverte aux contributions."))
    return redirect(consultation)


@require_POST
@object_view(Consultation, "consultations.manage")
def consultation_close(request, consultation):
    try:
        services.consultation_close(actor=request.user, consultation=consultation)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("La consultation est close : le texte reste consultable."))
    return redirect(consultation)


@require_http_methods(["GET", "POST"])
@object_view(Consultation, "consultations.manage")
def version_create(request, consultation):
    """Publish the next version of the text, prefilled with the accepted rewordings."""
    current = selectors.current_version(consultation)
    form = VersionForm(
        request.POST or None,
        initial={"source": services.source_with_accepted(current) if current else ""},
    )
    if request.method == "POST" and (
        version := submit(
            form,
            lambda data: services.version_create(
                actor=request.user, consultation=consultation, **data
            ),
        )
    ):
        messages.success(request, _("Version %(n)s publiée.") % {"n": version.number})
        return redirect(version)
    return render(
        request,
        "consultations/version_form.html",
        {
            "form": form,
            "consultation": consultation,
            "current": current,
            "breadcrumbs": _crumbs(
                (consultation.title, consultation.get_absolute_url()),
                (_("Nouvelle version"), None),
            ),
        },
    )


EXPORT_HEADER = [
    "Réf.",
    "Chapitre",
    "Type",
    "Texte",
    "Prénom",
    "Section",
    "Soutiens",
    "Réponse",
    "Motif de la réponse",
]


def _log_export(request, consultation, fmt: str, rows: int | None = None):
    log_access(
        actor=request.user,
        action=AccessLog.Action.EXPORT,
        code="consultations.export",
        params={"consultation": consultation.pk, "format": fmt},
        obj=consultation,
        scope=consultation.unit,
        row_count=rows,
    )


@require_GET
@object_view(Consultation, "consultations.manage")
def export_csv(request, consultation):
    """The whole consultation as CSV: paragraphs, visible comments and rewordings."""
    version = selectors.current_version(consultation)
    _log_export(request, consultation, "csv")
    return stream_csv(
        selectors.export_rows(version), EXPORT_HEADER, f"consultation-{consultation.pk}.csv"
    )


@require_GET
@object_view(Consultation, "consultations.manage")
def export_pdf(request, consultation):
    """The whole consultation as PDF: the synthesis, then every visible contribution."""
    version = selectors.current_version(consultation)
    chapters, totals = selectors.synthesis(version)
    rows = list(selectors.export_rows(version))
    _log_export(request, consultation, "pdf", len(rows))
    pdf = render_pdf(
        "consultations/export.html",
        {
            "consultation": consultation,
            "version": version,
            "chapters": chapters,
            "totals": totals,
            "rows": rows,
            "generated_at": timezone.localtime(),
        },
        request=request,
    )
    return pdf_response(pdf, f"consultation-{consultation.pk}.pdf")
