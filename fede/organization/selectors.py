"""Reads of the organisation, always through the user's scope.

Access helpers answer 404 (Http404) outside the scope: a section officer asking for
another section's member gets the same answer as for a member that does not exist.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.utils import timezone

from fede.core.access import get_in_scope_or_404
from fede.core.statements import Slot, bind, compiled, instances, values

from . import memo
from .models import (
    DuesCorrection,
    DuesPayment,
    Mandate,
    Member,
    Transfer,
    Unit,
    up_to_date_q,
    up_to_date_years,
)
from .roles import can, grant_paths


def members_visible_to(user, capability: str = "members.view") -> QuerySet[Member]:
    """Members whose section lies in a subtree where the user holds ``capability``."""
    return Member.objects.in_scope(user, capability)


def member_for_user(user, pk, capability: str = "members.view") -> Member:
    """One member in the user's scope, or 404."""
    return get_in_scope_or_404(
        Member.objects.select_related("section", "user"),
        actor=user,
        capability=capability,
        pk=pk,
    )


def units_visible_to(user, capability: str = "section.view") -> QuerySet[Unit]:
    return Unit.objects.in_scope(user, capability)


def sections_for_user(user, capability: str = "section.view") -> QuerySet[Unit]:
    """Active sections where the user holds ``capability`` (for pickers and menus), in
    natural order ("Paris 2" before "Paris 10")."""
    return units_visible_to(user, capability).sections().active().order_by("sort_name", "pk")


def member_of_user(user) -> Member | None:
    """The member record linked to a login, if any; read once per request (kept on the
    user object, like its grants; forget_member_of_user after linking or unlinking)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user._fede_member
    except AttributeError:
        pass
    member = _read_member_of_user(user.pk)
    user._fede_member = member
    # ``user.member`` (the reverse one-to-one other apps read, e.g. a ballot's reach) is
    # the same row: kept too, so that it costs no second query (nor its section a third).
    Member._meta.get_field("user").remote_field.set_cached_value(user, member)
    if member is not None:
        Member._meta.get_field("user").set_cached_value(member, user)
    return member


def _read_member_of_user(user_id) -> Member | None:
    """``Member.objects.select_related("section").filter(user=…).first()``, the same
    instances, from a statement compiled once per process (fede.core.statements):
    compiling it (two tables, 45 columns) cost more than running it. No ordering: a login
    has one member at most (the column is unique)."""
    alias = router.db_for_read(Member)

    def build():
        user = Slot("user", IntegerField())
        return Member.objects.using(alias).select_related("section").filter(user_id=user)[:1]

    found = instances(("organization.member_of_user", alias), build, {"user": user_id}, alias)
    return found[0] if found else None


def forget_member_of_user(user) -> None:
    """Drop the member kept by member_of_user (after a write that links or unlinks it)."""
    if user is not None and hasattr(user, "_fede_member"):
        del user._fede_member
        user._state.fields_cache.pop(Member._meta.get_field("user").remote_field.cache_name, None)


# --- Screens of section officers and of the federation -------------------------------------

MEMBER_SORTS = {
    "name": ("last_name", "first_name", "pk"),
    "-name": ("-last_name", "-first_name", "-pk"),
    "number": ("membership_number",),
    "-number": ("-membership_number",),
    "joined": ("joined_on", "pk"),
    "-joined": ("-joined_on", "-pk"),
}


def _search_order(sort: str) -> tuple:
    """The sort keys of a search: the leading text key is written ``col || ''``.

    Same values, same collation, so the same order; but no B-tree index matches it. On a
    search, the planner otherwise walks the name (or number) index in order and tests each
    row until the page is full, which reads most of the table for a rare name far down
    the alphabet; unable to, it finds the matching rows through the trigram indexes
    (migration 0002) or the scope's sections, then sorts those few.
    """
    first, *rest = MEMBER_SORTS.get(sort, MEMBER_SORTS["name"])
    name = first.removeprefix("-")
    if name not in ("last_name", "membership_number"):
        return (first, *rest)
    key = Concat(F(name), Value(""))
    return (key.desc() if first.startswith("-") else key.asc(), *rest)


def contact_visible_q(user) -> Q:
    """Q on Member: contact details the user may read.

    Section officers read the contact details of members who agreed to share them with
    their section's officers; offices of the federation (``federation.view`` on the
    member's section) read them all.
    """
    q = Q(consent_share_contact=True)
    for p in grant_paths(user, "federation.view"):
        q |= Q(section__path__startswith=p)
    return q


def contact_visible_in_scope(user, capability: str) -> bool:
    """May the user read the contact details of every member where they hold
    ``capability``? True when each unit of that scope lies within a unit where they hold
    ``federation.view`` (contact_visible_q is then true on every member of the scope)."""
    readable = grant_paths(user, "federation.view")
    if not readable:
        return False
    return all(any(p.startswith(r) for r in readable) for p in grant_paths(user, capability))


def member_search(
    user,
    *,
    capability: str = "members.view",
    unit: Unit | None = None,
    q: str = "",
    status: str = "",
    dues_year: int | None = None,
    dues: str = "",
    sort: str = "name",
) -> QuerySet[Member]:
    """The member list of a user (optionally of one unit's subtree), filtered and sorted.

    Filters by section path first (the scope, then ``unit``), so the database reads one
    subtree through the path index before anything else. On PostgreSQL, trigram indexes
    answer each search word over the whole party (see :func:`_search_order`).
    :func:`member_rows` adds what each row shows.
    """
    members = members_visible_to(user, capability)
    words = q.split()[:5]
    if unit is not None:
        if unit.is_section:
            members = members.filter(section=unit)
        else:
            members = members.filter(section__path__startswith=unit.path)
    members = _filtered(
        members,
        words,
        _email_visible(user, capability, words),
        status if status in Member.Status.values else "",
        dues if dues in ("paid", "unpaid") and dues_year else "",
        dues_year,
    )
    if words:
        return members.order_by(*_search_order(sort))
    return members.order_by(*MEMBER_SORTS.get(sort, MEMBER_SORTS["name"]))


def _email_visible(user, capability: str, words: list) -> Q:
    """An e-mail the user may not read is never matched either: a search must not reveal
    it (no condition when the user may read every e-mail of the scope)."""
    if not words or contact_visible_in_scope(user, capability):
        return Q()
    return contact_visible_q(user)


def _filtered(members, words, visible: Q, status, dues: str, dues_year):
    """The search words and filters of :func:`member_search` (values or :class:`Slot`)."""
    for word in words:
        members = members.filter(
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | (Q(email__icontains=word) & visible)
            | Q(membership_number__icontains=word)
        )
    if status:
        members = members.filter(status=status)
    if dues:
        paid = Exists(DuesPayment.objects.valid().filter(member=OuterRef("pk"), year=dues_year))
        members = members.filter(paid if dues == "paid" else ~paid)
    return members


def member_rows(user, members: QuerySet[Member]) -> QuerySet[Member]:
    """What a member list shows on each row, computed in the same query: section,
    ``is_up_to_date``, ``show_contact`` (see contact_visible_q) and ``last_dues_year``.

    Apply it to one page of rows (``views.paginate(annotate=...)``): on a page the
    database looks up each row's dues by index instead of reading every payment.
    """
    return _member_rows(members, up_to_date_q(), contact_visible_q(user))


def _member_rows(members: QuerySet[Member], up_to_date: Q, visible: Q) -> QuerySet[Member]:
    last_year = (
        DuesPayment.objects.valid()
        .filter(member=OuterRef("pk"))
        .order_by("-year")
        .values("year")[:1]
    )
    return members.select_related("section").annotate(
        is_up_to_date=up_to_date,
        show_contact=ExpressionWrapper(visible, output_field=BooleanField()),
        last_dues_year=Subquery(last_year),
    )


#: What a row of the member list shows (see member_row_values): plain values, no model.
MEMBER_ROW_FIELDS = (
    "pk",
    "last_name",
    "first_name",
    "membership_number",
    "status",
    "joined_on",
    "email",
    "phone",
    "section__name",
    "is_up_to_date",
    "show_contact",
    "last_dues_year",
)


def member_row_values(user, members: QuerySet[Member]) -> QuerySet:
    """:func:`member_rows` as dicts of :data:`MEMBER_ROW_FIELDS` only: a list page builds
    no model instance and reads no column it does not show."""
    return member_rows(user, members).values(*MEMBER_ROW_FIELDS)


def member_row_values_by_id(user, ids: list[int], on: datetime.date | None = None) -> list[dict]:
    """``member_row_values(user, Member.objects.filter(pk__in=ids))``, in no particular
    order, from a statement compiled once (fede.core.statements) per reader's contact rule
    (the ``Q`` itself is the key: readers share it when their rules are written alike),
    number of ids and dues years; the ids and the day are given at execution. The rows
    of a search page (views._search_page), read by id once the page is known."""
    if not ids:
        return []
    on = on or timezone.localdate()
    visible = contact_visible_q(user)
    alias = router.db_for_read(Member)

    def build():
        slots = [Slot(f"id{i}", IntegerField()) for i in range(len(ids))]
        up_to_date = up_to_date_q(on, paid_by=Slot("on", DateField()))
        members = Member.objects.using(alias).filter(pk__in=slots).order_by()
        return _member_rows(members, up_to_date, visible).values_list(*MEMBER_ROW_FIELDS)

    key = ("organization.member_rows", alias, visible, len(ids), tuple(up_to_date_years(on)))
    slots = {"on": on} | {f"id{i}": pk for i, pk in enumerate(ids)}
    return [
        dict(zip(MEMBER_ROW_FIELDS, row, strict=True)) for row in values(key, build, slots, alias)
    ]


#: The search sort keys as columns of the capped subquery (see search_page_ids).
_SEARCH_SORT_COLUMNS = {
    "name": (("last_name", "first_name", "pk"), ""),
    "-name": (("last_name", "first_name", "pk"), " DESC"),
    "number": (("membership_number",), ""),
    "-number": (("membership_number",), " DESC"),
    "joined": (("joined_on", "pk"), ""),
    "-joined": (("joined_on", "pk"), " DESC"),
}


def search_page_ids(
    members: QuerySet[Member], sort: str, *, offset: int, limit: int, cap: int
) -> tuple[list[int], int | None]:
    """(ids of one page, number of matching rows up to ``cap + 1``) of a member search, in
    one statement and one pass over the matching rows.

    A search cannot use an index for its order (see :func:`_search_order`): the database
    reads every matching row of the scope to sort them anyway. Reading them once, at most
    ``cap + 1`` of them, gives both the page (same order as ``member_search``: same
    columns, same collation) and the capped count. The count is None when the page is
    empty (past the last page). Beyond ``cap`` matches the ids are not the page (only
    ``cap + 1`` rows were sorted): the caller pages the whole search instead.
    """
    statement, params = _page_ids_sql(members, sort, cap)
    return _run_page_ids(members.db, statement, (*params, limit, offset))


def _page_ids_sql(members: QuerySet[Member], sort: str, cap: int) -> tuple[str, tuple]:
    columns, direction = _SEARCH_SORT_COLUMNS.get(sort, _SEARCH_SORT_COLUMNS["name"])
    keys = {"k_pk": F("pk")} | {f"k_{c}": F(c) for c in columns if c != "pk"}
    sql, params = members.order_by().values(**keys)[: cap + 1].query.sql_with_params()
    order = ", ".join(f"m.k_{c}{direction}" for c in columns)
    # Only Django's compiled SQL (values as parameters) and fixed column names go in.
    statement = (
        f"SELECT m.k_pk, COUNT(*) OVER () FROM ({sql}) m ORDER BY {order} LIMIT %s OFFSET %s"  # noqa: S608
    )
    return statement, tuple(params)


def _run_page_ids(alias: str, statement: str, params) -> tuple[list[int], int | None]:
    with connections[alias].cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return [row[0] for row in rows], (rows[0][1] if rows else None)


def member_search_page_ids(
    user,
    *,
    capability: str = "members.view",
    unit: Unit | None = None,
    q: str = "",
    status: str = "",
    dues_year: int | None = None,
    dues: str = "",
    sort: str = "name",
    offset: int,
    limit: int,
    cap: int,
) -> tuple[list[int], int | None]:
    """``search_page_ids(member_search(user, …), sort, …)``, the same ids and count, from
    a statement compiled once (fede.core.statements) per shape of search: the reader's
    scope and e-mail rule (the ``Q`` themselves), a section or which other unit, the
    number of words, which filters, the sort and the cap. The words, the section, the
    status and the dues year are values given at execution. Not prepared: its best plan
    depends on the words and the scope's size, so PostgreSQL plans it each time."""
    words = q.split()[:5]
    status = status if status in Member.Status.values else ""
    dues = dues if dues in ("paid", "unpaid") and dues_year else ""
    sort = sort if sort in _SEARCH_SORT_COLUMNS else "name"
    alias = router.db_for_read(Member)
    scope = Member.objects.all().scope_q(user, capability)
    visible = _email_visible(user, capability, words)
    where = None if unit is None else "section" if unit.is_section else unit.path

    def build():
        members = Member.objects.using(alias).filter(scope)
        if where == "section":
            members = members.filter(section_id=Slot("unit", IntegerField()))
        elif where is not None:
            members = members.filter(section__path__startswith=where)
        members = _filtered(
            members,
            [Slot(f"word{i}", CharField()) for i in range(len(words))],
            visible,
            Slot("status", CharField()) if status else "",
            dues,
            Slot("dues_year", IntegerField()),
        )
        try:
            return _page_ids_sql(members, sort, cap)
        except EmptyResultSet:  # a reader with no scope: no query, as the ORM
            return None

    key = ("organization.search_ids", alias, scope, visible, where, len(words), status != "")
    statement = compiled((*key, dues, sort, cap), build)
    if statement is None:
        return [], None
    slots = {"unit": unit.pk if unit else None, "status": status, "dues_year": dues_year}
    slots |= {f"word{i}": word for i, word in enumerate(words)}
    sql, params = statement
    return _run_page_ids(alias, sql, (*bind(params, slots, alias), limit, offset))


def section_figures(unit: Unit, on: datetime.date | None = None) -> dict[str, int]:
    """Key figures of a unit's members, in one query."""
    on = on or timezone.localdate()
    active = Q(status=Member.Status.ACTIVE)
    members = Member.objects.all()
    if unit.is_section:
        members = members.filter(section=unit)
    else:
        members = members.filter(section__path__startswith=unit.path)
    return members.aggregate(
        members=Count("pk", filter=active),
        up_to_date=Count("pk", filter=active & up_to_date_q(on)),
        new_this_year=Count("pk", filter=Q(joined_on__year=on.year)),
        lapsed=Count("pk", filter=Q(status=Member.Status.LAPSED)),
        left_this_year=Count("pk", filter=Q(left_on__year=on.year)),
    )


def with_figures(units: QuerySet[Unit], on: datetime.date | None = None) -> QuerySet[Unit]:
    """Annotate sections with members, up to date, joined and left over 12 months.

    One SQL statement: a join on the members and conditional counts grouped by unit. Apply
    it to one page of units (see ``views.paginate(annotate=...)``) so that only the members
    of the shown sections are counted; sorting on a figure needs them all.
    """
    on = on or timezone.localdate()
    year_ago = on - datetime.timedelta(days=365)
    active = Q(members__status=Member.Status.ACTIVE)
    joined = Count("members", filter=Q(members__joined_on__gt=year_ago, members__joined_on__lte=on))
    left = Count("members", filter=Q(members__left_on__gt=year_ago, members__left_on__lte=on))
    return units.annotate(
        members_count=Count("members", filter=active),
        up_to_date_count=Count("members", filter=active & up_to_date_q(on, "members__")),
        joined_12m=joined,
        left_12m=left,
        growth_12m=joined - left,
    )


def sections_in_scope(user, capability: str = "federation.view") -> QuerySet[Unit]:
    """Sections (open and closed) in the user's scope, with their parent unit."""
    return units_visible_to(user, capability).sections().select_related("parent", "territory")


def section_officers(unit: Unit) -> QuerySet[Mandate]:
    """Current offices held on a unit, with the member holding each."""
    return Mandate.objects.current().filter(unit=unit).select_related("member").order_by("role")


def open_transfers() -> QuerySet[Transfer]:
    return Transfer.objects.filter(status=Transfer.Status.REQUESTED).select_related(
        "member", "from_unit", "to_unit", "requested_by"
    )


def transfers_visible_to(user, capability: str = "transfers.approve") -> QuerySet[Transfer]:
    """Transfers leaving or entering a unit where the user holds ``capability``."""
    return Transfer.objects.in_scope(user, capability).select_related(
        "member", "from_unit", "to_unit", "requested_by", "decided_by"
    )


#: What the member file reads of each payment (member_history).
_PAYMENT_FIELDS = (
    "member_id",
    "year",
    "amount",
    "paid_on",
    "method",
    "cancelled_at",
    "cancel_reason",
    "recorded_by__email",
)


def member_history(member: Member) -> dict[str, list]:
    """Dues (with their corrections), transfers and offices of a member, newest first
    (three queries at most, one more when a payment was corrected). The users and units joined are
    read for what the file prints (an email, a name), not as full rows; a transfer's own
    unit stays whole (the rights on it are read from it)."""
    alias = router.db_for_read(DuesPayment)

    def build():
        return (
            DuesPayment.objects.using(alias)
            .filter(member_id=Slot("member", IntegerField()))
            .select_related("recorded_by")
            .only(*_PAYMENT_FIELDS)
            .annotate(has_corrections=Exists(DuesCorrection.objects.filter(payment=OuterRef("pk"))))
            .order_by("-year", "cancelled_at", "-pk")
        )

    # Compiled once (fede.core.statements): the member is given at execution.
    payments = instances(
        ("organization.member_payments", alias), build, {"member": member.pk}, alias
    )
    # ``payment.correction_list``: the corrections of the payments the query above says
    # were corrected (one query), none (no query) for the others.
    corrected = {p.pk: p for p in payments if p.has_corrections}
    for payment in payments:
        DuesPayment.member.field.set_cached_value(payment, member)
        payment.correction_list = []
    if corrected:
        for correction in DuesCorrection.objects.filter(payment_id__in=list(corrected)).only(
            "payment_id", "created_at", "changes", "reason"
        ):
            corrected[correction.payment_id].correction_list.append(correction)
    # A member read with ``has_transfers``/``has_mandates`` (the file page) skips the
    # query of a list known to be empty.
    transfers = (
        list(
            member.transfers.select_related("from_unit", "to_unit", "requested_by", "decided_by")
            .defer(
                *(
                    f"{user}__{name}"
                    for user in ("requested_by", "decided_by")
                    for name in _USER_WIDE
                )
            )
            .order_by("-created_at")
        )
        if getattr(member, "has_transfers", True)
        else []
    )
    mandates = (
        list(
            member.mandates.select_related("unit")
            .only("member_id", "role", "portfolio", "start", "end", "unit__name")
            .order_by("-start")
        )
        if getattr(member, "has_mandates", True)
        else []
    )
    return {"payments": payments, "transfers": transfers, "mandates": mandates}


# The user columns a member's file never prints (it shows a user's email only).
_USER_WIDE = (
    "password",
    "last_login",
    "is_superuser",
    "first_name",
    "last_name",
    "is_staff",
    "is_active",
    "date_joined",
    "access_stamp",
)


def mandates_visible_to(user, capability: str = "mandates.manage") -> QuerySet[Mandate]:
    """Offices held on units where the user holds ``capability``."""
    return Mandate.objects.in_scope(user, capability).select_related("member", "unit")


def contact_visible(user, member: Member) -> bool:
    """May the user read this member's contact details? (see contact_visible_q)"""
    return member.consent_share_contact or can(user, "federation.view", member.section)


def scope_is_one_section(user, capability: str = "members.view") -> bool:
    """Does the user's scope for ``capability`` hold exactly one section (and nothing
    above it)? Lists then need no "section" column. Whether a path is a section's is kept
    a minute per process (memo.SECTION_PATHS)."""
    paths = grant_paths(user, capability)
    if len(paths) != 1:
        return False
    return memo.SECTION_PATHS.get(
        paths[0], lambda: Unit.objects.filter(path=paths[0], kind=Unit.Kind.SECTION).exists()
    )
