"""The store admin's back office, in Chromium."""

import pytest

from tests.e2e.conftest import check_languages

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_admin_opens_the_back_office(make_ui, viewport):
    ui = make_ui("admin", viewport)
    ui.login("admin")
    ui.go("/accounts/profile/", "profile")
    check_languages(ui)
    # Django admin speaks its own (Django's) catalogs; it is checked for errors, not wording.
    # Its pages link no icon, so the browser asks for /favicon.ico, which the store has not.
    ui.expect_status(404, "/favicon.ico")
    ui.go("/admin/", "django-admin")
    ui.go("/admin/accounts/user/", "django-admin-users")
    assert ui.page.locator("#result_list").count() == 1
