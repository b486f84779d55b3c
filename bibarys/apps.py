from django.apps import AppConfig


class BibarysConfig(AppConfig):
    name = "bibarys"
    verbose_name = "Bibarys"

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import csrf, sqlite

        csrf.install()  # CSRF strings from one read of the random source (bibarys/csrf.py)
        # SQLite's LIKE in every alphabet, not only ASCII (bibarys/sqlite.py).
        connection_created.connect(sqlite.install, dispatch_uid="bibarys_sqlite_like")
