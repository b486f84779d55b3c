from django.apps import AppConfig


class BibarysConfig(AppConfig):
    name = "bibarys"
    verbose_name = "Bibarys"

    def ready(self):
        from . import csrf

        csrf.install()  # CSRF strings from one read of the random source (bibarys/csrf.py)
