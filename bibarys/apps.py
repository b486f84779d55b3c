from django.apps import AppConfig


class BibarysConfig(AppConfig):
    name = "bibarys"
    verbose_name = "Bibarys"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import pre_save

        from . import csrf, limits, sqlite

        csrf.install()  # CSRF strings from one read of the random source (bibarys/csrf.py)
        # SQLite's LIKE in every alphabet, not only ASCII (bibarys/sqlite.py).
        connection_created.connect(sqlite.install, dispatch_uid="bibarys_sqlite_like")
        # A number its column cannot hold is never saved, and one already stored is read without
        # a 500 (bibarys/limits.py).
        pre_save.connect(limits.guard_model_save, dispatch_uid="bibarys_number_bounds")
        connection_created.connect(limits.install_sqlite_reader,
                                   dispatch_uid="bibarys_sqlite_decimals")
