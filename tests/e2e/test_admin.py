"""The store admin's back office, in Chromium."""

import datetime
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check_languages, db_query

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_admin_opens_the_back_office(make_ui, viewport):
    ui = make_ui("admin", viewport)
    ui.login("admin")
    ui.go("/accounts/profile/", "profile")
    if viewport == "desktop":  # the same words at both sizes: read them once
        check_languages(ui)
    # Django admin speaks its own (Django's) catalogs; it is checked for errors, not wording.
    # Its pages link no icon, so the browser asks for /favicon.ico, which the store has not.
    ui.expect_status(404, "/favicon.ico")
    ui.go("/admin/", "django-admin")
    ui.go("/admin/accounts/user/", "django-admin-users")
    assert ui.page.locator("#result_list").count() == 1


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_admin_runs_the_store(make_ui, e2e_server, viewport, tmp_path):
    """Move an order along, block a user (their open session stops working), change a role,
    read the dashboard for another period and download the sales report as PDF and XLSX."""
    ui = make_ui("admin-store", viewport, user="admin")

    # An order moves to its next status; the history says who and when.
    (order_pk, status), = db_query(e2e_server, """
        SELECT id, status FROM orders_order WHERE status IN ('confirmed', 'ready', 'new')
           AND user_id IN (SELECT id FROM accounts_user WHERE username LIKE 'shopper%')
         ORDER BY CASE status WHEN 'confirmed' THEN 0 WHEN 'ready' THEN 1 ELSE 2 END, id
         LIMIT 1 OFFSET ?""", (0 if viewport == "desktop" else 1,))
    ui.go("/orders/manage/", "orders")
    ui.page.select_option("#id_status", status)
    ui.submit("orders-filtered", ui.page.get_by_role("button", name="Filter"))
    with ui.page.expect_navigation():
        ui.page.locator(f"main a[href$='/orders/my/{order_pk}/']").first.click()
    ui.settled("order")
    before = ui.page.locator("ol.history li").count()
    button = ui.page.locator("form.status-form button[name=status]").first
    new_label = button.inner_text().split("“")[-1].rstrip("”")
    ui.submit("order-moved", button)
    assert ui.page.locator(".page-header .badge").inner_text() == new_label
    assert ui.page.locator("ol.history li").count() == before + 1
    assert new_label in ui.page.locator("ol.history").inner_text()

    # Block: a shopper signed in elsewhere is refused on their very next request.
    victim = make_ui("blocked", viewport)
    username = f"victim_{viewport}_{int(time.time()) % 100000}"
    victim.go("/accounts/signup/", "signup")
    victim.page.fill("#id_username", username)
    victim.page.fill("#id_email", f"{username}@example.kz")
    victim.page.fill("#id_password1", "Qazaq-dala-2026")
    victim.page.fill("#id_password2", "Qazaq-dala-2026")
    victim.submit("signed-up")
    victim.go("/accounts/profile/", "profile")
    (victim_pk,), = db_query(e2e_server, "SELECT id FROM accounts_user WHERE username = ?",
                             (username,))

    ui.go(f"/accounts/staff/users/{victim_pk}/", "user")
    ui.page.get_by_role("link", name="Block").click()
    dialog = ui.page.locator("#user-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("textarea, input[name=reason]").first.fill("Алаяқтық / мошенничество")
    ui.submit("user-blocked", dialog.get_by_role("button", name="Block"))
    assert "Blocked" in ui.page.locator("h1").inner_text()
    response = victim.page.goto(victim.url("/accounts/profile/"))
    assert "/accounts/login/" in victim.page.url, f"a blocked session still opens {victim.page.url}"
    victim.settled("refused")
    victim.page.fill("#id_username", username)
    victim.page.fill("#id_password", "Qazaq-dala-2026")
    victim.submit("login-refused")
    assert "/accounts/login/" in victim.page.url
    assert response is not None

    # Role: a demo shopper becomes a seller.
    person = "shopper3" if viewport == "desktop" else "shopper4"
    (person_pk, role), = db_query(
        e2e_server, "SELECT id, role FROM accounts_user WHERE username = ?", (person,))
    new_role = "seller" if role == "shopper" else "shopper"  # (a reused database ran it before)
    ui.go(f"/accounts/staff/users/{person_pk}/", "user-role")
    ui.page.get_by_role("link", name="Change role").click()
    expect(dialog).to_be_visible()
    dialog.locator("select[name=role]").select_option(new_role)
    ui.submit("role-changed", dialog.get_by_role("button", name="Confirm the change"))
    assert new_role.capitalize() in ui.page.locator("h1").inner_text()

    # The dashboard, then another period (htmx swaps the body and pushes the URL).
    ui.go("/analytics/dashboard/", "dashboard")
    ui.page.select_option("#an-period", "7d")
    ui.page.wait_for_url("**period=7d**")
    ui.htmx_settled()
    ui.settled("dashboard-7d")
    first = datetime.date.fromisoformat(ui.page.input_value("#an-from"))
    last = datetime.date.fromisoformat(ui.page.input_value("#an-to"))
    assert (last - first).days == 6, (first, last)

    # The sales report as PDF and XLSX.
    ui.go("/analytics/reports/", "reports")
    with ui.page.expect_download(timeout=60_000) as pdf_info:  # WeasyPrint takes its time
        ui.page.locator("a[href*='/analytics/reports/sales.pdf']").click(no_wait_after=True)
    pdf = tmp_path / "sales.pdf"
    pdf_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    with ui.page.expect_download(timeout=60_000) as xlsx_info:  # WeasyPrint takes its time
        ui.page.locator("a[href*='/analytics/reports/sales.xlsx']").click(no_wait_after=True)
    xlsx = tmp_path / "sales.xlsx"
    xlsx_info.value.save_as(xlsx)
    import openpyxl

    workbook = openpyxl.load_workbook(xlsx, read_only=True)
    assert workbook.sheetnames
    ui.check()

    ui.switch_language("kk")
    if viewport == "desktop":  # the same words at both sizes: read them once
        check_languages(ui)
    ui.check()
