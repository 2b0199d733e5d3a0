"""Forms of the rooms screens: they parse and validate input; services write.

The section a booking is for is chosen among the units the user may book for; anything
else posted is refused by the field (a section officer cannot book for another section).
"""

from __future__ import annotations

import datetime

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fede.core.forms import DateInput, QuickCheckboxes, QuickSelect, SearchableSelect
from fede.core.sorting import natural_key
from fede.core.uploads import CheckedFileField
from fede.organization.models import Unit
from fede.organization.roles import units_q

from . import cache, slots
from .models import BookingSeries, Equipment, OpeningHours, Room, Venue
from .selectors import DirectoryFilters, arrondissements, booking_units_for_user


class TimeInput(forms.TimeInput):
    """A native time picker (core has date and date-time pickers only)."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class _NaturalUnits(ModelChoiceIterator):
    """Federations first, then sections in natural order ("Paris 2" before "Paris 10"),
    sorted in Python."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        units = sorted(
            self.queryset,
            key=lambda u: (u.kind != Unit.Kind.FEDERATION, natural_key(u.name)),
        )
        for unit in units:
            yield self.choice(unit)


class UnitChoiceField(forms.ModelChoiceField):
    """A unit among many: a filter box above the list, names in natural order."""

    iterator = _NaturalUnits
    widget = SearchableSelect

    def label_from_instance(self, unit):
        return unit.name


def _filter_options() -> tuple[list, list]:
    """(arrondissement, equipment) options of the directory's filters, as (id, name)."""
    return (
        list(arrondissements().values_list("pk", "name")),
        list(Equipment.objects.order_by("name").values_list("pk", "name")),
    )


def _in_grid(form: forms.BaseForm, *names: str) -> None:
    """Fields laid out in a Bootstrap row: the row spaces them, not each field."""
    for name in names:
        form.fields[name].wrapper_class = "mb-0"


class DirectoryFilterForm(forms.Form):
    """Filters of the directory (GET); every field is optional."""

    arrondissement = forms.ModelChoiceField(
        label=_("Arrondissement"),
        queryset=None,
        required=False,
        empty_label=_("Tous"),
        widget=QuickSelect,
    )
    capacite = forms.IntegerField(
        label=_("Au moins (personnes)"), required=False, min_value=1, max_value=10000
    )
    plain_pied = forms.BooleanField(label=_("Accessible de plain-pied"), required=False)
    espace_sections = forms.BooleanField(label=_("Espace sections"), required=False)
    equipement = forms.ModelMultipleChoiceField(
        label=_("Équipements"),
        queryset=Equipment.objects.none(),
        required=False,
        widget=QuickCheckboxes,
    )
    date = forms.DateField(label=_("Libre le"), required=False, widget=DateInput())
    debut = forms.TimeField(label=_("de"), required=False, widget=TimeInput())
    fin = forms.TimeField(label=_("à"), required=False, widget=TimeInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["arrondissement"]
        field.queryset = arrondissements()
        equipment = self.fields["equipement"]
        equipment.queryset = Equipment.objects.order_by("name")
        # The options from (id, name) rows, the same for everyone (kept a minute, see
        # cache.choices), not a model instance per option; a chosen value is still
        # checked against the queryset.
        places, items = cache.choices.get("filter-options", _filter_options)
        field.choices = [("", field.empty_label), *places]
        equipment.choices = items
        _in_grid(self, *self.fields)

    def fields_html(self) -> dict[str, str]:
        """Each field's HTML (``as_field_group``), by name.

        It depends only on the query (the form's data), the options and the language:
        kept a minute per language and query (``cache.choices``)."""
        key = (
            "filter-form",
            get_language(),
            self.is_bound,
            tuple((name, tuple(self.data.getlist(name))) for name in self.fields)
            if self.is_bound and hasattr(self.data, "getlist")
            else None,
        )
        if self.is_bound and key[-1] is None:
            return {name: self[name].as_field_group() for name in self.fields}
        return cache.choices.get(
            key, lambda: {name: self[name].as_field_group() for name in self.fields}
        )

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("debut"), data.get("fin")
        given = [v is not None for v in (day, start, end)]
        if any(given) and not all(given):
            if day is None:
                self.add_error("date", _("Indiquez la date pour chercher une salle libre."))
            if start is None:
                self.add_error("debut", _("Indiquez l'heure de début."))
            if end is None:
                self.add_error("fin", _("Indiquez l'heure de fin."))
        elif all(given) and end <= start:
            self.add_error("fin", _("L'heure de fin doit être après l'heure de début."))
        return data

    def to_filters(self) -> DirectoryFilters:
        if not self.is_bound or not self.is_valid():
            return DirectoryFilters()
        data = self.cleaned_data
        return DirectoryFilters(
            arrondissement=data.get("arrondissement"),
            capacity=data.get("capacite"),
            step_free=bool(data.get("plain_pied")),
            equipment=list(data.get("equipement") or []),
            day=data.get("date"),
            start_time=data.get("debut"),
            end_time=data.get("fin"),
            sections_space=bool(data.get("espace_sections")),
        )


class BookingForm(forms.Form):
    """A booking request, once or repeated weekly or monthly until a date."""

    REPEAT_CHOICES = [("", _("Non, une seule fois")), *BookingSeries.Frequency.choices]

    section = UnitChoiceField(label=_("Pour la section"), queryset=None, empty_label=None)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    debut = forms.TimeField(label=_("Début"), widget=TimeInput())
    fin = forms.TimeField(label=_("Fin"), widget=TimeInput())
    purpose = forms.CharField(
        label=_("Objet de la réunion"),
        max_length=200,
        help_text=_("Visible par votre section et la fédération seulement."),
    )
    expected_attendance = forms.IntegerField(
        label=_("Participants attendus"), min_value=1, max_value=10000
    )
    notes = forms.CharField(
        label=_("Informations pour le lieu"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Installation, matériel, personne à contacter sur place…"),
    )
    repeat = forms.ChoiceField(label=_("Répéter"), choices=REPEAT_CHOICES, required=False)
    until = forms.DateField(label=_("Jusqu'au"), required=False, widget=DateInput())

    def __init__(self, *args, user, room: Room, **kwargs):
        super().__init__(*args, **kwargs)
        self.room = room
        self.fields["section"].queryset = booking_units_for_user(user)
        _in_grid(self, "date", "debut", "fin", "repeat", "until")

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("debut"), data.get("fin")
        if start and end and end <= start:
            self.add_error("fin", _("L'heure de fin doit être après l'heure de début."))
        if data.get("repeat"):
            until = data.get("until")
            if until is None:
                self.add_error("until", _("Indiquez jusqu'à quelle date répéter."))
            elif day and until <= day:
                self.add_error("until", _("La date de fin de la série doit suivre la première."))
            elif day and until > day + datetime.timedelta(days=366):
                self.add_error("until", _("Une série dure au plus un an."))
        return data

    @property
    def start(self) -> datetime.datetime:
        return slots.at(self.cleaned_data["date"], self.cleaned_data["debut"])

    @property
    def end(self) -> datetime.datetime:
        return slots.at(self.cleaned_data["date"], self.cleaned_data["fin"])


class BookingEditForm(forms.Form):
    purpose = BookingForm.base_fields["purpose"]
    expected_attendance = BookingForm.base_fields["expected_attendance"]
    notes = BookingForm.base_fields["notes"]


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Envoyé à la personne qui a fait la demande."),
    )


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = [
            "name",
            "kind",
            "address",
            "postal_code",
            "city",
            "arrondissement",
            "description",
            "access_notes",
            "contact_name",
            "contact_email",
            "contact_phone",
            "owner",
            "shared",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "access_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["arrondissement"]
        field.queryset = arrondissements()
        # The options from (id, name) rows, not a Territory per option; a chosen value is
        # still checked against the queryset.
        field.choices = [("", field.empty_label), *field.queryset.values_list("pk", "name")]
        # The federations where the user manages rooms (the service checks it again).
        owners = Unit.objects.filter(kind=Unit.Kind.FEDERATION, is_active=True)
        if user is not None:
            owners = owners.filter(units_q(user, "rooms.manage"))
        self.fields["owner"].queryset = owners.order_by("name")
        self.fields["owner"].required = self.instance.owner_id is not None or owners.exists()
        if self.instance.pk is None and (first := owners.first()) is not None:
            self.initial.setdefault("owner", first.pk)


class RoomForm(forms.ModelForm):
    """A room, its rules and its opening hours (one pair of times per weekday)."""

    class Meta:
        model = Room
        fields = [
            "venue",
            "name",
            "capacity",
            "step_free",
            "equipment",
            "description",
            "price_conditions",
            "is_sections_space",
            "booking_policy",
            "requires_approval",
            "max_duration_minutes",
            "booking_window_days",
            "no_premises_window_days",
            "is_active",
        ]
        widgets = {
            "equipment": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
            "price_conditions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        venues = (
            Venue.objects.all() if user is None else Venue.objects.in_scope(user, "rooms.manage")
        )
        self.fields["venue"].queryset = venues.order_by("name")
        hours = {}
        if self.instance.pk:
            hours = {o.weekday: o for o in self.instance.opening_hours.all()}
        for weekday, label in OpeningHours.Weekday.choices:
            current = hours.get(weekday)
            self.fields[f"opens_{weekday}"] = forms.TimeField(
                label=_("%(day)s : ouverture") % {"day": label.capitalize()},
                required=False,
                widget=TimeInput(),
                initial=current.opens if current else None,
            )
            self.fields[f"closes_{weekday}"] = forms.TimeField(
                label=_("%(day)s : fermeture") % {"day": label.capitalize()},
                required=False,
                widget=TimeInput(),
                initial=current.closes if current else None,
            )
            _in_grid(self, f"opens_{weekday}", f"closes_{weekday}")

    def weekday_fields(self):
        return [
            (label, self[f"opens_{weekday}"], self[f"closes_{weekday}"])
            for weekday, label in OpeningHours.Weekday.choices
        ]

    def clean(self):
        data = super().clean()
        hours = {}
        for weekday, _label in OpeningHours.Weekday.choices:
            opens, closes = data.get(f"opens_{weekday}"), data.get(f"closes_{weekday}")
            if (opens is None) != (closes is None):
                self.add_error(
                    f"closes_{weekday}", _("Indiquez l'ouverture et la fermeture, ou aucune.")
                )
            elif opens is not None and closes <= opens:
                self.add_error(f"closes_{weekday}", _("La fermeture doit être après l'ouverture."))
            elif opens is not None:
                hours[weekday] = (opens, closes)
        self.opening_hours = hours
        return data


class PhotoForm(forms.Form):
    image = CheckedFileField(label=_("Photo"), kinds={"image"}, max_bytes=5 * 1024 * 1024)
    caption = forms.CharField(
        label=_("Légende"),
        max_length=200,
        help_text=_("Décrit la photo pour les personnes qui ne la voient pas."),
    )
