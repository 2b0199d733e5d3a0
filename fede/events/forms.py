"""Forms of events. They parse and show errors; the services decide and write."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fede.core.forms import DateTimeInput, QuickSelect, SearchableCheckboxes, SearchableSelect
from fede.core.sorting import natural_key
from fede.core.uploads import CheckedFileField
from fede.organization.models import Member, Unit
from fede.rooms.models import Booking

from .models import Event, EventSpeaker, Speaker
from .selectors import AgendaFilters, arrondissement_choices, organiser_choices

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class BookingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, booking):
        start = timezone.localtime(booking.start)
        end = timezone.localtime(booking.end)
        when = date_format(start, "SHORT_DATETIME_FORMAT")
        return f"{when}–{time_format(end, 'H:i')} · {booking.room} ({booking.section})"


def in_natural_order(units) -> list[Unit]:
    """Units grouped by federation (the federation first), each group in natural order of
    names: "Paris 2" before "Paris 10"."""
    units = list(units)
    federations = {u.path: u.name for u in units if u.kind == Unit.Kind.FEDERATION}

    def key(unit: Unit) -> tuple:
        owner = max((p for p in federations if unit.path.startswith(p)), key=len, default="")
        group = natural_key(federations[owner]) if owner else natural_key(unit.name)
        return (group, unit.path != owner, natural_key(unit.name))

    return sorted(units, key=key)


class NaturalOrderIterator(ModelChoiceIterator):
    """The choices of a unit field in natural order (sorted in Python: the organisation's
    stored sort key is not relied upon here)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for unit in in_natural_order(self.queryset):
            yield self.choice(unit)


class UnitChoiceField(forms.ModelChoiceField):
    iterator = NaturalOrderIterator

    def label_from_instance(self, unit):
        return unit.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = NaturalOrderIterator

    def label_from_instance(self, unit):
        return unit.name


class EventForm(forms.ModelForm):
    """Create or edit an event. The organiser is chosen among the user's units."""

    organiser = UnitChoiceField(label=_("Organisé par"), queryset=Unit.objects.none())
    co_organisers = UnitMultipleChoiceField(
        label=_("Co-organisé avec"),
        queryset=Unit.objects.none(),
        required=False,
        widget=SearchableCheckboxes,
        help_text=_("Autres sections ou fédération associées : cochez-en autant que nécessaire."),
    )
    booking = BookingChoiceField(
        label=_("Salle réservée"),
        queryset=Booking.objects.none(),
        required=False,
        help_text=_("Une réservation en cours d'une unité organisatrice."),
    )
    online_url = forms.URLField(
        label=_("Lien de la visioconférence"),
        max_length=500,
        required=False,
        assume_scheme="https",
    )
    image = CheckedFileField(
        label=_("Image"), kinds={"image"}, required=False, widget=forms.FileInput
    )
    remove_image = forms.BooleanField(label=_("Retirer l'image actuelle"), required=False)

    class Meta:
        model = Event
        fields = [
            "organiser",
            "co_organisers",
            "kind",
            "title",
            "description",
            "programme",
            "start",
            "end",
            "booking",
            "place_name",
            "address",
            "online_url",
            "visibility",
            "registration_enabled",
            "capacity",
            "registration_opens",
            "registration_closes",
            "image",
            "remove_image",
            "image_alt",
        ]
        widgets = {
            "start": DateTimeInput(),
            "end": DateTimeInput(),
            "registration_opens": DateTimeInput(),
            "registration_closes": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 6}),
            "programme": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, user, organiser_units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organiser_units
        self.fields["co_organisers"].queryset = (
            Unit.objects.active()
            .filter(kind__in=[Unit.Kind.FEDERATION, Unit.Kind.SECTION])
            .order_by("path")
        )
        bookings = (
            Booking.objects.active()
            .filter(section__in=organiser_units, end__gte=timezone.now())
            .select_related("room__venue", "section")
            .order_by("start")
        )
        if self.instance.pk and self.instance.booking_id:
            bookings = bookings | Booking.objects.filter(pk=self.instance.booking_id)
        self.fields["booking"].queryset = bookings.distinct()
        for name in ("start", "end", "registration_opens", "registration_closes"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        if self.instance.pk:
            self.initial.setdefault("co_organisers", list(self.instance.co_organisers.all()))

    def service_kwargs(self) -> dict:
        """Keyword arguments for event_create / event_update (image: new file or False)."""
        data = dict(self.cleaned_data)
        if data.pop("remove_image", False) and not isinstance(data.get("image"), UploadedFile):
            data["image"] = False
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (envoyé aux inscrit·es)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GuestRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Prénom et nom"), max_length=200)
    email = forms.EmailField(label=_("Adresse e-mail"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class SpeakerForm(forms.ModelForm):
    photo = CheckedFileField(
        label=_("Photo"), kinds={"image"}, required=False, max_bytes=3 * 1024 * 1024
    )

    class Meta:
        model = Speaker
        fields = ["name", "quality", "affiliation", "bio", "photo", "owner", "shared"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk or owners is None:
            # The federation keeping a record does not change from this form.
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = owners
            choices = list(owners[:2])
            if len(choices) == 1:
                # One federation: the record is theirs, nothing to choose.
                del self.fields["owner"]
            else:
                self.fields["owner"].required = True

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if "owner" in data and data["owner"] is None:
            del data["owner"]
        if data.pop("remove_photo", False) and not isinstance(data.get("photo"), UploadedFile):
            data["photo"] = False
        return data


class EventSpeakerForm(forms.Form):
    speaker = forms.ModelChoiceField(
        label=_("Intervenant·e"), queryset=Speaker.objects.order_by("name")
    )
    part = forms.ChoiceField(label=_("Rôle"), choices=EventSpeaker.Part.choices)
    order = forms.IntegerField(label=_("Ordre"), min_value=0, max_value=1000, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # The speakers of the organiser's federation, and those shared with it.
            self.fields["speaker"].queryset = Speaker.objects.in_scope(
                user, "events.view"
            ).order_by("name", "pk")


class PostponeForm(forms.Form):
    start = forms.DateTimeField(label=_("Nouveau début"), widget=DateTimeInput())
    end = forms.DateTimeField(label=_("Nouvelle fin"), widget=DateTimeInput())
    reason = forms.CharField(
        label=_("Message aux inscrit·es"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    file = CheckedFileField(
        label=_("Fichier"), kinds={"pdf", "document", "image", "spreadsheet"}, required=False
    )
    url = forms.URLField(
        label=_("Ou lien (enregistrement, diaporama en ligne…)"),
        required=False,
        assume_scheme="https",
        help_text=_("Adresse en http:// ou https:// ; elle est montrée avant d'y aller."),
    )

    def clean_url(self):
        url = self.cleaned_data.get("url") or ""
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Seuls les liens http:// et https:// sont acceptés."))
        return url

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("url") and not self.errors:
            raise forms.ValidationError(_("Joignez un fichier ou indiquez un lien."))
        return data


class InvitationForm(forms.Form):
    numbers = forms.CharField(
        label=_("Numéros d'adhérent·e à inviter"),
        help_text=_("Un numéro par ligne ou séparés par des virgules."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    section = UnitChoiceField(
        label=_("Ou inviter toute une section"),
        queryset=Unit.objects.none(),
        required=False,
        widget=SearchableSelect,
    )

    def __init__(self, *args, scope_units, section_units=None, **kwargs):
        """``section_units``: the units whose whole membership the user may invite (and so
        list), those where they hold ``members.view``; none: numbers only."""
        super().__init__(*args, **kwargs)
        self.scope_units = scope_units
        if section_units is None:
            del self.fields["section"]
        else:
            self.fields["section"].queryset = section_units.sections()

    def clean(self):
        data = super().clean()
        raw = data.get("numbers", "")
        numbers = {n.strip() for n in raw.replace(",", "\n").split() if n.strip()}
        if not numbers and not data.get("section"):
            if "section" not in self.fields:
                raise forms.ValidationError(_("Indiquez des numéros d'adhérent·e."))
            raise forms.ValidationError(_("Indiquez des numéros d'adhérent·e ou une section."))
        data["number_list"] = sorted(numbers)
        return data

    def members(self):
        """Active members of the organiser's scope matching the numbers or the section."""
        data = self.cleaned_data
        scope = Member.objects.filter(section__in=self.scope_units, status=Member.Status.ACTIVE)
        found = list(scope.filter(membership_number__in=data["number_list"]))
        if data.get("section"):
            found += list(scope.filter(section=data["section"]))
        return found


class OrganiserFilterField(forms.TypedChoiceField):
    """The organiser filter: its list (hundreds of options) is written only when the field
    is shown; a value is valid when it is one of the offered ids (``offered``), as the
    list would decide."""

    offered: frozenset[str] = frozenset()

    def valid_value(self, value) -> bool:
        return str(value) in self.offered


class AgendaFilterForm(forms.Form):
    """The agenda's filters (GET). Invalid values are ignored rather than refused.

    The organiser list stays short at national scale: every federation, then the sections
    of the chosen federation (or of the chosen section's) and of the viewer's federations.
    """

    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    arrondissement = forms.TypedChoiceField(
        label=_("Arrondissement"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )
    kind = forms.ChoiceField(label=_("Type"), required=False, widget=QuickSelect)
    organiser = OrganiserFilterField(
        label=_("Organisateur"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )
    periode = forms.ChoiceField(
        label=_("Période"),
        required=False,
        choices=[("", _("À venir")), ("passes", _("Passés"))],
        widget=QuickSelect,
    )
    jour = forms.DateField(
        label=_("Jour"), required=False, input_formats=["%Y-%m-%d"], widget=forms.HiddenInput
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arrondissement"].choices = [("", _("Tous")), *arrondissement_choices()]
        self.fields["kind"].choices = [("", _("Tous"))] + list(Event.Kind.choices)
        self.organiser_options = self._organiser_options(user)
        organiser = self.fields["organiser"]
        organiser.offered = self.organiser_options.ids
        # A callable: the list is built when the select is written (not for a kept copy
        # of the filters, see ``rendering.agenda_filters``).
        organiser.choices = self._organiser_choices
        for name, field in self.fields.items():
            if name == "jour":
                continue
            css = "form-control" if name == "q" else "form-select"
            field.widget.attrs.update({"class": css})
            if name != "q":
                field.widget.attrs["data-autosubmit"] = ""

    def _organiser_options(self, user):
        selected = None
        if self.is_bound:
            try:
                selected = int(self.data.get("organiser") or 0) or None
            except (TypeError, ValueError):
                selected = None
        return organiser_choices(user, selected)

    def _organiser_choices(self) -> list:
        options = self.organiser_options
        choices: list = [("", _("Tous"))]
        if options.federations:
            choices.append((gettext("Fédérations"), options.federations))
        for federation, sections in options.sections:
            label = gettext("Sections — %(federation)s") % {"federation": federation}
            choices.append((label, sections))
        return choices

    def filters(self) -> AgendaFilters:
        if not self.is_bound:
            return AgendaFilters()
        if not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        return AgendaFilters(
            arrondissement=data.get("arrondissement"),
            kind=data.get("kind") or "",
            organiser=data.get("organiser"),
            q=(data.get("q") or "").strip(),
            past=data.get("periode") == "passes",
            day=data.get("jour"),
        )
