from django.db import migrations

# PostgreSQL only: SKU prefix search (`sku__istartswith`: UPPER(sku) LIKE 'Q%') by an index,
# so the shop's search can collect matching ids from indexes only (catalog/selectors.py).
SQL = ("CREATE INDEX IF NOT EXISTS product_sku_upper_prefix ON catalog_product "
       "(UPPER(sku::text) text_pattern_ops);")


def sku_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def drop_sku_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS product_sku_upper_prefix;")


class Migration(migrations.Migration):

    dependencies = [("catalog", "0004_dashboard_indexes")]

    operations = [migrations.RunPython(sku_index, drop_sku_index, elidable=False)]
