"""Lists: the count-free paginator, row links and the one full-page-or-partial helper.

Every list view renders one template; for an htmx request it renders only a named partial
of it (``"app/list.html#rows"``). :func:`render_partial` is the only way to do that: it
answers history-restore requests (Back after filtering) with the whole page and sends
``Vary: HX-Request`` so no cache mixes the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

PER_PAGE = 50
#: Page numbers past this are answered as the last page (no "bigint out of range").
MAX_PAGE = 100_000


def page_number(value) -> int:
    """A page number from the query string: 1 for anything that is not a sane number."""
    try:
        number = int(str(value or 1)[:12])
    except (TypeError, ValueError):
        return 1
    return min(max(1, number), MAX_PAGE)


@dataclass
class Page:
    """One page of rows. ``count`` is None when the total is not computed (large scopes)."""

    object_list: list
    number: int
    per_page: int
    has_next: bool
    count: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int | None:
        if self.count is None:
            return None
        return max(1, ceil(self.count / self.per_page))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def paginate(
    queryset,
    page_param,
    *,
    per_page: int = PER_PAGE,
    count: bool = True,
    total: int | None = None,
    annotate=None,
) -> Page:
    """LIMIT/OFFSET paging. Without ``count``, one extra row tells whether a next page
    exists, so no COUNT runs over a large table. A ``total`` already known (a figure the
    page reads anyway) stands for the COUNT.

    ``annotate`` (a function QuerySet → QuerySet) adds per-row figures to the rows of the
    page only: the page is picked by a subquery (``pk IN (… LIMIT n)``) and the figures are
    computed for those rows, still in one query.
    """
    number = page_number(page_param)
    if total is None and count:
        total = queryset.count()
    if total is not None:
        number = min(number, max(1, ceil(total / per_page)))
    offset = (number - 1) * per_page
    window = queryset[offset : offset + per_page + 1]
    if annotate is not None:
        model = queryset.model
        ordering = queryset.query.order_by or model._meta.ordering
        window = annotate(model._default_manager.filter(pk__in=window.values("pk"))).order_by(
            *ordering
        )
    rows = list(window)
    return Page(
        object_list=rows[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(rows) > per_page,
        count=total,
    )


PK_MARK = 987654321


def with_row_urls(rows, url_name: str, attr: str = "row_url"):
    """Give each row its ``url_name`` link (``row.<attr>``) from one ``reverse``: a list
    page then resolves the URL once instead of once per row."""
    return with_row_links(rows, {attr: url_name})


def with_row_links(rows, links: dict[str, str]):
    """Several links per row (``{"report_url": "app:comment_report", …}``: attribute →
    URL name taking the row's pk), each URL resolved once for the whole list."""
    mark = str(PK_MARK)
    patterns = [(attr, reverse(name, args=[PK_MARK])) for attr, name in links.items()]
    for row in rows:
        pk = str(row.pk)
        for attr, pattern in patterns:
            setattr(row, attr, pattern.replace(mark, pk))
    return rows


def render_partial(request, template: str, context: dict, partial: str = "rows"):
    """Render the full page, or only its ``partial`` for an htmx request (not for a
    history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        template = f"{template}#{partial}"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
