"""A section secretary runs « Organiser une réunion publique » for a date, gives the first
task to a member, and ticks its points until it is done; the member finds it in « Mes
tâches »."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from fede.kits.models import Run, Task
from fede.kits.tests.factories import load_all_kits
from fede.organization.models import Role
from fede.organization.tests.factories import (
    TOTP_TEST_SECRET,
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "secretaire.paris11@example.org"
PASSWORD = "correct horse battery"


def test_secretary_runs_the_public_meeting_kit_assigns_and_ticks_steps(
    page, live_server, visit, axe_check, login
):
    federation = make_federation(code="FED75")
    section = make_section(
        federation, name="Paris 11 — Oberkampf", meeting_place="Local de la section"
    )
    user = make_officer(section, Role.SECTION_SECRETARY, email=EMAIL)
    EmailAddress.objects.create(user=user, email=EMAIL, primary=True, verified=True)
    make_member_user(section, first_name="Camille", last_name="Roussel")
    load_all_kits()
    target = timezone.localdate() + datetime.timedelta(days=40)

    login(page, live_server, EMAIL, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    visit(page, "/kits/")
    page.get_by_role("link", name="Organiser une réunion publique").click()
    page.wait_for_url(re.compile(r"/kits/\d+/$"))
    axe_check(page)
    page.get_by_role("link", name="Lancer ce kit pour ma section").click()
    page.wait_for_url(re.compile(r"/kits/sections/\d+/lancer/"))
    axe_check(page)
    assert page.get_by_label("Kit").locator("option:checked").inner_text() == (
        "Organiser une réunion publique"
    )
    page.get_by_label("Date visée").fill(target.isoformat())
    page.get_by_label("Heure").fill("19:00")
    page.get_by_label("Intitulé").fill("Réunion publique sur le logement")
    page.get_by_role("button", name="Lancer le kit").click()
    page.wait_for_url(re.compile(r"/kits/deroules/\d+/$"))
    axe_check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Réunion publique sur le logement"

    run = Run.objects.get(section=section)
    first = run.tasks.get(order=1)
    assert first.title == "Réserver la salle"
    assert first.due_date == target - datetime.timedelta(days=30)
    card = page.locator(f"#tache-{first.pk}")
    card.get_by_label("Confiée à").select_option(label="Camille Roussel")
    card.get_by_role("button", name=re.compile("Confier")).click()
    page.wait_for_url(re.compile(r"/kits/deroules/\d+/$"))
    axe_check(page)
    assert page.get_by_text("Tâche « Réserver la salle » mise à jour.").is_visible()

    page.locator(f"#tache-{first.pk}").get_by_role("link", name="Réserver la salle").click()
    page.wait_for_url(re.compile(r"/kits/taches/\d+/$"))
    axe_check(page)
    page.get_by_role("button", name=re.compile("Salle réservée et confirmée")).click()
    page.wait_for_url(re.compile(r"/kits/taches/\d+/$"))
    axe_check(page)
    assert page.get_by_role("button", name=re.compile("✓ Salle réservée")).is_visible()
    page.get_by_label("État").select_option(label="Fait")
    page.get_by_role("button", name="Mettre à jour").click()
    page.wait_for_url(re.compile(r"/kits/taches/\d+/$"))
    axe_check(page)

    first.refresh_from_db()
    assert first.status == Task.Status.DONE
    assert first.assignee.member.last_name == "Roussel"
    assert first.items.get(order=1).done

    visit(page, f"/kits/sections/{section.pk}/")
    assert page.get_by_role("link", name="Réunion publique sur le logement").is_visible()
    page.set_viewport_size({"width": 360, "height": 800})
    visit(page, f"/kits/deroules/{run.pk}/")
    visit(page, "/kits/mes-taches/")
