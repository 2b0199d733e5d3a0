from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fede.demo"
    label = "demo"
    verbose_name = "Démonstration"
