"""Venues (and so their rooms) belong to a federation, which decides who sees, books and
manages them; ``shared`` opens them to the other federations.

Existing venues are given an owner where it can be told from the data:

- when the tree has exactly one federation, it owns every venue (the usual case: one
  federation ran Fédé before ownership existed);
- otherwise a venue goes to the federation whose sections made most of its bookings;
- a venue with no booking keeps no owner. No owner means "shared by every federation,
  managed from the top of the tree": nobody loses a room they could book, and a
  federation claims the venue by setting its owner.
"""

from collections import Counter

from django.db import migrations, models


def _federation_of(path: str, federations: dict[str, int]) -> int | None:
    for fed_path, pk in federations.items():
        if path.startswith(fed_path):
            return pk
    return None


def assign_owners(apps, schema_editor):
    Unit = apps.get_model("organization", "Unit")
    Venue = apps.get_model("rooms", "Venue")
    Booking = apps.get_model("rooms", "Booking")
    federations = dict(Unit.objects.filter(kind="federation").values_list("path", "pk"))
    if not federations:
        return
    if len(federations) == 1:
        Venue.objects.filter(owner__isnull=True).update(owner_id=next(iter(federations.values())))
        return
    votes: dict[int, Counter] = {}
    rows = Booking.objects.values_list("room__venue_id", "section__path").iterator()
    for venue_id, path in rows:
        fed = _federation_of(path, federations)
        if fed is not None:
            votes.setdefault(venue_id, Counter())[fed] += 1
    for venue_id, counter in votes.items():
        Venue.objects.filter(pk=venue_id, owner__isnull=True).update(
            owner_id=counter.most_common(1)[0][0]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("organization", "0002_member_search_trigram"),
        ("rooms", "0003_booking_confirmed_span_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="venue",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                help_text="Qui voit, réserve et gère ce lieu ; vide : partagé par toutes.",
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="owned_venues",
                to="organization.unit",
                verbose_name="fédération propriétaire",
            ),
        ),
        migrations.AddField(
            model_name="venue",
            name="shared",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text=(
                    "Les sections des autres fédérations peuvent voir et réserver ses salles."
                ),
                verbose_name="partagé avec les autres fédérations",
            ),
        ),
        migrations.AddIndex(
            model_name="venue",
            index=models.Index(fields=["owner", "is_active"], name="rooms_venue_owner_i_df7d30_idx"),
        ),
        migrations.RunPython(assign_owners, migrations.RunPython.noop),
    ]
