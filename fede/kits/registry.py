"""What the kits app declares to core: capabilities and grants, menu, home card, action
codes of its trail and the personal data it holds (tasks assigned, comments, feedback)."""

from django.utils.translation import gettext_lazy as _

from fede.core.registry import AppDeclaration, HomeCard, HomePanel, Link, register
from fede.organization.models import Role

AUTHORS = (Role.FIRST_SECRETARY, Role.FEDERAL_STAFF, Role.FEDERAL_SECRETARY)
RUNNERS = (Role.SECTION_SECRETARY, Role.SECTION_BUREAU, Role.SECTION_TREASURER, *AUTHORS)


def personal_data(user, member) -> dict:
    from .selectors import personal_data_of

    return personal_data_of(user)


def _home_tasks(request):
    """The member's open kit tasks, the most urgent first (home page panel)."""
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    from fede.core.lists import PK_MARK

    from .selectors import home_tasks, today

    # The four values a line shows, without the run's and section's other columns (a
    # statement compiled once).
    tasks = home_tasks(request.user)
    if not tasks:
        return None
    day = today()
    late, due = gettext("en retard depuis le %(day)s"), gettext("pour le %(day)s")
    url, mark = reverse("kits:task_detail", args=[PK_MARK]), str(PK_MARK)
    return {
        "lines": [
            {
                "text": title,
                "url": url.replace(mark, str(pk)),
                "meta": (late if due_date < day else due)
                % {"day": date_format(due_date, "DATE_FORMAT")}
                + f" · {section_name}",
            }
            for pk, title, due_date, section_name in tasks
        ],
        "links": [(_("Toutes mes tâches"), reverse("kits:my_tasks"))],
    }


register(
    AppDeclaration(
        label="kits",
        home_panels=(HomePanel("kits_tasks", _("Mes tâches"), _home_tasks, order=70),),
        capabilities={
            "kits.author": _("Rédiger et publier les kits de la fédération"),
            "kits.run": _("Dérouler un kit pour sa section"),
        },
        grants={
            role: {"kits.run"} | ({"kits.author"} if role in AUTHORS else set()) for role in RUNNERS
        },
        menu=(Link("kits:my_tasks", _("Mes tâches"), order=65, prefix_match=False),),
        home_cards=(
            HomeCard(
                title=_("Kits de la fédération"),
                text=_(
                    "Des fiches pas à pas pour les tâches matérielles d'une section : réunion "
                    "publique, tractage, assemblée générale… à dérouler comme une liste datée."
                ),
                links=(
                    Link("kits:my_tasks", _("Mes tâches")),
                    Link("kits:library", _("Bibliothèque des kits"), capability="kits.run"),
                    Link("kits:boards", _("Tâches de ma section"), capability="kits.run"),
                    Link("kits:federation", _("Suivi fédéral"), capability="kits.author"),
                ),
                order=30,
            ),
        ),
        actions={
            "kits.kit_create": _("Kit « %(title)s » créé"),
            "kits.version_draft": _(
                "Nouvelle version %(number)s du kit « %(title)s » en brouillon"
            ),
            "kits.version_update": _("Version %(number)s du kit « %(title)s » modifiée"),
            "kits.version_publish": _("Version %(number)s du kit « %(title)s » publiée"),
            "kits.step_save": _("Étape « %(step)s » du kit « %(title)s » enregistrée"),
            "kits.step_delete": _("Étape « %(step)s » du kit « %(title)s » supprimée"),
            "kits.template_save": _("Modèle « %(template)s » du kit « %(title)s » enregistré"),
            "kits.template_delete": _("Modèle « %(template)s » du kit « %(title)s » supprimé"),
            "kits.run_start": _("Kit « %(title)s » lancé pour le %(date)s (%(tasks)s tâches)"),
            "kits.run_complete": _("Déroulé n° %(run)s terminé"),
            "kits.run_cancel": _("Déroulé n° %(run)s abandonné"),
            "kits.task_update": _("Tâche n° %(task)s du déroulé n° %(run)s mise à jour"),
            "kits.task_item": _("Point coché dans la tâche n° %(task)s"),
            "kits.task_comment": _("Commentaire sur la tâche n° %(task)s"),
            "kits.feedback_save": _("Retour sur le kit « %(title)s » (note %(rating)s/5)"),
            "kits.load": _(
                "Bibliothèque de kits chargée : %(created)s créés, %(updated)s mis à jour"
            ),
        },
        personal_data=personal_data,
    )
)
