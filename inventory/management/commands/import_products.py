"""Import products from a CSV or XLSX file: manage.py import_products FILE [--seller U] [--dry-run]"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from inventory import importers
from inventory.services import products_import


class Command(BaseCommand):
    help = ("Import products (CSV or XLSX; headers in Kazakh, Russian or English). Matches by SKU,"
            " then barcode. A file with any bad row imports nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--seller", help="Username who owns new products (default: the "
                                             "store's first admin).")
        parser.add_argument("--dry-run", action="store_true", help="Check only, write nothing.")
        parser.add_argument("--set-quantities", action="store_true",
                            help="Set on-hand stock of existing products to the file's "
                                 "quantities (posted as a stocktake). Off: their stock stays.")

    def handle(self, *args, file, seller=None, dry_run=False, set_quantities=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        if seller:
            try:
                owner = User.objects.get(username=seller)
            except User.DoesNotExist:
                raise CommandError(f"No user {seller!r}.") from None
            if owner.role not in (Role.SELLER, Role.ADMIN):
                raise CommandError(f"{seller!r} is not a seller or an admin.")
        else:
            owner = admin
        if owner is None or admin is None:
            raise CommandError("The store has no admin yet: create one first.")
        started = time.monotonic()
        try:
            parsed = importers.parse_file(path.read_bytes(), path.name)
        except importers.ImportFileError as error:
            raise CommandError(str(error)) from None
        # The actor is the admin (a command is run by the store's operator). Every problem of
        # the file at once: the rows the file check refused are checked against the store too.
        plan = products_import(rows=parsed.rows, rejected=parsed.rejected, by=admin,
                               seller=owner, filename=path.name, dry_run=True,
                               set_quantities=set_quantities)
        errors = importers.merge_errors(parsed.errors, plan.errors)
        result = plan
        if not errors and not dry_run:
            result = products_import(rows=parsed.rows, by=admin, seller=owner,
                                     filename=path.name, set_quantities=set_quantities)
            errors = result.errors
        if errors:
            for line, message in errors:
                self.stderr.write(f"row {line}: {message}")
            raise CommandError(f"{len(errors)} row(s) with problems: nothing was imported.")
        elapsed = time.monotonic() - started
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(
            f"{verb} {len(parsed.rows)} rows in {elapsed:.1f}s: {result.created} new, "
            f"{result.updated} updated, {result.unchanged} unchanged, {result.received_lines} "
            f"opening quantities received, {result.adjusted_lines} adjusted."))
