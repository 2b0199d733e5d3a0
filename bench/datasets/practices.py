"""The officers' practices space at national scale: every federation's officers share
practices and ask questions (about 25 posts per federation — 2,500 — with 4 answers each
and a few "utile" votes), so the list, a post and the French full-text search are
measured on a realistic volume. The search vector is the one the database trigger keeps
(computed here in one UPDATE, the load skipping triggers).
"""

from __future__ import annotations

import datetime

from bench.pages import Page, url

APP = "practices"

TOPICS = (
    ("organisation", "Tenir une permanence hebdomadaire dans le quartier"),
    ("mobilisation", "Organiser un porte-à-porte avant les élections"),
    ("accueil", "Accueillir les nouveaux adhérents en réunion de section"),
    ("finances", "Relancer les cotisations sans froisser personne"),
    ("communication", "Faire vivre la page de la section sur les réseaux sociaux"),
    ("organisation", "Préparer l'assemblée générale de la section"),
    ("mobilisation", "Tracter au marché le dimanche matin"),
    ("communication", "Rédiger un tract clair en une page"),
)
BODY = (
    "Nous avons testé plusieurs formules dans la section. Ce qui a marché : un calendrier "
    "fixé à l'avance, des binômes d'adhérents expérimentés et nouveaux, un point d'étape "
    "à chaque réunion. Les élections approchent : c'est le moment de mobiliser."
)


def generate(conn, ctx):
    try:
        from fede.practices.models import Comment, Post, Vote
    except ImportError:
        ctx.skip("l'application des pratiques n'a pas encore ces modèles")
    org = ctx.shared.get("organization")
    if org is None:
        ctx.skip("pas d'organisation générée")
    rng = ctx.rng(APP)
    federations = org["federations"]
    fed_sections = org["fed_sections"]
    sections = org["sections"]
    user_of = org["user_of"]
    secretary = org["section_secretary"]
    now = ctx.now
    posts, comments, votes = [], [], []
    pid = cid = vid = 0
    fed_officers: dict[int, list[tuple[int, int]]] = {}
    for fi, (fid, _path, _dept) in enumerate(federations):
        officers = [
            (user_of[secretary[si]], sections[si][0])
            for si in fed_sections[fi]
            if secretary.get(si) in user_of
        ]
        fed_officers[fid] = officers
        if not officers:
            continue
        for k in range(25):
            pid += 1
            category, title = TOPICS[(fi + k) % len(TOPICS)]
            author, unit = officers[rng.randrange(len(officers))]
            when = now - datetime.timedelta(days=rng.randint(0, 700), minutes=k)
            kind = "question" if k % 3 == 0 else "practice"
            posts.append(
                (
                    pid,
                    fid,
                    author,
                    unit,
                    kind,
                    f"{title} ({k + 1})",
                    BODY,
                    category,
                    "terrain,section",
                    when,
                    when,
                    when,
                )
            )
            for _ in range(4):
                cid += 1
                a, u = officers[rng.randrange(len(officers))]
                comments.append(
                    (cid, pid, a, u, "Merci, nous allons essayer chez nous.", when, when)
                )
            voters = {officers[rng.randrange(len(officers))][0] for _ in range(3)}
            for v in voters:
                vid += 1
                votes.append((vid, pid, v, when))
    ctx.copy_timed(
        Post,
        [
            "id",
            "federation_id",
            "author_id",
            "author_unit_id",
            "kind",
            "title",
            "body",
            "category",
            "tags",
            "last_activity_at",
            "created_at",
            "updated_at",
        ],
        posts,
    )
    ctx.copy_timed(
        Comment,
        ["id", "post_id", "author_id", "author_unit_id", "body", "created_at", "updated_at"],
        comments,
    )
    ctx.copy_timed(Vote, ["id", "post_id", "user_id", "created_at"], votes)
    # What the trigger writes on insert (triggers are off during the load).
    conn.execute(
        "UPDATE practices_post SET search_vector = "
        "setweight(to_tsvector('french_unaccent', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('french_unaccent', replace(coalesce(tags, ''), ',', ' ')), 'B') || "
        "setweight(to_tsvector('french_unaccent', coalesce(body, '')), 'C')"
    )
    paris = next((f[0] for f in federations if f[2] == "75"), federations[0][0])
    officers = fed_officers.get(paris) or next(o for o in fed_officers.values() if o)
    ctx.targets[APP] = {
        "officers": [{"user_id": u} for u, _unit in officers[:8]],
        "post_id": next(p[0] for p in posts if p[1] == paris)
        if any(p[1] == paris for p in posts)
        else posts[0][0],
        "posts": len(posts),
    }


def pages(targets: dict) -> list[Page]:
    t = targets.get(APP, {})
    if not t:
        return []
    return [
        Page(
            "practices.index",
            "Espace des pratiques de sa fédération (secrétaire de section)",
            t["officers"],
            lambda e: [url("practices:index")],
        ),
        Page(
            "practices.search",
            "Recherche plein texte « elections » dans les pratiques (secrétaire)",
            t["officers"],
            lambda e: [url("practices:search", q="elections")],
        ),
        Page(
            "practices.post",
            "Une pratique et ses réponses (secrétaire)",
            t["officers"],
            lambda e: [url("practices:detail", t["post_id"])],
        ),
    ]
