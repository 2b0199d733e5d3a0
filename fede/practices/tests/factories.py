"""Posts and answers for tests, written through the services (as officers would)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fede.practices import services
from fede.practices.models import Category, Post

#: A fixed moment: nothing in these tests depends on today's date.
T0 = timezone.make_aware(datetime.datetime(2025, 3, 3, 18, 0))


def make_post(actor, n: int = 0, **fields) -> Post:
    data = {
        "title": f"Tenir une permanence n° {n}",
        "body": "Nous tenons la permanence le samedi matin devant le marché.",
        "category": Category.ORGANISATION,
        "kind": Post.Kind.PRACTICE,
        "tags": "permanence, marchés",
        "created_at": T0 + datetime.timedelta(hours=n),
    }
    data.update(fields)
    return services.post_create(actor=actor, **data)


def make_question(actor, n: int = 0, **fields) -> Post:
    fields.setdefault("title", f"Comment réserver une salle ? ({n})")
    fields.setdefault("body", "Quelles démarches pour une salle municipale ?")
    return make_post(actor, n, kind=Post.Kind.QUESTION, **fields)


def make_answer(actor, post: Post, body: str = "Passez par la mairie d'arrondissement.", n=0):
    return services.comment_create(
        actor=actor, post=post, body=body, created_at=T0 + datetime.timedelta(days=1, hours=n)
    )
