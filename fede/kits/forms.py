"""Forms of the app: they parse and validate; services write."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fede.core.forms import DateInput

from .models import Category, Feedback, Kit, KitStep, KitTemplate, KitVersion, Task
from .services import assignable_members


class KitCreateForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    slug = forms.SlugField(
        label=_("Identifiant"),
        max_length=80,
        help_text=_("En minuscules et tirets, par exemple « reunion-publique »."),
    )
    category = forms.ChoiceField(label=_("Catégorie"), choices=Category.choices)
    summary = forms.CharField(label=_("Résumé"), widget=forms.Textarea(attrs={"rows": 4}))
    effort = forms.CharField(label=_("Effort"), max_length=200)


class VersionForm(forms.ModelForm):
    class Meta:
        model = KitVersion
        fields = ["title", "category", "summary", "effort", "change_notes"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "change_notes": forms.Textarea(attrs={"rows": 3}),
        }


class StepForm(forms.ModelForm):
    class Meta:
        model = KitStep
        fields = ["title", "offset_days", "office", "instructions", "checklist", "order"]
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 8}),
            "checklist": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False


class TemplateForm(forms.ModelForm):
    class Meta:
        model = KitTemplate
        fields = ["kind", "title", "body", "order"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}


class PublishForm(forms.Form):
    addressed = forms.ModelMultipleChoiceField(
        label=_("Retours pris en compte dans cette version"),
        queryset=Feedback.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, feedback=None, **kwargs):
        super().__init__(*args, **kwargs)
        if feedback is not None:
            self.fields["addressed"].queryset = feedback
            self.fields["addressed"].label_from_instance = lambda f: (
                f"{f.run.section.name} — {f.rating}/5 — {(f.suggestions or f.went_well)[:120]}"
            )


def section_events(section):
    """Upcoming events organised by ``section``, read through the app registry: kits and
    events are independent apps, linked only by this foreign key."""
    event_model = apps.get_model("events", "Event")
    return event_model.objects.filter(
        organiser=section, start__gte=timezone.now(), status="scheduled"
    ).order_by("start")


class RunStartForm(forms.Form):
    kit = forms.ModelChoiceField(label=_("Kit"), queryset=Kit.objects.none())
    target_date = forms.DateField(
        label=_("Date visée"),
        widget=DateInput(),
        help_text=_("Le jour de la réunion, du tractage… : les échéances en découlent."),
    )
    target_time = forms.TimeField(
        label=_("Heure"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    place = forms.CharField(label=_("Lieu"), max_length=300, required=False)
    title = forms.CharField(
        label=_("Intitulé"),
        max_length=200,
        required=False,
        help_text=_(
            "Par exemple « Réunion publique sur le logement ». Par défaut : le titre du kit."
        ),
    )
    event = forms.ModelChoiceField(
        label=_("Événement lié"), queryset=Kit.objects.none(), required=False
    )

    def __init__(self, *args, section, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kit"].queryset = (
            Kit.objects.published().prefetch_related("versions").order_by("category", "slug")
        )
        self.fields["kit"].label_from_instance = _kit_label
        self.fields["event"].queryset = section_events(section)
        self.fields["place"].initial = section.meeting_place


def _kit_label(kit) -> str:
    version = next((v for v in kit.versions.all() if v.status == KitVersion.Status.PUBLISHED), None)
    return version.title if version else kit.slug


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Confiée à"), queryset=None, required=False)
    due_date = forms.DateField(label=_("Échéance"), widget=DateInput())

    def __init__(self, *args, section, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = list(assignable_members(section)) if members is None else members
        field = self.fields["assignee"]
        field.queryset = get_user_model().objects.filter(pk__in=[m.user_id for m in members])
        field.empty_label = _("— personne —")
        if not self.is_bound:
            # Display only: the choices come from the members already loaded, so a page
            # showing one form per task runs no query per task.
            field.choices = [("", field.empty_label)] + [(m.user_id, m.full_name) for m in members]
        names = {m.user_id: m.full_name for m in members}
        field.label_from_instance = lambda u: names.get(u.pk, u.email)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=Task.Status.choices)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Commentaire"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["rating", "went_well", "suggestions"]
        widgets = {
            "rating": forms.RadioSelect,
            "went_well": forms.Textarea(attrs={"rows": 4}),
            "suggestions": forms.Textarea(attrs={"rows": 4}),
        }


class RunStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, s) for s in ("active", "completed", "cancelled")])
