"""Forms of the practices space (the services check rights and write)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fede.core.uploads import CheckedFileField

from .models import Category, Post

ATTACHMENT_KINDS = {"pdf", "document", "spreadsheet", "image"}


class PostForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=Post.Kind.choices,
        widget=forms.RadioSelect,
        initial=Post.Kind.PRACTICE,
    )
    title = forms.CharField(label=_("Titre"), max_length=200)
    category = forms.ChoiceField(label=_("Thème"), choices=Category.choices)
    body = forms.CharField(
        label=_("Texte"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Mise en forme Markdown : **gras**, listes avec « - », liens."),
    )
    tags = forms.CharField(
        label=_("Mots-clés"),
        required=False,
        max_length=300,
        help_text=_("Séparés par des virgules, par exemple : porte-à-porte, marchés"),
    )
    federation = forms.ModelChoiceField(label=_("Fédération"), queryset=None, required=False)
    attachment = CheckedFileField(label=_("Pièce jointe"), kinds=ATTACHMENT_KINDS, required=False)

    def __init__(self, *args, federations=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None and len(federations) > 1:
            self.fields["federation"].queryset = federations
            self.fields["federation"].required = True
        else:
            del self.fields["federation"]
        if editing:
            del self.fields["kind"]
            del self.fields["attachment"]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Votre réponse"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Mise en forme Markdown. Les personnes qui suivent la publication sont prévenues par e-mail."
        ),
    )


class AttachmentForm(forms.Form):
    file = CheckedFileField(label=_("Fichier"), kinds=ATTACHMENT_KINDS)


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=300, required=False)


class KitProposalForm(forms.Form):
    kit = forms.ModelChoiceField(label=_("Kit"), queryset=None, empty_label=_("Choisir un kit"))
    note = forms.CharField(
        label=_("Ce que la publication apporterait au kit"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, kits=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kit"].queryset = kits
        self.fields["kit"].label_from_instance = lambda kit: getattr(kit, "title", None) or kit.slug

    def freeze_kit_choices(self) -> bool:
        """Read the kits once, for a form that is only shown: the field's own choices query
        the kits again at each rendering. Whether there is any kit to propose for."""
        field = self.fields["kit"]
        kits = list(field.queryset)
        field.choices = [
            ("", field.empty_label),
            *((kit.pk, field.label_from_instance(kit)) for kit in kits),
        ]
        return bool(kits)

    def show_kit_choices(self, choices) -> None:
        """The select of a form that is only shown, from (id, title) pairs already read
        (selectors.proposable_kit_choices): no query at all."""
        field = self.fields["kit"]
        field.choices = [("", field.empty_label), *choices]


class DecisionForm(forms.Form):
    answer = forms.CharField(
        label=_("Réponse à la personne qui a proposé"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
