"""Forms of the organisation screens. They parse and validate input; services write.

Fields a role may not set are not on the form, or are disabled (Django then ignores
whatever is posted for them and keeps the current value).
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fede.core.forms import DateInput, SearchableSelect, valid_data
from fede.core.models import AccessLog

from .fields import MEMBER_FORM_FIELDS, is_contact
from .models import DuesPayment, Member, Role, Territory, Unit
from .roles import can
from .selectors import (
    MEMBER_SORTS,
    contact_visible,
    members_visible_to,
    sections_for_user,
    units_visible_to,
)
from .services import CONSENT_FIELDS, FEDERATION_STATUSES

# --- Member list ---------------------------------------------------------------------------


class MemberFilterForm(forms.Form):
    """The search, filters and sort of a member list (GET)."""

    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=100,
        help_text=_("Nom, prénom, e-mail ou numéro d'adhérent."),
    )
    status = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[("", _("Tous les statuts"))] + list(Member.Status.choices),
    )
    dues = forms.ChoiceField(
        label=_("Cotisation"),
        required=False,
        choices=[("", _("Payée ou non")), ("paid", _("Payée")), ("unpaid", _("Non payée"))],
    )
    dues_year = forms.IntegerField(label=_("Année"), required=False, min_value=1900, max_value=2999)
    sort = forms.ChoiceField(
        label=_("Trier par"),
        required=False,
        choices=[
            ("name", _("Nom (A → Z)")),
            ("-name", _("Nom (Z → A)")),
            ("number", _("Numéro")),
            ("joined", _("Adhésion (plus ancienne)")),
            ("-joined", _("Adhésion (plus récente)")),
        ],
    )

    def filters(self) -> dict:
        """Validated filters, with defaults for anything missing or wrong."""
        data = valid_data(self)
        sort = data.get("sort") or "name"
        return {
            "q": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "dues": data.get("dues") or "",
            "dues_year": data.get("dues_year") or timezone.localdate().year,
            "sort": sort if sort in MEMBER_SORTS else "name",
        }


# --- Member file ---------------------------------------------------------------------------


class MemberForm(forms.Form):
    """Add or edit a member. ``section`` appears only when adding without a fixed section;
    the login (``user``) is never set here; the section changes only by a transfer."""

    def __init__(self, *args, user, member: Member | None = None, section=None, **kwargs):
        self.user = user
        self.member = member
        initial = kwargs.pop("initial", {}) or {}
        if member is not None:
            initial = {name: getattr(member, name) for name in MEMBER_FORM_FIELDS} | initial
        else:
            initial = {"joined_on": timezone.localdate(), "status": Member.Status.ACTIVE} | initial
        super().__init__(*args, initial=initial, **kwargs)
        model_fields = forms.fields_for_model(
            Member,
            fields=MEMBER_FORM_FIELDS,
            widgets={"birth_date": DateInput(), "joined_on": DateInput()},
        )
        self.fields.update(model_fields)
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget.attrs["autocomplete"] = "off"
        scope_unit = member.section if member is not None else section
        is_federation = can(user, "federation.view", scope_unit)
        # Contact details the officer may not read are never sent to them: the fields
        # start empty and keep the current value unless something is typed in.
        self.hidden_contact = member is not None and not contact_visible(user, member)
        if self.hidden_contact:
            for name in MEMBER_FORM_FIELDS:
                if is_contact(name):
                    self.initial.pop(name, None)
                    field = self.fields[name]
                    field.required = False
                    field.widget.attrs["placeholder"] = _("Masqué")
                    field.help_text = _(
                        "Cet·te adhérent·e ne partage pas ses coordonnées : laissez vide pour "
                        "garder la valeur enregistrée, ou saisissez la nouvelle."
                    )
        if member is None:
            # Consent is given by ticking, never assumed.
            self.initial["consent_share_contact"] = False
            self.initial["consent_newsletter"] = False
        elif not is_federation:
            # Only the member changes their consents ("Mes données").
            for name in CONSENT_FIELDS:
                del self.fields[name]
        else:
            self.fields["consent_signed_form"] = forms.BooleanField(
                label=_("Consentements modifiés sur un formulaire signé par l'adhérent·e"),
                required=False,
                help_text=_("Obligatoire pour changer un consentement ; l'opération est tracée."),
            )
        if member is None and section is None:
            self.fields = {
                "section": forms.ModelChoiceField(
                    label=_("Section"),
                    queryset=sections_for_user(user, "members.add"),
                    empty_label=_("— choisir —"),
                    widget=SearchableSelect,
                ),
                **self.fields,
            }
        status = self.fields["status"]
        if is_federation:
            pass  # every status
        elif member is not None and member.status in FEDERATION_STATUSES:
            status.disabled = True
            status.help_text = _("Seule la fédération peut modifier ce statut.")
        else:
            status.choices = [c for c in status.choices if c[0] not in FEDERATION_STATUSES]
            status.help_text = _("Exclusion et décès sont enregistrés par la fédération.")
        number = self.fields["membership_number"]
        if member is None and not is_federation:
            del self.fields["membership_number"]  # assigned by the service
        elif member is None:
            number.required = False
            number.help_text = _("Laissez vide : le numéro suivant de la fédération est attribué.")
        elif not is_federation:
            number.disabled = True
            number.help_text = _("Seule la fédération peut modifier le numéro d'adhérent·e.")

    def clean_membership_number(self):
        number = (self.cleaned_data.get("membership_number") or "").strip()
        if not number:
            return number
        others = Member.objects.filter(membership_number=number)
        if self.member is not None:
            others = others.exclude(pk=self.member.pk)
        if others.exists():
            raise ValidationError(_("Ce numéro d'adhérent·e est déjà attribué."))
        return number

    def changes(self) -> dict:
        """Cleaned values of the fields this user may set (disabled fields left out)."""
        changes = {
            name: value
            for name, value in self.cleaned_data.items()
            if name in MEMBER_FORM_FIELDS
            and name in self.fields
            and not self.fields[name].disabled
            and not (self.hidden_contact and is_contact(name) and value in ("", None))
        }
        if self.cleaned_data.get("consent_signed_form"):
            changes["consent_signed_form"] = True
        return changes


class DuesForm(forms.Form):
    year = forms.IntegerField(label=_("Année de cotisation"), min_value=1900, max_value=2999)
    amount = forms.DecimalField(label=_("Montant (€)"), min_value=0, max_digits=8, decimal_places=2)
    paid_on = forms.DateField(label=_("Payée le"), widget=DateInput())
    method = forms.ChoiceField(label=_("Moyen de paiement"), choices=DuesPayment.Method.choices)

    def __init__(self, *args, member: Member, **kwargs):
        today = timezone.localdate()
        last = member.payments.valid().order_by("-year").values_list("amount", flat=True).first()
        kwargs.setdefault(
            "initial",
            {
                "year": today.year,
                "paid_on": today,
                "method": DuesPayment.Method.TRANSFER,
                "amount": last,
            },
        )
        super().__init__(*args, **kwargs)


class DuesCorrectionForm(forms.Form):
    """Correct a wrong payment: the values as they should be, and why."""

    year = forms.IntegerField(label=_("Année de cotisation"), min_value=1900, max_value=2999)
    amount = forms.DecimalField(label=_("Montant (€)"), min_value=0, max_digits=8, decimal_places=2)
    paid_on = forms.DateField(label=_("Payée le"), widget=DateInput())
    method = forms.ChoiceField(label=_("Moyen de paiement"), choices=DuesPayment.Method.choices)
    reason = forms.CharField(
        label=_("Motif de la correction"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ex. : montant mal saisi, chèque encaissé à une autre date."),
    )

    def __init__(self, *args, payment: DuesPayment, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "year": payment.year,
                "amount": payment.amount,
                "paid_on": payment.paid_on,
                "method": payment.method,
            },
        )
        super().__init__(*args, **kwargs)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("year", "amount", "paid_on", "method")}


class DuesCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ex. : paiement saisi deux fois, chèque rejeté."),
    )
    confirm = forms.BooleanField(
        label=_(
            "Je confirme l'annulation : la cotisation reste visible, barrée, avec son motif, "
            "et ne compte plus."
        )
    )


class TransferRequestForm(forms.Form):
    to_unit = forms.ModelChoiceField(
        label=_("Section d'accueil"),
        queryset=Unit.objects.none(),
        empty_label=_("— choisir —"),
        widget=SearchableSelect,
    )
    reason = forms.CharField(
        label=_("Motif"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Ex. : déménagement, changement de lieu de travail."),
    )

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = (
            Unit.objects.sections()
            .active()
            .exclude(pk=member.section_id)
            .order_by("sort_name", "pk")
        )


class TransferDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("approve", _("Valider le transfert")), ("refuse", _("Refuser"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note de décision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Expliquez un refus : la note reste dans l'historique de l'adhérent·e."),
    )


class ResignationForm(forms.Form):
    left_on = forms.DateField(label=_("Date de la démission"), widget=DateInput())
    confirm = forms.BooleanField(
        label=_(
            "Je confirme la démission : la personne sort du fichier des adhérent·es actif·ves."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"left_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


# --- Sections ------------------------------------------------------------------------------

SECTION_OWN_FIELDS = [
    "has_premises",
    "meeting_place",
    "presentation",
    "contact_email",
    "contact_phone",
]
SECTION_ALL_FIELDS = [
    "name",
    "code",
    "section_kind",
    "territory",
    "employer",
    "sector",
    "sites",
    *SECTION_OWN_FIELDS,
]


class SectionForm(forms.Form):
    """Create or edit a section. A section's own officers edit only its presentation and
    contact; the federation (sections.manage) edits everything."""

    def __init__(self, *args, user, unit: Unit | None = None, **kwargs):
        self.unit = unit
        full = unit is None or can(user, "sections.manage", unit)
        names = SECTION_ALL_FIELDS if full else SECTION_OWN_FIELDS
        initial = kwargs.pop("initial", {}) or {}
        if unit is not None:
            initial = {name: getattr(unit, name) for name in names} | initial
        else:
            initial = {"section_kind": Unit.SectionKind.TERRITORIAL} | initial
        super().__init__(*args, initial=initial, **kwargs)
        fields = forms.fields_for_model(
            Unit, fields=names, widgets={"presentation": forms.Textarea(attrs={"rows": 5})}
        )
        if unit is None:
            fields = {
                "parent": forms.ModelChoiceField(
                    label=_("Rattachée à"),
                    queryset=units_visible_to(user, "sections.manage")
                    .exclude(kind=Unit.Kind.SECTION)
                    .active()
                    .order_by("depth", "sort_name", "pk"),
                    empty_label=None,
                ),
                **fields,
            }
        if "territory" in fields:
            fields["territory"].queryset = Territory.objects.filter(
                kind__in=[Territory.Kind.ARRONDISSEMENT, Territory.Kind.NEIGHBOURHOOD]
            ).order_by("kind", "number", "name")
        if "section_kind" in fields:
            fields["section_kind"].required = True
            fields["section_kind"].choices = Unit.SectionKind.choices
        self.fields.update(fields)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        others = Unit.objects.filter(code=code)
        if self.unit is not None:
            others = others.exclude(pk=self.unit.pk)
        if others.exists():
            raise ValidationError(_("Ce code est déjà utilisé par une autre unité."))
        return code

    def clean(self):
        data = super().clean()
        if data.get("section_kind") == Unit.SectionKind.WORKPLACE and not data.get("sector"):
            self.add_error("sector", _("Indiquez le secteur d'une section d'entreprise."))
        return data

    def changes(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "parent"}


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Fusionner dans la section"),
        queryset=Unit.objects.none(),
        empty_label=_("— choisir —"),
        widget=SearchableSelect,
    )
    reason = forms.CharField(
        label=_("Motif"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    confirm = forms.BooleanField(
        label=_("Je confirme : tous les adhérent·es changent de section et celle-ci est fermée.")
    )

    def __init__(self, *args, user, source: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = sections_for_user(user, "sections.manage").exclude(
            pk=source.pk
        )


class CloseForm(forms.Form):
    confirm = forms.BooleanField(label=_("Je confirme la fermeture de la section."))


class SectionFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Tous les types"))] + list(Unit.SectionKind.choices),
    )
    state = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[("open", _("Ouvertes")), ("closed", _("Fermées")), ("all", _("Toutes"))],
    )
    sort = forms.ChoiceField(
        label=_("Trier par"),
        required=False,
        choices=[
            ("name", _("Nom")),
            ("code", _("Code")),
            ("-members", _("Adhérent·es (le plus)")),
            ("-growth", _("Progression (la plus forte)")),
            ("growth", _("Progression (la plus faible)")),
        ],
    )

    def filters(self) -> dict:
        data = valid_data(self)
        return {
            "q": (data.get("q") or "").strip(),
            "kind": data.get("kind") or "",
            "state": data.get("state") or "open",
            "sort": data.get("sort") or "name",
        }


# --- Offices -------------------------------------------------------------------------------


class MandateForm(forms.Form):
    membership_number = forms.CharField(
        label=_("Numéro d'adhérent·e"),
        max_length=20,
        help_text=_("Ou cherchez la personne ci-dessus et cliquez sur « Choisir »."),
    )
    role = forms.ChoiceField(label=_("Responsabilité"), choices=Role.choices)
    unit = forms.ModelChoiceField(
        label=_("Unité"), queryset=Unit.objects.none(), empty_label=None, widget=SearchableSelect
    )
    portfolio = forms.CharField(
        label=_("Délégation"), required=False, max_length=200, help_text=_("Ex. : « Élections »")
    )
    start = forms.DateField(label=_("Début"), widget=DateInput())
    end = forms.DateField(
        label=_("Fin"),
        required=False,
        widget=DateInput(),
        help_text=_("Laisser vide si sans terme."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("start", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            units_visible_to(user, "mandates.manage").active().order_by("depth", "sort_name", "pk")
        )

    def clean_membership_number(self):
        number = self.cleaned_data["membership_number"].strip()
        member = (
            members_visible_to(self.user, "mandates.manage")
            .filter(membership_number=number)
            .select_related("section")
            .first()
        )
        if member is None:
            raise ValidationError(_("Aucun·e adhérent·e avec ce numéro dans votre périmètre."))
        if member.status != Member.Status.ACTIVE:
            raise ValidationError(
                _("Seul·e un·e adhérent·e actif·ve peut recevoir une responsabilité.")
            )
        self.cleaned_data["member"] = member
        return number

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("La fin ne peut précéder le début."))
        return data


class MandateEndForm(forms.Form):
    end = forms.DateField(label=_("Fin de la responsabilité le"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"end": timezone.localdate()})
        super().__init__(*args, **kwargs)


class MandateFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=100,
        help_text=_("Nom, numéro d'adhérent·e ou unité."),
    )
    role = forms.ChoiceField(
        label=_("Responsabilité"), required=False, choices=[("", _("Toutes"))] + list(Role.choices)
    )

    def filters(self) -> dict:
        data = valid_data(self)
        return {"q": (data.get("q") or "").strip(), "role": data.get("role") or ""}

    @staticmethod
    def search_q(q: str) -> Q:
        return (
            Q(member__last_name__icontains=q)
            | Q(member__first_name__icontains=q)
            | Q(member__membership_number__icontains=q)
            | Q(unit__name__icontains=q)
        )


# --- Access log ----------------------------------------------------------------------------


class AccessLogFilterForm(forms.Form):
    actor = forms.CharField(label=_("Auteur (e-mail)"), required=False, max_length=200)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Toutes"))] + list(AccessLog.Action.choices),
    )
    date_from = forms.DateField(label=_("Du"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Au"), required=False, widget=DateInput())

    def filters(self) -> dict:
        data = valid_data(self)
        return {
            "actor": (data.get("actor") or "").strip(),
            "action": data.get("action") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


class AuditFilterForm(forms.Form):
    """Filters of the "journal des modifications" (same style as the access log's)."""

    actor = forms.CharField(label=_("Auteur (e-mail)"), required=False, max_length=200)
    code = forms.ChoiceField(label=_("Action"), required=False, choices=())
    date_from = forms.DateField(label=_("Du"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Au"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        from fede.core import registry

        super().__init__(*args, **kwargs)
        blanks = defaultdict(lambda: "…")
        codes = sorted(
            (
                (code, str(text) % blanks)
                for app in registry.apps()
                for code, text in app.actions.items()
            ),
            key=lambda item: item[1],
        )
        self.fields["code"].choices = [("", _("Toutes")), *codes]

    def filters(self) -> dict:
        data = valid_data(self)
        return {
            "actor": (data.get("actor") or "").strip(),
            "code": data.get("code") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
