"""Views of the ballots app (thin: parse, call one service, render).

Members see the ballots of their federation, vote online and read published results;
section secretaries enter their PV, assessors countersign it; the federation prepares the
ballot, corrects the roll, validates or rectifies PVs, closes and publishes. Objects of the
URL are fetched in the user's scope (404 outside); services decide whether a write is
allowed (403).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fede.core.access import (
    get_in_scope_compiled_or_404,
    get_in_scope_or_404,
    login_view,
    object_view,
    permission_required,
)
from fede.core.audit import log_access
from fede.core.exports import stream_csv
from fede.core.forms import submit
from fede.core.lists import PK_MARK, page_number, paginate, render_partial
from fede.core.models import AccessLog, AuditEntry
from fede.core.pdf import pdf_response, render_pdf
from fede.organization.models import Member, Unit
from fede.organization.roles import can

from . import selectors, services
from .forms import (
    BallotForm,
    CorrectionForm,
    NextRoundForm,
    PVForm,
    ReasonForm,
    ReceiptSearchForm,
    RectifyForm,
    RollAddForm,
    VoteForm,
)
from .models import Ballot, RollEntry, Round, SectionResult

PAGE_SIZE = 50


def _crumbs(*items):
    return [(_("Votes"), reverse("ballots:list")), *items]


def _ballot_with_federation():
    return Ballot.objects.select_related("federation")


def _ballot(request, pk) -> Ballot:
    """The ballot of the URL in the member's reach, from a statement compiled once per
    scope condition (the same object as get_in_scope_or_404 gives)."""
    return get_in_scope_compiled_or_404(
        _ballot_with_federation,
        actor=request.user,
        capability="ballots.participate",
        field="pk",
        value=pk,
    )


def _member(request) -> Member | None:
    """The user's member record: the one ``Ballot.objects.in_scope`` (``_ballot``) has just
    read with its section, cached on the user, rather than a second query."""
    return getattr(request.user, "member", None)


def _round_of(ballot: Ballot, number) -> Round:
    rounds = {r.number: r for r in ballot.rounds.all()}
    try:
        return rounds[int(number)] if number else rounds[max(rounds)]
    except (KeyError, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- Ballots ------------------------------------------------------------------------------


@require_GET
@login_view
def ballot_list(request):
    """The ballots of the user's federation, and the PVs waiting for them."""
    ballots = selectors.ballots_for(request.user)
    if page_number(request.GET.get("page")) == 1:
        # The first page read with one row more: when it holds them all, their number is
        # the count (a federation has a few votes), without a COUNT over the scope.
        page = paginate(ballots, 1, per_page=20, count=False)
        page.count = len(page.object_list) if not page.has_next else ballots.count()
    else:
        page = paginate(ballots, request.GET.get("page"), per_page=20)
    return render_partial(
        request,
        "ballots/ballot_list.html",
        {
            "page": page,
            "ballots": page.object_list,
            "tasks": list(selectors.pv_tasks(request.user)[:50]),
            "can_manage": can(request.user, "ballots.manage"),
            "breadcrumbs": [(_("Votes"), None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("ballots.manage")
def ballot_create(request):
    form = BallotForm(request.POST or None, user=request.user)
    if request.method == "POST" and (
        ballot := submit(form, lambda data: services.ballot_create(actor=request.user, **data))
    ):
        messages.success(request, _("Vote créé. Vérifiez-le, puis ouvrez-le."))
        return redirect(ballot)
    return render(
        request,
        "ballots/ballot_form.html",
        {"form": form, "breadcrumbs": _crumbs((_("Nouveau vote"), None))},
    )


@require_http_methods(["GET", "POST"])
@object_view(Ballot, "ballots.manage")
def ballot_edit(request, ballot):
    form = BallotForm(request.POST or None, instance=ballot, user=request.user)
    if request.method == "POST" and submit(
        form, lambda data: services.ballot_update(actor=request.user, ballot=ballot, **data)
    ):
        messages.success(request, _("Vote modifié."))
        return redirect(ballot)
    return render(
        request,
        "ballots/ballot_form.html",
        {
            "form": form,
            "ballot": ballot,
            "breadcrumbs": _crumbs(
                (ballot.title, ballot.get_absolute_url()), (_("Modifier"), None)
            ),
        },
    )


@require_GET
@login_view
def ballot_detail(request, pk):
    """A ballot: what is voted, the rounds, and what the user may do in it."""
    ballot = _ballot(request, pk)
    rounds = list(ballot.rounds.prefetch_related("options").order_by("number"))
    current = rounds[-1] if rounds else None
    member = _member(request)
    manage = can(request.user, "ballots.manage", ballot.federation)
    context = {
        "ballot": ballot,
        "options": list(ballot.options.all()),
        "rounds": rounds,
        "current": current,
        "can_manage": manage,
        "can_roll": can(request.user, "ballots.view_roll"),
        "breadcrumbs": _crumbs((ballot.title, None)),
    }
    if current is not None:
        context["has_voted"] = selectors.has_voted(member, current)
        context["accepting"] = current.accepting_votes()
        context["eligibility"] = services.ineligibility_reason(ballot, member)
        context["my_pvs"] = list(
            SectionResult.objects.in_scope(request.user, "ballots.view_pv")
            .filter(round=current)
            .select_related("section")
            .order_by("section__sort_name")[: (0 if manage else 20)]
        )
        if manage and current.status == Round.Status.PUBLISHED and ballot.status == "running":
            context["next_form"] = NextRoundForm()
    return render(request, "ballots/ballot_detail.html", context)


@require_POST
@object_view(Ballot, "ballots.manage")
def ballot_open(request, ballot):
    try:
        ballot = services.ballot_open(actor=request.user, ballot=ballot)
        messages.success(request, _("Liste électorale arrêtée, premier tour ouvert."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(ballot)


@require_http_methods(["GET", "POST"])
@object_view(Ballot, "ballots.manage")
def round_next(request, ballot):
    form = NextRoundForm(request.POST or None)
    if request.method == "POST" and submit(
        form, lambda data: services.round_open_next(actor=request.user, ballot=ballot, **data)
    ):
        messages.success(request, _("Tour suivant ouvert."))
        return redirect(ballot)
    return render(
        request,
        "ballots/round_next.html",
        {
            "form": form,
            "ballot": ballot,
            "breadcrumbs": _crumbs(
                (ballot.title, ballot.get_absolute_url()), (_("Tour suivant"), None)
            ),
        },
    )


@require_POST
@object_view(Round.objects.select_related("ballot"), "ballots.manage")
def round_close(request, round):  # noqa: A002
    try:
        services.round_close(actor=request.user, round=round)
        messages.success(request, _("Tour clos. Vérifiez les résultats, puis publiez-les."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("ballots:results", pk=round.ballot_id)


@require_POST
@object_view(Round.objects.select_related("ballot"), "ballots.manage")
def round_publish(request, round):  # noqa: A002
    try:
        services.round_publish(actor=request.user, round=round)
        messages.success(request, _("Résultats publiés."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("ballots:results", pk=round.ballot_id)


# --- Roll ---------------------------------------------------------------------------------


@require_GET
@object_view(Ballot, "ballots.view_roll")
def roll(request, ballot):
    """The roll's size per section the user reaches, and its corrections."""
    sections = list(selectors.roll_by_section(ballot, request.user))
    corrections = []
    if can(request.user, "ballots.manage", ballot.federation):
        corrections = list(
            RollEntry.objects.filter(ballot=ballot)
            .exclude(reason="")
            .select_related("member", "section")
            .order_by("section__sort_name", "member__last_name")[:200]
        )
    return render(
        request,
        "ballots/roll.html",
        {
            "ballot": ballot,
            "sections": sections,
            "total": sum(s["n"] for s in sections),
            "corrections": corrections,
            "can_manage": can(request.user, "ballots.manage", ballot.federation),
            "breadcrumbs": _crumbs(
                (ballot.title, ballot.get_absolute_url()), (_("Liste électorale"), None)
            ),
        },
    )


@require_GET
@object_view(Ballot, "ballots.view_roll")
def roll_section(request, ballot, section_pk):
    """The roll of one section, by name: for the polling station's signature sheet."""
    section = get_in_scope_or_404(
        Unit, actor=request.user, capability="ballots.view_roll", pk=section_pk
    )
    entries = (
        RollEntry.objects.in_scope(request.user, "ballots.view_roll")
        .filter(ballot=ballot, section=section)
        .select_related("member")
    )
    page = paginate(entries, request.GET.get("page"), per_page=PAGE_SIZE)
    log_access(
        actor=request.user,
        action=AccessLog.Action.LIST,
        code="ballots.roll_view",
        params={"title": ballot.title, "section": section.name, "page": page.number},
        scope=section,
        row_count=len(page.object_list),
    )
    return render_partial(
        request,
        "ballots/roll_section.html",
        {
            "ballot": ballot,
            "section": section,
            "page": page,
            "entries": page.object_list,
            "can_manage": can(request.user, "ballots.manage", ballot.federation),
            "breadcrumbs": _crumbs(
                (ballot.title, ballot.get_absolute_url()),
                (_("Liste électorale"), reverse("ballots:roll", args=[ballot.pk])),
                (section.name, None),
            ),
        },
    )


@require_GET
@object_view(Ballot, "ballots.view_roll")
def roll_section_sheet(request, ballot, section_pk):
    """The printable signature sheet of a section's polling station: every voter of the
    roll in alphabetical order, a box to sign; struck voters shown struck, with the reason."""
    section = get_in_scope_or_404(
        Unit, actor=request.user, capability="ballots.view_roll", pk=section_pk
    )
    entries = list(
        RollEntry.objects.in_scope(request.user, "ballots.view_roll")
        .filter(ballot=ballot, section=section)
        .select_related("member")
        .order_by("member__last_name", "member__first_name", "pk")
    )
    round_ = services.current_round(ballot)
    log_access(
        actor=request.user,
        action=AccessLog.Action.EXPORT,
        code="ballots.roll_sheet",
        params={"title": ballot.title, "section": section.name},
        scope=section,
        row_count=len(entries),
    )
    pdf = render_pdf(
        "ballots/roll_sheet_pdf.html",
        {
            "ballot": ballot,
            "section": section,
            "round": round_,
            "entries": entries,
            "active": sum(1 for e in entries if e.struck_at is None),
        },
        request=request,
    )
    response = pdf_response(pdf, f"emargement-{ballot.pk}-{section.code}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@object_view(Ballot, "ballots.manage")
def roll_add(request, ballot):
    form = RollAddForm(request.POST or None, user=request.user)
    if request.method == "POST" and submit(
        form,
        lambda data: services.roll_add(
            actor=request.user, ballot=ballot, member=data["member"], reason=data["reason"]
        ),
    ):
        messages.success(request, _("Ajout à la liste électorale enregistré."))
        return redirect("ballots:roll", pk=ballot.pk)
    return render(
        request,
        "ballots/roll_form.html",
        {
            "form": form,
            "ballot": ballot,
            "title": _("Ajouter à la liste électorale"),
            "breadcrumbs": _crumbs(
                (ballot.title, ballot.get_absolute_url()),
                (_("Liste électorale"), reverse("ballots:roll", args=[ballot.pk])),
                (_("Ajouter"), None),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@object_view(RollEntry.objects.select_related("ballot", "member", "section"), "ballots.manage")
def roll_strike(request, rollentry):
    ballot = rollentry.ballot
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and submit(
        form,
        lambda data: services.roll_strike(
            actor=request.user, entry=rollentry, reason=data["reason"]
        ),
    ):
        messages.success(request, _("Radiation enregistrée."))
        return redirect("ballots:roll_section", pk=ballot.pk, section_pk=rollentry.section_id)
    return render(
        request,
        "ballots/roll_form.html",
        {
            "form": form,
            "ballot": ballot,
            "entry": rollentry,
            "title": _("Radier de la liste électorale"),
            "breadcrumbs": _crumbs(
                (ballot.title, ballot.get_absolute_url()),
                (_("Liste électorale"), reverse("ballots:roll", args=[ballot.pk])),
                (_("Radier"), None),
            ),
        },
    )


# --- Online vote --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_view
def vote(request, pk):
    """Vote online: choose, confirm with a second factor, get a receipt code."""
    ballot = _ballot(request, pk)
    member = _member(request)
    current = selectors.voting_round(ballot, request.user, member) if ballot.is_online else None
    if current is None:
        raise Http404
    crumbs = _crumbs((ballot.title, ballot.get_absolute_url()), (_("Voter"), None))
    uses_totp = current.uses_totp
    reason = services.ineligibility_reason(ballot, member)
    form = VoteForm(request.POST or None, round=current, uses_totp=uses_totp)
    context = {
        "ballot": ballot,
        "round": current,
        "form": form,
        "uses_totp": uses_totp,
        "reason": reason,
        "accepting": current.accepting_votes(),
        "has_voted": current.voted,
        "breadcrumbs": crumbs,
    }
    if request.method == "POST" and (
        receipt := submit(
            form,
            lambda data: services.vote_cast(
                actor=request.user, ballot=ballot, option=form.option(), code=data["code"]
            ),
        )
    ):
        # Shown once, on this page: the receipt is stored nowhere that names the voter.
        return render(
            request,
            "ballots/vote_done.html",
            {"ballot": ballot, "round": current, "receipt": receipt, "breadcrumbs": crumbs},
        )
    return render(request, "ballots/vote.html", context)


@require_POST
@login_view
def vote_code(request, pk):
    ballot = _ballot(request, pk)
    try:
        services.vote_code_send(actor=request.user, ballot=ballot)
        messages.success(request, _("Code envoyé : consultez votre messagerie."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("ballots:vote", pk=ballot.pk)


# --- Results ------------------------------------------------------------------------------


def _visible_results(request, ballot, *, can_manage: bool):
    # The kept tally of each round comes with it (one LEFT JOIN): no sum over the PVs.
    rounds = list(ballot.rounds.select_related("tally").order_by("number"))
    visible = [r for r in rounds if selectors.results_visible(request.user, r)]
    options = selectors.round_options([r.pk for r in visible]) if visible else {}
    shown = []
    for round_ in rounds:
        if round_.pk not in options:
            shown.append((round_, None, None))
            continue
        results = selectors.round_results(round_, options=options[round_.pk])
        rows = selectors.section_rows_page(round_, results, request.GET.get("page"))
        rows.extra["body"] = _rows_html(
            rows.object_list, online=ballot.is_online, can_manage=can_manage
        )
        shown.append((round_, results, rows))
    return shown


_BADGES = {"validated": "text-bg-success", "correction": "text-bg-danger"}


@functools.lru_cache(maxsize=4096)
def _percent(language: str, rate: float) -> str:
    """``{{ rate|floatformat:1 }} %`` escaped, in ``language`` (the active one): a turnout
    has at most 10,001 values (two decimals), the same for every page and user."""
    return escape(f"{floatformat(rate, 1)} %")


def _rows_html(rows, *, online: bool, can_manage: bool) -> str:
    """The rows of the per-section table, built once in Python (every piece escaped) rather
    than by the template per row: turnout, vote cells, the PV's status badge (as
    ``ballots/includes/pv_status.html``) and its link for the federation."""
    pattern, mark = reverse("ballots:pv_detail", args=[PK_MARK]), str(PK_MARK)
    numbers: dict[int, str] = {}
    turnouts: dict[float, str] = {}
    badges: dict[str, str] = {}  # one per status
    grouped, language = settings.USE_THOUSAND_SEPARATOR, get_language()

    def number(n: int) -> str:  # localised once per distinct value, as the template would
        if n not in numbers:
            # Without thousand separators ``localize`` writes an integer as ``str`` does.
            numbers[n] = escape(localize(n)) if grouped else str(n)
        return numbers[n]

    cell = '<td class="text-end">%s</td>'
    out = []
    for row in rows:
        pending = row.status == "pending"
        if pending:
            voters, turnout = "—", ""
        else:
            voters, rate = number(row.voters), row.turnout
            if rate not in turnouts:
                turnouts[rate] = _percent(language, rate)
            turnout = turnouts[rate]
        parts = [
            '<tr><th scope="row" class="fw-normal">',
            escape(row.section.name),
            "</th>",
            cell % number(row.registered),
            cell % voters,
            cell % turnout,
        ]
        if not online:
            parts.extend(cell % ("" if pending else number(n)) for n in row.votes)
            badge = ""
            if row.result is not None:
                if row.status not in badges:
                    badges[row.status] = format_html(
                        '<span class="badge {}">{}</span>',
                        _BADGES.get(
                            row.status, "text-bg-secondary" if pending else "text-bg-warning"
                        ),
                        row.status_label,
                    )
                badge = badges[row.status]
                if can_manage:
                    url = escape(pattern.replace(mark, str(row.result.pk)))
                    badge = f'<a href="{url}">{badge}</a>'
            parts.append(f"<td>{badge}</td>")
        parts.append("</tr>\n")
        out.append("".join(parts))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


@require_GET
@login_view
def results(request, pk):
    """Results per round: published ones for everyone, the live consolidation for the
    federation (section PVs) — never an online tally before the round is closed."""
    ballot = _ballot(request, pk)
    manage = can(request.user, "ballots.manage", ballot.federation)
    return render(
        request,
        "ballots/results.html",
        {
            "ballot": ballot,
            "rounds": _visible_results(request, ballot, can_manage=manage),
            "can_manage": manage,
            "breadcrumbs": _crumbs(
                (ballot.title, ballot.get_absolute_url()), (_("Résultats"), None)
            ),
        },
    )


@require_GET
@login_view
def results_pdf(request, pk):
    ballot = _ballot(request, pk)
    round_ = _round_of(ballot, request.GET.get("tour"))
    if not selectors.results_visible(request.user, round_):
        raise Http404
    data = selectors.round_results(round_)
    pdf = render_pdf("ballots/results_pdf.html", {"ballot": ballot, "r": data}, request=request)
    return pdf_response(pdf, f"resultats-{ballot.pk}-tour-{round_.number}.pdf")


@require_GET
@login_view
def published_ballots(request, pk):
    """The ballots of a published online round, by receipt code: anyone can find their own
    and recount the tally."""
    ballot = _ballot(request, pk)
    round_ = _round_of(ballot, request.GET.get("tour"))
    if not ballot.is_online or not round_.is_published:
        raise Http404
    form = ReceiptSearchForm(request.GET or None)
    receipt = form.cleaned_data.get("recu", "") if form.is_valid() else ""
    qs = selectors.published_ballots(round_, receipt)
    if request.GET.get("format") == "csv":
        rows = ((b.receipt, b.option.label if b.option else _("Vote blanc")) for b in qs.iterator())
        return stream_csv(
            rows,
            [_("Code de vérification"), _("Choix")],
            f"bulletins-{ballot.pk}-tour-{round_.number}.csv",
        )
    page = paginate(qs, request.GET.get("page"), per_page=100)
    return render_partial(
        request,
        "ballots/published_ballots.html",
        {
            "ballot": ballot,
            "round": round_,
            "form": form,
            "receipt": receipt,
            "page": page,
            "ballots": page.object_list,
            "results": selectors.round_results(round_),
            "breadcrumbs": _crumbs(
                (ballot.title, ballot.get_absolute_url()), (_("Bulletins publiés"), None)
            ),
        },
    )


# --- Section PVs --------------------------------------------------------------------------

PV_QUERYSET = SectionResult.objects.select_related("round__ballot__federation", "section")


def _pv_context(request, result, **extra):
    ballot = result.round.ballot
    trail = AuditEntry.objects.filter(
        object_type="ballots.sectionresult", object_id=str(result.pk)
    ).select_related("actor")
    return {
        "result": result,
        "ballot": ballot,
        "lines": list(result.lines.select_related("option").order_by("option__order")),
        "trail": list(trail.order_by("created_at", "pk")),
        "breadcrumbs": _crumbs(
            (ballot.title, ballot.get_absolute_url()),
            (
                _("PV de %(section)s, tour %(n)s")
                % {"section": result.section, "n": result.round.number},
                None,
            ),
        ),
        **extra,
    }


@require_GET
@object_view(PV_QUERYSET, "ballots.view_pv", arg="result")
def pv_detail(request, result):
    user = request.user
    open_round = result.round.is_open
    return render(
        request,
        "ballots/pv_detail.html",
        _pv_context(
            request,
            result,
            can_enter=open_round and can(user, "ballots.enter_results", result.section),
            can_sign=result.status == SectionResult.Status.ENTERED
            and can(user, "ballots.countersign", result.section),
            can_manage=can(user, "ballots.manage", result.section)
            and not result.round.is_published,
            open_round=open_round,
            correction_form=CorrectionForm(),
        ),
    )


@require_http_methods(["GET", "POST"])
@object_view(PV_QUERYSET, "ballots.enter_results", scope="ballots.view_pv", arg="result")
def pv_enter(request, result):
    form = PVForm(request.POST or None, result=result)
    if request.method == "POST" and submit(
        form, lambda data: services.pv_enter(actor=request.user, result=result, **form.figures())
    ):
        messages.success(request, _("PV enregistré. Il doit maintenant être contresigné."))
        return redirect(result)
    return render(
        request, "ballots/pv_form.html", _pv_context(request, result, form=form, rectify=False)
    )


@require_http_methods(["GET", "POST"])
@object_view(PV_QUERYSET, "ballots.manage", scope="ballots.view_pv", arg="result")
def pv_rectify(request, result):
    form = RectifyForm(request.POST or None, result=result)
    if request.method == "POST" and submit(
        form,
        lambda data: services.pv_rectify(
            actor=request.user, result=result, reason=data["reason"], **form.figures()
        ),
    ):
        messages.success(request, _("PV rectifié et validé."))
        return redirect(result)
    return render(
        request, "ballots/pv_form.html", _pv_context(request, result, form=form, rectify=True)
    )


def _pv_action(request, result, action, done: str):
    try:
        action()
        messages.success(request, done)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(result)


@require_POST
@object_view(PV_QUERYSET, "ballots.countersign", scope="ballots.view_pv", arg="result")
def pv_countersign(request, result):
    return _pv_action(
        request,
        result,
        lambda: services.pv_countersign(actor=request.user, result=result),
        _("PV contresigné. La fédération va le valider."),
    )


@require_POST
@object_view(PV_QUERYSET, "ballots.manage", scope="ballots.view_pv", arg="result")
def pv_validate(request, result):
    return _pv_action(
        request,
        result,
        lambda: services.pv_validate(actor=request.user, result=result),
        _("PV validé : ses résultats sont consolidés."),
    )


@require_POST
@object_view(PV_QUERYSET, "ballots.manage", scope="ballots.view_pv", arg="result")
def pv_correction(request, result):
    form = CorrectionForm(request.POST)
    if submit(
        form,
        lambda data: services.pv_request_correction(
            actor=request.user, result=result, note=data["note"]
        ),
    ):
        messages.success(request, _("Correction demandée à la section."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(result)


@require_GET
@object_view(PV_QUERYSET, "ballots.view_pv", arg="result")
def pv_pdf(request, result):
    pdf = render_pdf("ballots/pv_pdf.html", _pv_context(request, result), request=request)
    return pdf_response(pdf, f"pv-{result.section.code}-tour-{result.round.number}.pdf")
