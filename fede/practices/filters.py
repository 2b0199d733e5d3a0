"""The filters of the list of posts (django-filter)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Post


class PostFilter(django_filters.FilterSet):
    categorie = django_filters.ChoiceFilter(
        field_name="category",
        label=_("Thème"),
        choices=Category.choices,
        empty_label=_("Tous les thèmes"),
    )
    type = django_filters.ChoiceFilter(
        field_name="kind", label=_("Type"), choices=Post.Kind.choices, empty_label=_("Tout")
    )
    sans_reponse = django_filters.BooleanFilter(
        label=_("Questions sans réponse retenue"),
        method="filter_unanswered",
        widget=forms.CheckboxInput,
    )
    mot_cle = django_filters.CharFilter(
        label=_("Mot-clé"), method="filter_tag", widget=forms.HiddenInput
    )

    class Meta:
        model = Post
        fields: list = []

    def filter_unanswered(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(kind=Post.Kind.QUESTION, accepted_answer__isnull=True)

    def filter_tag(self, queryset, name, value):
        tag = value.strip().lower()[:30]
        return queryset.filter(tags__contains=f",{tag},") if tag else queryset
