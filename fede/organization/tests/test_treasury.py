"""Treasury (issue 10, item 7): dues per year and month, members not up to date, payment
corrections and cancellations, receipts and yearly statements."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from fede.core.models import AccessLog, AuditEntry
from fede.organization.models import DuesCorrection, DuesPayment, Member, Role

from . import screens
from .factories import DuesPaymentFactory, make_officer
from .federations import build_world

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
D = datetime.date


@pytest.fixture
def books(db):
    """Two federations (see federations.py), Paris 11 and Paris 15 payments on known
    dates, a treasurer of each federation."""
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        paris = world.paris
        p11, p15 = paris.members["p11"], paris.members["p15"]
        payments = {
            "a": DuesPaymentFactory(
                member=p11[0], year=2026, amount=Decimal("30.00"), paid_on=D(2026, 1, 20)
            ),
            "b": DuesPaymentFactory(
                member=p11[1], year=2026, amount=Decimal("50.00"), paid_on=D(2026, 3, 2)
            ),
            "c": DuesPaymentFactory(
                member=p15[0], year=2026, amount=Decimal("20.00"), paid_on=D(2026, 3, 9)
            ),
            "old": DuesPaymentFactory(
                member=p11[0], year=2025, amount=Decimal("25.00"), paid_on=D(2025, 2, 1)
            ),
        }
        treasurer_lyon = make_officer(
            world.lyon.unit, Role.FEDERAL_TREASURER, section=world.lyon.sections["l1"]
        )
        treasurer_paris = make_officer(
            paris.unit, Role.FEDERAL_TREASURER, section=paris.sections["p15"]
        )
        yield {
            "world": world,
            "payments": payments,
            "lyon": treasurer_lyon,
            "paris": treasurer_paris,
        }


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _month_cells(html: str) -> list[str]:
    table = re.search(r'<table[^>]*data-table="months".*?</table>', html, re.S).group(0)
    return re.findall(r'data-value="([^"]*)"', table)


def _chart(html: str, key: str) -> list[str]:
    svg = re.search(rf'<svg[^>]*data-chart="{key}".*?</svg>', html, re.S).group(0)
    return re.findall(r'<rect [^>]*data-value="([^"]*)"', svg)


def _chart_table(html: str, key: str) -> list[str]:
    table = re.search(rf'<table[^>]*data-chart-table="{key}".*?</table>', html, re.S).group(0)
    return re.findall(r'<td class="text-end" data-value="([^"]*)"', table)


def test_dues_per_year_and_month(client, books):
    with time_machine.travel(NOW, tick=False):
        response = screens.login(client, books["paris"]).get(reverse("organization:treasury"))
    html = response.content.decode()
    by_year = {row["year"]: row for row in response.context["by_year"]}
    assert by_year[2026]["total"] == Decimal("100.00") and by_year[2026]["count"] == 3
    assert by_year[2025]["total"] == Decimal("25.00")
    months = _month_cells(html)
    assert months[0] == "30.00" and months[2] == "70.00" and months[5] == "0.00"
    bars = _chart(html, "dues")
    assert bars == _chart_table(html, "dues") and len(bars) == 12
    assert bars[0] == "30.00" and bars[2] == "70.00"
    assert "100,00 €" in html  # the year's total, in French format
    assert not AccessLog.objects.filter(actor=books["paris"]).exists()  # amounts only


def test_section_treasurer_sees_only_their_section(client, books):
    """The federal secretary who is also treasurer of Paris 11: Paris 11's dues only."""
    world = books["world"]
    with time_machine.travel(NOW, tick=False):
        c = screens.login(client, world.two_offices)
        response = c.get(reverse("organization:treasury"))
        by_year = {row["year"]: row for row in response.context["by_year"]}
        assert by_year[2026]["total"] == Decimal("80.00")  # 30 + 50, not Paris 15's 20
        assert (
            c.get(
                reverse("organization:treasury"), {"unite": world.paris.sections["p15"].pk}
            ).status_code
            == 404
        )
        unpaid = c.get(reverse("organization:treasury_unpaid")).context["page"]
    assert {m.section_id for m in unpaid} == {world.paris.sections["p11"].pk}


def test_members_not_up_to_date_list_count_log_and_export(client, books):
    world = books["world"]
    p11 = world.paris.members["p11"]
    p11[2].last_name = "=HYPERLINK(1)"
    p11[2].save()
    with time_machine.travel(NOW, tick=False):
        c = screens.login(client, world.two_offices)
        response = c.get(reverse("organization:treasury_unpaid"))
        html = response.content.decode()
        expected = (
            Member.objects.filter(section=world.paris.sections["p11"], status="active")
            .exclude(payments__year=2026)
            .count()
        )
        assert f"1 à {expected} sur {expected}" in html
        assert "=HYPERLINK(1)".upper() in html
        assert p11[0].last_name.upper() not in html  # paid 2026
        log = AccessLog.objects.get(code="organization.dues_unpaid_list")
        assert log.actor == world.two_offices and log.row_count == expected
        export = c.get(reverse("organization:treasury_unpaid_export", args=["csv"]))
        content = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert len(rows) == expected + 1
    assert any(row[1] == "'=HYPERLINK(1)" for row in rows)  # formula escaped
    assert AccessLog.objects.filter(code="organization.dues_unpaid_export").count() == 1


def test_correction_is_audited_and_keeps_the_original(client, books):
    payment = books["payments"]["old"]  # 25,00 € for 2025
    with time_machine.travel(NOW, tick=False):
        c = screens.login(client, books["paris"])
        url = reverse("organization:dues_correct", args=[payment.pk])
        data = {
            "year": 2025,
            "amount": "30.00",
            "paid_on": "2025-02-01",
            "method": payment.method,
            "reason": "",
        }
        assert "Indiquez le motif" in c.post(url, data).content.decode() or "obligatoire" in (
            c.post(url, data).content.decode()
        )
        assert not AuditEntry.objects.filter(code="organization.dues_correct").exists()
        data["reason"] = "Montant mal saisi"
        response = c.post(url, data)
        assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.amount == Decimal("30.00")
    entry = AuditEntry.objects.get(code="organization.dues_correct")
    assert entry.changes == {"amount": ["25.00", "30.00"]}
    assert entry.params["reason"] == "Montant mal saisi"
    assert "Montant mal saisi" in entry.text
    correction = DuesCorrection.objects.get(payment=payment)
    assert correction.changes == {"amount": ["25.00", "30.00"]}
    html = c.get(payment.member.get_absolute_url()).content.decode()
    assert "<del>25,00 €</del> → 30,00 €" in html and "Montant mal saisi" in html


def test_cancelled_payment_stays_struck_through_and_no_longer_counts(client, books):
    payment = books["payments"]["a"]
    member = payment.member
    with time_machine.travel(NOW, tick=False):
        assert member.is_up_to_date_on()
        c = screens.login(client, books["paris"])
        url = reverse("organization:dues_cancel", args=[payment.pk])
        response = c.post(url, {"reason": "Saisi deux fois", "confirm": "on"})
        assert response.status_code == 302
        assert DuesPayment.objects.filter(pk=payment.pk).exists()  # never deleted
        assert not member.is_up_to_date_on()
        html = c.get(member.get_absolute_url()).content.decode()
        assert "<del>30,00 €</del>" in html and "Saisi deux fois" in html
        # The year can be paid again; the cancelled payment has no receipt.
        DuesPaymentFactory(member=member, year=2026, paid_on=D(2026, 6, 1))
        assert c.get(reverse("organization:dues_receipt", args=[payment.pk])).status_code == 404
    entry = AuditEntry.objects.get(code="organization.dues_cancel")
    assert entry.changes == {"cancelled": [False, True]}
    assert entry.params["reason"] == "Saisi deux fois"


def test_receipt_pdf(client, books):
    payment = books["payments"]["a"]
    member = payment.member
    with time_machine.travel(NOW, tick=False):
        response = screens.login(client, books["paris"]).get(
            reverse("organization:dues_receipt", args=[payment.pk])
        )
    text = _pdf_text(response)
    assert "Reçu de cotisation" in text
    assert member.full_name in text and member.membership_number in text
    assert "30,00 €" in text and "20 janvier 2026" in text
    assert books["world"].paris.unit.name in text and str(payment.pk) in text
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get(code="organization.dues_receipt")
    assert log.params == {"member": member.pk, "payment": payment.pk}


def test_yearly_statement_pdf(client, books):
    member = books["payments"]["a"].member
    with time_machine.travel(NOW, tick=False):
        response = screens.login(client, books["paris"]).get(
            reverse("organization:dues_statement", args=[member.pk, 2026])
        )
    text = _pdf_text(response)
    assert "Relevé de cotisations 2026" in text
    assert member.full_name in text and "30,00 €" in text and "20 janvier 2026" in text
    assert "25,00 €" not in text  # paid in 2025
    assert AccessLog.objects.filter(code="organization.dues_statement").count() == 1


def test_lyon_treasurer_gets_404_on_paris_payments(client, books):
    payment = books["payments"]["a"]
    c = screens.login(client, books["lyon"])
    for name in ("dues_receipt", "dues_correct", "dues_cancel"):
        assert c.get(reverse(f"organization:{name}", args=[payment.pk])).status_code == 404
    url = reverse("organization:dues_statement", args=[payment.member_id, 2026])
    assert c.get(url).status_code == 404
    assert (
        c.post(
            reverse("organization:dues_cancel", args=[payment.pk]), {"reason": "x", "confirm": "on"}
        ).status_code
        == 404
    )
    assert not DuesPayment.objects.filter(cancelled_at__isnull=False).exists()


def test_federal_secretary_cannot_correct(client, books):
    """Seeing a member (members.view) is not recording dues: 403."""
    payment = books["payments"]["c"]  # Paris 15, outside two_offices' treasury
    c = screens.login(client, books["world"].two_offices)
    assert c.get(reverse("organization:dues_correct", args=[payment.pk])).status_code == 403


def test_treasury_pages_queries(client, books, django_assert_max_num_queries):
    with time_machine.travel(NOW, tick=False):
        c = screens.login(client, books["paris"])
        c.get(reverse("organization:treasury"))
        with django_assert_max_num_queries(6):
            assert c.get(reverse("organization:treasury")).status_code == 200
        with django_assert_max_num_queries(5):
            assert c.get(reverse("organization:treasury_unpaid")).status_code == 200
        member = books["payments"]["a"].member
        with django_assert_max_num_queries(9):
            assert c.get(member.get_absolute_url()).status_code == 200
