"""Export the product list: manage.py export_products FILE (.csv or .xlsx)"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from inventory import importers, selectors


class Command(BaseCommand):
    help = "Export every product (sku, name, barcode, category, unit, price, cost, quantity)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise CommandError("The file name must end in .csv or .xlsx.")
        admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first() or User(
            role=Role.ADMIN)
        rows = importers.export_rows(selectors.products_for_export(admin))
        if suffix == ".csv":
            with open(path, "w", encoding="utf-8", newline="") as stream:
                importers.write_csv(rows, stream)
        else:
            with open(path, "wb") as stream:
                importers.write_xlsx(rows, stream)
        self.stdout.write(self.style.SUCCESS(f"Exported {len(rows) - 1} products to {path}."))
