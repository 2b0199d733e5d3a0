"""Views of the convention app (thin: parse, call one service, render).

Everyone logged in reads the published topics, the contributions once the deadline has
passed, the published syntheses, the amendments and the results. Section officers deposit
for their sections; rapporteurs write the syntheses and answer amendments; the federation
organises the convention and enters the results. Objects of the URL are fetched in the
user's scope (404 outside it); whether a write is allowed is decided by the service.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fede.core.access import get_in_scope_or_404, login_view, object_view, permission_required
from fede.core.forms import submit
from fede.core.lists import paginate, render_partial
from fede.core.uploads import protected_file_response
from fede.organization.models import Unit
from fede.organization.roles import grant_paths

from . import rows, selectors, services
from .forms import (
    AmendmentForm,
    AnswerForm,
    CitationForm,
    ContributionForm,
    ConventionForm,
    DebateForm,
    DocumentForm,
    NoteForm,
    ParagraphForm,
    PublishForm,
    ResultForm,
    TopicForm,
)
from .models import (
    VIEW,
    Amendment,
    Citation,
    Contribution,
    Convention,
    Phase,
    TopicDocument,
)

MANAGE = "convention.manage"
RAPPORTEUR = "convention.rapporteur"
CONTRIBUTE = "convention.contribute"
PAGE_SIZE = 30


def _crumbs(*items):
    return [(_("Convention"), reverse("convention:index")), *items]


def _convention_crumb(convention):
    return (str(convention.year), convention.get_absolute_url())


def _topic_crumbs(topic, *items):
    return _crumbs(
        _convention_crumb(topic.convention), (topic.title, topic.get_absolute_url()), *items
    )


# --- Conventions -------------------------------------------------------------------------


@require_GET
@login_view
def index(request):
    """Every convention the user may read, the current one first."""
    items = list(selectors.conventions(request.user))
    return render(
        request,
        "convention/index.html",
        {
            "conventions": items,
            "can_manage": bool(grant_paths(request.user, MANAGE)),
            "can_contribute": bool(grant_paths(request.user, CONTRIBUTE)),
            "breadcrumbs": [(_("Convention"), None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE)
def convention_create(request):
    federations = Unit.objects.in_scope(request.user, MANAGE).filter(kind=Unit.Kind.FEDERATION)
    federation = federations.order_by("path").first()
    form = ConventionForm(request.POST or None)
    if federation is None:
        messages.error(request, _("Aucune fédération ne relève de vous."))
        return redirect("convention:index")
    if request.method == "POST" and (
        convention := submit(
            form,
            lambda data: services.convention_create(
                actor=request.user, federation=federation, **data
            ),
        )
    ):
        messages.success(request, _("Convention créée. Ajoutez maintenant ses trois sujets."))
        return redirect(convention)
    return render(
        request,
        "convention/convention_form.html",
        {"form": form, "breadcrumbs": _crumbs((_("Nouvelle convention"), None))},
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.convention_queryset, MANAGE)
def convention_edit(request, convention):
    form = ConventionForm(request.POST or None, instance=convention)
    if request.method == "POST" and submit(
        form,
        lambda data: services.convention_update(actor=request.user, convention=convention, **data),
    ):
        messages.success(request, _("Calendrier enregistré."))
        return redirect(convention)
    return render(
        request,
        "convention/convention_form.html",
        {
            "form": form,
            "convention": convention,
            "breadcrumbs": _crumbs(_convention_crumb(convention), (_("Modifier"), None)),
        },
    )


@require_GET
@object_view(selectors.convention_queryset, VIEW)
def detail(request, convention):
    """The convention: its calendar, its topics, what the user's sections have done."""
    topics = sorted(convention.topics.all(), key=lambda t: t.number)
    sections = selectors.my_sections(request.user, convention)
    return render(
        request,
        "convention/detail.html",
        {
            "convention": convention,
            "phase": convention.phase,
            "Phase": Phase,
            "timeline": convention.timeline(),
            "topics": topics,
            "status": selectors.section_status(convention, sections) if sections else [],
            "can_manage": selectors.is_manager(request.user, convention),
            "is_rapporteur": selectors.is_rapporteur(request.user, convention),
            "breadcrumbs": _crumbs((str(convention.year), None)),
        },
    )


@require_GET
@permission_required(CONTRIBUTE)
def my_section(request):
    """The current convention seen from the user's sections."""
    convention = (
        Convention.objects.in_scope(request.user, CONTRIBUTE)
        .select_related("federation")
        .order_by("-year")
        .first()
    )
    if convention is None:
        messages.info(request, _("Aucune convention n'est ouverte aux sections pour l'instant."))
        return redirect("convention:index")
    return redirect(convention)


# --- Topics ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@object_view(selectors.convention_queryset, MANAGE)
def topic_create(request, convention):
    form = TopicForm(request.POST or None)
    if request.method == "POST" and (
        topic := submit(
            form,
            lambda data: services.topic_save(actor=request.user, convention=convention, **data),
        )
    ):
        messages.success(request, _("Sujet enregistré."))
        return redirect(topic)
    return render(
        request,
        "convention/topic_form.html",
        {
            "form": form,
            "convention": convention,
            "breadcrumbs": _crumbs(_convention_crumb(convention), (_("Nouveau sujet"), None)),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.topic_queryset, MANAGE)
def topic_edit(request, topic):
    form = TopicForm(
        request.POST or None,
        initial={"scope": topic.scope, "title": topic.title, "framing": topic.framing},
    )
    if request.method == "POST" and submit(
        form,
        lambda data: services.topic_save(
            actor=request.user, convention=topic.convention, topic=topic, **data
        ),
    ):
        messages.success(request, _("Sujet enregistré."))
        return redirect(topic)
    return render(
        request,
        "convention/topic_form.html",
        {
            "form": form,
            "topic": topic,
            "convention": topic.convention,
            "breadcrumbs": _topic_crumbs(topic, (_("Modifier"), None)),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.topic_queryset, MANAGE)
def document_add(request, topic):
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and submit(
        form, lambda data: services.document_add(actor=request.user, topic=topic, **data)
    ):
        messages.success(request, _("Document ajouté."))
        return redirect(topic)
    return render(
        request,
        "convention/document_form.html",
        {
            "form": form,
            "topic": topic,
            "multipart": True,
            "breadcrumbs": _topic_crumbs(topic, (_("Ajouter un document"), None)),
        },
    )


@require_GET
@object_view(TopicDocument, VIEW, arg="document")
def document(request, document):
    return protected_file_response(
        document.file, filename=document.original_name or f"document-{document.pk}"
    )


@require_GET
@object_view(selectors.topic_queryset, VIEW)
def topic(request, topic):
    """A topic: its framing text, documents, and the contributions the user may read
    (paginated; htmx: the rows alone)."""
    convention = topic.convention
    page = selectors.contribution_page(
        request.user,
        topic,
        request.GET.get("page"),
        per_page=PAGE_SIZE,
        rows=selectors.contribution_rows,
        html=rows.topic_rows_html,
        html_key=("topic",),
    )
    # Depositing is open during the debates only: the user's sections are read then.
    can_contribute = convention.phase == Phase.DEBATES and bool(
        selectors.my_sections(request.user, convention)
    )
    return render_partial(
        request,
        "convention/topic.html",
        {
            "topic": topic,
            "convention": convention,
            "documents": selectors.topic_documents(topic),
            "page": page,
            "contributions": page.object_list,
            "rows_html": page.extra["rows_html"],
            "deadline_passed": convention.phase not in (Phase.DRAFT, Phase.TOPICS, Phase.DEBATES),
            "can_contribute": can_contribute,
            "can_manage": selectors.is_manager(request.user, convention),
            "is_rapporteur": selectors.is_rapporteur(request.user, convention),
            "breadcrumbs": _crumbs(_convention_crumb(convention), (topic.title, None)),
        },
    )


# --- Section debates and contributions ------------------------------------------------------


@require_http_methods(["GET", "POST"])
@object_view(selectors.convention_queryset, CONTRIBUTE)
def debate_schedule(request, convention):
    sections = selectors.my_sections(request.user, convention)
    if not sections:
        messages.error(request, _("Vous ne déposez pour aucune section de cette fédération."))
        return redirect(convention)
    initial = {}
    existing = convention.debates.filter(section=sections[0]).first()
    if existing is not None:
        initial = {
            "starts_at": existing.starts_at,
            "place": existing.place,
            "event": existing.event_id,
            "notes": existing.notes,
        }
    form = DebateForm(
        request.POST or None,
        sections=sections,
        events=selectors.section_events(sections, convention),
        initial=initial,
    )
    if request.method == "POST" and submit(
        form,
        lambda data: services.debate_schedule(actor=request.user, convention=convention, **data),
    ):
        messages.success(request, _("Le débat de la section est programmé."))
        return redirect(convention)
    return render(
        request,
        "convention/debate_form.html",
        {
            "form": form,
            "convention": convention,
            "breadcrumbs": _crumbs(_convention_crumb(convention), (_("Débat de section"), None)),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.topic_queryset, CONTRIBUTE)
def contribution_create(request, topic):
    """Deposit the section's contribution on a topic."""
    sections = selectors.my_sections(request.user, topic.convention)
    if not sections:
        messages.error(request, _("Vous ne déposez pour aucune section de cette fédération."))
        return redirect(topic)
    form = ContributionForm(request.POST or None, sections=sections)
    if request.method == "POST" and (
        contribution := submit(
            form,
            lambda data: services.contribution_submit(actor=request.user, topic=topic, **data),
        )
    ):
        messages.success(
            request,
            _("Contribution déposée. Vous pouvez la modifier jusqu'au %(deadline)s.")
            % {"deadline": services._fmt(topic.convention.contributions_deadline)},
        )
        return redirect(contribution)
    return render(
        request,
        "convention/contribution_form.html",
        {
            "form": form,
            "topic": topic,
            "breadcrumbs": _topic_crumbs(topic, (_("Déposer une contribution"), None)),
        },
    )


@require_GET
@object_view(selectors.contribution_queryset, VIEW)
def contribution(request, contribution):
    """A contribution, its section's vote, its history and the paragraphs citing it."""
    topic = contribution.topic
    return render(
        request,
        "convention/contribution.html",
        {
            "contribution": contribution,
            "topic": topic,
            "revisions": list(contribution.revisions.all()),
            "citations": selectors.citations_of(contribution, request.user),
            "can_edit": topic.convention.phase == Phase.DEBATES
            and contribution.section in selectors.my_sections(request.user, topic.convention),
            "is_rapporteur": selectors.is_rapporteur(request.user, topic.convention),
            "note_form": NoteForm(initial={"note": contribution.rapporteur_note}),
            "breadcrumbs": _topic_crumbs(topic, (contribution.section.name, None)),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.contribution_queryset, CONTRIBUTE)
def contribution_edit(request, contribution):
    form = ContributionForm(request.POST or None, initial=ContributionForm.initial_of(contribution))
    if request.method == "POST" and submit(
        form,
        lambda data: services.contribution_update(
            actor=request.user, contribution=contribution, **data
        ),
    ):
        messages.success(request, _("Contribution modifiée ; la version précédente est gardée."))
        return redirect(contribution)
    return render(
        request,
        "convention/contribution_form.html",
        {
            "form": form,
            "topic": contribution.topic,
            "contribution": contribution,
            "breadcrumbs": _topic_crumbs(
                contribution.topic,
                (contribution.section.name, contribution.get_absolute_url()),
                (_("Modifier"), None),
            ),
        },
    )


@require_POST
@object_view(selectors.contribution_queryset, RAPPORTEUR)
def contribution_note(request, contribution):
    form = NoteForm(request.POST)
    if submit(
        form,
        lambda data: services.contribution_note(
            actor=request.user, contribution=contribution, note=data["note"]
        ),
    ):
        messages.success(request, _("Réponse enregistrée."))
    else:
        messages.error(request, _("La réponse n'a pas pu être enregistrée."))
    return redirect(request.POST.get("next") or contribution.get_absolute_url())


# --- Synthesis ---------------------------------------------------------------------------


@require_GET
@object_view(selectors.topic_queryset, VIEW)
def synthesis(request, topic):
    """A topic's synthesis, paragraph by paragraph, with the contributions each cites."""
    convention = topic.convention
    rapporteur = selectors.is_rapporteur(request.user, convention)
    published = topic.synthesis_published_at is not None
    paragraphs = selectors.synthesis(topic) if (published or rapporteur) else []
    sections = selectors.my_sections(request.user, convention)
    return render(
        request,
        "convention/synthesis.html",
        {
            "topic": topic,
            "convention": convention,
            "paragraphs": paragraphs,
            "published": published,
            "is_rapporteur": rapporteur,
            "can_write": rapporteur
            and convention.phase in (Phase.SYNTHESIS, Phase.AMENDMENTS, Phase.CONVENTION),
            "can_amend": bool(sections) and published and convention.phase == Phase.AMENDMENTS,
            "publish_form": PublishForm(initial={"introduction": topic.synthesis_introduction}),
            "breadcrumbs": _topic_crumbs(topic, (_("Synthèse"), None)),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.topic_queryset, RAPPORTEUR)
def paragraph_create(request, topic):
    form = ParagraphForm(request.POST or None)
    if request.method == "POST" and (
        paragraph := submit(
            form, lambda data: services.paragraph_create(actor=request.user, topic=topic, **data)
        )
    ):
        messages.success(
            request, _("Paragraphe ajouté. Reliez-le aux contributions dont il s'inspire.")
        )
        return redirect("convention:paragraph_edit", pk=paragraph.pk)
    return render(
        request,
        "convention/paragraph_form.html",
        {
            "form": form,
            "topic": topic,
            "breadcrumbs": _topic_crumbs(
                topic,
                (_("Synthèse"), reverse("convention:synthesis", args=[topic.pk])),
                (_("Nouveau paragraphe"), None),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.paragraph_queryset, RAPPORTEUR)
def paragraph_edit(request, paragraph):
    """Edit a paragraph and the contributions it cites."""
    topic = paragraph.topic
    contributions = topic.contributions.select_related("section").order_by("section__name")
    action = request.POST.get("action") if request.method == "POST" else None
    form = ParagraphForm(
        request.POST if action == "text" else None,
        initial={"heading": paragraph.heading, "text": paragraph.text},
    )
    citation_form = CitationForm(
        request.POST if action == "cite" else None,
        contributions=contributions,
        initial={"contribution": request.GET.get("contribution")},
    )
    if action == "text" and submit(
        form,
        lambda data: services.paragraph_update(actor=request.user, paragraph=paragraph, **data),
    ):
        messages.success(request, _("Paragraphe enregistré ; ses citations sont conservées."))
        return redirect("convention:paragraph_edit", pk=paragraph.pk)
    if action == "cite" and submit(
        citation_form,
        lambda data: services.citation_set(actor=request.user, paragraph=paragraph, **data),
    ):
        messages.success(request, _("Contribution citée."))
        return redirect("convention:paragraph_edit", pk=paragraph.pk)
    return render(
        request,
        "convention/paragraph_edit.html",
        {
            "paragraph": paragraph,
            "topic": topic,
            "form": form,
            "citation_form": citation_form,
            "citations": list(
                paragraph.citations.select_related("contribution__section").order_by(
                    "contribution__section__name"
                )
            ),
            "revisions": list(paragraph.revisions.all()),
            "breadcrumbs": _topic_crumbs(
                topic,
                (_("Synthèse"), reverse("convention:synthesis", args=[topic.pk])),
                (_("Paragraphe %(label)s") % {"label": paragraph.label}, None),
            ),
        },
    )


@require_POST
@object_view(selectors.paragraph_queryset, RAPPORTEUR)
def citation_remove(request, paragraph, contribution):
    citation = get_in_scope_or_404(
        Citation.objects.filter(paragraph=paragraph),
        actor=request.user,
        capability=RAPPORTEUR,
        contribution_id=contribution,
    )
    try:
        services.citation_remove(actor=request.user, citation=citation)
        messages.success(request, _("La contribution n'est plus citée par ce paragraphe."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("convention:paragraph_edit", pk=paragraph.pk)


@require_POST
@object_view(selectors.topic_queryset, RAPPORTEUR)
def synthesis_publish(request, topic):
    form = PublishForm(request.POST)
    if submit(
        form,
        lambda data: services.synthesis_publish(actor=request.user, topic=topic, **data),
    ):
        messages.success(
            request, _("Synthèse publiée : tout le monde la lit, les sections peuvent l'amender.")
        )
    else:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
    return redirect("convention:synthesis", pk=topic.pk)


def _coverage_rows(rows):
    """What the coverage view reads of its page's rows (their citations are the topic's)."""
    return rows.select_related("section").only(
        "section__name", "rapporteur_note", "topic_id", "section_id"
    )


@require_GET
@object_view(selectors.topic_queryset, VIEW)
def coverage(request, topic):
    """Which contributions the synthesis takes up, partly, or not at all — and why."""
    convention = topic.convention
    rapporteur = selectors.is_rapporteur(request.user, convention)
    visible = topic.synthesis_published_at is not None or rapporteur
    filter_value = request.GET.get("reprise", "")
    # Counted and paged on the contributions alone (8,000 per topic at national scale); each
    # row's citations and coverage come from the topic's citations, read once for the topic.
    synthesis_url = reverse("convention:synthesis", args=[topic.pk])
    if visible:
        page = selectors.contribution_page(
            request.user,
            topic,
            request.GET.get("page"),
            per_page=PAGE_SIZE,
            rows=_coverage_rows,
            html=lambda contributions: rows.coverage_rows_html(
                contributions,
                citations=selectors.topic_citations(topic),
                synthesis_url=synthesis_url,
                topic_number=topic.number,
            ),
            # The rapporteurs' notes and the citations bump the topic's ``updated_at``.
            html_key=("coverage", topic.updated_at),
            coverage=filter_value,
        )
    else:
        page = paginate(Contribution.objects.none(), request.GET.get("page"), per_page=PAGE_SIZE)
    return render_partial(
        request,
        "convention/coverage.html",
        {
            "topic": topic,
            "visible": visible,
            "page": page,
            "rows": page.object_list,
            "rows_html": page.extra.get("rows_html", ""),
            "counts": selectors.coverage_counts(topic) if visible else None,
            "synthesis_url": synthesis_url,
            "filter_value": filter_value,
            "coverage_choices": Contribution.Coverage.choices,
            "is_rapporteur": rapporteur,
            "breadcrumbs": _topic_crumbs(topic, (_("Couverture des contributions"), None)),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.topic_queryset, RAPPORTEUR)
def groups(request, topic):
    """Contributions grouped by similarity, with their shared key phrases."""
    if request.method == "POST":
        progress = services.grouping_request(actor=request.user, topic=topic)
        return redirect(progress)
    grouping = selectors.latest_grouping(topic)
    rows = selectors.grouping_rows(grouping, topic) if grouping else []
    current = None
    if grouping is not None:
        from .tasks import signature_of

        current = grouping.signature == signature_of(
            topic.contributions.values_list("pk", "version")
        )
    return render(
        request,
        "convention/groups.html",
        {
            "topic": topic,
            "grouping": grouping,
            "shared": [r for r in rows if len(r["contributions"]) > 1],
            "alone": [c for r in rows if len(r["contributions"]) == 1 for c in r["contributions"]],
            "up_to_date": current,
            "breadcrumbs": _topic_crumbs(topic, (_("Contributions proches"), None)),
        },
    )


# --- Amendments --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@object_view(selectors.paragraph_queryset, CONTRIBUTE)
def amendment_create(request, paragraph):
    topic = paragraph.topic
    sections = selectors.my_sections(request.user, topic.convention)
    if not sections:
        messages.error(request, _("Vous ne déposez pour aucune section de cette fédération."))
        return redirect("convention:synthesis", pk=topic.pk)
    form = AmendmentForm(
        request.POST or None, sections=sections, initial={"proposed_text": paragraph.text}
    )
    if request.method == "POST" and (
        amendment := submit(
            form,
            lambda data: services.amendment_submit(actor=request.user, paragraph=paragraph, **data),
        )
    ):
        messages.success(request, _("Amendement déposé. Les rapporteur·es vous répondront."))
        return redirect(amendment)
    return render(
        request,
        "convention/amendment_form.html",
        {
            "form": form,
            "paragraph": paragraph,
            "topic": topic,
            "breadcrumbs": _topic_crumbs(
                topic,
                (_("Synthèse"), reverse("convention:synthesis", args=[topic.pk])),
                (_("Amender le paragraphe %(label)s") % {"label": paragraph.label}, None),
            ),
        },
    )


@require_GET
@object_view(selectors.convention_queryset, VIEW)
def amendments(request, convention):
    """The amendments of a convention, with their answers (htmx: the rows alone)."""
    status = request.GET.get("etat", "")
    qs = (
        Amendment.objects.in_scope(request.user, VIEW)
        .filter(paragraph__topic__convention=convention)
        .select_related("paragraph__topic", "section", "result")
    )
    if status in Amendment.Status.values:
        qs = qs.filter(status=status)
    page = paginate(qs, request.GET.get("page"), per_page=PAGE_SIZE)
    return render_partial(
        request,
        "convention/amendments.html",
        {
            "convention": convention,
            "page": page,
            "amendments": page.object_list,
            "status": status,
            "statuses": Amendment.Status.choices,
            "breadcrumbs": _crumbs(_convention_crumb(convention), (_("Amendements"), None)),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.amendment_queryset, VIEW)
def amendment(request, amendment):
    """An amendment, what it changes, the rapporteurs' answer (and the form to give it)."""
    topic = amendment.paragraph.topic
    rapporteur = selectors.is_rapporteur(request.user, topic.convention)
    form = AnswerForm(request.POST or None, initial={"merged_text": amendment.proposed_text})
    if request.method == "POST" and submit(
        form,
        lambda data: services.amendment_answer(actor=request.user, amendment=amendment, **data),
    ):
        messages.success(
            request, _("Réponse enregistrée : la section la lit sur la page de l’amendement.")
        )
        return redirect(amendment)
    return render(
        request,
        "convention/amendment.html",
        {
            "amendment": amendment,
            "paragraph": amendment.paragraph,
            "topic": topic,
            "form": form,
            "can_answer": rapporteur and not amendment.is_answered,
            "breadcrumbs": _crumbs(
                _convention_crumb(topic.convention),
                (_("Amendements"), reverse("convention:amendments", args=[topic.convention_id])),
                (str(amendment), None),
            ),
        },
    )


# --- Convention day ----------------------------------------------------------------------


def _result_forms(convention, data=None, item=None):
    items = selectors.results(convention)
    forms = []
    for topic in items["topics"]:
        key = f"topic-{topic.pk}"
        result = getattr(topic, "result", None)
        forms.append(
            (
                _("Synthèse — %(topic)s") % {"topic": topic.title},
                ResultForm(
                    data if item == key else None,
                    prefix=key,
                    initial={
                        "item": key,
                        "votes_for": getattr(result, "votes_for", None),
                        "votes_against": getattr(result, "votes_against", None),
                        "votes_abstain": getattr(result, "votes_abstain", None),
                    },
                ),
                result,
            )
        )
    for amendment in items["amendments"]:
        if amendment.status != Amendment.Status.REJECTED:
            continue
        key = f"amendment-{amendment.pk}"
        result = getattr(amendment, "result", None)
        forms.append(
            (
                _("%(amendment)s (%(section)s, § %(label)s)")
                % {
                    "amendment": amendment,
                    "section": amendment.section.name,
                    "label": amendment.paragraph.label,
                },
                ResultForm(
                    data if item == key else None,
                    prefix=key,
                    initial={
                        "item": key,
                        "votes_for": getattr(result, "votes_for", None),
                        "votes_against": getattr(result, "votes_against", None),
                        "votes_abstain": getattr(result, "votes_abstain", None),
                    },
                ),
                result,
            )
        )
    return items, forms


@require_GET
@object_view(selectors.convention_queryset, VIEW)
def results(request, convention):
    """The results of the convention's votes, once published (managers see them before)."""
    manager = selectors.is_manager(request.user, convention)
    items = selectors.results(convention)
    return render(
        request,
        "convention/results.html",
        {
            "convention": convention,
            "published": convention.results_published_at is not None,
            "can_manage": manager,
            "topics": items["topics"],
            "amendments": [a for a in items["amendments"] if getattr(a, "result", None)],
            "breadcrumbs": _crumbs(_convention_crumb(convention), (_("Résultats"), None)),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.convention_queryset, MANAGE)
def results_entry(request, convention):
    """Enter the votes of the convention day, item by item."""
    # Each item's form posts under its own prefix ("topic-3-votes_for"…).
    item = next((key[: -len("-item")] for key in request.POST if key.endswith("-item")), None)
    items, forms = _result_forms(convention, request.POST or None, item)
    if request.method == "POST":
        for _label, form, _result in forms:
            if not form.is_bound:
                continue
            kind, _sep, pk = item.partition("-")
            target = {}
            if kind == "topic":
                target["topic"] = next((t for t in items["topics"] if str(t.pk) == pk), None)
            else:
                target["amendment"] = next(
                    (a for a in items["amendments"] if str(a.pk) == pk), None
                )
            if None in target.values():
                break
            if submit(
                form,
                lambda data, target=target: services.result_record(
                    actor=request.user,
                    convention=convention,
                    votes_for=data["votes_for"],
                    votes_against=data["votes_against"],
                    votes_abstain=data["votes_abstain"],
                    **target,
                ),
            ):
                messages.success(request, _("Résultat enregistré."))
                return redirect("convention:results_entry", pk=convention.pk)
    return render(
        request,
        "convention/results_entry.html",
        {
            "convention": convention,
            "forms": forms,
            "open": convention.phase == Phase.CONVENTION,
            "breadcrumbs": _crumbs(
                _convention_crumb(convention),
                (_("Résultats"), reverse("convention:results", args=[convention.pk])),
                (_("Saisie"), None),
            ),
        },
    )


@require_POST
@object_view(selectors.convention_queryset, MANAGE)
def results_publish(request, convention):
    try:
        services.results_publish(actor=request.user, convention=convention)
        messages.success(request, _("Résultats publiés."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("convention:results_entry", pk=convention.pk)
    return redirect("convention:results", pk=convention.pk)
