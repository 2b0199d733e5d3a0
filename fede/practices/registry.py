"""What the practices app declares to core: capabilities and grants, menu, home card and
panel, action codes of its trail and the personal data it holds (posts, answers, « utile »
votes, follows, kit proposals)."""

from django.utils.translation import gettext_lazy as _

from fede.core.registry import AppDeclaration, HomeCard, HomePanel, Link, register
from fede.organization.models import Role

PARTICIPATE = "practices.participate"
MODERATE = "practices.moderate"
HIGHLIGHT = "practices.highlight"

#: The federation's leadership moderates and highlights.
FEDERATION = (Role.FIRST_SECRETARY, Role.FEDERAL_SECRETARY, Role.FEDERAL_STAFF)


def personal_data(user, member) -> dict:
    from .selectors import personal_data_of

    return personal_data_of(user)


def _home_highlighted(request):
    """The posts the federation puts forward (home page panel of officers)."""
    from django.urls import reverse

    from fede.core.lists import PK_MARK
    from fede.organization.roles import capabilities_anywhere

    from .models import Category
    from .selectors import highlighted_panel_rows

    if PARTICIPATE not in capabilities_anywhere(request.user):
        return None
    # Id, title and theme only: no join to the author (the panel does not show them); the
    # same for every reader of the same federations, kept a minute per scope.
    posts = highlighted_panel_rows(request.user, 4)
    if not posts:
        return None
    # get_category_display() translates every theme at each call: once for the panel.
    themes = {value: str(label) for value, label in Category.choices}
    url, mark = reverse("practices:detail", args=[PK_MARK]), str(PK_MARK)
    return {
        "lines": [
            {
                "text": title,
                "url": url.replace(mark, str(pk)),
                "meta": themes.get(category, category),
            }
            for pk, title, category in posts
        ],
        "links": [(_("Tout l'espace des pratiques"), reverse("practices:index"))],
    }


register(
    AppDeclaration(
        label="practices",
        capabilities={
            PARTICIPATE: _("Lire et partager dans l'espace des pratiques des responsables"),
            MODERATE: _("Modérer l'espace des pratiques (masquer, retenir une réponse)"),
            HIGHLIGHT: _("Mettre en avant une publication de l'espace des pratiques"),
        },
        grants={
            role: {PARTICIPATE} | ({MODERATE, HIGHLIGHT} if role in FEDERATION else set())
            for role in Role.values
        },
        menu=(
            Link(
                "practices:index",
                _("Pratiques"),
                capability=PARTICIPATE,
                order=68,
                prefix_match=True,
            ),
        ),
        home_cards=(
            HomeCard(
                title=_("Partage des pratiques"),
                text=_(
                    "L'espace réservé aux responsables : questions, retours d'expérience, "
                    "documents, entre sections de la fédération."
                ),
                links=(
                    Link("practices:index", _("Ouvrir l'espace"), capability=PARTICIPATE),
                    Link("practices:create", _("Poser une question"), capability=PARTICIPATE),
                    Link(
                        "practices:proposals",
                        _("Propositions pour les kits"),
                        capability="kits.author",
                    ),
                ),
                order=35,
            ),
        ),
        home_panels=(
            HomePanel(
                "practices_highlighted", _("Pratiques mises en avant"), _home_highlighted, order=75
            ),
        ),
        actions={
            "practices.post_create": _("Publication n° %(post)s créée dans l'espace des pratiques"),
            "practices.post_update": _("Publication n° %(post)s modifiée"),
            "practices.comment_create": _("Réponse n° %(comment)s à la publication n° %(post)s"),
            "practices.answer_accept": _(
                "Réponse n° %(comment)s retenue pour la question n° %(post)s"
            ),
            "practices.answer_unaccept": _("Plus de réponse retenue pour la question n° %(post)s"),
            "practices.post_highlight": _("Publication n° %(post)s mise en avant"),
            "practices.post_unhighlight": _("Publication n° %(post)s n'est plus mise en avant"),
            "practices.post_hide": _("Publication n° %(post)s masquée"),
            "practices.post_unhide": _("Publication n° %(post)s de nouveau visible"),
            "practices.comment_hide": _("Réponse n° %(comment)s masquée"),
            "practices.comment_unhide": _("Réponse n° %(comment)s de nouveau visible"),
            "practices.attachment_add": _("Fichier ajouté à la publication n° %(post)s"),
            "practices.kit_propose": _(
                "Publication n° %(post)s proposée pour améliorer le kit « %(kit)s »"
            ),
            "practices.kit_proposal_accept": _(
                "Proposition n° %(proposal)s pour le kit « %(kit)s » retenue"
            ),
            "practices.kit_proposal_decline": _(
                "Proposition n° %(proposal)s pour le kit « %(kit)s » non retenue"
            ),
        },
        personal_data=personal_data,
    )
)
