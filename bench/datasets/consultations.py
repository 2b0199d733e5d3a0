"""Consultations at national scale: one national public consultation open now (a text of
chapters and paragraphs, one of them the hot paragraph with hundreds of comments, replies,
rewordings and supports from members all over the party), and in each federation a small
consultation of its members.

Counters on the rows (supports, comments, rewordings) are those the services would have
written: the counts of the visible rows.
"""

from __future__ import annotations

import datetime

from bench.pages import Page, url

APP = "consultations"

CHAPTERS = (
    "Notre projet pour le logement",
    "L'école publique, priorité nationale",
    "Des services publics partout",
    "La santé, un droit pour toutes et tous",
    "Les transports du quotidien",
    "Une écologie populaire",
    "Le travail et les salaires",
    "L'Europe que nous voulons",
)
SENTENCES = (
    "Nous proposons de construire davantage de logements sociaux dans chaque commune.",
    "Les moyens doivent aller d'abord aux territoires qui en manquent le plus.",
    "Aucun service public ne doit fermer sans concertation avec les habitant·es.",
    "La gratuité des transports pour les jeunes est une mesure de justice.",
    "Le financement sera assuré par une réforme de la fiscalité du patrimoine.",
    "Les salarié·es doivent avoir leur mot à dire dans les choix de leur entreprise.",
)
COMMENTS = (
    "Je suis d'accord sur le fond, mais il faudrait chiffrer la mesure.",
    "Ce paragraphe oublie les zones rurales, où la situation est très différente.",
    "Très bonne proposition, c'est ce que nous défendons dans notre section depuis des années.",
    "Il faudrait préciser le calendrier : en combien de temps ?",
    "Attention à ne pas promettre ce que nous ne pourrons pas tenir.",
    "Notre section a débattu de ce point : nous proposons d'aller plus loin.",
)


def _paragraph_text(rng) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(2, 4)))


def generate(conn, ctx):
    try:
        from fede.consultations.models import (
            Chapter,
            Comment,
            Consultation,
            Paragraph,
            ParagraphSupport,
            Rewording,
            RewordingSupport,
            Version,
        )
    except ImportError:
        ctx.skip("l'application consultations n'a pas encore ces modèles")
    org = ctx.shared.get("organization")
    if org is None:
        ctx.skip("pas d'organisation générée")

    scale = ctx.scale
    rng = ctx.rng(APP)
    now = ctx.now
    federations = org["federations"]
    user_of = org["user_of"]
    fed_first = org["fed_first_secretary"]
    members = scale.members
    national_id = ctx.targets.get("organization", {}).get("national_id", 1)
    national_user = ctx.targets.get("organization", {}).get("national_first_secretary")

    # Sizes follow the membership: 500,000 members give a hot paragraph of 625 comments.
    hot_comments = max(20, min(800, members // 800))
    mean_comments = max(2, members // 20_000)
    mean_supports = max(3, members // 5_000)

    consultations, versions, chapters, paragraphs = [], [], [], []
    comments, rewordings, p_supports, r_supports = [], [], [], []

    def build(cid, n_chapters, per_chapter, author, hot_paragraph: bool):
        """Version 1 of consultation ``cid`` and its contributions; the hot paragraph id."""
        vid = len(versions) + 1
        source, hot = [], None
        created = now - datetime.timedelta(days=20)
        for c in range(1, n_chapters + 1):
            chid = len(chapters) + 1
            title = CHAPTERS[(c - 1) % len(CHAPTERS)]
            chapters.append((chid, vid, c, title))
            source.append(f"## {title}")
            for p in range(1, per_chapter + 1):
                pid = len(paragraphs) + 1
                text = _paragraph_text(rng)
                source.append(text)
                is_hot = hot_paragraph and hot is None and c == 1 and p == 2
                if is_hot:
                    hot = pid
                n_comments = hot_comments if is_hot else int(rng.expovariate(1 / mean_comments))
                n_supports = min(
                    members,
                    mean_supports * 5 if is_hot else int(rng.expovariate(1 / mean_supports)),
                )
                n_rewordings = 15 if is_hot else int(rng.expovariate(0.5))
                tops: list[int] = []
                for k in range(n_comments):
                    mid = len(comments) + 1
                    parent = rng.choice(tops) if tops and rng.random() < 0.3 else None
                    if parent is None:
                        tops.append(mid)
                    when = created + datetime.timedelta(minutes=10 * k + rng.randint(0, 9))
                    answered = parent is None and rng.random() < 0.05
                    comments.append(
                        (
                            mid,
                            pid,
                            rng.randint(1, members),
                            parent,
                            rng.choice(COMMENTS),
                            "considered" if answered else "",
                            "Nous en tiendrons compte dans la version 2." if answered else "",
                            when + datetime.timedelta(days=1) if answered else None,
                            author if answered else None,
                            when,
                        )
                    )
                for member in rng.sample(range(1, members + 1), n_supports):
                    p_supports.append((len(p_supports) + 1, pid, member, created))
                for _k in range(n_rewordings):
                    rwid = len(rewordings) + 1
                    backers = rng.sample(
                        range(1, members + 1), min(members, int(rng.expovariate(1 / 8)))
                    )
                    rewordings.append(
                        (
                            rwid,
                            pid,
                            rng.randint(1, members),
                            _paragraph_text(rng),
                            "Une rédaction plus précise.",
                            len(backers),
                            created + datetime.timedelta(hours=rng.randint(1, 400)),
                        )
                    )
                    for member in backers:
                        r_supports.append((len(r_supports) + 1, rwid, member, created))
                paragraphs.append((pid, chid, p, text, "new", n_supports, n_comments, n_rewordings))
        versions.append((vid, cid, 1, "Texte initial.", "\n\n".join(source), author, created))
        return hot

    # The national consultation, open to everybody.
    hot = build(1, len(CHAPTERS), 12, national_user, True)
    opens = now - datetime.timedelta(days=20)
    consultations.append(
        (
            1,
            "Projet pour les élections : consultation des adhérent·es",
            "Le projet soumis aux adhérent·es, chapitre par chapitre.",
            national_id,
            "public",
            None,
            opens,
            opens + datetime.timedelta(days=45),
            "published",
            national_user,
            opens,
        )
    )
    # A small consultation of each federation's members.
    for fi, (fid, _path, _dept) in enumerate(federations):
        cid = len(consultations) + 1
        author = user_of[fed_first[fi]]
        build(cid, 2, 4, author, False)
        opens = now - datetime.timedelta(days=rng.randint(5, 60))
        consultations.append(
            (
                cid,
                "Nos priorités pour la fédération",
                "Les priorités de l'année, à discuter dans les sections.",
                fid,
                "federation",
                None,
                opens,
                opens + datetime.timedelta(days=30),
                "published",
                author,
                opens,
            )
        )

    ctx.copy(
        Consultation,
        [
            "id",
            "title",
            "summary",
            "unit_id",
            "audience",
            "section_id",
            "opens_at",
            "closes_at",
            "status",
            "created_by_id",
            "created_at",
        ],
        consultations,
    )
    ctx.copy(
        Version,
        ["id", "consultation_id", "number", "note", "source", "created_by_id", "created_at"],
        versions,
    )
    ctx.copy(Chapter, ["id", "version_id", "position", "title"], chapters)
    ctx.copy_timed(
        Paragraph,
        [
            "id",
            "chapter_id",
            "position",
            "text",
            "change",
            "support_count",
            "comment_count",
            "rewording_count",
        ],
        paragraphs,
    )
    ctx.copy_timed(
        Comment,
        [
            "id",
            "paragraph_id",
            "author_id",
            "parent_id",
            "text",
            "answer",
            "answer_text",
            "answered_at",
            "answered_by_id",
            "created_at",
        ],
        comments,
    )
    ctx.copy(
        Rewording,
        [
            "id",
            "paragraph_id",
            "author_id",
            "text",
            "explanation",
            "support_count",
            "created_at",
        ],
        rewordings,
    )
    ctx.copy_timed(ParagraphSupport, ["id", "paragraph_id", "member_id", "created_at"], p_supports)
    ctx.copy(RewordingSupport, ["id", "rewording_id", "member_id", "created_at"], r_supports)

    org_targets = ctx.targets.get("organization", {})
    ctx.targets[APP] = {
        "consultation_id": 1,
        "hot_paragraph_id": hot,
        "hot_comments": hot_comments,
        "users": [{"user_id": s["user_id"]} for s in org_targets.get("section_secretaries", [])]
        + [{"user_id": m["user_id"]} for m in org_targets.get("members", [])],
        "managers": [{"user_id": national_user}] if national_user else [],
    }


def pages(targets: dict) -> list[Page]:
    t = targets.get(APP, {})
    if not t:
        return []
    users, managers = t.get("users", []), t.get("managers", [])
    cid, pid = t["consultation_id"], t["hot_paragraph_id"]
    return [
        Page(
            "consultations.text",
            "Texte d'une consultation nationale (adhérent·e connecté·e)",
            users,
            lambda e: [url("consultations:detail", cid)],
            weight=3,
        ),
        Page(
            "consultations.text_public",
            "Texte d'une consultation nationale publique (anonyme)",
            [{}],
            lambda e: [url("consultations:detail", cid)],
            anonymous=True,
        ),
        Page(
            "consultations.hot_paragraph",
            f"Paragraphe aux {t.get('hot_comments', 0)} commentaires (adhérent·e connecté·e)",
            users,
            lambda e: [url("consultations:paragraph", pid)],
            weight=3,
        ),
        Page(
            "consultations.synthesis",
            "Synthèse d'une consultation nationale (direction nationale)",
            managers,
            lambda e: [url("consultations:synthesis", cid)],
        ),
    ]
