"""Time the dashboard (as an admin and as a seller) and the 30-day sales PDF in process, with the
Django test client against the configured database: prints milliseconds (each run, and the
median) and the number of queries.

    DATABASE_URL=postgres://... DEBUG=1 .venv/bin/python manage.py time_dashboard --runs 5

--end-of-yesterday runs with the clock at 23:59 yesterday (Almaty): the dashboard's live day then
holds a whole day of sales, its heaviest moment (analytics/board.py reads today live).
"""

import datetime
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bibarys.limits import count_option


class Command(BaseCommand):
    help = "Time the analytics dashboard (admin, seller) and the 30-day sales PDF."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=count_option(1, 1000), default=5)
        parser.add_argument("--admin", default="admin")
        parser.add_argument("--seller", default="seller1")
        parser.add_argument("--pdf-runs", type=count_option(0, 1000), default=2)
        parser.add_argument("--end-of-yesterday", action="store_true",
                            help="time as at 23:59 yesterday, a whole day of sales live")

    def _time(self, client, url, runs):
        timings, queries, status = [], 0, None
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url, HTTP_HOST="127.0.0.1")
                timings.append((time.perf_counter() - began) * 1000)
            status, queries = response.status_code, len(captured)
            if status != 200:
                raise CommandError(f"{url} answered {status}")
        return timings, queries

    def _report(self, label, url, client, runs):
        client.get(url, HTTP_HOST="127.0.0.1")  # warm-up: templates, fonts, plan caches
        timings, queries = self._time(client, url, runs)
        runs_text = ", ".join(f"{t:.0f}" for t in timings)
        self.stdout.write(f"{label}: median {statistics.median(timings):.0f} ms, "
                          f"min {min(timings):.0f} ms ({runs_text}); {queries} queries")

    def handle(self, *args, end_of_yesterday, **options):
        if not end_of_yesterday:
            return self._handle(**options)
        from unittest import mock

        day = timezone.localdate() - datetime.timedelta(days=1)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))
        self.stdout.write(f"clock set to {moment.isoformat()}")
        with mock.patch("django.utils.timezone.now", return_value=moment):
            return self._handle(**options)

    def _handle(self, *, runs, admin, seller, pdf_runs, **options):
        users = get_user_model().objects
        today = timezone.localdate()
        first = today - datetime.timedelta(days=29)
        dashboard = reverse("analytics:dashboard")
        pdf = (reverse("analytics:report", kwargs={"name": "sales", "fmt": "pdf"})
               + f"?from={first}&to={today}")
        for username in (admin, seller):
            client = Client()
            client.force_login(users.get(username=username))
            self._report(f"dashboard (30 days), {username}", dashboard, client, runs)
        if not pdf_runs:
            return
        client = Client()
        client.force_login(users.get(username=admin))
        self._report(f"sales PDF {first}..{today}, {admin}", pdf, client, pdf_runs)
