"""Forms of the app: they parse and validate; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fede.core.forms import DateInput, DateTimeInput
from fede.core.uploads import CheckedFileField

from .models import Amendment, Citation, Contribution, Convention, Topic


class ConventionForm(forms.ModelForm):
    class Meta:
        model = Convention
        fields = [
            "year",
            "title",
            "presentation",
            "topics_published_on",
            "debates_start",
            "contributions_deadline",
            "amendments_open",
            "amendments_deadline",
            "convention_day",
            "place",
        ]
        widgets = {
            "topics_published_on": DateInput(),
            "debates_start": DateInput(),
            "contributions_deadline": DateTimeInput(),
            "amendments_open": DateInput(),
            "amendments_deadline": DateTimeInput(),
            "convention_day": DateInput(),
            "presentation": forms.Textarea(attrs={"rows": 4}),
        }

    def validate_unique(self):
        """Uniqueness is the service's to check (with a French message)."""

    def _post_clean(self):
        # Field values only: the model's constraints are checked by the service.
        pass


class TopicForm(forms.Form):
    scope = forms.ChoiceField(label=_("Échelle"), choices=Topic.Scope.choices)
    title = forms.CharField(label=_("Titre"), max_length=200)
    framing = forms.CharField(
        label=_("Texte de cadrage"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Les questions posées aux sections. Mise en forme Markdown possible."),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Titre du document"), max_length=200)
    file = CheckedFileField(label=_("Fichier"), kinds={"pdf", "document", "spreadsheet"})


class SectionChoiceMixin:
    """A ``section`` field limited to the sections the user acts for; hidden when one."""

    def _setup_section(self, sections):
        from fede.organization.models import Unit

        self.fields["section"].queryset = Unit.objects.filter(
            pk__in=[s.pk for s in sections]
        ).order_by("name")
        if len(sections) == 1:
            self.fields["section"].widget = forms.HiddenInput()
            self.fields["section"].initial = sections[0].pk


class DebateForm(SectionChoiceMixin, forms.Form):
    section = forms.ModelChoiceField(label=_("Section"), queryset=None)
    starts_at = forms.DateTimeField(label=_("Date et heure du débat"), widget=DateTimeInput())
    place = forms.CharField(label=_("Lieu"), max_length=300, required=False)
    event = forms.ModelChoiceField(
        label=_("Événement de l'agenda (facultatif)"),
        queryset=None,
        required=False,
        help_text=_("Si la réunion est déjà à l'agenda de la section, reliez-la."),
    )
    notes = forms.CharField(
        label=_("Informations pratiques"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, sections, events, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_section(sections)
        self.fields["event"].queryset = events


class VoteMixin(forms.Form):
    members_present = forms.IntegerField(label=_("Adhérent·es présent·es"), min_value=1)
    votes_for = forms.IntegerField(label=_("Pour"), min_value=0, initial=0)
    votes_against = forms.IntegerField(label=_("Contre"), min_value=0, initial=0)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)


class ContributionForm(SectionChoiceMixin, VoteMixin):
    section = forms.ModelChoiceField(label=_("Section"), queryset=None)
    text = forms.CharField(
        label=_("Contribution de la section"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Le texte adopté par la section. Mise en forme Markdown possible."),
    )
    minority_opinion = forms.CharField(
        label=_("Avis minoritaire (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("La position des camarades qui n'ont pas voté le texte, s'ils le souhaitent."),
    )
    field_order = [
        "section",
        "text",
        "members_present",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "minority_opinion",
    ]

    def __init__(self, *args, sections=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sections is None:
            del self.fields["section"]
        else:
            self._setup_section(sections)

    @classmethod
    def initial_of(cls, contribution: Contribution) -> dict:
        return {
            name: getattr(contribution, name)
            for name in (
                "text",
                "members_present",
                "votes_for",
                "votes_against",
                "votes_abstain",
                "minority_opinion",
            )
        }


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Réponse des rapporteur·es"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "Ce que la synthèse reprend de cette contribution, ou pourquoi elle ne la reprend pas."
        ),
    )


class ParagraphForm(forms.Form):
    heading = forms.CharField(label=_("Intertitre (facultatif)"), max_length=200, required=False)
    text = forms.CharField(label=_("Texte du paragraphe"), widget=forms.Textarea(attrs={"rows": 8}))


class CitationForm(forms.Form):
    contribution = forms.ModelChoiceField(label=_("Contribution"), queryset=None)
    extent = forms.ChoiceField(
        label=_("Reprise"), choices=Citation.Extent.choices, initial=Citation.Extent.FULL
    )
    note = forms.CharField(label=_("Ce qui est repris"), max_length=300, required=False)

    def __init__(self, *args, contributions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contribution"].queryset = contributions
        self.fields["contribution"].label_from_instance = lambda c: c.section.name


class PublishForm(forms.Form):
    introduction = forms.CharField(
        label=_("Introduction de la synthèse"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class AmendmentForm(SectionChoiceMixin, VoteMixin):
    section = forms.ModelChoiceField(label=_("Section"), queryset=None)
    proposed_text = forms.CharField(
        label=_("Rédaction proposée"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Le paragraphe entier, tel que la section propose de l'écrire."),
    )
    rationale = forms.CharField(
        label=_("Exposé des motifs"), widget=forms.Textarea(attrs={"rows": 4})
    )
    field_order = [
        "section",
        "proposed_text",
        "rationale",
        "members_present",
        "votes_for",
        "votes_against",
        "votes_abstain",
    ]

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_section(sections)


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Réponse"),
        choices=[
            (Amendment.Status.ACCEPTED, _("Accepter : le paragraphe prend la rédaction proposée")),
            (Amendment.Status.MERGED, _("Intégrer avec une rédaction modifiée")),
            (Amendment.Status.REJECTED, _("Refuser : l'amendement sera soumis au vote")),
        ],
        widget=forms.RadioSelect,
    )
    merged_text = forms.CharField(
        label=_("Rédaction intégrée (si « intégrer »)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    answer = forms.CharField(
        label=_("Réponse à la section"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Obligatoire en cas de refus."),
    )


class ResultForm(forms.Form):
    item = forms.CharField(widget=forms.HiddenInput())
    votes_for = forms.IntegerField(label=_("Pour"), min_value=0)
    votes_against = forms.IntegerField(label=_("Contre"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0)
