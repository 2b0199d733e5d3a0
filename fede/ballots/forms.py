"""Forms of the app: they parse and validate; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fede.core.forms import DateInput, DateTimeInput
from fede.organization.models import Member, Unit

from .models import Ballot
from .services import vote_field


class BallotForm(forms.ModelForm):
    federation = forms.ModelChoiceField(
        label=_("Fédération"), queryset=Unit.objects.none(), empty_label=None
    )
    options = forms.CharField(
        label=_("Candidat·es, motions ou réponses"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Une par ligne, dans l'ordre du bulletin."),
    )

    class Meta:
        model = Ballot
        fields = [
            "title",
            "description",
            "kind",
            "mode",
            "majority",
            "runoff_size",
            "eligibility_date",
            "joined_before",
            "opens_at",
            "closes_at",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "eligibility_date": DateInput(),
            "joined_before": DateInput(),
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        federations = Unit.objects.in_scope(user, "ballots.manage").filter(
            kind=Unit.Kind.FEDERATION
        )
        self.fields["federation"].queryset = federations
        if self.instance.pk:
            del self.fields["federation"]
            self.fields["options"].initial = "\n".join(
                self.instance.options.values_list("label", flat=True)
            )

    def clean_options(self):
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]

    def _post_clean(self):
        # The service validates the model; skip ModelForm's instance validation.
        pass


class PVForm(forms.Form):
    """The figures of a procès-verbal; one field of votes per option of the round."""

    registered = forms.IntegerField(label=_("Inscrits"), min_value=0)
    voters = forms.IntegerField(
        label=_("Votants"), min_value=0, help_text=_("Nombre de signatures sur la liste.")
    )
    blank = forms.IntegerField(label=_("Bulletins blancs"), min_value=0)
    void = forms.IntegerField(label=_("Bulletins nuls"), min_value=0)
    assessors = forms.CharField(
        label=_("Assesseur·es"),
        max_length=300,
        help_text=_("Noms des membres du bureau de vote, séparés par des virgules."),
    )

    def __init__(self, *args, result, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = list(result.round.options.order_by("order", "pk"))
        current = {line.option_id: line.votes for line in result.lines.all()}
        for option in self.options:
            self.fields[vote_field(option)] = forms.IntegerField(
                label=_("Voix pour %(option)s") % {"option": option.label},
                min_value=0,
                initial=current.get(option.pk),
            )
        self.initial.setdefault("registered", result.registered)
        if result.status != result.Status.PENDING:
            for name in ("voters", "blank", "void", "assessors"):
                self.initial.setdefault(name, getattr(result, name))

    def option_fields(self):
        return [self[vote_field(o)] for o in self.options]

    def figures(self) -> dict:
        data = self.cleaned_data
        return {
            "registered": data["registered"],
            "voters": data["voters"],
            "blank": data["blank"],
            "void": data["void"],
            "assessors": data["assessors"],
            "votes": {o.pk: data[vote_field(o)] for o in self.options},
        }


class RectifyForm(PVForm):
    reason = forms.CharField(
        label=_("Motif de la rectification"),
        max_length=300,
        help_text=_("Inscrit au journal des modifications, visible de la section."),
    )


class CorrectionForm(forms.Form):
    note = forms.CharField(
        label=_("Ce que la section doit corriger"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RollAddForm(forms.Form):
    membership_number = forms.CharField(label=_("Numéro d'adhérent·e"), max_length=20)
    reason = forms.CharField(label=_("Motif de l'ajout"), max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_membership_number(self):
        number = self.cleaned_data["membership_number"].strip()
        member = (
            Member.objects.in_scope(self.user, "ballots.manage")
            .select_related("section")
            .filter(membership_number=number)
            .first()
        )
        if member is None:
            raise forms.ValidationError(_("Aucun·e adhérent·e de la fédération n'a ce numéro."))
        self.cleaned_data["member"] = member
        return number


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=300)


class NextRoundForm(forms.Form):
    opens_at = forms.DateTimeField(label=_("Ouverture du tour"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Clôture du tour"), widget=DateTimeInput())


BLANK = "blanc"


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Votre choix"), widget=forms.RadioSelect)
    code = forms.CharField(
        label=_("Code de confirmation"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, round, uses_totp: bool, **kwargs):  # noqa: A002
        super().__init__(*args, **kwargs)
        self.round_options = {str(o.pk): o for o in round.options.order_by("order", "pk")}
        self.fields["choice"].choices = [
            *((pk, o.label) for pk, o in self.round_options.items()),
            (BLANK, _("Vote blanc")),
        ]
        self.fields["code"].help_text = (
            _("Le code à 6 chiffres de votre application d'authentification.")
            if uses_totp
            else _("Le code à 6 chiffres reçu par e-mail.")
        )

    def option(self):
        choice = self.cleaned_data["choice"]
        return None if choice == BLANK else self.round_options[choice]


class ReceiptSearchForm(forms.Form):
    recu = forms.CharField(label=_("Code de vérification"), max_length=20, required=False)
