"""Federation staff import a member file (a bad one first), then a member reads "Mes
données" and asks for erasure."""

import json
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from fede.organization.models import Member, Role
from fede.organization.tests.factories import (
    TOTP_TEST_SECRET,
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STAFF = "permanent@example.org"
PASSWORD = "correct horse battery"
HEADER = "numero_adherent;nom;prenom;email;date_adhesion;statut;section\n"


def csv_file(lines: list[str]) -> dict:
    body = (HEADER + "".join(line + "\n" for line in lines)).encode("utf-8")
    return {"name": "adherents.csv", "mimeType": "text/csv", "buffer": body}


def test_staff_imports_a_member_file(page, live_server, login, axe_check, visit):
    federation = make_federation(code="FED75")
    make_section(federation, name="Paris 11 – Folie-Méricourt", code="S75-11-1")
    section15 = make_section(federation, name="Paris 15 – Grenelle", code="S75-15-3")
    staff = make_officer(federation, Role.FEDERAL_STAFF, section=section15, email=STAFF)
    EmailAddress.objects.create(user=staff, email=STAFF, primary=True, verified=True)
    good = [
        "75100001;Martin;Léa;lea@example.org;03/02/2020;actif;S75-11-1",
        "75100002;Dubois;Karim;;15/09/2012;non renouvelé;Paris 15 – Grenelle",
    ]

    login(page, live_server, STAFF, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    page.get_by_role("link", name="Importer des adhérents").click()
    page.wait_for_url(re.compile(r"/organisation/import/$"))
    axe_check(page)

    # A file with an impossible date: every bad row is listed, nothing is written.
    page.get_by_label("Fichier des adhérents").set_input_files(
        csv_file([*good, "75100003;Petit;Inès;;31/02/2024;actif;S75-11-1"])
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_url(re.compile(r"/organisation/import/[0-9a-f-]+/$"))
    axe_check(page)
    expect(page.get_by_role("table")).to_contain_text("date impossible « 31/02/2024 »")
    expect(page.get_by_role("button", name="Confirmer l'import")).to_have_count(0)
    assert not Member.objects.filter(membership_number__startswith="751").exists()

    # The corrected file: the dry run counts, the import runs after confirmation.
    page.get_by_role("link", name="Envoyer un autre fichier").click()
    page.wait_for_url(re.compile(r"/organisation/import/$"))
    axe_check(page)
    page.get_by_label("Fichier des adhérents").set_input_files(csv_file(good))
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_url(re.compile(r"/organisation/import/[0-9a-f-]+/$"))
    axe_check(page)
    expect(page.locator("dl")).to_contain_text("Fiches à créer")
    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_load_state("load")
    axe_check(page)
    if "/taches/" in page.url:  # the progress page, when the worker has not finished yet
        page.get_by_role("link", name="Voir le résultat").click()
        page.wait_for_load_state("load")
        axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultat de l'import")
    assert Member.objects.filter(membership_number__startswith="751").count() == 2


def test_a_member_reads_downloads_and_asks_for_erasure(page, live_server, login, axe_check):
    federation = make_federation(code="FED75")
    section = make_section(federation, name="Paris 11 – Folie-Méricourt", code="S75-11-1")
    user = make_member_user(section, first_name="Léa", last_name="Martin")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)

    login(page, live_server, user.email, PASSWORD)
    page.get_by_role("link", name="Mes données").first.click()
    page.wait_for_url(re.compile(r"/organisation/mes-donnees/$"))
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données")
    expect(page.locator("main")).to_contain_text("Paris 11 – Folie-Méricourt")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données (JSON)").first.click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["identity"]["last_name"] == "Martin"

    page.get_by_label("Je souhaite recevoir la lettre d'information de la fédération").check()
    page.get_by_role("button", name="Enregistrer mes choix").click()
    page.wait_for_load_state("load")
    axe_check(page)
    assert Member.objects.get(user=user).consent_newsletter is True

    page.get_by_role("link", name="Demander l'effacement de mes données").click()
    page.wait_for_url(re.compile(r"/organisation/mes-donnees/effacement/$"))
    axe_check(page)
    page.get_by_label(re.compile("Je demande l'effacement de mes données")).check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url(re.compile(r"/organisation/mes-donnees/$"))
    axe_check(page)
    expect(page.get_by_role("status").first).to_contain_text("demande d'effacement")
    assert Member.objects.get(user=user).erasure_requested_at is not None
