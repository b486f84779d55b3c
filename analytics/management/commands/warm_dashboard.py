"""Build today's product-board snapshots (analytics/board.py) of the period presets for the
store and for every seller, so the first dashboard of the day answers as fast as the rest.
Run it from cron a little after midnight (after board.GRACE), e.g.

    20 0 * * *  cd /srv/bibarys && .venv/bin/python manage.py warm_dashboard
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.models import Role
from analytics import board
from analytics.periods import PRESETS, preset_period


class Command(BaseCommand):
    help = "Build today's dashboard snapshots for the store and every seller."

    def handle(self, *args, **options):
        began = time.monotonic()
        scopes = [0, *get_user_model().objects.filter(role=Role.SELLER, is_active=True)
                  .order_by("pk").values_list("pk", flat=True)]
        built = 0
        for name, _label in PRESETS:
            period = preset_period(name)
            closed_last, _live_first = board.split(period.first, period.last)
            if closed_last is None:
                continue
            for scope in scopes:
                board.snapshot_for(scope, period.first, closed_last)
                built += 1
        self.stdout.write(f"Dashboard snapshots ready: {built} (store and {len(scopes) - 1} "
                          f"sellers) in {time.monotonic() - began:.1f} s.")
