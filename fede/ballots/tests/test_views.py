import csv
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from fede.core.access import SYSTEM
from fede.core.models import AccessLog
from fede.organization.tests.factories import DuesPaymentFactory, make_member_user

from .. import services
from ..models import Ballot, CastBallot, RollEntry, SectionResult
from .factories import CUTOFF, make_ballot, member_of, paid_member

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def voter_user(section):
    """A logged-in member who is eligible."""
    user = make_member_user(section, joined_on=datetime.date(2020, 1, 1))
    DuesPaymentFactory(member=member_of(user), year=CUTOFF.year, paid_on=CUTOFF)
    return user


@pytest.fixture
def online(federation, section_a, voters_a):
    return make_ballot(
        federation,
        mode=Ballot.Mode.ONLINE,
        kind=Ballot.Kind.MOTIONS,
        title="Motion d'orientation",
        options=("Motion A", "Motion B"),
    )


# --- Scope --------------------------------------------------------------------------------


def test_members_see_their_federations_ballots_only_once_opened(
    client, federation, section_a, other_federation, other_section, voters_a
):
    draft = make_ballot(federation, title="Brouillon")
    running = make_ballot(federation, title="Élection en cours", open_it=True)
    elsewhere = make_ballot(other_federation, title="Vote lyonnais")
    paid_member(other_section)
    services.ballot_open(actor=SYSTEM, ballot=elsewhere)
    client.force_login(make_member_user(section_a))
    page = client.get(reverse("ballots:list")).content.decode()
    assert "Élection en cours" in page and "Brouillon" not in page and "Vote lyonnais" not in page
    assert client.get(reverse("ballots:detail", args=[running.pk])).status_code == 200
    assert client.get(reverse("ballots:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("ballots:detail", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("ballots:results", args=[elsewhere.pk])).status_code == 404


def test_pv_of_another_section_or_federation_is_404(
    client, federation, section_a, section_b, voters_a, voters_b, secretary_b, other_staff, staff
):
    ballot = make_ballot(federation, open_it=True)
    pv_a = SectionResult.objects.get(round__ballot=ballot, section=section_a)
    for user in (secretary_b, other_staff):
        client.force_login(user)
        for name in ("pv_detail", "pv_enter", "pv_pdf", "pv_rectify"):
            assert client.get(reverse(f"ballots:{name}", args=[pv_a.pk])).status_code == 404, name
        assert client.post(reverse("ballots:pv_validate", args=[pv_a.pk])).status_code == 404
    client.force_login(staff)
    assert client.get(reverse("ballots:pv_detail", args=[pv_a.pk])).status_code == 200
    # Staff sees the PV but does not enter it in the section's place: 403.
    assert client.get(reverse("ballots:pv_enter", args=[pv_a.pk])).status_code == 403
    assert client.get(reverse("ballots:edit", args=[ballot.pk])).status_code == 200
    client.force_login(other_staff)
    assert client.get(reverse("ballots:edit", args=[ballot.pk])).status_code == 404


def test_user_with_two_offices_enters_each_sections_pv(
    client, federation, section_a, section_b, voters_a, voters_b
):
    from fede.organization.models import Role
    from fede.organization.services import mandate_appoint
    from fede.organization.tests.factories import make_officer

    user = make_officer(section_a, Role.SECTION_SECRETARY)
    mandate_appoint(
        actor=SYSTEM,
        member=member_of(user),
        role=Role.SECTION_BUREAU,
        unit=section_b,
        start=timezone.localdate() - datetime.timedelta(days=3),
    )
    ballot = make_ballot(federation, open_it=True)
    pv_a = SectionResult.objects.get(round__ballot=ballot, section=section_a)
    pv_b = SectionResult.objects.get(round__ballot=ballot, section=section_b)
    client.force_login(user)
    assert client.get(reverse("ballots:pv_enter", args=[pv_a.pk])).status_code == 200
    assert client.get(reverse("ballots:pv_enter", args=[pv_b.pk])).status_code == 403
    assert client.get(reverse("ballots:pv_detail", args=[pv_b.pk])).status_code == 200


# --- PV entry -------------------------------------------------------------------------------


def test_pv_form_shows_the_error_next_to_the_field(
    client, federation, section_a, voters_a, secretary_a
):
    ballot = make_ballot(federation, open_it=True)
    pv = SectionResult.objects.get(round__ballot=ballot, section=section_a)
    options = list(ballot.options.all())
    client.force_login(secretary_a)
    data = {"registered": 6, "voters": 9, "blank": 0, "void": 0, "assessors": "Inès, Paul"}
    data.update({f"option_{o.pk}": 3 for o in options})
    response = client.post(reverse("ballots:pv_enter", args=[pv.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Plus de votants (9) que d&#x27;inscrits (6)" in html
    assert "is-invalid" in html
    data.update(
        {
            "voters": 5,
            "blank": 1,
            f"option_{options[0].pk}": 2,
            f"option_{options[1].pk}": 1,
            f"option_{options[2].pk}": 1,
        }
    )
    response = client.post(reverse("ballots:pv_enter", args=[pv.pk]), data)
    assert response.status_code == 302
    pv.refresh_from_db()
    assert pv.status == SectionResult.Status.ENTERED and pv.voters == 5


# --- No partial results ------------------------------------------------------------------


def _result_urls(ballot):
    return {
        "results": reverse("ballots:results", args=[ballot.pk]),
        "pdf": reverse("ballots:results_pdf", args=[ballot.pk]) + "?tour=1",
        "ballots": reverse("ballots:published_ballots", args=[ballot.pk]) + "?tour=1",
        "csv": reverse("ballots:published_ballots", args=[ballot.pk]) + "?tour=1&format=csv",
    }


def test_no_partial_result_of_an_online_vote_before_close_on_any_url(
    client, federation, section_a, online, staff, voters_a
):
    services.ballot_open(actor=SYSTEM, ballot=online)
    a, b = online.options.all()
    for i, member in enumerate(voters_a):
        member.user = get_user_model().objects.create_user(email=f"x{i}@example.org", password="x")
        member.save()
        services.vote_cast(
            actor=member.user, ballot=online, option=a if i < 4 else b, code="", verify=False
        )
    urls = _result_urls(online)
    member_user = voter_user(section_a)
    for user in (staff, member_user):
        client.force_login(user)
        page = client.get(urls["results"])
        assert page.status_code == 200
        html = page.content.decode()
        assert "Aucun résultat n'est communiqué avant la clôture" in html
        assert "Motion A</th>" not in html and "80,0" not in html and "80.0" not in html
        for key in ("pdf", "ballots", "csv"):
            assert client.get(urls[key]).status_code == 404, (user, key)
    # Closed: the federation sees the tally, members still nothing.
    round_ = online.rounds.get()
    services.round_close(actor=staff, round=round_, now=round_.closes_at)
    client.force_login(member_user)
    assert "Aucun résultat" in client.get(urls["results"]).content.decode()
    assert client.get(urls["pdf"]).status_code == 404
    client.force_login(staff)
    assert "Résultats provisoires" in client.get(urls["results"]).content.decode()
    assert "Motion A" in pdf_text(client.get(urls["pdf"]))
    assert client.get(urls["ballots"]).status_code == 404
    # Published: everyone sees results and the ballots, and recounts them.
    services.round_publish(actor=staff, round=round_)
    client.force_login(member_user)
    html = client.get(urls["results"]).content.decode()
    assert "<svg" in html and "80,00 %" in html
    text = pdf_text(client.get(urls["pdf"]))
    assert "Motion A" in text and "80" in text
    response = client.get(urls["csv"])
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0] == ["Code de vérification", "Choix"]
    assert sorted(r[1] for r in rows[1:]) == ["Motion A"] * 4 + ["Motion B"]
    receipt = CastBallot.objects.first().receipt
    html = client.get(urls["ballots"] + "&recu=" + receipt.lower()).content.decode()
    assert receipt in html and "a été compté" in html


def test_live_consolidation_of_section_pvs_is_for_the_federation_only(
    client, federation, section_a, voters_a, secretary_a, assessor_a, staff
):
    ballot = make_ballot(federation, open_it=True)
    pv = SectionResult.objects.get(round__ballot=ballot, section=section_a)
    options = list(ballot.options.all())
    services.pv_enter(
        actor=secretary_a,
        result=pv,
        registered=pv.registered,
        voters=4,
        blank=0,
        void=0,
        votes={options[0].pk: 3, options[1].pk: 1, options[2].pk: 0},
        assessors="Inès",
    )
    services.pv_countersign(actor=assessor_a, result=pv)
    services.pv_validate(actor=staff, result=pv)
    urls = _result_urls(ballot)
    client.force_login(voter_user(section_a))
    assert "Aucun résultat" in client.get(urls["results"]).content.decode()
    assert client.get(urls["pdf"]).status_code == 404
    client.force_login(staff)
    html = client.get(urls["results"]).content.decode()
    assert "Consolidation en direct" in html and "75,00 %" in html
    assert "Louise Michel" in pdf_text(client.get(urls["pdf"]))
    assert "Louise Michel" in pdf_text(client.get(reverse("ballots:pv_pdf", args=[pv.pk])))


# --- Online vote through the pages ------------------------------------------------------------


def test_member_votes_with_an_emailed_code_and_gets_a_receipt(
    client, federation, section_a, online, django_capture_on_commit_callbacks
):
    user = voter_user(section_a)
    services.ballot_open(actor=SYSTEM, ballot=online)
    client.force_login(user)
    page = client.get(reverse("ballots:vote", args=[online.pk])).content.decode()
    assert "Recevoir mon code par e-mail" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ballots:vote_code", args=[online.pk]))
    code = mail.outbox[-1].subject.rsplit(" ", 1)[-1]
    option = online.options.first()
    response = client.post(
        reverse("ballots:vote", args=[online.pk]), {"choice": option.pk, "code": code}
    )
    assert response.status_code == 200
    receipt = CastBallot.objects.get().receipt
    assert receipt in response.content.decode()
    again = client.post(
        reverse("ballots:vote", args=[online.pk]), {"choice": option.pk, "code": code}
    )
    assert "déjà voté" in again.content.decode()
    assert CastBallot.objects.count() == 1


def test_ineligible_member_sees_why(client, federation, section_a, online):
    services.ballot_open(actor=SYSTEM, ballot=online)
    client.force_login(make_member_user(section_a, joined_on=datetime.date(2020, 1, 1)))
    html = client.get(reverse("ballots:vote", args=[online.pk])).content.decode()
    assert "pas à jour de votre cotisation au 15 janvier 2025" in html
    response = client.post(
        reverse("ballots:vote", args=[online.pk]), {"choice": "blanc", "code": "123456"}
    )
    assert "pas à jour de votre cotisation" in response.content.decode()
    assert not CastBallot.objects.exists()


# --- Roll ---------------------------------------------------------------------------------


def test_secretary_reads_their_sections_roll_and_it_is_logged(
    client,
    federation,
    section_a,
    section_b,
    voters_a,
    voters_b,
    secretary_a,
    django_assert_max_num_queries,
):
    for _ in range(40):
        paid_member(section_a)
    ballot = make_ballot(federation, open_it=True)
    client.force_login(secretary_a)
    url = reverse("ballots:roll_section", args=[ballot.pk, section_a.pk])
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert voters_a[0].last_name in response.content.decode()
    log = AccessLog.objects.get(code="ballots.roll_view")
    assert log.actor == secretary_a and log.row_count == 46
    assert (
        client.get(reverse("ballots:roll_section", args=[ballot.pk, section_b.pk])).status_code
        == 404
    )
    # Correcting the roll is the federation's: outside the secretary's reach.
    assert client.get(reverse("ballots:roll_add", args=[ballot.pk])).status_code == 404


def test_the_signature_sheet_lists_the_sections_voters_in_order_and_is_logged(
    client, federation, section_a, section_b, voters_a, voters_b, secretary_a
):
    ballot = make_ballot(federation, open_it=True)
    struck = RollEntry.objects.filter(ballot=ballot, section=section_a).order_by("pk").first()
    struck.struck_at = struck.ballot.opens_at
    struck.reason = "Doublon"
    struck.save()
    client.force_login(secretary_a)
    url = reverse("ballots:roll_section_sheet", args=[ballot.pk, section_a.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response)
    assert "Feuille d'émargement" in text and section_a.name in text
    names = sorted(
        (e.member.last_name, e.member.first_name)
        for e in RollEntry.objects.filter(ballot=ballot, section=section_a, struck_at=None)
    )
    positions = [text.index(last) for last, _first in names]
    assert positions == sorted(positions)  # alphabetical order
    assert "Radié·e : Doublon" in text
    assert voters_b[0].last_name not in text
    log = AccessLog.objects.get(code="ballots.roll_sheet")
    assert log.actor == secretary_a
    assert log.row_count == RollEntry.objects.filter(ballot=ballot, section=section_a).count()
    # Another section's sheet is out of the secretary's reach.
    other = reverse("ballots:roll_section_sheet", args=[ballot.pk, section_b.pk])
    assert client.get(other).status_code == 404


def test_list_and_results_pages_have_a_fixed_number_of_queries(
    client, federation, section_a, voters_a, staff, django_assert_max_num_queries
):
    from fede.organization.tests.factories import make_section

    for i in range(15):
        section = make_section(federation, name=f"Section {i:02d}")
        paid_member(section)
    for i in range(12):
        make_ballot(federation, title=f"Vote {i}", open_it=True)
    client.force_login(staff)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("ballots:list")).status_code == 200
    ballot = Ballot.objects.first()
    with django_assert_max_num_queries(8):  # the round's options read once per process
        assert client.get(reverse("ballots:results", args=[ballot.pk])).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(reverse("ballots:results", args=[ballot.pk])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("ballots:roll", args=[ballot.pk])).status_code == 200


def test_federation_creates_and_opens_a_ballot_through_the_pages(
    client, federation, section_a, voters_a, staff
):
    client.force_login(staff)
    response = client.post(
        reverse("ballots:create"),
        {
            "federation": federation.pk,
            "title": "Question sur le congrès",
            "description": "",
            "kind": "question",
            "mode": "online",
            "majority": "relative",
            "runoff_size": 2,
            "eligibility_date": "2025-01-15",
            "joined_before": "2024-12-31",
            "opens_at": "2025-02-01T09:00",
            "closes_at": "2025-02-01T08:00",
            "options": "Oui\nNon",
        },
    )
    assert "La clôture doit venir après l&#x27;ouverture." in response.content.decode()
    assert not Ballot.objects.exists()
    response = client.post(
        reverse("ballots:create"),
        {
            "federation": federation.pk,
            "title": "Question sur le congrès",
            "description": "",
            "kind": "question",
            "mode": "online",
            "majority": "relative",
            "runoff_size": 2,
            "eligibility_date": "2025-01-15",
            "joined_before": "2024-12-31",
            "opens_at": "2025-02-01T09:00",
            "closes_at": "2025-02-08T20:00",
            "options": "Oui\nNon\n",
        },
    )
    ballot = Ballot.objects.get()
    assert response.status_code == 302 and list(ballot.options.values_list("label", flat=True)) == [
        "Oui",
        "Non",
    ]
    client.post(reverse("ballots:open", args=[ballot.pk]))
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.RUNNING and ballot.roll.count() == 5


def test_an_open_online_vote_is_on_the_members_home_page(client, online, section_a):
    """The "Votes en cours" panel appears once the vote opens, and links to it."""
    client.force_login(voter_user(section_a))
    assert "panel-ballots_open" not in client.get(reverse("core:home")).content.decode()
    services.ballot_open(actor=SYSTEM, ballot=online)
    page = client.get(reverse("core:home")).content.decode()
    assert "panel-ballots_open" in page
    assert "orientation" in page and online.get_absolute_url() in page


def test_results_table_rows_for_pending_and_counted_pvs(
    client, federation, section_a, section_b, voters_a, voters_b, staff
):
    """The per-section rows (computed once in the view): a PV not yet entered shows a dash
    and no figures; a validated one its voters, turnout, votes, status badge and link."""
    ballot = make_ballot(federation, open_it=True)
    pv_a = SectionResult.objects.get(round__ballot=ballot, section=section_a)
    options = list(ballot.options.order_by("order", "pk"))
    SectionResult.objects.filter(pk=pv_a.pk).update(
        status=SectionResult.Status.VALIDATED, registered=4, voters=3, blank=0, void=0
    )
    pv_a.lines.create(option=options[0], votes=2)
    pv_a.lines.create(option=options[1], votes=1)
    client.force_login(staff)
    html = client.get(reverse("ballots:results", args=[ballot.pk])).content.decode()
    row_a = html[html.index(f'<th scope="row" class="fw-normal">{section_a.name}') :]
    row_a = row_a[: row_a.index("</tr>")]
    assert '<td class="text-end">3</td>' in row_a and "75,0 %" in row_a
    assert '<td class="text-end">2</td><td class="text-end">1</td>' in row_a
    assert reverse("ballots:pv_detail", args=[pv_a.pk]) in row_a
    assert '<span class="badge text-bg-success">' in row_a
    row_b = html[html.index(f'<th scope="row" class="fw-normal">{section_b.name}') :]
    row_b = row_b[: row_b.index("</tr>")]
    assert '<td class="text-end">—</td>' in row_b and "%" not in row_b
    assert '<span class="badge text-bg-secondary">' in row_b


def test_results_rows_built_in_python_escape_section_names(
    client, federation, section_a, voters_a, staff
):
    from fede.organization.tests.factories import make_section

    odd = make_section(federation, name='<script>alert("s")</script> & Co')
    paid_member(odd)
    ballot = make_ballot(federation, open_it=True)
    client.force_login(staff)
    html = client.get(reverse("ballots:results", args=[ballot.pk])).content.decode()
    assert "<script>alert" not in html
    assert (
        '<th scope="row" class="fw-normal">&lt;script&gt;alert(&quot;s&quot;)&lt;/script&gt;'
        " &amp; Co</th>" in html
    )


def test_vote_page_reads_the_round_vote_and_second_factor_in_one_query(
    client, federation, section_a, secretary_a, online, django_assert_max_num_queries
):
    """The current round comes with whether the member voted and whether they confirm
    with an authenticator app (TOTP): the page says so, in a fixed number of queries."""
    services.ballot_open(actor=SYSTEM, ballot=online)
    client.force_login(secretary_a)  # an office holder: TOTP
    url = reverse("ballots:vote", args=[online.pk])
    with django_assert_max_num_queries(7):
        page = client.get(url).content.decode()
    assert "application d&#x27;authentification" in page
    assert "Recevoir mon code par e-mail" not in page and "déjà voté" not in page
    services._cast(
        member=member_of(secretary_a),
        section_id=section_a.pk,
        round_=online.rounds.get(),
        option=None,
        now=timezone.now(),
    )
    page = client.get(url).content.decode()
    assert "Vous avez déjà voté à ce tour." in page and 'name="choice"' not in page


def test_home_panel_reads_open_votes_once_for_everyone_and_shows_each_their_own(
    client, federation, section_a, online, other_federation, other_section, staff, other_staff
):
    """The open online votes are read once per process for every reader; each reader sees
    only those ``in_scope`` gives them: another federation's member never sees them, even
    right after a member of the federation filled the cache."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from fede.core.memo import clear_all

    from ..models import participates
    from ..registry import _home_votes
    from ..selectors import OPEN_ONLINE

    paid_member(other_section)
    theirs = make_ballot(
        other_federation, mode=Ballot.Mode.ONLINE, title="Vote du Rhône", open_it=True
    )
    services.ballot_open(actor=SYSTEM, ballot=online)
    draft = make_ballot(federation, mode=Ballot.Mode.ONLINE, title="En préparation")
    ours, outsider = voter_user(section_a), voter_user(other_section)
    nobody = get_user_model().objects.create_user(email="nobody@example.org", password="x")
    superuser = get_user_model().objects.create_superuser(email="su@example.org", password="x")
    home = reverse("core:home")
    client.force_login(ours)
    page = client.get(home).content.decode()
    assert len(OPEN_ONLINE) == 1, "read once, kept for the next readers"
    assert online.get_absolute_url() in page and theirs.get_absolute_url() not in page
    client.force_login(outsider)
    page = client.get(home).content.decode()
    assert theirs.get_absolute_url() in page and online.get_absolute_url() not in page
    # The Python reach is in_scope's, for every kind of reader and ballot.
    for user in (ours, outsider, staff, other_staff, nobody, superuser, AnonymousUser()):
        clear_all()
        user = get_user_model().objects.get(pk=user.pk) if user.pk else user
        expected = set(
            Ballot.objects.in_scope(user, "ballots.participate").values_list("pk", flat=True)
        )
        for ballot in (online, theirs, draft):
            ballot = Ballot.objects.select_related("federation").get(pk=ballot.pk)
            assert participates(user, ballot.federation.path, ballot.status) == (
                ballot.pk in expected
            ), (user, ballot)
        if user.is_authenticated:
            request = RequestFactory().get(home)
            request.user = user
            panel = _home_votes(request)
            shown = {line["url"] for line in panel["lines"]} if panel else set()
            assert shown == {b.get_absolute_url() for b in (online, theirs) if b.pk in expected}, (
                user
            )
    # Closing the round (a save in this process) empties the cache: the vote leaves.
    client.force_login(ours)
    client.get(home)
    round_ = online.rounds.get()
    services.round_close(actor=SYSTEM, round=round_, now=round_.closes_at)
    assert not len(OPEN_ONLINE)
    assert online.get_absolute_url() not in client.get(home).content.decode()


def test_list_counts_its_pages_without_a_count_when_one_page_holds_them(
    client, federation, staff, django_assert_max_num_queries
):
    for i in range(20):
        make_ballot(federation, title=f"Vote {i:02d}")
    client.force_login(staff)
    url = reverse("ballots:list")
    page = client.get(url).content.decode()
    assert page.count('<tr><td><a href="/votes/') + page.count("<tr>\n          <td><a") == 20
    assert "Page 1 sur" not in page  # one page: no pager
    make_ballot(federation, title="Vote 20")
    with django_assert_max_num_queries(5):  # the first page of two: the COUNT runs
        page = client.get(url).content.decode()
    assert "Page 1 sur 2" in page
    page = client.get(url, {"page": 2}).content.decode()
    assert "Page 2 sur 2" in page and "Vote 00" in page
    assert "Page 2 sur 2" in client.get(url, {"page": 9}).content.decode()


def test_round_options_kept_per_process_never_open_a_page_to_someone_else(
    client, federation, section_a, voters_a, staff, other_section
):
    """The options of a round are kept per process once the federation read its results;
    who may read them is still decided on every request: 404 for another federation, no
    figure for a member before publication."""
    from ..selectors import ROUND_OPTIONS

    ballot = make_ballot(federation, open_it=True)
    url = reverse("ballots:results", args=[ballot.pk])
    client.force_login(staff)
    assert "Louise Michel" in client.get(url).content.decode()
    assert len(ROUND_OPTIONS) == 1
    client.force_login(voter_user(other_section))
    assert client.get(url).status_code == 404
    client.force_login(voter_user(section_a))
    page = client.get(url).content.decode()
    assert "Louise Michel" not in page and "Aucun résultat n" in page
    # A new round's options (a change of the through table) empty the cache.
    services.ballot_open(
        actor=SYSTEM, ballot=make_ballot(federation, title="Autre vote", options=("Oui", "Non"))
    )
    assert not len(ROUND_OPTIONS)
