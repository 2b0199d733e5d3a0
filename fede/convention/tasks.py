"""Background work of the convention app: grouping contributions by similarity."""

from __future__ import annotations

import hashlib

from django.urls import reverse
from django.utils.translation import gettext
from django_tasks import task

from fede.core.access import SYSTEM
from fede.core.tasks import progress_finish, progress_guard, progress_update

from . import services, similarity
from .models import Contribution, Topic


def signature_of(rows) -> str:
    """Identifies the input of a grouping: which contributions, in which version."""
    text = ",".join(f"{pk}:{version}" for pk, version in sorted(rows))
    return hashlib.sha256(text.encode()).hexdigest()


@task()
def group_contributions(progress_id: str, topic_id: int, user_id: int | None) -> None:
    with progress_guard(progress_id):
        topic = Topic.objects.select_related("convention").get(pk=topic_id)
        rows = list(
            Contribution.objects.filter(topic=topic)
            .order_by("pk")
            .values_list("pk", "version", "text", "minority_opinion")
        )
        progress_update(
            progress_id,
            total=len(rows),
            done=0,
            message=gettext("Analyse de %(n)s contributions…") % {"n": len(rows)},
        )
        groups = similarity.group_texts(
            [(pk, f"{text}\n{minority}") for pk, _v, text, minority in rows],
            progress=lambda done, total: progress_update(progress_id, done=done),
        )
        services.grouping_store(
            actor=SYSTEM,
            topic=topic,
            groups=[g.as_dict() for g in groups],
            signature=signature_of((pk, v) for pk, v, _t, _m in rows),
            count=len(rows),
            requested_by_id=user_id,
        )
        shared = sum(1 for g in groups if len(g.contributions) > 1)
        progress_finish(
            progress_id,
            message=gettext("%(groups)s groupes de contributions proches trouvés.")
            % {"groups": shared},
            result_url=reverse("convention:groups", args=[topic.pk]),
            result={"groups": len(groups)},
        )
