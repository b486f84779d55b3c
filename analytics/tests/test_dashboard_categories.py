"""The dashboard's revenue by category: every category that sold has its bar, and the bars add
up to the period's revenue (the demo's nine selling categories lost the ninth to a top-8 cut)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import CategoryFactory, ProductFactory, local_time, make_order

pytestmark = pytest.mark.django_db

URL = reverse("analytics:dashboard")
BAR = re.compile(r"<title>([^<]*): ([^<]*)</title>")


def _chart_bars(svg: str) -> dict[str, str]:
    return dict(BAR.findall(str(svg)))


# Days back from today: today only is read live from the rollup; older days come from the
# board's snapshot of closed days (analytics/board.py), a second SQL path.
@pytest.mark.parametrize("days", [[0], [0, 3, 9]], ids=["live-only", "snapshot"])
def test_revenue_by_category_lists_every_category_and_adds_up(admin_client, seller, days):
    today = timezone.localdate()
    first = today - datetime.timedelta(days=9)
    names = [f"Санат {n:02d}" for n in range(12)]
    for n, name in enumerate(names):
        category = CategoryFactory(name=name, slug=f"cat-{n}")
        product = ProductFactory(seller=seller, category=category, name=f"Тауар {n}")
        for day in days:
            make_order(at=local_time(today - datetime.timedelta(days=day)),
                       lines=[(product, str(n + 1), "100.50", "60")])
    response = admin_client.get(URL, {"period": "custom", "from": first.isoformat(),
                                      "to": today.isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    bars = _chart_bars(response.context["category_chart"])
    assert sorted(bars) == names  # not the top 8
    rows = response.context["category_rows"]
    revenue = next(c for c in response.context["cards"] if c["key"] == "revenue")
    total = sum((row["revenue"] for row in rows), Decimal("0.00"))
    assert total == Decimal("100.50") * sum(range(1, 13)) * len(days)
    from bibarys.money import format_money

    assert revenue["value"] == format_money(total)
    assert response.context["category_total"] == total
    assert format_money(total) in response.content.decode()
