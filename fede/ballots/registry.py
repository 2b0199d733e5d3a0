"""What the ballots app declares to core: capabilities and grants, menu, home card, the
action codes of its trails and its part of a person's data."""

from django.utils.translation import gettext_lazy as _

from fede.core.registry import AppDeclaration, HomeCard, HomePanel, Link, register
from fede.organization.models import Role

MANAGERS = (Role.FIRST_SECRETARY, Role.FEDERAL_STAFF, Role.FEDERAL_SECRETARY)


def personal_data(user, member) -> dict:
    """The rolls a person is on and the rounds they voted in (the day) — never a ballot:
    the ballot box holds no link to voters."""
    if member is None:
        return {}
    from .models import RollEntry, VoteRecord

    rolls = [
        {
            "vote": entry.ballot.title,
            "section": entry.section.name,
            "radié·e": bool(entry.struck_at),
        }
        for entry in RollEntry.objects.filter(member=member).select_related("ballot", "section")
    ]
    voted = [
        {
            "vote": record.round.ballot.title,
            "tour": record.round.number,
            "jour": record.voted_on.isoformat(),
        }
        for record in VoteRecord.objects.filter(member=member).select_related("round__ballot")
    ]
    if not rolls and not voted:
        return {}
    return {str(_("Votes internes")): {"listes électorales": rolls, "émargements": voted}}


def _home_votes(request):
    """Online votes open now in the member's federation (home page panel)."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from fede.core.lists import PK_MARK

    from .models import participates
    from .selectors import open_online_ballots

    # The ballots of the list page (selectors.ballots_for: same reach, same order) with an
    # open online round: the list is read once for everyone (a few rows, kept a short
    # while), each reader's reach applied here by ``participates`` (in_scope's rules).
    ballots = [
        (pk, title)
        for pk, title, path, status in open_online_ballots()
        if participates(request.user, path, status)
    ][:5]
    if not ballots:
        return None
    meta = gettext("vote en ligne ouvert")
    url, mark = reverse("ballots:detail", args=[PK_MARK]), str(PK_MARK)
    return {
        "lines": [
            {"text": title, "url": url.replace(mark, str(pk)), "meta": meta}
            for pk, title in ballots
        ],
        "links": [(_("Tous les votes"), reverse("ballots:list"))],
    }


register(
    AppDeclaration(
        label="ballots",
        home_panels=(HomePanel("ballots_open", _("Votes en cours"), _home_votes, order=65),),
        capabilities={
            "ballots.manage": _(
                "Organiser les votes internes : liste électorale, validation des PV, clôture"
            ),
            "ballots.enter_results": _("Saisir le procès-verbal de dépouillement de sa section"),
            "ballots.countersign": _("Contresigner le procès-verbal de sa section (assesseur·e)"),
            "ballots.view_roll": _("Consulter la liste électorale de sa section"),
        },
        grants={
            Role.FIRST_SECRETARY: {"ballots.manage", "ballots.view_roll"},
            Role.FEDERAL_STAFF: {"ballots.manage", "ballots.view_roll"},
            Role.FEDERAL_SECRETARY: {"ballots.manage", "ballots.view_roll"},
            Role.SECTION_SECRETARY: {"ballots.enter_results", "ballots.view_roll"},
            Role.SECTION_BUREAU: {"ballots.countersign"},
            Role.SECTION_TREASURER: {"ballots.countersign"},
        },
        # Offices that run a vote or read the roll (names of members) must use MFA.
        member_data_capabilities=("ballots.manage", "ballots.enter_results", "ballots.view_roll"),
        menu=(Link("ballots:list", _("Votes"), order=60, prefix_match=True),),
        home_cards=(
            HomeCard(
                title=_("Votes internes"),
                text=_(
                    "Élection du premier secrétaire, motions : voter en ligne, saisir le "
                    "procès-verbal de sa section, consulter les résultats."
                ),
                links=(Link("ballots:list", _("Les votes")),),
                order=30,
            ),
        ),
        actions={
            "ballots.ballot_create": _("Vote « %(title)s » créé"),
            "ballots.ballot_update": _("Vote « %(title)s » modifié"),
            "ballots.ballot_open": _("Vote « %(title)s » ouvert : liste de %(roll)s inscrits"),
            "ballots.roll_add": _("Liste électorale de « %(title)s » : ajout n° %(member)s"),
            "ballots.roll_strike": _("Liste électorale de « %(title)s » : radiation n° %(member)s"),
            "ballots.roll_view": _("Liste électorale de « %(title)s », section %(section)s"),
            "ballots.roll_sheet": _(
                "Feuille d'émargement de « %(title)s », section %(section)s (PDF)"
            ),
            "ballots.round_open": _("Tour %(round)s de « %(title)s » ouvert"),
            "ballots.round_close": _("Tour %(round)s de « %(title)s » clos"),
            "ballots.round_publish": _("Résultats du tour %(round)s de « %(title)s » publiés"),
            "ballots.ballot_finish": _("Vote « %(title)s » terminé"),
            "ballots.vote_cast": _("Émargement au tour %(round)s de « %(title)s »"),
            "ballots.vote_code_send": _("Code de vote envoyé (tour %(round)s de « %(title)s »)"),
            "ballots.pv_enter": _("PV de %(section)s (tour %(round)s) saisi"),
            "ballots.pv_countersign": _("PV de %(section)s (tour %(round)s) contresigné"),
            "ballots.pv_validate": _("PV de %(section)s (tour %(round)s) validé"),
            "ballots.pv_request_correction": _(
                "Correction demandée sur le PV de %(section)s (tour %(round)s)"
            ),
            "ballots.pv_rectify": _("PV de %(section)s (tour %(round)s) rectifié : %(reason)s"),
        },
        personal_data=personal_data,
    )
)
