from django.conf import settings
from django.db import migrations, models

# PostgreSQL only: a trigram index so that `name__icontains` (UPPER(name) LIKE UPPER('%q%')) uses
# an index instead of reading every product. Needs the pg_trgm extension (in PostgreSQL's
# contrib; creating it needs a role allowed to, see the README). SQLite has no such index.
TRIGRAM_SQL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
    "CREATE INDEX IF NOT EXISTS product_name_trgm ON catalog_product "
    "USING gin (UPPER(name::text) gin_trgm_ops);"
)


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGRAM_SQL)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS product_name_trgm;")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_photos_reviews_wishlist"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="product",
            index=models.Index(condition=models.Q(("is_active", True)), fields=["name", "id"],
                               name="product_active_by_name"),
        ),
        migrations.RunPython(trigram_index, drop_trigram_index, elidable=False),
    ]
