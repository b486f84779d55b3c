from django.apps import AppConfig


class BibarysConfig(AppConfig):
    name = "bibarys"
    verbose_name = "Bibarys"
