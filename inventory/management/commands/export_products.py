"""Export the product list: manage.py export_products FILE (.csv or .xlsx) [--language kk|ru|en]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from inventory import importers, selectors


class Command(BaseCommand):
    help = "Export every product (sku, name, barcode, category, unit, price, cost, quantity)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--language", choices=sorted(importers.EXPORT_UNITS), default="en",
            help="Column names and units in this language; kk and ru write a CSV with `;` and "
                 "decimal commas, as Excel in those languages opens it (default: en).")

    def handle(self, *args, file, language, **options):
        path = Path(file)
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise CommandError("The file name must end in .csv or .xlsx.")
        admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first() or User(
            role=Role.ADMIN)
        rows = importers.export_rows(selectors.products_for_export(admin), language)
        if suffix == ".csv":
            with open(path, "w", encoding="utf-8", newline="") as stream:
                importers.write_csv(rows, stream, language)
        else:
            with open(path, "wb") as stream:
                importers.write_xlsx(rows, stream)
        self.stdout.write(self.style.SUCCESS(f"Exported {len(rows) - 1} products to {path}."))
