"""Recompute the daily sales rollup from the order lines (after bulk loads, or to check it)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from analytics.rollup import sales_rollup_rebuild


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}")


class Command(BaseCommand):
    help = "Rebuild the daily sales rollup (all days, or --from/--to Almaty dates, inclusive)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=_date, default=None)
        parser.add_argument("--to", dest="last", type=_date, default=None)

    def handle(self, *args, first, last, **options):
        if first and last and first > last:
            raise CommandError("--from is after --to.")
        began = time.monotonic()
        written = sales_rollup_rebuild(first=first, last=last)
        self.stdout.write(
            f"Sales rollup rebuilt: {written['products']} product-days, "
            f"{written['sellers']} seller-days, {written['days']} days "
            f"in {time.monotonic() - began:.1f} s.")
