from django.db import migrations, models
from django.db.models.functions import Coalesce, NullIf

# As catalog.selectors.FOLD_FROM / FOLD_TO were when these indexes were made.
FOLD_FROM = "ӘәҒғҚқҢңӨөҰұҮүҺһІіIiЁё"
FOLD_TO = "АаГгКкНнОоУуУуХхИиИиЕе"
LANGUAGES = ("ru", "en")

# PostgreSQL only: the search finds a product by any of its names (catalog.selectors.
# search_filter), each name column with its own trigram index on the folded name, the
# expression exactly as Django writes the icontains lookup on it (as migration 0006 for `name`).
# One index per column, not one column of all names: nothing (bulk_create in the import and the
# demo, update()) has to keep a copy up to date.


def _index_sql(language):
    return (f"CREATE INDEX IF NOT EXISTS product_folded_name_{language}_trgm ON catalog_product "
            f"USING gin (UPPER((TRANSLATE(name_{language}, '{FOLD_FROM}', '{FOLD_TO}'))::text) "
            "gin_trgm_ops);")


def folded_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for language in LANGUAGES:
            schema_editor.execute(_index_sql(language))


def drop_folded_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for language in LANGUAGES:
            schema_editor.execute(f"DROP INDEX IF EXISTS product_folded_name_{language}_trgm;")


class Migration(migrations.Migration):

    dependencies = [("catalog", "0006_product_folded_name_trgm")]

    operations = [
        migrations.AddField(
            model_name="product", name="name_ru",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in Russian"),
        ),
        migrations.AddField(
            model_name="product", name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in English"),
        ),
        migrations.AddField(
            model_name="product", name="description_ru",
            field=models.TextField(blank=True, verbose_name="description in Russian"),
        ),
        migrations.AddField(
            model_name="product", name="description_en",
            field=models.TextField(blank=True, verbose_name="description in English"),
        ),
        *[migrations.AddIndex(
            model_name="product",
            index=models.Index(Coalesce(NullIf(f"name_{language}", models.Value("")), "name"),
                               models.F("id"), condition=models.Q(("is_active", True)),
                               name=f"product_active_by_name_{language}"),
        ) for language in LANGUAGES],
        migrations.RunPython(folded_indexes, drop_folded_indexes, elidable=False),
    ]
