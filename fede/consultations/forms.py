"""Forms of the app: they parse and validate; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fede.core.forms import DateTimeInput
from fede.organization.models import Unit
from fede.organization.roles import units_q

from .models import Answer, Consultation

SOURCE_HELP = _(
    "Collez le texte en markdown : une ligne « # Titre » ou « ## Titre » ouvre un chapitre, "
    "une ligne vide sépare deux paragraphes. Chaque paragraphe pourra être commenté."
)


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    summary = forms.CharField(
        label=_("Présentation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce que vous demandez aux adhérent·es, en quelques lignes."),
    )
    unit = forms.ModelChoiceField(label=_("Organisée par"), queryset=Unit.objects.none())
    audience = forms.ChoiceField(label=_("Ouverte à"), choices=Consultation.Audience.choices)
    section = forms.ModelChoiceField(
        label=_("Section consultée"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Seulement pour une consultation réservée à une section."),
    )
    opens_at = forms.DateTimeField(label=_("Ouverture"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Clôture"), widget=DateTimeInput())
    source = forms.CharField(
        label=_("Texte"), widget=forms.Textarea(attrs={"rows": 16}), help_text=SOURCE_HELP
    )

    def __init__(self, *args, actor, with_source: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        managed = Unit.objects.active().filter(units_q(actor, "consultations.manage"))
        self.fields["unit"].queryset = managed.exclude(kind=Unit.Kind.SECTION).order_by("path")
        self.fields["section"].queryset = managed.sections().order_by("name")
        if not with_source:
            del self.fields["source"]
            del self.fields["unit"]


class VersionForm(forms.Form):
    source = forms.CharField(
        label=_("Nouveau texte"),
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_(
            "Le texte proposé reprend déjà les reformulations que vous avez retenues. "
            "Chaque paragraphe modifié sera rapproché de sa version précédente."
        ),
    )
    note = forms.CharField(
        label=_("Ce qui change et pourquoi"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Votre commentaire"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReplyForm(CommentForm):
    text = forms.CharField(
        label=_("Votre réponse"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RewordingForm(forms.Form):
    text = forms.CharField(
        label=_("Rédaction proposée"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    explanation = forms.CharField(
        label=_("Pourquoi cette rédaction ?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du signalement"),
        required=False,
        max_length=300,
        help_text=_("Propos injurieux, attaque personnelle, hors sujet…"),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du masquage"),
        max_length=300,
        help_text=_("Affiché à la place du texte, pour tout le monde."),
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Réponse"), choices=Answer.choices, widget=forms.RadioSelect)
    answer_text = forms.CharField(
        label=_("Motif"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
