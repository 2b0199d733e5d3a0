"""Screens of section officers and of the federation.

Each view carries one decorator of :mod:`fede.core.access`: ``permission_required`` (a
capability anywhere) or ``object_view`` (the URL's object fetched in the user's scope,
404 outside it, then checked for the capability, 403). Writes go through services.py,
which check the capability on the units concerned; GET never changes anything but the
access log.
"""

from __future__ import annotations

import datetime
import html

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fede.core.access import authorize, login_view, object_view, permission_required
from fede.core.audit import log_access
from fede.core.exports import stream_csv, stream_xlsx
from fede.core.forms import submit
from fede.core.lists import (
    PER_PAGE,
    PK_MARK,
    Page,
    page_number,
    paginate,
    render_partial,
    with_row_links,
    with_row_urls,
)
from fede.core.models import AccessLog, AuditEntry

from . import memo, selectors, services
from .fields import MEMBER_EXPORT_COLUMNS, export_header, is_contact
from .forms import (
    AccessLogFilterForm,
    AuditFilterForm,
    CloseForm,
    DuesForm,
    MandateEndForm,
    MandateFilterForm,
    MandateForm,
    MemberFilterForm,
    MemberForm,
    MergeForm,
    ResignationForm,
    SectionFilterForm,
    SectionForm,
    TransferDecisionForm,
    TransferRequestForm,
)
from .invitations import space_state
from .models import (
    Mandate,
    Member,
    MemberInvitation,
    Territory,
    Transfer,
    Unit,
    up_to_date_in,
)
from .roles import can, grant_paths, reach, roles_with
from .views_figures import COUNT_CAP, count_rows
from .views_space import member_section_page


def _members():
    return Member.objects.select_related("section", "user")


def _member_file():
    """The member of a file page, with the date and expiry of their latest invitation and
    whether they have transfers and offices in the same query (what space_state and
    member_history read; see _latest_invitation)."""
    latest = MemberInvitation.objects.filter(member=OuterRef("pk")).order_by("-created_at", "-pk")
    return _members().annotate(
        # Most members were never moved nor held an office: no query for those lists then.
        has_transfers=Exists(Transfer.objects.filter(member=OuterRef("pk"))),
        has_mandates=Exists(Mandate.objects.filter(member=OuterRef("pk"))),
        latest_invitation_pk=Subquery(latest.values("pk")[:1]),
        latest_invitation_created_at=Subquery(latest.values("created_at")[:1]),
        latest_invitation_expires_at=Subquery(latest.values("expires_at")[:1]),
    )


def _latest_invitation(member: Member) -> MemberInvitation | None:
    """The latest invitation read by _member_file, as ``.only("member", "created_at",
    "expires_at")`` would give it (other columns deferred)."""
    if member.latest_invitation_pk is None:
        return None
    read = {
        "id": member.latest_invitation_pk,
        "member_id": member.pk,
        "created_at": member.latest_invitation_created_at,
        "expires_at": member.latest_invitation_expires_at,
    }
    # from_db takes the values in the model's column order.
    names = [f.attname for f in MemberInvitation._meta.concrete_fields if f.attname in read]
    invitation = MemberInvitation.from_db(member._state.db, names, [read[name] for name in names])
    MemberInvitation.member.field.set_cached_value(invitation, member)
    return invitation


def _mandates():
    return Mandate.objects.select_related("member", "unit")


def _transfers():
    return Transfer.objects.select_related(
        "member", "from_unit", "to_unit", "requested_by", "decided_by"
    )


def _section_crumbs(unit: Unit, *extra) -> list:
    crumbs = [(unit.name, unit.get_absolute_url())]
    crumbs.extend(extra)
    return crumbs


def _member_crumbs(member: Member, *extra) -> list:
    crumbs = [
        (_("Adhérent·es"), reverse("organization:member_list")),
        (member.full_name, member.get_absolute_url()),
    ]
    crumbs.extend(extra)
    return crumbs


def _federation_crumbs(*extra) -> list:
    return [(_("Fédération"), reverse("organization:federation_sections")), *extra]


def _log_member_page(request, member: Member, code: str) -> None:
    """One access-log row for a page showing a member's data (``code`` declared in the
    registry, parameters: the member's id only)."""
    log_access(
        actor=request.user,
        action=AccessLog.Action.VIEW,
        code=code,
        params={"member": member.pk},
        obj=member,
    )


# --- Sections of an officer ----------------------------------------------------------------


@login_view
@require_GET
def my_sections(request):
    """ "Ma section": the units where the user holds an office that shows a section; for
    any other member, a read-only page of their own section."""
    if not can(request.user, "section.view"):
        member = selectors.member_of_user(request.user)
        if member is None or member.anonymised_at is not None:
            return render(
                request,
                "organization/space/no_member.html",
                {"breadcrumbs": [(_("Ma section"), None)]},
            )
        return member_section_page(request, member)
    mandates = list(
        Mandate.objects.current()
        .filter(member__user=request.user, unit__is_active=True)
        .filter(role__in=roles_with("section.view"))
        .select_related("unit")
        .order_by("unit__depth", "unit__sort_name", "unit__pk")
    )
    units = list({m.unit.pk: m.unit for m in mandates}.values())
    if len(units) == 1:
        unit = units[0]
        if unit.is_section:
            return redirect(unit)
        return redirect("organization:federation_sections")
    return render(
        request,
        "organization/my_sections.html",
        {"mandates": mandates, "breadcrumbs": [(_("Mes sections"), None)]},
    )


def _with_role_labels(mandates) -> list:
    """The mandates, each with ``role_label``: get_role_display() translates every role at
    each call, this translates them once."""
    roles = {value: str(label) for value, label in Mandate._meta.get_field("role").flatchoices}
    mandates = list(mandates)
    for mandate in mandates:
        mandate.role_label = roles.get(mandate.role, mandate.role)
    return mandates


def _units_with_place():
    """Units with their territory in the same query (the header prints its name), without
    the territory's outline (a GeoJSON column)."""
    return Unit.objects.select_related("territory").defer("territory__geometry")


def _units():
    """The unit of a section page (compiled once: see object_view(compiled=True))."""
    return Unit.objects.all()


@object_view(_units_with_place, "section.view", compiled=True)
@require_GET
def section_dashboard(request, unit):
    """A section at a glance: figures, officers, pending transfers, links.

    The figures are the same for every reader: kept a minute per process (memo)."""
    user = request.user
    can_see_members = can(user, "members.view", unit)
    today = timezone.localdate()
    figures = dict(
        memo.SECTION_FIGURES.get((unit.pk, today), lambda: selectors.section_figures(unit, today))
    )
    if unit.territory_id is not None and not Unit.territory.is_cached(unit):
        # The header prints the territory's name: not its outline (a GeoJSON column).
        Unit.territory.field.set_cached_value(
            unit, Territory.objects.only("name").get(pk=unit.territory_id)
        )
    figures["up_to_date_percent"] = (
        round(figures["up_to_date"] * 100 / figures["members"]) if figures["members"] else 0
    )
    context = {
        "unit": unit,
        "figures": figures,
        "year": today.year,
        # The officers' name and link only: no other column of their member record.
        "officers": _with_role_labels(
            selectors.section_officers(unit).only(
                "role", "portfolio", "member__first_name", "member__last_name"
            )
        ),
        "can_see_members": can_see_members,
        "breadcrumbs": [(unit.name, None)],
    }
    log_access(
        actor=user,
        action=AccessLog.Action.VIEW,
        code="organization.section_dashboard",
        params={"unit": unit.name},
        obj=unit,
    )
    if can_see_members:
        # What a line shows: the member's name and link, the other unit's name, the day.
        pending = list(
            selectors.open_transfers()
            .select_related(None)
            .select_related("member", "from_unit", "to_unit")
            .filter(Q(to_unit=unit) | Q(from_unit=unit))
            .only(
                "created_at",
                "from_unit_id",
                "to_unit_id",
                "member__first_name",
                "member__last_name",
                "from_unit__name",
                "to_unit__name",
            )
            .order_by("created_at")[:100]
        )
        context["transfers_in"] = [t for t in pending if t.to_unit_id == unit.pk]
        context["transfers_out"] = [t for t in pending if t.from_unit_id == unit.pk]
    return render(request, "organization/section_dashboard.html", context)


@object_view(Unit, "section.edit", scope="section.view")
@require_http_methods(["GET", "POST"])
def section_edit(request, unit):
    """Edit a section: its officers change presentation and contact; the federation all."""
    form = SectionForm(request.POST or None, user=request.user, unit=unit)
    if request.method == "POST" and submit(
        form,
        lambda data: services.unit_update(actor=request.user, unit=unit, **form.changes()),
    ):
        messages.success(request, _("La section a été mise à jour."))
        return redirect(unit)
    return render(
        request,
        "organization/section_form.html",
        {
            "form": form,
            "unit": unit,
            "title": _("Modifier la section"),
            "breadcrumbs": _section_crumbs(unit, (_("Modifier"), None)),
        },
    )


# --- Member lists and export ---------------------------------------------------------------


def _member_list(request, unit: Unit | None):
    user = request.user
    form = MemberFilterForm(request.GET or None)
    filters = form.filters()
    # A section's list is small enough to count exactly; a federation-wide list counts
    # its filtered rows once, up to a cap ("1 à 50 sur 1 234", "sur plus de 10 000").
    one_section = unit.is_section if unit is not None else selectors.scope_is_one_section(user)
    page = None
    if one_section or filters["q"].split():
        # One section's list is read like a search: the page's ids and the count in one
        # statement, then its rows by id from a compiled statement.
        page = _search_page(user, unit, filters, request.GET.get("page"), one_section)
    if page is None:
        members = selectors.member_search(user, unit=unit, **filters)
        page = paginate(
            members,
            request.GET.get("page"),
            count=one_section,
            annotate=lambda rows: selectors.member_row_values(user, rows),
        )
        if not one_section:
            count_rows(members, page)
    _decorate_member_rows(page.object_list)
    page.extra["body"] = _member_rows_html(page.object_list, show_section=not one_section)
    log_access(
        actor=user,
        action=AccessLog.Action.LIST,
        code="organization.member_list" if unit else "organization.member_list_scope",
        params={"unit": unit.name} if unit else {},
        obj=unit,
        scope=unit if unit is not None else reach(user, "members.view"),
        row_count=len(page),
        detail={k: v for k, v in filters.items() if v} | {"page": page.number},
    )
    if unit is not None:
        list_url = reverse("organization:section_member_list", args=[unit.pk])
        export_csv = reverse("organization:section_member_export", args=[unit.pk, "csv"])
        export_xlsx = reverse("organization:section_member_export", args=[unit.pk, "xlsx"])
        add_url = reverse("organization:section_member_add", args=[unit.pk])
        can_export = can(user, "members.export", unit)
        can_add = can(user, "members.add", unit) and unit.is_section and unit.is_active
        breadcrumbs = _section_crumbs(unit, (_("Adhérent·es"), None))
    else:
        list_url = reverse("organization:member_list")
        export_csv = reverse("organization:member_export", args=["csv"])
        export_xlsx = reverse("organization:member_export", args=["xlsx"])
        add_url = reverse("organization:member_add")
        can_export = can(user, "members.export")
        can_add = can(user, "members.add")
        breadcrumbs = [(_("Adhérent·es"), None)]
    return render_partial(
        request,
        "organization/member_list.html",
        {
            "unit": unit,
            "form": form,
            "filters": filters,
            "page": page,
            "list_url": list_url,
            "export_csv": export_csv,
            "export_xlsx": export_xlsx,
            "add_url": add_url,
            "can_export": can_export,
            "can_add": can_add,
            "show_section": not one_section,
            "breadcrumbs": breadcrumbs,
        },
    )


def _search_page(user, unit, filters: dict, page_param, one_section: bool) -> Page | None:
    """The page of a search and its count ("1 à 50 sur N") from one pass over the matching
    rows (selectors.member_search_page_ids), then the rows of the page by id: two queries,
    like paginate + count. None when paginate must answer instead (past the last page,
    which becomes the last page of a counted list; a section's list over COUNT_CAP
    matches)."""
    number = page_number(page_param)
    ids, total = selectors.member_search_page_ids(
        user,
        unit=unit,
        **filters,
        offset=(number - 1) * PER_PAGE,
        limit=PER_PAGE + 1,
        cap=COUNT_CAP,
    )
    if total is None and number > 1:
        return None  # past the end: paginate's answer (last page, or an empty page)
    if total is not None and total > COUNT_CAP:
        if one_section:
            return None
        page = paginate(
            selectors.member_search(user, unit=unit, **filters),
            page_param,
            count=False,
            annotate=lambda rows: selectors.member_row_values(user, rows),
        )
        page.extra["count_over"] = COUNT_CAP
        return page
    shown = ids[:PER_PAGE]
    by_pk = {row["pk"]: row for row in selectors.member_row_values_by_id(user, shown)}
    return Page(
        object_list=[by_pk[pk] for pk in shown if pk in by_pk],
        number=number,
        per_page=PER_PAGE,
        has_next=len(ids) > PER_PAGE,
        count=total or 0,
    )


def _decorate_member_rows(rows: list[dict]) -> None:
    """What each row of the member list prints, computed once in Python (the template
    then only copies strings): link, name, status, joined date, last dues year."""
    pattern = reverse("organization:member_detail", args=[PK_MARK])
    mark = str(PK_MARK)
    status_labels = {value: str(label) for value, label in Member.Status.choices}
    last_dues = _("dernière : %(year)s")
    for row in rows:
        row["row_url"] = pattern.replace(mark, str(row["pk"]))
        row["name"] = f"{row['last_name'].upper()} {row['first_name']}"
        row["status_label"] = status_labels.get(row["status"], row["status"])
        joined = row["joined_on"]
        row["joined"] = f"{joined.day:02d}/{joined.month:02d}/{joined.year:04d}" if joined else ""
        year = row["last_dues_year"]
        row["last_dues"] = last_dues % {"year": year} if year else ""


def _esc(value) -> str:
    return html.escape(str(value))


def _member_rows_html(rows: list[dict], show_section: bool) -> str:
    """The table body of the member list (rows decorated by _decorate_member_rows), written
    once in Python, every value escaped: the template prints it as one string instead of a
    dozen tags per row. ``_esc`` writes what django.utils.html.escape writes, without its
    lazy-string wrapper (400 calls a page)."""
    up_to_date = f'<span class="badge text-bg-success">{_esc(_("à jour"))}</span>'
    no_dues = f'<span class="badge text-bg-secondary">{_esc(_("aucune"))}</span>'
    not_shared = f'<span class="text-body-secondary">{_esc(_("non partagé"))}</span>'
    out = []
    for row in rows:
        number = _esc(row["membership_number"])
        if show_section:
            section = _esc(row["section__name"])
            small, section_cell = (
                f"{number} · {section}",
                f'<td class="d-none d-md-table-cell">{section}</td>',
            )
        else:
            small, section_cell = number, ""
        if row["is_up_to_date"]:
            dues = up_to_date
        elif row["last_dues"]:
            dues = f'<span class="badge text-bg-warning">{_esc(row["last_dues"])}</span>'
        else:
            dues = no_dues
        if row["show_contact"]:
            email, phone = row["email"], row["phone"]
            contact = f"{_esc(email)}{'<br>' if email and phone else ''}{_esc(phone)}"
        else:
            contact = not_shared
        out.append(
            "\n        <tr>"
            f'\n          <th scope="row"><a href="{_esc(row["row_url"])}">{_esc(row["name"])}</a>'
            f'<span class="d-block d-sm-none small fw-normal text-body-secondary">{small}</span></th>'
            f'\n          <td class="d-none d-sm-table-cell">{number}</td>'
            f"\n          {section_cell}"
            f"\n          <td>{_esc(row['status_label'])}</td>"
            f"\n          <td>{dues}</td>"
            f'\n          <td class="d-none d-md-table-cell">{_esc(row["joined"])}</td>'
            f'\n          <td class="d-none d-lg-table-cell small">{contact}</td>'
            "\n        </tr>\n        "
        )
    return mark_safe("\n        " + "".join(out))  # noqa: S308 — every value above is escaped


@permission_required("members.view")
@require_GET
def member_list(request):
    """Every member the user may see, searched, filtered, sorted and paged."""
    return _member_list(request, None)


@object_view(_units, "members.view", compiled=True)
@require_GET
def section_member_list(request, unit):
    """The members of one section (or of a unit's subtree)."""
    return _member_list(request, unit)


EXPORT_FORMATS = ("csv", "xlsx")


def _member_export(request, unit: Unit | None, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    user = request.user
    filters = MemberFilterForm(request.GET or None).filters()
    members = selectors.member_search(user, capability="members.export", unit=unit, **filters)
    row_count = members.count()
    members = selectors.member_rows(user, members)
    log_access(
        actor=user,
        action=AccessLog.Action.EXPORT,
        code="organization.member_export" if unit else "organization.member_export_scope",
        params={"unit": unit.name, "format": fmt} if unit else {"format": fmt},
        obj=unit,
        scope=unit if unit is not None else reach(user, "members.export"),
        row_count=row_count,
        detail={k: v for k, v in filters.items() if v} | {"format": fmt},
    )
    header = [export_header(name) for name in MEMBER_EXPORT_COLUMNS]
    status_labels = dict(Member.Status.choices)
    # ``show_contact`` (after the exported columns) says whether the contact details of
    # the row may be read: otherwise they are exported empty.
    columns = (*MEMBER_EXPORT_COLUMNS, "show_contact")
    contact = [is_contact(name) for name in MEMBER_EXPORT_COLUMNS]
    status_at = MEMBER_EXPORT_COLUMNS.index("status")
    up_at = MEMBER_EXPORT_COLUMNS.index("is_up_to_date")

    def rows():
        for row in members.values_list(*columns).iterator(chunk_size=2000):
            show = row[-1]
            values = [
                "" if hidden and not show else value
                for value, hidden in zip(row[:-1], contact, strict=True)
            ]
            values[status_at] = str(status_labels.get(values[status_at], values[status_at]))
            values[up_at] = bool(values[up_at])
            yield values

    stamp = timezone.localdate().isoformat()
    scope = unit.code if unit is not None else "perimetre"
    filename = f"adherents-{scope}-{stamp}.{fmt}"
    if fmt == "xlsx":
        return stream_xlsx(rows(), header, filename, sheet_title=_("Adhérent·es"))
    return stream_csv(rows(), header, filename)


@permission_required("members.export")
@require_GET
def member_export(request, fmt):
    """CSV or XLSX of the current member list of the user (same filters), logged."""
    return _member_export(request, None, fmt)


@object_view(Unit, "members.export", scope="members.view")
@require_GET
def section_member_export(request, unit, fmt):
    """CSV or XLSX of a section's current member list (same filters), logged."""
    return _member_export(request, unit, fmt)


# --- One member ----------------------------------------------------------------------------


@object_view(_member_file, "members.view", compiled=True)
@require_GET
def member_detail(request, member):
    """A member's file, with their dues, transfers and offices, and the actions allowed."""
    user = request.user
    member.latest_invitation = _latest_invitation(member)
    log_access(
        actor=user,
        action=AccessLog.Action.VIEW,
        code="organization.member_view",
        params={"member": member.pk},
        obj=member,
    )
    history = selectors.member_history(member)
    # The actions of each payment's row, each URL resolved once for the whole table.
    with_row_links(
        history["payments"],
        {
            "receipt_url": "organization:dues_receipt",
            "correct_url": "organization:dues_correct",
            "cancel_url": "organization:dues_cancel",
        },
    )
    open_transfer = next(
        (t for t in history["transfers"] if t.status == Transfer.Status.REQUESTED), None
    )
    return render(
        request,
        "organization/member_detail.html",
        {
            "member": member,
            "show_contact": selectors.contact_visible(user, member),
            "space": space_state(member),
            "is_up_to_date": up_to_date_in(history["payments"]),
            "open_transfer": open_transfer,
            "is_current": member.status in (Member.Status.ACTIVE, Member.Status.LAPSED),
            "statement_years": sorted(
                {p.paid_on.year for p in history["payments"] if not p.is_cancelled},
                reverse=True,
            ),
            **history,
            "breadcrumbs": _section_crumbs(member.section, (member.full_name, None)),
        },
    )


@permission_required("members.add")
@require_http_methods(["GET", "POST"])
def member_add(request):
    """Add a member to one of the sections the user manages (picked on the form)."""
    return _member_add(request, None)


@object_view(Unit, "members.add", scope="members.view")
@require_http_methods(["GET", "POST"])
def section_member_add(request, unit):
    """Add a member to this section (the section cannot be changed on the form)."""
    if not unit.is_section or not unit.is_active:
        raise Http404
    return _member_add(request, unit)


def _member_add(request, section: Unit | None):
    form = MemberForm(request.POST or None, user=request.user, section=section)
    if request.method == "POST" and (
        member := submit(
            form,
            lambda data: services.member_create(
                actor=request.user, section=section or data["section"], **form.changes()
            ),
        )
    ):
        messages.success(
            request, _("%(name)s a été ajouté·e au fichier.") % {"name": member.full_name}
        )
        return redirect(member)
    crumbs = (
        _section_crumbs(section, (_("Nouvel·le adhérent·e"), None))
        if section
        else [(_("Adhérent·es"), reverse("organization:member_list")), (_("Nouvel·le"), None)]
    )
    return render(
        request,
        "organization/member_form.html",
        {
            "form": form,
            "section": section,
            "title": _("Nouvel·le adhérent·e"),
            "breadcrumbs": crumbs,
        },
    )


@object_view(_members, "members.change", scope="members.view")
@require_http_methods(["GET", "POST"])
def member_edit(request, member):
    """Edit a member's file (not their section: that is a transfer)."""
    form = MemberForm(request.POST or None, user=request.user, member=member)
    if request.method == "POST" and submit(
        form,
        lambda data: services.member_update(actor=request.user, member=member, **form.changes()),
    ):
        messages.success(request, _("La fiche a été mise à jour."))
        return redirect(member)
    _log_member_page(request, member, "organization.member_edit_view")
    return render(
        request,
        "organization/member_form.html",
        {
            "form": form,
            "member": member,
            "section": member.section,
            "title": _("Modifier la fiche de %(name)s") % {"name": member.full_name},
            "breadcrumbs": _member_crumbs(member, (_("Modifier"), None)),
        },
    )


@object_view(_members, "dues.record", scope="members.view")
@require_http_methods(["GET", "POST"])
def dues_record(request, member):
    """Record one year of dues; a second payment for the same year is refused."""
    form = DuesForm(request.POST or None, member=member)
    if request.method == "POST" and (
        payment := submit(
            form,
            lambda data: services.dues_record(actor=request.user, member=member, **data),
        )
    ):
        messages.success(
            request,
            _("Cotisation %(year)s enregistrée pour %(name)s.")
            % {"year": payment.year, "name": member.full_name},
        )
        return redirect(member)
    _log_member_page(request, member, "organization.dues_view")
    return render(
        request,
        "organization/dues_form.html",
        {
            "form": form,
            "member": member,
            "payments": member.payments.valid().order_by("-year")[:5],
            "breadcrumbs": _member_crumbs(member, (_("Cotisation"), None)),
        },
    )


@object_view(_members, "transfers.request", scope="members.view")
@require_http_methods(["GET", "POST"])
def transfer_request(request, member):
    """Ask for a member's move to another section; the federation decides."""
    form = TransferRequestForm(request.POST or None, member=member)
    if request.method == "POST" and submit(
        form,
        lambda data: services.transfer_request(
            actor=request.user, member=member, to_unit=data["to_unit"], reason=data["reason"]
        ),
    ):
        messages.success(
            request,
            _("Demande de transfert enregistrée : la fédération va l'examiner."),
        )
        return redirect(member)
    _log_member_page(request, member, "organization.transfer_view")
    return render(
        request,
        "organization/transfer_request.html",
        {
            "form": form,
            "member": member,
            "breadcrumbs": _member_crumbs(member, (_("Transfert"), None)),
        },
    )


@object_view(_members, "members.change", scope="members.view")
@require_http_methods(["GET", "POST"])
def member_resign(request, member):
    """Record a resignation, after a confirmation step."""
    form = ResignationForm(request.POST or None)
    if request.method == "POST" and submit(
        form,
        lambda data: services.member_resign(
            actor=request.user, member=member, left_on=data["left_on"]
        ),
    ):
        messages.success(request, _("La démission de %(name)s est enregistrée.") % {"name": member})
        return redirect(member)
    _log_member_page(request, member, "organization.resign_view")
    return render(
        request,
        "organization/member_resign.html",
        {
            "form": form,
            "member": member,
            "breadcrumbs": _member_crumbs(member, (_("Démission"), None)),
        },
    )


# --- Transfers -----------------------------------------------------------------------------


@permission_required("transfers.approve")
@require_GET
def transfer_list(request):
    """Transfer requests leaving or entering the user's scope (open ones first)."""
    state = request.GET.get("state") or Transfer.Status.REQUESTED
    transfers = selectors.transfers_visible_to(request.user)
    if state in Transfer.Status.values:
        transfers = transfers.filter(status=state)
    order = ("created_at",) if state == Transfer.Status.REQUESTED else ("-created_at",)
    page = paginate(transfers.order_by(*order, "pk"), request.GET.get("page"))
    return render_partial(
        request,
        "organization/federation/transfers.html",
        {
            "page": page,
            "state": state,
            "states": Transfer.Status.choices,
            "breadcrumbs": _federation_crumbs((_("Transferts"), None)),
        },
    )


@object_view(_transfers, "transfers.approve")
@require_http_methods(["GET", "POST"])
def transfer_decide(request, transfer):
    """Approve (the member moves) or refuse a transfer request, with a note.

    The request is found in the scope of either section; the decision belongs to the
    receiving section's federation (checked by the service on POST, and here before
    showing the form).
    """
    if request.method == "GET":
        authorize(request.user, "transfers.approve", transfer.to_unit)
    form = TransferDecisionForm(request.POST or None)
    is_open = transfer.status == Transfer.Status.REQUESTED
    if request.method == "POST" and submit(
        form,
        lambda data: services.transfer_decide(
            actor=request.user,
            transfer=transfer,
            approve=data["decision"] == "approve",
            note=data["note"],
        ),
    ):
        if form.cleaned_data["decision"] == "approve":
            messages.success(
                request,
                _("Transfert validé : %(name)s rejoint %(section)s.")
                % {"name": transfer.member, "section": transfer.to_unit},
            )
        else:
            messages.info(request, _("Demande de transfert refusée."))
        return redirect("organization:transfer_list")
    log_access(
        actor=request.user,
        action=AccessLog.Action.VIEW,
        code="organization.transfer_decide_view",
        params={"member": transfer.member_id},
        obj=transfer.member,
        scope=transfer.to_unit,
    )
    return render(
        request,
        "organization/transfer_decide.html",
        {
            "form": form,
            "transfer": transfer,
            "is_open": is_open,
            "breadcrumbs": _federation_crumbs(
                (_("Transferts"), reverse("organization:transfer_list")),
                (str(transfer.member), None),
            ),
        },
    )


@object_view(_transfers, "transfers.request")
@require_POST
def transfer_cancel(request, transfer):
    """Withdraw an open request (by the officers of the section it leaves)."""
    try:
        services.transfer_cancel(actor=request.user, transfer=transfer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("Demande de transfert retirée."))
    return redirect("organization:member_detail", transfer.member_id)


# --- Federation ----------------------------------------------------------------------------

SECTION_SORTS = {
    "name": ("sort_name", "pk"),
    "code": ("code",),
    "-members": ("-members_count", "sort_name"),
    "-growth": ("-growth_12m", "sort_name"),
    "growth": ("growth_12m", "sort_name"),
}


FIGURE_SORTS = ("-members", "-growth", "growth")


#: What a row of the sections table reads of a unit, besides its figures: the figures'
#: query then groups narrow rows (no presentation, no parent unit, no territory outline).
SECTION_ROW_FIELDS = (
    "name",
    "sort_name",
    "code",
    "is_active",
    "kind",
    "section_kind",
    "sector",
    "has_premises",
    "territory__name",
)


def _with_figures_and_place(units):
    return selectors.with_figures(units).select_related("territory").only(*SECTION_ROW_FIELDS)


def _percent(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0


def _decorate(units) -> list:
    sectors = {value: str(label) for value, label in Unit.Sector.choices}
    for unit in with_row_urls(units, "organization:section_dashboard"):
        unit.up_to_date_percent = _percent(unit.up_to_date_count, unit.members_count)
        unit.sector_label = sectors.get(unit.sector, unit.sector)
    return units


_SECTION_ROW = (
    "\n        <tr>"
    '\n          <th scope="row"><a href="{}">{}</a> <span class="small text-body-secondary">{}</span>'
    "{}</th>"
    '\n          <td class="d-none d-md-table-cell">{}</td>'
    '\n          <td class="text-end">{}</td>'
    '\n          <td class="text-end text-nowrap">{} %</td>'
    '\n          <td class="text-end">{}</td>'
    '\n          <td class="d-none d-lg-table-cell">{}</td>'
    "\n        </tr>"
)


def _section_rows_html(units) -> None:
    """Each row of the sections table written once in Python (``unit.row_html``), every
    value escaped, instead of a dozen template tags and filters per row."""
    closed = format_html(' <span class="badge text-bg-secondary">{}</span>', _("fermée"))
    workplace, territorial, yes, no = _("Entreprise"), _("Territoriale"), _("oui"), _("non")
    for unit in units:
        if unit.is_workplace:
            kind = unit.sector_label or workplace
        else:
            kind = (unit.territory.name if unit.territory_id else "") or territorial
        value = unit.growth_12m
        if value > 0:
            growth = format_html('<span class="text-success">+{}</span>', value)
        elif value < 0:
            growth = format_html('<span class="text-danger">−{}</span>', -value)
        else:
            growth = mark_safe('<span class="text-body-secondary">0</span>')
        unit.row_html = format_html(
            _SECTION_ROW,
            unit.row_url,
            unit.name,
            unit.code,
            "" if unit.is_active else closed,
            kind,
            unit.members_count,
            unit.up_to_date_percent,
            growth,
            yes if unit.has_premises else no,
        )


def _section_list(user, filters: dict, page_param) -> Page:
    """One page of the sections table (rows already written, see _section_rows_html)."""
    units = selectors.sections_in_scope(user)
    if filters["state"] == "open":
        units = units.filter(is_active=True)
    elif filters["state"] == "closed":
        units = units.filter(is_active=False)
    if filters["kind"]:
        units = units.filter(section_kind=filters["kind"])
    if filters["q"]:
        units = units.filter(Q(name__icontains=filters["q"]) | Q(code__icontains=filters["q"]))
    order = SECTION_SORTS.get(filters["sort"], SECTION_SORTS["name"])
    if filters["sort"] in FIGURE_SORTS:
        # Sorting on a figure needs the figures of every section of the scope.
        page = paginate(selectors.with_figures(units).order_by(*order), page_param, count=False)
        page.count = units.count()
    else:
        page = paginate(units.order_by(*order), page_param, annotate=_with_figures_and_place)
    _section_rows_html(_decorate(page.object_list))
    # The table prints the rows as one string; the units stay, only read from now on.
    page.extra["body"] = mark_safe("".join(unit.row_html for unit in page.object_list))  # noqa: S308 — escaped rows
    return page


@permission_required("federation.view")
@require_GET
def federation_sections(request):
    """Sections of the user's federation with their key figures (one query per page).

    The page is the same for every reader of the same scope: kept a minute per process
    (memo.SECTION_LISTS, keyed on the scope, the filters, the page and the language)."""
    form = SectionFilterForm(request.GET or None)
    filters = form.filters()
    number = page_number(request.GET.get("page"))
    key = (
        tuple(grant_paths(request.user, "federation.view")),
        tuple(sorted(filters.items())),
        number,
        get_language(),
        timezone.localdate(),
    )
    cached = memo.SECTION_LISTS.get(
        key, lambda: _page_state(_section_list(request.user, filters, number))
    )
    page = Page(**cached)
    return render_partial(
        request,
        "organization/federation/sections.html",
        {
            "form": form,
            "filters": filters,
            "select_fields": [
                (form["kind"], "col-6 col-md-2", filters["kind"]),
                (form["state"], "col-6 col-md-2", filters["state"]),
                (form["sort"], "col-8 col-md-3", filters["sort"]),
            ],
            "page": page,
            "can_manage": can(request.user, "sections.manage"),
            "breadcrumbs": [(_("Fédération"), None)],
        },
    )


def _page_state(page: Page) -> dict:
    """What rebuilds ``page`` (a fresh Page per request: a cached one is never shared)."""
    return {
        "object_list": tuple(page.object_list),
        "number": page.number,
        "per_page": page.per_page,
        "has_next": page.has_next,
        "count": page.count,
        "extra": dict(page.extra),
    }


@permission_required("federation.view")
@require_GET
def federation_workplace(request):
    """Workplace sections grouped by sector, with their growth over 12 months."""
    units = _decorate(
        list(
            selectors.with_figures(
                selectors.sections_in_scope(request.user).filter(
                    is_active=True, section_kind=Unit.SectionKind.WORKPLACE
                )
            ).order_by("sector", "sort_name", "pk")
        )
    )
    sectors = []
    labels = dict(Unit.Sector.choices)
    for unit in units:
        if not sectors or sectors[-1]["code"] != unit.sector:
            sectors.append(
                {
                    "code": unit.sector,
                    "label": labels.get(unit.sector, _("Secteur non renseigné")),
                    "units": [],
                    "members": 0,
                    "growth": 0,
                }
            )
        sectors[-1]["units"].append(unit)
        sectors[-1]["members"] += unit.members_count
        sectors[-1]["growth"] += unit.growth_12m
    return render(
        request,
        "organization/federation/workplace.html",
        {
            "sectors": sectors,
            "breadcrumbs": _federation_crumbs((_("Sections d'entreprise"), None)),
        },
    )


@permission_required("federation.view")
@require_GET
def federation_no_premises(request):
    """Open sections without premises (they meet in the federal "espace sections")."""
    units = _decorate(
        list(
            selectors.with_figures(
                selectors.sections_in_scope(request.user).filter(is_active=True, has_premises=False)
            ).order_by("sort_name", "pk")
        )
    )
    return render(
        request,
        "organization/federation/no_premises.html",
        {"units": units, "breadcrumbs": _federation_crumbs((_("Sections sans local"), None))},
    )


@permission_required("sections.manage")
@require_http_methods(["GET", "POST"])
def section_create(request):
    """Create a section under a unit the user manages."""
    form = SectionForm(request.POST or None, user=request.user)
    if request.method == "POST" and (
        unit := submit(
            form,
            lambda data: services.unit_create(
                actor=request.user,
                parent=data["parent"],
                kind=Unit.Kind.SECTION,
                **form.changes(),
            ),
        )
    ):
        messages.success(request, _("La section « %(name)s » est créée.") % {"name": unit})
        return redirect(unit)
    return render(
        request,
        "organization/section_form.html",
        {
            "form": form,
            "title": _("Nouvelle section"),
            "breadcrumbs": _federation_crumbs((_("Nouvelle section"), None)),
        },
    )


@object_view(Unit, "sections.manage", scope="section.view")
@require_http_methods(["GET", "POST"])
def section_merge(request, unit):
    """Merge a section into another: members move with a transfer record, source closes."""
    if not unit.is_section or not unit.is_active:
        raise Http404
    form = MergeForm(request.POST or None, user=request.user, source=unit)
    members = unit.members.count()
    if request.method == "POST" and (
        result := submit(
            form,
            # Wrapped in a list: merging an empty section moves 0 members, still a success.
            lambda data: [
                services.unit_merge(
                    actor=request.user, source=unit, target=data["target"], reason=data["reason"]
                )
            ],
        )
    ):
        target = form.cleaned_data["target"]
        messages.success(
            request,
            _("Fusion faite : %(count)s adhérent·es ont rejoint %(target)s.")
            % {"count": result[0], "target": target},
        )
        return redirect(target)
    return render(
        request,
        "organization/section_merge.html",
        {
            "form": form,
            "unit": unit,
            "members": members,
            "breadcrumbs": _section_crumbs(unit, (_("Fusionner"), None)),
        },
    )


@object_view(Unit, "sections.manage", scope="section.view")
@require_http_methods(["GET", "POST"])
def section_close(request, unit):
    """Close a section; refused while it still has active members."""
    if not unit.is_section or not unit.is_active:
        raise Http404
    form = CloseForm(request.POST or None)
    active = unit.members.filter(status=Member.Status.ACTIVE).count()
    if request.method == "POST" and submit(
        form, lambda data: services.unit_close(actor=request.user, unit=unit)
    ):
        messages.success(request, _("La section « %(name)s » est fermée.") % {"name": unit})
        return redirect("organization:federation_sections")
    return render(
        request,
        "organization/section_close.html",
        {
            "form": form,
            "unit": unit,
            "active": active,
            "breadcrumbs": _section_crumbs(unit, (_("Fermer"), None)),
        },
    )


# --- Offices -------------------------------------------------------------------------------


@permission_required("mandates.manage")
@require_GET
def mandate_list(request):
    """Current offices on the units the user manages."""
    form = MandateFilterForm(request.GET or None)
    filters = form.filters()
    mandates = selectors.mandates_visible_to(request.user).current()
    if filters["role"]:
        mandates = mandates.filter(role=filters["role"])
    if filters["q"]:
        mandates = mandates.filter(MandateFilterForm.search_q(filters["q"]))
    page = paginate(
        mandates.order_by(
            "unit__depth", "unit__sort_name", "unit__pk", "role", "member__last_name", "pk"
        ),
        request.GET.get("page"),
    )
    return render_partial(
        request,
        "organization/federation/mandates.html",
        {
            "form": form,
            "page": page,
            "breadcrumbs": _federation_crumbs((_("Responsabilités"), None)),
        },
    )


@permission_required("mandates.manage")
@require_http_methods(["GET", "POST"])
def mandate_create(request):
    """Appoint a member (by number, or found by a search within scope) to an office."""
    initial = {}
    chosen = request.GET.get("member")
    if chosen:
        member = (
            selectors.members_visible_to(request.user, "mandates.manage")
            .filter(pk=chosen if str(chosen).isdigit() else None)
            .first()
        )
        if member is not None:
            initial["membership_number"] = member.membership_number
    form = MandateForm(request.POST or None, user=request.user, initial=initial)
    q = (request.GET.get("q") or "").strip()
    results = []
    if q:
        results = list(
            selectors.member_search(request.user, capability="mandates.manage", q=q)
            .filter(status=Member.Status.ACTIVE)
            .select_related("section")[:20]
        )
        log_access(
            actor=request.user,
            action=AccessLog.Action.LIST,
            code="organization.mandate_search",
            scope=reach(request.user, "mandates.manage"),
            row_count=len(results),
            detail={"q": q},
        )
    if request.method == "POST" and (
        mandate := submit(
            form,
            lambda data: services.mandate_appoint(
                actor=request.user,
                member=data["member"],
                role=data["role"],
                unit=data["unit"],
                start=data["start"],
                end=data["end"],
                portfolio=data["portfolio"],
            ),
        )
    ):
        messages.success(
            request,
            _("%(name)s est nommé·e : %(office)s.") % {"name": mandate.member, "office": mandate},
        )
        return redirect("organization:mandate_list")
    return render_partial(
        request,
        "organization/federation/mandate_form.html",
        {
            "form": form,
            "q": q,
            "results": results,
            "breadcrumbs": _federation_crumbs(
                (_("Responsabilités"), reverse("organization:mandate_list")),
                (_("Nommer"), None),
            ),
        },
        partial="results",
    )


@object_view(_mandates, "mandates.manage")
@require_http_methods(["GET", "POST"])
def mandate_end(request, mandate):
    """End an office (today by default)."""
    form = MandateEndForm(request.POST or None)
    if request.method == "POST" and submit(
        form,
        lambda data: services.mandate_end(actor=request.user, mandate=mandate, end=data["end"]),
    ):
        messages.success(request, _("La responsabilité a pris fin."))
        return redirect("organization:mandate_list")
    return render(
        request,
        "organization/federation/mandate_end.html",
        {
            "form": form,
            "mandate": mandate,
            "breadcrumbs": _federation_crumbs(
                (_("Responsabilités"), reverse("organization:mandate_list")),
                (_("Fin de responsabilité"), None),
            ),
        },
    )


# --- Access log ----------------------------------------------------------------------------


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _dated(entries, filters):
    """Whole days in Paris time, as a range on the indexed timestamp."""
    if filters["date_from"]:
        entries = entries.filter(created_at__gte=_start_of(filters["date_from"]))
    if filters["date_to"]:
        entries = entries.filter(
            created_at__lt=_start_of(filters["date_to"] + datetime.timedelta(days=1))
        )
    if filters["actor"]:
        entries = entries.filter(actor__email__icontains=filters["actor"])
    return entries


@permission_required("accesslog.view")
@require_GET
def access_log(request):
    """Who read or exported which member data, when, and how many rows: the entries of
    the units where the reader holds ``accesslog.view``."""
    form = AccessLogFilterForm(request.GET or None)
    filters = form.filters()
    paths = grant_paths(request.user, "accesslog.view")
    entries = _dated(AccessLog.objects.within(paths).select_related("actor"), filters)
    if filters["action"]:
        entries = entries.filter(action=filters["action"])
    page = paginate(entries.order_by("-created_at", "-id"), request.GET.get("page"), count=False)
    return render_partial(
        request,
        "organization/federation/access_log.html",
        {
            "form": form,
            "page": page,
            "breadcrumbs": _federation_crumbs((_("Journal d'accès"), None)),
        },
    )


@permission_required("accesslog.view")
@require_GET
def audit_log(request):
    """Who changed what, when ("journal des modifications"), in the reader's scope."""
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    paths = grant_paths(request.user, "accesslog.view")
    entries = _dated(AuditEntry.objects.within(paths).select_related("actor"), filters)
    if filters["code"]:
        entries = entries.filter(code=filters["code"])
    page = paginate(entries.order_by("-created_at", "-id"), request.GET.get("page"), count=False)
    return render_partial(
        request,
        "organization/federation/audit_log.html",
        {
            "form": form,
            "page": page,
            "breadcrumbs": _federation_crumbs((_("Journal des modifications"), None)),
        },
    )
