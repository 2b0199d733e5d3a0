"""What the convention app declares to core: capabilities and grants, menu, home card,
action codes of its trail and its part of "Mes données"."""

from django.utils.translation import gettext_lazy as _

from fede.core.registry import AppDeclaration, HomeCard, Link, register
from fede.organization.models import Role

MANAGE = "convention.manage"
RAPPORTEUR = "convention.rapporteur"
CONTRIBUTE = "convention.contribute"


def personal_data(user, member) -> dict:
    """What the convention holds about a person: the texts they deposited for a section."""
    from .models import Amendment, Contribution

    if user is None or not getattr(user, "pk", None):
        return {}
    contributions = [
        {
            "convention": c.topic.convention.title,
            "sujet": c.topic.title,
            "section": c.section.name,
            "version": c.version,
            "modifiée le": c.updated_at.isoformat(),
        }
        for c in Contribution.objects.filter(submitted_by=user).select_related(
            "topic__convention", "section"
        )
    ]
    amendments = [
        {
            "amendement": a.pk,
            "paragraphe": a.paragraph.label,
            "section": a.section.name,
            "déposé le": a.created_at.isoformat(),
        }
        for a in Amendment.objects.filter(submitted_by=user).select_related(
            "paragraph__topic", "section"
        )
    ]
    if not contributions and not amendments:
        return {}
    return {
        str(_("Convention : contributions déposées")): contributions,
        str(_("Convention : amendements déposés")): amendments,
    }


register(
    AppDeclaration(
        label="convention",
        capabilities={
            MANAGE: _("Organiser la convention : calendrier, sujets, résultats du vote"),
            RAPPORTEUR: _("Rédiger les synthèses et répondre aux amendements"),
            CONTRIBUTE: _("Déposer les contributions et amendements de sa section"),
        },
        grants={
            Role.FIRST_SECRETARY: {MANAGE, RAPPORTEUR},
            Role.FEDERAL_STAFF: {MANAGE, RAPPORTEUR},
            Role.FEDERAL_SECRETARY: {RAPPORTEUR},
            Role.SECTION_SECRETARY: {CONTRIBUTE},
            Role.SECTION_BUREAU: {CONTRIBUTE},
        },
        menu=(Link("convention:index", _("Convention"), order=55, prefix_match=True),),
        home_cards=(
            HomeCard(
                title=_("Convention annuelle"),
                text=_(
                    "Trois sujets débattus en section, les contributions, la synthèse, "
                    "les amendements et le vote de la convention."
                ),
                links=(
                    Link("convention:index", _("Voir la convention")),
                    Link("convention:my_section", _("Ma section"), capability=CONTRIBUTE),
                ),
                order=30,
            ),
        ),
        actions={
            "convention.convention_create": _("Convention %(year)s créée"),
            "convention.convention_update": _("Convention %(year)s : calendrier modifié"),
            "convention.results_publish": _("Convention %(year)s : résultats publiés"),
            "convention.topic_create": _("Sujet « %(topic)s » créé"),
            "convention.topic_update": _("Sujet « %(topic)s » modifié"),
            "convention.document_add": _("Document « %(title)s » ajouté au sujet n° %(topic)s"),
            "convention.debate_schedule": _("Débat de la section %(section)s programmé"),
            "convention.contribution_submit": _(
                "Contribution de la section %(section)s sur le sujet n° %(topic)s déposée"
            ),
            "convention.contribution_update": _(
                "Contribution n° %(contribution)s modifiée (version %(version)s)"
            ),
            "convention.contribution_note": _(
                "Réponse des rapporteur·es sur la contribution n° %(contribution)s"
            ),
            "convention.paragraph_create": _("Synthèse : paragraphe %(label)s ajouté"),
            "convention.paragraph_update": _(
                "Synthèse : paragraphe %(label)s modifié (version %(version)s)"
            ),
            "convention.citation_set": _(
                "Synthèse : paragraphe %(label)s cite la contribution n° %(contribution)s"
            ),
            "convention.citation_remove": _(
                "Synthèse : paragraphe %(label)s ne cite plus la contribution n° %(contribution)s"
            ),
            "convention.synthesis_publish": _("Synthèse du sujet n° %(topic)s publiée"),
            "convention.grouping_request": _(
                "Regroupement des contributions du sujet n° %(topic)s"
            ),
            "convention.amendment_submit": _(
                "Amendement n° %(amendment)s de la section %(section)s au paragraphe %(label)s"
            ),
            "convention.amendment_answer": _("Amendement n° %(amendment)s : %(status)s"),
            "convention.result_record": _(
                "Convention %(year)s : résultat du vote enregistré (%(item)s)"
            ),
        },
        personal_data=personal_data,
    )
)
