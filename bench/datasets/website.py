"""The public website: news of the national federation, and the pages a visitor reads
most — the home page, a section's public page, the directory narrowed to an
arrondissement (postcode search). Sections and events are those already generated.
"""

from __future__ import annotations

from bench.pages import Page, url

APP = "website"


def generate(conn, ctx):
    try:
        from fede.website.models import NewsPost
    except ImportError:
        ctx.skip("l'application du site public n'a pas encore ces modèles")
    org = ctx.shared.get("organization")
    if org is None:
        ctx.skip("pas d'organisation générée")
    national_id = ctx.targets.get("organization", {}).get("national_id", 1)
    import datetime

    rows = []
    for k in range(60):
        when = ctx.now - datetime.timedelta(days=3 * k + 1)
        rows.append(
            (
                k + 1,
                national_id,
                f"Actualité de la fédération n° {60 - k}",
                f"actualite-{60 - k}",
                "Une actualité de la fédération.",
                "La fédération a réuni ses sections. **Merci** à toutes et à tous.",
                "published",
                when,
                when,
                when,
            )
        )
    ctx.copy(
        NewsPost,
        [
            "id",
            "unit_id",
            "title",
            "slug",
            "summary",
            "body",
            "status",
            "published_at",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    ctx.targets[APP] = {
        "section_ids": ctx.targets.get("organization", {}).get("public_section_ids", [])[:8],
        "news_slug": "actualite-60",
    }


def pages(targets: dict) -> list[Page]:
    t = targets.get(APP, {})
    if not t:
        return []
    anonymous = [{}]
    return [
        Page(
            "website.home",
            "Accueil du site public (anonyme)",
            anonymous,
            lambda e: [url("website:home")],
            anonymous=True,
            weight=3,
        ),
        Page(
            "website.sections_postcode",
            "Annuaire des sections, recherche 75011 (anonyme)",
            anonymous,
            lambda e: [url("website:sections", q="75011")],
            anonymous=True,
        ),
        Page(
            "website.section",
            "Page publique d'une section (anonyme)",
            [{"section_id": s} for s in t["section_ids"]] or anonymous,
            lambda e: [url("website:section", e["section_id"])],
            anonymous=True,
        ),
        Page(
            "website.news",
            "Une actualité (anonyme)",
            anonymous,
            lambda e: [url("website:news_detail", t["news_slug"])],
            anonymous=True,
        ),
    ]
