"""`make bench`'s scenarios: (name, role, list of paths). A scenario whose page does not exist is
reported so."""

from __future__ import annotations

import re
from urllib.parse import quote



def _reverse(url_name, **kwargs):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(url_name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _product_path(product):
    for name, kwargs in (("catalog:detail", {"slug": product.slug}),
                         ("catalog:product", {"slug": product.slug}),
                         ("catalog:detail", {"pk": product.pk}),
                         ("catalog:product", {"pk": product.pk}),
                         ("catalog:product_detail", {"slug": product.slug}),
                         ("catalog:product_detail", {"pk": product.pk})):
        path = _reverse(name, **kwargs)
        if path:
            return path
    try:
        return product.get_absolute_url()
    except AttributeError:
        return None


def scenario(name, role, paths, **options) -> dict:
    return {"name": name, "role": role, "paths": paths, **options}


def build_scenarios():
    """Every page scenario: a name, who asks (anon, shopper, admin) and the paths it cycles."""
    import datetime

    from catalog.models import Category, Product

    scenarios = [scenario("ceiling page (1 query, 24 items)", "anon", ["/bench/ceiling/"]),
                 scenario("ceiling page, logged-in shopper", "shopper", ["/bench/ceiling/"]),
                 scenario("ceiling page through the page cache", "anon",
                          ["/bench/ceiling-cached/"])]
    catalog = _reverse("catalog:product_list")
    products = list(Product.objects.filter(is_active=True).exclude(slug="bench-hot-product")
                    .order_by("?")[:300])
    if catalog:
        pages = [f"{catalog}?page={n}" for n in range(1, 21)]
        pages += [f"{catalog}?category={slug}"
                  for slug in Category.objects.values_list("slug", flat=True)[:20]]
        words = sorted({w.lower() for p in products for w in re.findall(r"\w{4,}", p.name)})[:40]
        searches = [f"{catalog}?q={quote(w)}" for w in words]
        barcodes = list(Product.objects.filter(barcodes__isnull=False)
                        .values_list("barcodes__code", flat=True)[:20])
        searches += [f"{catalog}?q={code}" for code in barcodes]
        for role in ("anon", "shopper"):
            who = "anonymous" if role == "anon" else "logged-in shopper"
            scenarios.append(scenario(f"catalog list, {who}", role, pages, target="catalog"))
            scenarios.append(scenario(f"catalog search, {who}", role, searches or pages,
                                      target="catalog"))
    product_paths = [p for p in (_product_path(p) for p in products[:200]) if p]
    if product_paths:
        scenarios.append(scenario("product page, anonymous", "anon", product_paths,
                                  target="catalog"))
        scenarios.append(scenario("product page, logged-in shopper", "shopper", product_paths,
                                  target="catalog"))
    scenarios.append(scenario("front page, anonymous", "anon", ["/"], target="shop"))
    dashboard = _reverse("analytics:dashboard")
    if dashboard:
        # The owner opens the dashboard: one connection, the time of one answer (target
        # 300 ms); then 16 at once, for the record.
        scenarios.append(scenario("dashboard (30 days), admin, one at a time", "admin",
                                  [dashboard], connections=1, target="dashboard"))
        scenarios.append(scenario("dashboard (30 days), admin", "admin", [dashboard]))
    report = _reverse("analytics:report", name="sales", fmt="pdf")
    if report:
        today = datetime.date.today()
        first = today - datetime.timedelta(days=29)
        scenarios.append(scenario(
            "sales PDF (30 days), admin", "admin", [f"{report}?from={first}&to={today}"],
            connections=1, timeout=120, target="report"))
    return scenarios
