"""What the consultations app declares to core: capabilities and grants, menu, home card,
public URLs (public consultations are readable without an account), action codes and the
person's contributions for "Mes données"."""

from django.utils.translation import gettext_lazy as _

from fede.core.registry import AUTHENTICATED, AppDeclaration, HomeCard, Link, register
from fede.organization.models import Role

AUTHORS = (Role.FIRST_SECRETARY, Role.FEDERAL_STAFF, Role.FEDERAL_SECRETARY)


def personal_data(user, member) -> dict:
    from .selectors import person_contributions

    if member is None:
        return {}
    return {"consultations": person_contributions(member)}


register(
    AppDeclaration(
        label="consultations",
        capabilities={
            "consultations.manage": _(
                "Créer, ouvrir et clore les consultations, répondre aux contributions"
            ),
            "consultations.moderate": _("Modérer les contributions aux consultations"),
        },
        grants={role: {"consultations.manage", "consultations.moderate"} for role in AUTHORS},
        menu=(
            Link(
                "consultations:list",
                _("Consultations"),
                capability=AUTHENTICATED,
                order=60,
                prefix_match=True,
            ),
        ),
        home_cards=(
            HomeCard(
                title=_("Consultations"),
                text=_(
                    "Lire le plan de la fédération, le commenter paragraphe par paragraphe, "
                    "soutenir ou proposer une autre rédaction."
                ),
                links=(
                    Link("consultations:list", _("Les consultations"), capability=None),
                    Link(
                        "consultations:moderation",
                        _("Modération"),
                        capability="consultations.moderate",
                    ),
                ),
                order=30,
            ),
        ),
        public_url_names=(
            "consultations:list",
            "consultations:detail",
            "consultations:paragraph",
            "consultations:version",
            "consultations:synthesis",
        ),
        actions={
            "consultations.consultation_create": _(
                "Consultation n° %(consultation)s créée (%(paragraphs)s paragraphes)"
            ),
            "consultations.consultation_update": _("Consultation n° %(consultation)s modifiée"),
            "consultations.consultation_open": _("Consultation n° %(consultation)s ouverte"),
            "consultations.consultation_close": _("Consultation n° %(consultation)s close"),
            "consultations.version_create": _(
                "Consultation n° %(consultation)s : version %(version)s publiée"
            ),
            "consultations.comment_create": _(
                "Commentaire sur le paragraphe n° %(paragraph)s (consultation n° %(consultation)s)"
            ),
            "consultations.paragraph_support": _("Soutien au paragraphe n° %(paragraph)s"),
            "consultations.paragraph_unsupport": _("Soutien au paragraphe n° %(paragraph)s retiré"),
            "consultations.rewording_create": _(
                "Reformulation proposée pour le paragraphe n° %(paragraph)s"
            ),
            "consultations.rewording_support": _("Soutien à la reformulation n° %(rewording)s"),
            "consultations.rewording_unsupport": _(
                "Soutien à la reformulation n° %(rewording)s retiré"
            ),
            "consultations.comment_report": _("Commentaire n° %(comment)s signalé"),
            "consultations.reports_dismiss": _(
                "Commentaire n° %(comment)s maintenu (%(count)s signalements traités)"
            ),
            "consultations.comment_hide": _("Commentaire masqué : %(reason)s"),
            "consultations.comment_unhide": _("Commentaire rétabli"),
            "consultations.rewording_hide": _("Reformulation masquée : %(reason)s"),
            "consultations.rewording_unhide": _("Reformulation rétablie"),
            "consultations.comment_answer": _("Réponse à un commentaire (%(answer)s)"),
            "consultations.rewording_answer": _("Réponse à une reformulation (%(answer)s)"),
            "consultations.export": _("Export de la consultation n° %(consultation)s (%(format)s)"),
        },
        personal_data=personal_data,
    )
)
