"""Spreadsheet exports (CSV, XLSX) that are safe to open and never load everything in memory.

Usage in a view (after the permission check; exports of member data are logged)::

    from fede.core.audit import log_access
    from fede.core.exports import stream_csv, stream_xlsx

    members = members_for_export(user=request.user, unit=unit)      # a QuerySet
    log_access(actor=request.user, action="export", what=f"Adhérents de {unit}",
               obj=unit, row_count=members.count())
    rows = ((m.last_name, m.first_name, m.joined_on) for m in members.iterator())
    header = [gettext("Nom"), gettext("Prénom"), gettext("Adhésion")]
    if request.GET.get("format") == "xlsx":
        return stream_xlsx(rows, header, "adherents.xlsx", sheet_title=gettext("Adhérents"))
    return stream_csv(rows, header, "adherents.csv")

Both formats keep formulas from running (CSV injection, OWASP), each in its own way:

- CSV has no types: a text a spreadsheet would read as a formula gets a leading ``'``.
  That is a text starting with ``=``, ``@``, a tab or a carriage return, or with ``+`` or
  ``-`` followed by anything but digits, spaces and ``.,/()-`` — so a phone number
  (``+33 1 48 56 80 48``) or a plain signed number stays as it is: with no letters and no
  operator other than a sign it can call no function and reach no cell;
- XLSX cells are typed: text is stored as text (never as a formula) with Excel's "quote
  prefix" style, exactly as if typed after an apostrophe, and the value itself is kept
  intact (a phone number stays ``+33 1 48 56 80 48``).

Numbers, dates and booleans are not text and are kept as they are.

CSV, written for French Excel (the tool most section officers open it with):

- UTF-8 with a byte-order mark, otherwise Excel reads it as Windows-1252 and accents break;
- ``;`` as the separator and ``,`` as the decimal mark: French Excel uses the comma as its
  decimal mark, hence expects ``;`` between fields, and reads ``3,5`` as a number (``3.5``
  would become text or a date);
- dates as ``AAAA-MM-JJ``, times as ``AAAA-MM-JJ HH:MM`` in Europe/Paris, booleans as
  ``oui``/``non``, ``None`` as an empty cell.

The CSV is streamed row by row (``StreamingHttpResponse``); pass a generator over
``QuerySet.iterator()`` so memory stays flat whatever the number of rows.

XLSX is built with openpyxl's write-only mode into a temporary file, then streamed from disk
(``FileResponse``): memory stays flat too. Numbers, dates and datetimes keep their types
(datetimes in Europe/Paris, as spreadsheets have no time zones).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

CSV_DELIMITER = ";"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# OWASP "CSV injection": characters that make a spreadsheet read a cell as a formula.
# The full-width forms are read as their ASCII twins by some versions of Excel.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


#: After a leading sign, what a phone number or a plain number is made of: harmless.
_SIGNED_NUMBER = re.compile(r"[0-9 .,/()\-\u00a0]*")
_SIGNS = ("+", "-", "\uff0b", "\uff0d")


def looks_like_formula(value: str) -> bool:
    """Would a spreadsheet read this text as a formula (see the module docstring)?"""
    if not value.startswith(FORMULA_TRIGGERS):
        return False
    return not (value.startswith(_SIGNS) and _SIGNED_NUMBER.fullmatch(value[1:]))


def escape_cell(value: Any) -> Any:
    """Neutralise a text value that a spreadsheet would run as a formula (for CSV).

    >>> escape_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> escape_cell("+33 1 48 56 80 48")
    '+33 1 48 56 80 48'
    >>> escape_cell(-3)
    -3

    Only ``str`` values change (a leading ``'`` is added); other values are returned as is.
    """
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def _csv_value(value: Any) -> str:
    """One CSV cell as French Excel reads it (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape_cell(str(value))


class _Echo:
    """A file-like object whose write() hands back the line (csv.writer → generator)."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[Sequence], header: Sequence[str]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER, lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([_csv_value(h) for h in header])
    for row in rows:
        yield writer.writerow([_csv_value(v) for v in row])


def stream_csv(
    rows: Iterable[Sequence], header: Sequence[str], filename: str
) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with BOM, ``;``-separated, formulas escaped)."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in _csv_lines(rows, header)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


def _xlsx_text(sheet, value: Any) -> Any:
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl would store "=…" as a formula: text cells are always text, kept intact.
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        # Excel's own mark of a text typed after an apostrophe: stays text when edited.
        cell.quotePrefix = True
    return cell


def _xlsx_cell(sheet, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(timezone.localtime(value))
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY HH:MM"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    return _xlsx_text(sheet, value)


def sheet_title_safe(title: str) -> str:
    """A worksheet title Excel accepts: no ``[]:*?/\\``, at most 31 characters."""
    cleaned = " ".join(_SHEET_TITLE_FORBIDDEN.sub(" ", str(title)).split()).strip("'")
    return cleaned[:31] or "Export"


def stream_xlsx(
    rows: Iterable[Sequence],
    header: Sequence[str],
    filename: str,
    sheet_title: str = "Export",
) -> FileResponse:
    """An XLSX download: one sheet, a bold frozen header row, text never a formula.

    The workbook is written to an anonymous temporary file (deleted when the response is
    closed), so a large export does not stay in memory.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title_safe(sheet_title))
    sheet.freeze_panes = "A2"
    header_cells = [_xlsx_text(sheet, title) for title in header]
    for cell in header_cells:
        cell.font = Font(bold=True)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — FileResponse closes it
    try:
        workbook.save(tmp)
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
