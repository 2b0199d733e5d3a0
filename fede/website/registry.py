"""What the public site declares to core: capabilities and grants, public URLs, home card,
the action codes of its trail, and the personal data a join request holds."""

from django.utils.translation import gettext_lazy as _

from fede.core.registry import AppDeclaration, HomeCard, Link, register
from fede.organization.models import Role

PUBLISHERS = (Role.FIRST_SECRETARY, Role.FEDERAL_SECRETARY, Role.FEDERAL_STAFF)
#: Those who decide join requests also create members and send invitations
#: (organization's "members.add" and "members.invite").
JOIN_DECIDERS = (Role.SECTION_SECRETARY, Role.FIRST_SECRETARY, Role.FEDERAL_STAFF)


def personal_data(user, member) -> dict:
    from .selectors import personal_data_of

    return personal_data_of(user, member)


register(
    AppDeclaration(
        label="website",
        capabilities={
            "website.publish": _("Publier les actualités et les pages du site public"),
            "website.joins": _("Traiter les demandes d'adhésion"),
        },
        grants={
            role: ({"website.publish"} if role in PUBLISHERS else set())
            | ({"website.joins"} if role in JOIN_DECIDERS else set())
            for role in {*PUBLISHERS, *JOIN_DECIDERS}
        },
        # A join request is a person's identity, address and political choice.
        member_data_capabilities=("website.joins",),
        home_cards=(
            HomeCard(
                title=_("Site public"),
                text=_("Les actualités et les pages du site, les demandes d'adhésion."),
                links=(
                    Link("website:home", _("Voir le site public")),
                    Link(
                        "website:join_requests",
                        _("Demandes d'adhésion"),
                        capability="website.joins",
                    ),
                    Link("website:manage", _("Actualités et pages"), capability="website.publish"),
                ),
                order=15,
            ),
        ),
        public_url_names=(
            "website:home",
            "website:news_list",
            "website:news_detail",
            "website:page",
            "website:sections",
            "website:section",
            "website:section_contact",
            "website:map",
            "website:join",
            "website:join_sent",
            "website:join_confirm",
            "website:sitemap",
            "website:robots",
            "website:favicon",
        ),
        actions={
            "website.news_create": _("Actualité « %(title)s » créée"),
            "website.news_update": _("Actualité « %(title)s » modifiée"),
            "website.news_publish": _("Actualité « %(title)s » publiée"),
            "website.news_unpublish": _("Actualité « %(title)s » retirée"),
            "website.page_create": _("Page « %(title)s » créée"),
            "website.page_update": _("Page « %(title)s » modifiée"),
            "website.page_publish": _("Page « %(title)s » publiée"),
            "website.page_unpublish": _("Page « %(title)s » retirée"),
            "website.contact": _("Message du site public transmis à la section %(section)s"),
            "website.join_create": _("Demande d'adhésion n° %(request)s reçue pour %(section)s"),
            "website.join_confirm": _("Demande d'adhésion n° %(request)s confirmée par e-mail"),
            "website.join_accept": _(
                "Demande d'adhésion n° %(request)s acceptée : fiche n° %(member)s"
            ),
            "website.join_redirect": _(
                "Demande d'adhésion n° %(request)s réorientée de %(from)s vers %(to)s"
            ),
            "website.join_decline": _("Demande d'adhésion n° %(request)s refusée"),
            "website.join_purge": _(
                "%(count)s demandes d'adhésion effacées (durée de conservation)"
            ),
        },
        personal_data=personal_data,
    )
)
