"""Check the stock invariants (DOMAIN.md): exit 0 when the books are right, 1 otherwise."""

import sys
import time

from django.core.management.base import BaseCommand

from inventory.checks import stock_problems


class Command(BaseCommand):
    help = ("Verify that every product's on-hand quantity matches its stock movements, that every "
            "movement belongs to its document, and that sales and stock tell the same story.")

    def handle(self, *args, **options):
        started = time.monotonic()
        problems = 0
        for problem in stock_problems():
            problems += 1
            self.stdout.write(problem)
        elapsed = time.monotonic() - started
        if problems:
            self.stderr.write(self.style.ERROR(f"{problems} problem(s) found in {elapsed:.1f}s."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(f"Stock books are consistent ({elapsed:.1f}s)."))
