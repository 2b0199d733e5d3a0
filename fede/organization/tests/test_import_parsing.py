"""Parsing that loses nothing: quotes, encodings, NUL bytes, hostile XLSX, duplicates."""

import html
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from fede.core.models import TaskProgress
from fede.organization.imports import import_members
from fede.organization.models import Member, Role
from fede.organization.tests.factories import (
    MemberFactory,
    make_federation,
    make_officer,
    make_section,
)
from fede.organization.tests.test_imports import HEADER, csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    federation = make_federation(code="FED75")
    s11 = make_section(federation, name="Paris 11 – Folie-Méricourt", code="S75-11-1")
    return make_officer(federation, Role.FEDERAL_STAFF, section=s11)


def _line(values: list[str]) -> str:
    return ";".join(values)


def _write(tmp_path, data: bytes, name="adherents.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_an_unclosed_quote_merging_two_lines_is_reported_with_its_line(staff, tmp_path):
    """Line 3 opens a quote that line 4 closes: the two members used to become one
    ("Lignes lues 9" for 10 rows); now line 3 is an error, and later lines keep their
    numbers."""
    lines = [_line(HEADER)]
    for n in range(10):
        values = row(f"7510{n:04d}")
        if n == 1:  # line 3
            values[5] = '"12 rue Oberkampf'
        if n == 2:  # line 4
            values[5] = '5 rue de la Roquette"'
        if n == 5:  # line 7
            values[3] = "pas-un-email"
        lines.append(_line(values))
    path = _write(tmp_path, ("\n".join(lines) + "\n").encode())

    report = import_members(path, actor=staff, dry_run=False)

    assert not report.ok
    found = {(e.line, e.column): e.message for e in report.errors}
    assert found[(3, "adresse")].startswith("guillemet non fermé : les lignes 3 à 4")
    assert (7, "email") in found  # physical line numbers stay right after the merge
    assert not Member.objects.filter(membership_number__startswith="751").exists()


def test_a_quoted_value_on_two_lines_is_a_warning_only(staff, tmp_path):
    path = _write(tmp_path, csv_bytes([row("75100001", adresse="12 rue Oberkampf\nBât. B")]))

    report = import_members(path, actor=staff, dry_run=False)

    assert report.ok and report.created == 1
    assert [(w.line, w.column) for w in report.warnings] == [(2, "adresse")]
    assert "plusieurs lignes (lignes 2 à 3)" in report.warnings[0].message


def _padding(count: int) -> list[list[str]]:
    """Plain ASCII rows, well past the first 64 KB."""
    return [row(f"7510{n:04d}", prenom="Lea") for n in range(count)]


def test_a_windows_1252_accent_after_64_kb_is_read_right(staff, tmp_path):
    rows = [*_padding(600), row("75200001", prenom="Hélène")]
    data = csv_bytes(rows, encoding="cp1252")
    assert len(data) > 64 * 1024 and "é".encode("cp1252") not in data[: 64 * 1024]
    path = _write(tmp_path, data)

    report = import_members(path, actor=staff, dry_run=False)

    assert report.ok, (report.file_error, report.errors[:3])
    assert Member.objects.get(membership_number="75200001").first_name == "Hélène"


def test_a_windows_1252_accent_in_a_utf8_file_is_reported_with_its_line(staff, tmp_path):
    rows = [row("75200000", prenom="Zoé"), *_padding(600)]
    data = csv_bytes(rows) + _line(row("75200001", prenom="Hélène")).encode("cp1252") + b"\n"
    path = _write(tmp_path, data)

    report = import_members(path, actor=staff, dry_run=True)

    assert not report.ok and not report.file_error
    assert [e.line for e in report.errors] == [603]
    assert "mélange deux encodages" in report.errors[0].message
    assert report.total == 602


def test_a_nul_byte_after_64_kb_is_refused_with_its_line(staff, tmp_path):
    rows = [*_padding(600), row("75200001", adresse="12 rue\x00Oberkampf")]
    data = csv_bytes(rows)
    assert data.index(b"\x00") > 64 * 1024
    path = _write(tmp_path, data)

    for dry_run in (True, False):
        report = import_members(path, actor=staff, dry_run=dry_run)

        assert not report.ok
        assert [(e.line, e.message) for e in report.errors] == [
            (602, "caractère nul (octet 0) : cette ligne ne peut pas être enregistrée")
        ]
    assert not Member.objects.filter(membership_number__regex=r"^75[12]0").exists()


def _hostile_xlsx(dtd: str, entity: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(row("75100001"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                text = data.decode().replace("<t>Martin</t>", f"<t>&{entity};</t>", 1)
                data = (dtd + text).encode()
            archive.writestr(name, data)
    return out.getvalue()


XXE = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)


@pytest.mark.parametrize(("dtd", "entity"), [(XXE, "xxe"), (LAUGHS, "lol9")])
def test_an_xlsx_with_a_dtd_is_reported_on_a_page_that_exists(
    client, staff, django_capture_on_commit_callbacks, dtd, entity
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organization:member_import"),
            {"file": SimpleUploadedFile("adherents.xlsx", _hostile_xlsx(dtd, entity))},
        )
    progress = TaskProgress.objects.get(owner=staff)
    assert progress.status == TaskProgress.Status.DONE

    page = client.get(reverse("organization:member_import_report", args=[progress.pk]))

    assert page.status_code == 200
    assert "Fichier XLSX invalide ou dangereux" in html.unescape(page.content.decode())
    assert not Member.objects.filter(membership_number="75100001").exists()


def test_duplicate_emails_are_flagged_in_the_file_and_against_the_member_file(
    client, staff, django_capture_on_commit_callbacks
):
    from fede.organization.models import Unit

    s11 = Unit.objects.get(code="S75-11-1")
    MemberFactory(membership_number="75000001", section=s11, email="karim@example.org")
    lyon = make_section(make_federation(name="Rhône", code="FED69"), code="S69-01-1")
    MemberFactory(membership_number="69000001", section=lyon, email="ines@example.org")
    rows = [
        row("75100001", email="lea@example.org"),  # 2
        row("75100002", email="Lea@Example.org"),  # 3: same as line 2
        row("75100003", email="karim@example.org"),  # 4: member 75000001's
        row("75100004", email="ines@example.org"),  # 5: a member out of scope
        row("75000001", email="karim@example.org"),  # 6: its own address, but as line 4
    ]
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organization:member_import"),
            {"file": SimpleUploadedFile("adherents.csv", csv_bytes(rows))},
        )
    progress = TaskProgress.objects.get(owner=staff)
    report = progress.result["report"]

    assert [(w["line"], w["message"]) for w in report["warnings"]] == [
        (3, "adresse e-mail déjà donnée ligne 2 du fichier"),
        (4, "adresse e-mail déjà utilisée par la fiche n° 75000001"),
        (5, "adresse e-mail déjà utilisée par une fiche d'une autre section"),
        (6, "adresse e-mail déjà donnée ligne 4 du fichier"),
    ]
    page = html.unescape(
        client.get(
            reverse("organization:member_import_report", args=[progress.pk])
        ).content.decode()
    )
    assert "Points à vérifier" in page and "déjà donnée ligne 2" in page
    assert "Confirmer l'import" in page  # warnings do not stop the import
