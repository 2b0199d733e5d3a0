"""Forms of the public site: contact, join, the officers' decisions, news and pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fede.organization.models import Unit

from . import selectors
from .models import NewsPost, Page

HONEYPOT = "site_web"


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by the stylesheet, out of the tab order) and
    robots fill in: a filled one means the message is dropped without a word."""

    site_web = forms.CharField(
        label=_("Laissez ce champ vide"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Hidden by the site's stylesheet (no inline style: the CSP forbids them).
        self.fields[HONEYPOT].wrapper_class = "website-hp"

    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())


class ContactForm(HoneypotMixin):
    name = forms.CharField(label=_("Votre nom"), max_length=100)
    email = forms.EmailField(label=_("Votre adresse e-mail"), help_text=_("Pour vous répondre."))
    message = forms.CharField(
        label=_("Votre message"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5})
    )

    field_order = ["name", "email", "message", HONEYPOT]


class SectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _section_choices():
    """Open sections grouped for the select: by arrondissement, then workplace sections."""
    groups: dict[str, list] = {}
    for unit in selectors.public_sections().order_by("code", "pk"):
        if unit.is_workplace:
            key = str(_("Sections d'entreprise"))
        else:
            number = selectors.section_arrondissement(unit)
            key = (
                (
                    str(_("1er arrondissement"))
                    if number == 1
                    else str(_("%(n)se arrondissement") % {"n": number})
                )
                if number
                else str(_("Autres sections"))
            )
        groups.setdefault(key, []).append((unit.pk, unit.name))
    return [("", _("La section de mon arrondissement (d'après mon code postal)")), *groups.items()]


class JoinForm(HoneypotMixin):
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(
        label=_("Adresse e-mail"), help_text=_("Nous vous écrirons pour la confirmer.")
    )
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    birth_date = forms.DateField(
        label=_("Date de naissance"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    address = forms.CharField(label=_("Adresse"), max_length=300, required=False)
    postal_code = forms.RegexField(
        label=_("Code postal"),
        regex=r"^\s*\d{5}\s*$",
        error_messages={"invalid": _("Saisissez un code postal à cinq chiffres.")},
        help_text=_("À Paris, il propose la section de votre arrondissement."),
    )
    city = forms.CharField(label=_("Ville"), max_length=100, initial="Paris")
    section = SectionChoiceField(
        label=_("Section"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_(
            "Vous pouvez aussi choisir une autre section, ou la section de votre entreprise."
        ),
    )
    message = forms.CharField(
        label=_("Un mot pour la section (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent_data = forms.BooleanField(
        label=_(
            "J'accepte que ces informations soient transmises aux responsables de la section "
            "pour traiter ma demande d'adhésion."
        ),
        help_text=_(
            "Elles révèlent un engagement politique : elles ne sont lues que par les responsables "
            "de la section, et effacées si la demande n'aboutit pas."
        ),
    )
    consent_statutes = forms.BooleanField(
        label=_("J'adhère aux valeurs du parti et je ne suis membre d'aucun autre parti politique.")
    )
    consent_newsletter = forms.BooleanField(
        label=_("Je souhaite recevoir la lettre d'information de la fédération."), required=False
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "birth_date",
        "address",
        "postal_code",
        "city",
        "section",
        "message",
        "consent_data",
        "consent_statutes",
        "consent_newsletter",
        HONEYPOT,
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["section"]
        field.queryset = selectors.public_sections()
        field.choices = _section_choices()

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("consent_data", "consent_statutes", HONEYPOT):
            data.pop(key, None)
        return data


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RedirectForm(DecisionForm):
    section = SectionChoiceField(label=_("Vers la section"), queryset=Unit.objects.none())

    def __init__(self, *args, join_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = selectors.redirect_targets(join_request)
        self.fields["note"].help_text = _("Transmise à la section et à la personne.")


class _PublishableForm(forms.ModelForm):
    unit = forms.ModelChoiceField(label=_("Fédération"), queryset=Unit.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["unit"]
        else:
            units = selectors.publishing_units(user)
            self.fields["unit"].queryset = units
            if len(units) == 1:
                self.fields["unit"].initial = units[0].pk
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Laissée vide, elle est tirée du titre.")


class NewsForm(_PublishableForm):
    class Meta:
        model = NewsPost
        fields = ["unit", "title", "slug", "summary", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}


class PageForm(_PublishableForm):
    class Meta:
        model = Page
        fields = ["unit", "title", "slug", "summary", "body", "in_footer", "order"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
