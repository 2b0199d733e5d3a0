"""Figures of the federation and of its treasury; payment corrections, receipts and
statements.

The figures pages (``federation_figures``, ``treasury``) show counts and amounts only —
no name — so they write no access-log row. The pages and documents that show a member's
name (members not up to date, the correction forms, receipts, statements, the export)
each write one.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import BooleanField, ExpressionWrapper
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fede.core.access import get_in_scope_or_404, object_view, permission_required
from fede.core.audit import log_access
from fede.core.exports import stream_csv, stream_xlsx
from fede.core.forms import submit
from fede.core.lists import paginate, render_partial, with_row_urls
from fede.core.models import AccessLog
from fede.core.pdf import pdf_response, render_pdf

from . import figures, services
from .forms import DuesCancelForm, DuesCorrectionForm
from .models import DuesPayment, Member, Unit
from .roles import can, grant_paths, reach
from .selectors import contact_visible_q

#: Past this many rows a list says "plus de 10 000" instead of counting them all.
COUNT_CAP = 10_000


def count_rows(queryset, page) -> None:
    """Give ``page`` its total, cheaply: one COUNT over at most COUNT_CAP + 1 rows of the
    filtered list (no ordering, no per-row figures). Beyond the cap, ``page.extra
    ["count_over"]`` is set and the total stays unknown (the pager shows no last page)."""
    counted = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    if counted > COUNT_CAP:
        page.extra["count_over"] = COUNT_CAP
    else:
        page.count = counted


def _scope(request, capability: str) -> tuple[list[str], Unit | None]:
    """The paths to read: the user's whole reach for ``capability``, or the one unit of
    ``?unite=`` (404 outside that reach)."""
    chosen = request.GET.get("unite")
    if chosen:
        unit = get_in_scope_or_404(Unit, actor=request.user, capability=capability, pk=chosen)
        return [unit.path], unit
    return grant_paths(request.user, capability), None


def _scope_units(user, capability: str):
    """Units the user may narrow the figures to (their federations and sections)."""
    return list(
        Unit.objects.in_scope(user, capability)
        .active()
        .exclude(kind=Unit.Kind.NATIONAL)
        .order_by("depth", "sort_name", "pk")[:500]
    )


def _year(request, default: int) -> int:
    value = request.GET.get("annee") or ""
    return int(value) if value.isdigit() and 1900 <= int(value) <= 2999 else default


def _crumbs(*extra) -> list:
    return [(_("Chiffres"), reverse("organization:federation_figures")), *extra]


def _no_store(response):
    """Member data: never kept by a browser or a proxy cache."""
    patch_cache_control(response, no_store=True, private=True)
    return response


# --- Federation figures --------------------------------------------------------------------


@permission_required("section.view")
@require_GET
def federation_figures(request):
    """Totals, evolution over 24 months and per-section comparison, for the user's scope
    (their federation, or their section). Figures only: no access-log row."""
    user = request.user
    paths, unit = _scope(request, "section.view")
    today = timezone.localdate()
    series = figures.monthly_members(paths, today)
    points = [
        (figures.month_label(m, short=False), figures.month_label(m) if i % 3 == 0 else "")
        for i, m in enumerate(series["months"])
    ]

    def chart(key, title, desc, values):
        return figures.bar_chart(
            key,
            title,
            desc,
            [(label, tick, value) for (label, tick), value in zip(points, values, strict=True)],
        )

    charts = [
        chart(
            "roll",
            _("Adhérent·es inscrit·es en fin de mois"),
            _(
                "Sur 24 mois, nombre de personnes au fichier à la fin de chaque mois : "
                "adhésion faite, aucun départ enregistré."
            ),
            series["roll"],
        ),
        chart(
            "joined",
            _("Nouvelles adhésions par mois"),
            _("Sur 24 mois, nombre d'adhésions de chaque mois."),
            series["joined"],
        ),
        chart(
            "left",
            _("Départs par mois"),
            _("Sur 24 mois, démissions, exclusions et décès enregistrés chaque mois."),
            series["left"],
        ),
    ]
    sort = request.GET.get("tri") or "name"
    if sort.removeprefix("-") not in figures.COMPARISON_SORTS:
        sort = "name"
    rows = figures.section_comparison(paths, today, sort)
    with_row_urls([row.unit for row in rows], "organization:section_dashboard")
    return render(
        request,
        "organization/figures/federation.html",
        {
            "unit": unit,
            "units": _scope_units(user, "section.view"),
            "totals": figures.totals(paths, today),
            "year": today.year,
            "charts": charts,
            "rows": rows if len(rows) > 1 else [],
            "sort": sort,
            "sorts": [
                ("name", _("Section")),
                ("members", _("Adhérent·es")),
                ("up_to_date", _("À jour")),
                ("new", _("Nouveaux")),
                ("lapsed", _("Non renouvelés")),
            ],
            "can_treasury": can(user, "dues.record"),
            "breadcrumbs": [(_("Chiffres"), None)],
        },
    )


# --- Treasury ------------------------------------------------------------------------------


@permission_required("dues.record")
@require_GET
def treasury(request):
    """Dues received per year and per month (table and chart), and how many members are
    not up to date this year. Amounts and counts only: no access-log row."""
    user = request.user
    paths, unit = _scope(request, "dues.record")
    today = timezone.localdate()
    year = _year(request, today.year)
    by_year = figures.dues_by_year(paths, today)
    by_month = figures.dues_by_month(paths, year)
    chart = figures.bar_chart(
        "dues",
        _("Cotisations reçues par mois en %(year)s (euros)") % {"year": year},
        _("Montant des cotisations encaissées chaque mois de %(year)s, par date de paiement.")
        % {"year": year},
        [
            (
                figures.month_label(row["month"], short=False),
                figures.month_label(row["month"]),
                row["total"],
            )
            for row in by_month
        ],
    )
    unpaid = figures.not_up_to_date(paths, today.year).order_by().count()
    return render(
        request,
        "organization/figures/treasury.html",
        {
            "unit": unit,
            "units": _scope_units(user, "dues.record"),
            "year": year,
            "this_year": today.year,
            "years": [row["year"] for row in by_year],
            "by_year": by_year,
            "by_month": by_month,
            "month_total": sum(row["total"] for row in by_month),
            "month_count": sum(row["count"] for row in by_month),
            "chart": chart,
            "unpaid": unpaid,
            "breadcrumbs": [(_("Trésorerie"), None)],
        },
    )


def _unpaid(request):
    paths, unit = _scope(request, "dues.record")
    year = timezone.localdate().year
    return figures.not_up_to_date(paths, year), unit, year


@permission_required("dues.record")
@require_GET
def treasury_unpaid(request):
    """Active members who have not paid this year's dues yet (names: logged)."""
    user = request.user
    members, unit, year = _unpaid(request)
    page = paginate(members, request.GET.get("page"), count=False)
    count_rows(members, page)
    with_row_urls(page.object_list, "organization:member_detail")
    log_access(
        actor=user,
        action=AccessLog.Action.LIST,
        code="organization.dues_unpaid_list",
        params={"year": year},
        obj=unit,
        scope=unit if unit is not None else reach(user, "dues.record"),
        row_count=len(page),
        detail={"page": page.number},
    )
    query = f"?unite={unit.pk}" if unit is not None else ""
    return render_partial(
        request,
        "organization/figures/unpaid.html",
        {
            "unit": unit,
            "year": year,
            "page": page,
            "can_export": can(user, "members.export"),
            "export_csv": reverse("organization:treasury_unpaid_export", args=["csv"]) + query,
            "export_xlsx": reverse("organization:treasury_unpaid_export", args=["xlsx"]) + query,
            "breadcrumbs": [
                (_("Trésorerie"), reverse("organization:treasury")),
                (_("Pas encore à jour"), None),
            ],
        },
    )


@permission_required("members.export")
@require_GET
def treasury_unpaid_export(request, fmt):
    """CSV or XLSX of the members not up to date this year (logged, formulas escaped by
    the export helpers; contact details only where the user may read them)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    user = request.user
    members, unit, year = _unpaid(request)
    members = members.filter(pk__in=Member.objects.in_scope(user, "members.export").values("pk"))
    row_count = members.count()
    log_access(
        actor=user,
        action=AccessLog.Action.EXPORT,
        code="organization.dues_unpaid_export",
        params={"year": year, "format": fmt},
        obj=unit,
        scope=unit if unit is not None else reach(user, "members.export"),
        row_count=row_count,
        detail={"format": fmt},
    )
    header = [
        _("Numéro d'adhérent"),
        _("Nom"),
        _("Prénom"),
        _("Section"),
        _("Dernière cotisation"),
        _("E-mail"),
        _("Téléphone"),
    ]
    rows_qs = members.annotate(
        show_contact=ExpressionWrapper(contact_visible_q(user), output_field=BooleanField())
    ).values_list(
        "membership_number",
        "last_name",
        "first_name",
        "section__name",
        "last_dues_year",
        "email",
        "phone",
        "show_contact",
    )

    def rows():
        for *values, show in rows_qs.iterator(chunk_size=2000):
            if not show:
                values[5] = values[6] = ""
            yield values

    stamp = timezone.localdate().isoformat()
    filename = f"cotisations-{year}-non-a-jour-{stamp}.{fmt}"
    if fmt == "xlsx":
        return stream_xlsx(rows(), header, filename, sheet_title=_("Pas encore à jour"))
    return stream_csv(rows(), header, filename)


# --- One payment: correction, cancellation, receipt; a member's yearly statement -----------


def _payments():
    return DuesPayment.objects.select_related("member__section", "recorded_by")


def _member_crumbs(member: Member, label: str) -> list:
    return [
        (_("Adhérent·es"), reverse("organization:member_list")),
        (member.full_name, member.get_absolute_url()),
        (label, None),
    ]


def _log_payment_page(request, payment: DuesPayment) -> None:
    log_access(
        actor=request.user,
        action=AccessLog.Action.VIEW,
        code="organization.dues_view",
        params={"member": payment.member_id},
        obj=payment.member,
    )


@object_view(_payments, "dues.record", scope="members.view", arg="payment")
@require_http_methods(["GET", "POST"])
def dues_correct(request, payment):
    """Correct a wrong payment; the old values stay visible under it, with the reason."""
    if payment.is_cancelled:
        raise Http404
    form = DuesCorrectionForm(request.POST or None, payment=payment)
    if request.method == "POST" and submit(
        form,
        lambda data: services.dues_correct(
            actor=request.user, payment=payment, reason=data["reason"], **form.changes()
        ),
    ):
        messages.success(request, _("La cotisation est corrigée."))
        return redirect(payment.member)
    _log_payment_page(request, payment)
    return render(
        request,
        "organization/figures/dues_correct.html",
        {
            "form": form,
            "payment": payment,
            "member": payment.member,
            "breadcrumbs": _member_crumbs(payment.member, _("Corriger une cotisation")),
        },
    )


@object_view(_payments, "dues.record", scope="members.view", arg="payment")
@require_http_methods(["GET", "POST"])
def dues_cancel(request, payment):
    """Cancel a payment recorded by mistake (never deleted: struck through, with why)."""
    if payment.is_cancelled:
        raise Http404
    form = DuesCancelForm(request.POST or None)
    if request.method == "POST" and submit(
        form,
        lambda data: services.dues_cancel(
            actor=request.user, payment=payment, reason=data["reason"]
        ),
    ):
        messages.success(request, _("La cotisation est annulée."))
        return redirect(payment.member)
    _log_payment_page(request, payment)
    return render(
        request,
        "organization/figures/dues_cancel.html",
        {
            "form": form,
            "payment": payment,
            "member": payment.member,
            "breadcrumbs": _member_crumbs(payment.member, _("Annuler une cotisation")),
        },
    )


def _federation(member: Member) -> Unit | None:
    return services.federation_of(member.section)


@object_view(_payments, "dues.record", scope="members.view", arg="payment")
@require_GET
def dues_receipt(request, payment):
    """The receipt of one payment ("reçu de cotisation"), as a PDF (logged)."""
    if payment.is_cancelled:
        raise Http404
    member = payment.member
    log_access(
        actor=request.user,
        action=AccessLog.Action.EXPORT,
        code="organization.dues_receipt",
        params={"member": member.pk, "payment": payment.pk},
        obj=member,
        row_count=1,
    )
    pdf = render_pdf(
        "organization/figures/receipt_pdf.html",
        {"payment": payment, "member": member, "federation": _federation(member)},
        request=request,
    )
    return _no_store(pdf_response(pdf, f"recu-cotisation-{payment.pk}.pdf"))


@object_view(lambda: Member.objects.select_related("section"), "dues.record", scope="members.view")
@require_GET
def dues_statement(request, member, year):
    """A member's yearly statement: every payment made during ``year`` (logged)."""
    if not 1900 <= year <= 2999:
        raise Http404
    payments = figures.statement_payments(member, year)
    log_access(
        actor=request.user,
        action=AccessLog.Action.EXPORT,
        code="organization.dues_statement",
        params={"member": member.pk, "year": year},
        obj=member,
        row_count=len(payments),
    )
    pdf = render_pdf(
        "organization/figures/statement_pdf.html",
        {
            "member": member,
            "year": year,
            "payments": payments,
            "total": sum(p.amount for p in payments),
            "federation": _federation(member),
        },
        request=request,
    )
    return _no_store(pdf_response(pdf, f"releve-cotisations-{member.pk}-{year}.pdf"))
