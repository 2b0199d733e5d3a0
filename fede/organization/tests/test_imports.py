"""Import of the member file (CSV, XLSX): dry run, every bad row reported, upsert."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from fede.core.models import AccessLog, TaskProgress
from fede.organization.imports import import_members
from fede.organization.models import Member, Role, Transfer
from fede.organization.personal_data import member_anonymise
from fede.organization.tests.factories import (
    MemberFactory,
    make_federation,
    make_officer,
    make_section,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "numero_adherent",
    "nom",
    "prenom",
    "email",
    "telephone",
    "adresse",
    "code_postal",
    "ville",
    "date_naissance",
    "date_adhesion",
    "statut",
    "section",
    "consentement_contact",
    "consentement_lettre",
]


def row(number, *, section="S75-11-1", **overrides):
    values = {
        "numero_adherent": number,
        "nom": "Martin",
        "prenom": "Léa",
        "email": f"lea.{number}@example.org",
        "telephone": "06 12 34 56 78",
        "adresse": "12 rue Oberkampf",
        "code_postal": "75011",
        "ville": "Paris",
        "date_naissance": "14/07/1985",
        "date_adhesion": "03/02/2020",
        "statut": "actif",
        "section": section,
        "consentement_contact": "oui",
        "consentement_lettre": "non",
    }
    values.update(overrides)
    return [values[column] for column in HEADER]


def csv_bytes(rows, *, header=HEADER, delimiter=";", bom=False, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def write(tmp_path, data: bytes, name="adherents.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture
def paris():
    federation = make_federation(code="FED75")
    s11 = make_section(federation, name="Paris 11 – Folie-Méricourt", code="S75-11-1")
    s15 = make_section(federation, name="Paris 15 – Grenelle", code="S75-15-3")
    staff = make_officer(federation, Role.FEDERAL_STAFF, section=s11)
    return federation, s11, s15, staff


@pytest.fixture
def elsewhere():
    """Another federation, outside the Paris staff's scope."""
    lyon = make_federation(name="Fédération du Rhône", code="FED69")
    return make_section(lyon, name="Lyon 1 – Pentes", code="S69-01-1")


def test_a_good_file_creates_every_member_with_its_values(paris, tmp_path):
    _fed, s11, s15, staff = paris
    path = write(
        tmp_path,
        csv_bytes(
            [
                row("75100001"),
                row("75100002", section="Paris 15 – Grenelle", statut="Non renouvelé"),
                row("75100003", email="", telephone="", consentement_lettre="oui"),
            ]
        ),
    )

    report = import_members(path, actor=staff, dry_run=False)

    assert report.ok, report.errors
    assert (report.total, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    lea = Member.objects.get(membership_number="75100001")
    assert (lea.first_name, lea.last_name, lea.email) == (
        "Léa",
        "Martin",
        "lea.75100001@example.org",
    )
    assert lea.birth_date == datetime.date(1985, 7, 14)
    assert lea.joined_on == datetime.date(2020, 2, 3)
    assert lea.section == s11 and lea.status == Member.Status.ACTIVE
    assert lea.consent_share_contact is True and lea.consent_newsletter is False
    second = Member.objects.get(membership_number="75100002")
    assert second.section == s15 and second.status == Member.Status.LAPSED
    assert Member.objects.get(membership_number="75100003").consent_newsletter is True
    log = AccessLog.objects.get(action=AccessLog.Action.IMPORT)
    assert log.actor == staff and log.row_count == 3


def test_reimporting_the_same_file_changes_nothing(paris, tmp_path):
    """Upsert by number: no new rows, no update, not even of updated_at."""
    *_rest, staff = paris
    path = write(tmp_path, csv_bytes([row(f"751{n:05d}") for n in range(30)]))
    import_members(path, actor=staff, dry_run=False)
    before = list(Member.objects.order_by("pk").values_list("pk", "updated_at", "email"))

    report = import_members(path, actor=staff, dry_run=False)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 30)
    assert list(Member.objects.order_by("pk").values_list("pk", "updated_at", "email")) == before


def test_a_changed_row_updates_the_member_and_a_new_section_is_a_transfer(paris, tmp_path):
    _fed, s11, s15, staff = paris
    member = MemberFactory(membership_number="75100001", section=s11, email="old@example.org")
    stamp = member.updated_at

    path = write(
        tmp_path,
        csv_bytes([row("75100001", email="new@example.org", section="S75-15-3", telephone="")]),
    )
    report = import_members(path, actor=staff, dry_run=False)

    assert (report.created, report.updated, report.moved) == (0, 1, 1)
    member.refresh_from_db()
    assert member.email == "new@example.org" and member.section == s15
    assert member.updated_at > stamp
    transfer = Transfer.objects.get(member=member)
    assert (transfer.from_unit, transfer.to_unit, transfer.status) == (s11, s15, "approved")
    assert transfer.decided_by == staff


def test_an_empty_cell_leaves_the_existing_value(paris, tmp_path):
    _fed, s11, _s15, staff = paris
    MemberFactory(
        membership_number="75100001",
        section=s11,
        first_name="Léa",
        last_name="Martin",
        email="lea.75100001@example.org",
        phone="01 02 03 04 05",
        address="12 rue Oberkampf",
        postal_code="75011",
        city="Paris",
        birth_date=datetime.date(1985, 7, 14),
        joined_on=datetime.date(2020, 2, 3),
        consent_share_contact=True,
    )
    path = write(tmp_path, csv_bytes([row("75100001", telephone="")]))

    report = import_members(path, actor=staff, dry_run=False)

    assert report.unchanged == 1
    assert Member.objects.get(membership_number="75100001").phone == "01 02 03 04 05"


def test_a_bad_file_writes_nothing_and_reports_every_bad_row(paris, elsewhere, tmp_path):
    """Every bad row is listed with its line and a French reason; the good rows wait."""
    *_rest, staff = paris
    future = (timezone.localdate() + datetime.timedelta(days=30)).strftime("%d/%m/%Y")
    rows = [
        row("75100001"),  # line 2: good
        row("75100002", email="lea@@example"),  # 3
        row("75100003", section="Paris 99 – Nulle part"),  # 4
        row("75100001"),  # 5: duplicate of line 2
        row("75100005", date_adhesion="31/02/2024"),  # 6
        row("75100006", date_adhesion=future),  # 7
        row("75100007", statut="sympathisant"),  # 8
        row("75100008", nom=""),  # 9
        row("75100009", section="S69-01-1"),  # 10: another federation
        row("75100010", date_naissance="hier"),  # 11
        row("75100011", consentement_lettre="peut-être"),  # 12
        row("75100012"),  # 13: good
    ]
    path = write(tmp_path, csv_bytes(rows))

    for dry_run in (True, False):
        report = import_members(path, actor=staff, dry_run=dry_run)

        assert not report.ok
        reasons = {(e.line, e.column): e.message for e in report.errors}
        assert reasons == {
            (3, "email"): "adresse e-mail invalide « lea@@example »",
            (4, "section"): "section inconnue « Paris 99 – Nulle part »",
            (5, "numero_adherent"): "numéro en double dans le fichier (déjà ligne 2)",
            (6, "date_adhesion"): "date impossible « 31/02/2024 »",
            (7, "date_adhesion"): f"date d'adhésion dans le futur « {future} »",
            (8, "statut"): "statut inconnu « sympathisant »",
            (9, "nom"): "champ obligatoire manquant",
            (10, "section"): "section hors de votre périmètre",
            (11, "date_naissance"): "date illisible « hier » (attendu : JJ/MM/AAAA)",
            (12, "consentement_lettre"): "réponse « peut-être » non reconnue (oui ou non attendu)",
        }
        assert report.bad_rows == 10 and report.total == 12
        assert not Member.objects.filter(membership_number__startswith="751").exists()
    assert not AccessLog.objects.filter(action=AccessLog.Action.IMPORT).exists()


def test_a_member_of_a_section_outside_the_scope_cannot_be_overwritten(paris, elsewhere, tmp_path):
    *_rest, staff = paris
    MemberFactory(membership_number="69000001", section=elsewhere, last_name="Durand")
    path = write(tmp_path, csv_bytes([row("69000001")]))

    report = import_members(path, actor=staff, dry_run=False)

    assert [(e.line, e.message) for e in report.errors] == [
        (2, "adhérent·e d'une section hors de votre périmètre")
    ]
    assert Member.objects.get(membership_number="69000001").last_name == "Durand"


def test_a_section_officer_without_import_right_imports_nothing(paris, tmp_path):
    """Without ``members.import`` anywhere, the import is refused before reading a row."""
    _fed, s11, _s15, _staff = paris
    secretary = make_officer(s11, Role.SECTION_SECRETARY)
    path = write(tmp_path, csv_bytes([row("75100001")]))

    with pytest.raises(PermissionDenied):
        import_members(path, actor=secretary, dry_run=False)

    assert not Member.objects.filter(membership_number="75100001").exists()
    assert not AccessLog.objects.filter(action=AccessLog.Action.IMPORT).exists()


def test_backslashes_tabs_and_line_breaks_are_kept(paris, tmp_path):
    """Values are stored as written, whatever the database's bulk path."""
    *_rest, staff = paris
    address = "12 rue Oberkampf\nBât. B\tporte 3"
    path = write(
        tmp_path, csv_bytes([row("75100001", prenom="Anne\\Marie", nom="N'Diaye", adresse=address)])
    )

    report = import_members(path, actor=staff, dry_run=False)

    assert report.ok, report.errors
    member = Member.objects.get(membership_number="75100001")
    assert (member.first_name, member.last_name) == ("Anne\\Marie", "N'Diaye")
    assert member.address == address
    assert member.birth_date == datetime.date(1985, 7, 14) and member.left_on is None
    assert member.created_at and member.updated_at
    again = import_members(path, actor=staff, dry_run=False)
    assert again.unchanged == 1


def test_a_dry_run_counts_and_writes_nothing(paris, tmp_path):
    _fed, s11, _s15, staff = paris
    MemberFactory(membership_number="75100001", section=s11)
    path = write(tmp_path, csv_bytes([row("75100001"), row("75100002"), row("75100003")]))

    report = import_members(path, actor=staff, dry_run=True)

    assert report.ok and report.dry_run
    assert (report.created, report.updated) == (2, 1)
    assert Member.objects.count() == 2  # the staff's own record and the existing one


def test_french_headers_comma_bom_and_windows_encoding_are_accepted(paris, tmp_path):
    """Headers in any case, with accents; "," delimiter; BOM; a CSV saved by Excel (cp1252)."""
    *_rest, staff = paris
    header = [
        "N° adhérent",
        "NOM",
        "Prénom",
        "E-mail",
        "Téléphone",
        "Adresse",
        "Code postal",
        "Ville",
        "Date de naissance",
        "Date d'adhésion",
        "Statut",
        "Section",
        "Consentement contact",
        "Consentement lettre",
        "Remarque",
    ]
    data = [[*row("75100001", prenom="Hélène"), "ignorée"]]
    for options in ({"delimiter": ",", "bom": True}, {"encoding": "cp1252"}):
        Member.objects.filter(membership_number="75100001").delete()
        path = write(tmp_path, csv_bytes(data, header=header, **options))

        report = import_members(path, actor=staff, dry_run=False)

        assert report.ok, (options, report.errors, report.file_error)
        assert report.ignored_columns == ["Remarque"]
        assert Member.objects.get(membership_number="75100001").first_name == "Hélène"


def test_a_missing_required_column_is_a_file_error(paris, tmp_path):
    *_rest, staff = paris
    header = [h for h in HEADER if h != "section"]
    path = write(tmp_path, csv_bytes([row("75100001")[:-3]], header=header))

    report = import_members(path, actor=staff, dry_run=False)

    assert "Colonne obligatoire absente" in report.file_error and "section" in report.file_error
    assert not Member.objects.filter(membership_number="75100001").exists()


def test_an_xlsx_file_is_imported_and_reimported_without_change(paris, tmp_path):
    """Dates as real cells, numbers as numbers: read like the CSV."""
    _fed, s11, _s15, staff = paris
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for n in range(1, 6):
        values = row(f"7520000{n}")
        values[0] = int(values[0])  # a number typed as a number
        values[9] = datetime.datetime(2019, 5, n)  # a date cell
        values[6] = 75011
        sheet.append(values)
    path = tmp_path / "adherents.xlsx"
    workbook.save(path)

    report = import_members(path, actor=staff, dry_run=False)

    assert report.ok, report.errors
    assert report.created == 5
    member = Member.objects.get(membership_number="75200003")
    assert member.joined_on == datetime.date(2019, 5, 3) and member.postal_code == "75011"
    again = import_members(path, actor=staff, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_the_number_of_an_erased_person_is_refused(paris, tmp_path):
    """Importing an old file cannot bring back someone whose data was erased."""
    _fed, s11, _s15, staff = paris
    member = MemberFactory(membership_number="75100001", section=s11)
    member_anonymise(member=member, actor=staff)
    path = write(tmp_path, csv_bytes([row("75100001")]))

    report = import_members(path, actor=staff, dry_run=False)

    assert not report.ok
    assert "effacées" in report.errors[0].message
    assert not Member.objects.filter(membership_number="75100001").exists()


def test_an_unreadable_file_is_reported(paris, tmp_path):
    *_rest, staff = paris
    path = write(tmp_path, b"PK\x03\x04 not really a workbook", name="x.xlsx")

    report = import_members(path, actor=staff, dry_run=False)

    assert "illisible" in report.file_error


def test_empty_lines_are_skipped_and_line_numbers_stay_right(paris, tmp_path):
    *_rest, staff = paris
    rows = [row("75100001"), [""] * len(HEADER), row("75100003", email="pas-un-email")]
    path = write(tmp_path, csv_bytes(rows))

    report = import_members(path, actor=staff, dry_run=True)

    assert report.total == 2
    assert [(e.line, e.column) for e in report.errors] == [(4, "email")]


# --- Screens ---------------------------------------------------------------------------


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """POST a file to the import page; tasks run at commit (immediate backend)."""

    def post(data: bytes, name="adherents.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("organization:member_import"),
                {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
            )

    return post


@pytest.fixture
def confirm(client, django_capture_on_commit_callbacks):
    def post(progress):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("organization:member_import_confirm", args=[progress.pk]))

    return post


def test_import_page_is_for_those_who_may_import(client, paris):
    _fed, s11, _s15, staff = paris
    client.force_login(make_officer(s11, Role.SECTION_SECRETARY))
    assert client.get(reverse("organization:member_import")).status_code == 403

    client.force_login(staff)
    response = client.get(reverse("organization:member_import"))
    assert response.status_code == 200
    assert "Importer des adhérents" in response.content.decode()


def test_upload_dry_run_confirm_import(client, paris, upload, confirm):
    """The staff uploads a file, reads the dry run, confirms, and the members are there."""
    *_rest, staff = paris
    client.force_login(staff)

    response = upload(csv_bytes([row("75100001"), row("75100002")]))

    progress = TaskProgress.objects.get(owner=staff)
    report_url = reverse("organization:member_import_report", args=[progress.pk])
    # The progress page (or the report straight away if the check is already over).
    assert response.status_code == 302
    assert response.url in (progress.get_absolute_url(), report_url)
    progress.refresh_from_db()
    assert progress.status == TaskProgress.Status.DONE
    assert report_url in client.get(progress.get_absolute_url()).content.decode()
    stored = progress.result["file"]
    assert stored.startswith("private/imports/") and "adherents" not in stored
    assert default_storage.exists(stored)
    assert not Member.objects.filter(membership_number__startswith="751").exists()

    page = client.get(report_url).content.decode()
    assert "Vérification du fichier" in page
    assert "Fiches à créer" in page and "Confirmer l'import" in page

    response = confirm(progress)

    assert response.status_code == 302
    assert Member.objects.filter(membership_number__startswith="751").count() == 2
    done = TaskProgress.objects.exclude(pk=progress.pk).get(owner=staff)
    assert done.status == TaskProgress.Status.DONE
    done_url = reverse("organization:member_import_report", args=[done.pk])
    assert response.url in (done.get_absolute_url(), done_url)
    page = client.get(done_url).content.decode()
    assert "Résultat de l'import" in page and "Fiches créées" in page
    assert not default_storage.exists(stored)

    # A second click on "Confirmer" starts nothing more.
    confirm(progress)
    assert TaskProgress.objects.filter(owner=staff).count() == 2
    assert AccessLog.objects.filter(action=AccessLog.Action.IMPORT).count() == 1


def test_upload_of_a_bad_file_shows_the_bad_rows_and_no_confirm_button(
    client, paris, upload, confirm
):
    *_rest, staff = paris
    client.force_login(staff)

    upload(csv_bytes([row("75100001"), row("75100002", email="x@")]))

    progress = TaskProgress.objects.get(owner=staff)
    page = client.get(
        reverse("organization:member_import_report", args=[progress.pk])
    ).content.decode()
    assert "Lignes à corriger" in page
    assert "adresse e-mail invalide « x@ »" in page
    assert "Confirmer l'import" not in page
    assert not default_storage.exists(progress.result["file"])
    response = confirm(progress)
    assert response.status_code == 302
    assert not Member.objects.filter(membership_number__startswith="751").exists()
    assert TaskProgress.objects.filter(owner=staff).count() == 1


def test_a_file_that_is_not_csv_or_xlsx_is_refused_next_to_the_field(client, paris, upload):
    *_rest, staff = paris
    client.force_login(staff)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100

    response = upload(png, name="photo.csv")

    assert response.status_code == 200
    assert "Ce type de fichier n&#x27;est pas accepté" in response.content.decode()
    assert not TaskProgress.objects.exists()


def test_someone_elses_import_report_is_404(client, paris, upload):
    _fed, s11, _s15, staff = paris
    client.force_login(staff)
    upload(csv_bytes([row("75100001")]))
    progress = TaskProgress.objects.get(owner=staff)

    other = make_officer(paris[0], Role.FEDERAL_STAFF, section=s11)
    client.force_login(other)
    report_url = reverse("organization:member_import_report", args=[progress.pk])
    assert client.get(report_url).status_code == 404
    confirm_url = reverse("organization:member_import_confirm", args=[progress.pk])
    assert client.post(confirm_url).status_code == 404
    assert not Member.objects.filter(membership_number="75100001").exists()


def test_confirm_is_post_only(client, paris, upload):
    *_rest, staff = paris
    client.force_login(staff)
    upload(csv_bytes([row("75100001")]))
    progress = TaskProgress.objects.get(owner=staff)

    response = client.get(reverse("organization:member_import_confirm", args=[progress.pk]))

    assert response.status_code == 405
    assert not Member.objects.filter(membership_number="75100001").exists()


def test_updates_across_batches_write_only_changed_members(paris, tmp_path, monkeypatch):
    """Changed members get their new values (empty values stay empty, tabs and backslashes
    kept), a section change is a transfer, an unchanged member keeps its updated_at —
    batch after batch."""
    from fede.organization import imports

    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    _fed, s11, s15, staff = paris
    common = {
        "section": s11,
        "first_name": "Léa",
        "last_name": "Martin",
        "phone": "06 12 34 56 78",
        "address": "12 rue Oberkampf",
        "postal_code": "75011",
        "city": "Paris",
        "birth_date": datetime.date(1985, 7, 14),
        "joined_on": datetime.date(2020, 2, 3),
        "consent_share_contact": True,
        "consent_newsletter": False,
    }
    members = [
        MemberFactory(
            membership_number=f"7510000{n}", email=f"lea.7510000{n}@example.org", **common
        )
        for n in range(1, 6)
    ]
    bare = members[4]
    Member.objects.filter(pk=bare.pk).update(email="", birth_date=None)
    stamps = dict(Member.objects.values_list("pk", "updated_at"))
    path = write(
        tmp_path,
        csv_bytes(
            [
                row("75100001", telephone="07 00 00 00 01"),
                row("75100002"),
                row("75100003", section="S75-15-3", adresse="1 rue\tdu Chemin\\Vert"),
                row("75100004", consentement_lettre="oui", prenom="Anne"),
                row("75100005", email="", date_naissance="", ville="Montreuil"),
                row("75100006"),
            ]
        ),
    )

    report = import_members(path, actor=staff, dry_run=False)

    assert (report.created, report.updated, report.unchanged, report.moved) == (1, 4, 1, 1)
    got = {m.membership_number: m for m in Member.objects.all()}
    assert got["75100001"].phone == "07 00 00 00 01"
    assert got["75100002"].updated_at == stamps[members[1].pk]
    third = got["75100003"]
    assert (third.section, third.address) == (s15, "1 rue\tdu Chemin\\Vert")
    assert Transfer.objects.get(member=third).to_unit == s15
    assert got["75100004"].consent_newsletter is True and got["75100004"].first_name == "Anne"
    fifth = got["75100005"]
    assert (fifth.city, fifth.email, fifth.birth_date) == ("Montreuil", "", None)
    for number in ("75100001", "75100003", "75100004", "75100005"):
        assert got[number].updated_at > stamps[got[number].pk]
    assert got["75100001"].email == "lea.75100001@example.org"
    assert import_members(path, actor=staff, dry_run=False).unchanged == 6
