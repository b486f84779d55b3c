"""Deterministic demo data: the same accounts and catalog every time, safe to run twice.

Each app adds its part in `<app>/demo.py` with a `seed(context)` function; they run in the order
of DEMO_STEPS, sharing one random generator with a fixed seed. A step may also have a
`report(stdout)` function, called at the end (the accounts print their sign-in table). The steps
are named, not imported, so that bibarys, the lowest layer, never imports the apps above it."""

import importlib
import random
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand
from django.conf import settings
from django.db import transaction
from django.utils import translation

from bibarys.limits import count_option

DEMO_STEPS = ["accounts.demo", "catalog.demo", "inventory.demo", "orders.demo", "till.demo",
              "analytics.demo"]


@dataclass
class DemoContext:
    rng: random.Random
    stdout: object
    products: int = 200
    orders: int | None = None
    users: dict = field(default_factory=dict)


class Command(BaseCommand):
    help = "Load deterministic demo data (accounts, catalog, stock, orders). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=count_option(1, 1_000_000), default=200,
                            help="How many products the catalog gets (default 200).")
        parser.add_argument("--orders", type=count_option(0, 10_000_000), default=None,
                            help="How many orders of history (default: scaled to products).")
        parser.add_argument("--seed", type=count_option(0, 2**63 - 1), default=2026,
                            help="Random seed.")

    def handle(self, *args, products, orders, seed, **options):
        context = DemoContext(rng=random.Random(seed), stdout=self.stdout, products=products,
                              orders=orders)
        # Texts the demo writes as the store would (reasons, notes) come out in the store's own
        # language, not in the command line's.
        modules = []
        with translation.override(settings.LANGUAGE_CODE):
            for step in DEMO_STEPS:
                try:
                    module = importlib.import_module(step)
                except ModuleNotFoundError as error:
                    if error.name != step:
                        raise
                    continue
                modules.append(module)
                with transaction.atomic():
                    module.seed(context)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for module in modules:
            if hasattr(module, "report"):
                module.report(self.stdout)
