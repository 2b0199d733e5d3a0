"""Events get a draft state; speakers belong to a federation.

- ``status``: "draft" → "published" → "cancelled". Every existing event was live the
  moment it was saved: existing "scheduled" rows become "published" (their
  ``published_at`` is their creation time). New events start as drafts.
- ``postponed_from``: the original start of an event moved to a new date.
- ``Speaker.owner``: the federation that keeps the record (and alone edits it);
  ``shared`` lets other federations put the speaker on their programmes. Existing
  speakers go to the only federation when there is one; otherwise to the federation of
  the first event they spoke at; a speaker with neither keeps no owner, meaning shared by
  every federation and edited from the top of the tree only.
"""

from django.db import migrations, models


def publish_existing(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Event.objects.filter(status="scheduled").update(status="published")
    Event.objects.filter(published_at__isnull=True).exclude(status="draft").update(
        published_at=models.F("created_at")
    )


def unpublish(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Event.objects.filter(status__in=["published", "draft"]).update(status="scheduled")


def assign_speakers(apps, schema_editor):
    Unit = apps.get_model("organization", "Unit")
    Speaker = apps.get_model("events", "Speaker")
    EventSpeaker = apps.get_model("events", "EventSpeaker")
    federations = dict(Unit.objects.filter(kind="federation").values_list("path", "pk"))
    if not federations:
        return
    if len(federations) == 1:
        Speaker.objects.filter(owner__isnull=True).update(owner_id=next(iter(federations.values())))
        return
    seen: set[int] = set()
    rows = EventSpeaker.objects.order_by("event__start", "pk").values_list(
        "speaker_id", "event__organiser__path"
    )
    for speaker_id, path in rows.iterator():
        if speaker_id in seen:
            continue
        for fed_path, pk in federations.items():
            if path.startswith(fed_path):
                Speaker.objects.filter(pk=speaker_id).update(owner_id=pk)
                seen.add(speaker_id)
                break


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("organization", "0002_member_search_trigram"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="status",
            field=models.CharField(
                choices=[("draft", "Brouillon"), ("published", "Publié"), ("cancelled", "Annulé")],
                db_default="published",
                default="draft",
                max_length=10,
                verbose_name="état",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="publié le"),
        ),
        migrations.AddField(
            model_name="event",
            name="postponed_from",
            field=models.DateTimeField(
                blank=True,
                help_text="Date d'origine d'un événement reporté.",
                null=True,
                verbose_name="initialement prévu le",
            ),
        ),
        migrations.RunPython(publish_existing, unpublish),
        migrations.AddField(
            model_name="speaker",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                help_text="La fédération qui tient cette fiche ; elle seule la modifie.",
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="owned_speakers",
                to="organization.unit",
                verbose_name="fédération",
            ),
        ),
        migrations.AddField(
            model_name="speaker",
            name="shared",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text=(
                    "Les autres fédérations peuvent inviter cette personne à leurs événements."
                ),
                verbose_name="partagé avec les autres fédérations",
            ),
        ),
        migrations.RunPython(assign_speakers, migrations.RunPython.noop),
    ]
