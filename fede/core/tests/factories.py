"""Factories of the core building blocks."""

import factory
from django.contrib.auth import get_user_model

from fede.core.models import AccessLog, TaskProgress


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"core-user{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TaskProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskProgress

    owner = factory.SubFactory(UserFactory)
    label = "Import des adhérents"


class AccessLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessLog

    actor = factory.SubFactory(UserFactory)
    action = AccessLog.Action.EXPORT
    what = "Adhérents de la section Paris 11"
    row_count = 42
