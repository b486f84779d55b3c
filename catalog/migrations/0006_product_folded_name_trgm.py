from django.db import migrations

# As catalog.selectors.FOLD_FROM / FOLD_TO were when this index was made.
FOLD_FROM = "ӘәҒғҚқҢңӨөҰұҮүҺһІіIiЁё"
FOLD_TO = "АаГгКкНнОоУуУуХхИиИиЕе"

# PostgreSQL only: the trigram index of the search's folded names (catalog.selectors.folded_name:
# "кымыз" finds "Қымыз"), the expression exactly as Django writes the icontains lookup on it.
# The plain name index of migration 0003 stays for the back office's name searches.
INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS product_folded_name_trgm ON catalog_product "
    f"USING gin (UPPER((TRANSLATE(name, '{FOLD_FROM}', '{FOLD_TO}'))::text) gin_trgm_ops);"
)


def folded_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def drop_folded_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS product_folded_name_trgm;")


class Migration(migrations.Migration):

    dependencies = [("catalog", "0005_product_sku_prefix_index")]

    operations = [migrations.RunPython(folded_index, drop_folded_index, elidable=False)]
