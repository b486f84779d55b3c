"""A shopper's day in the shop, in Chromium, on a phone and on a desktop."""

import pytest

from tests.e2e.conftest import check_languages

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_shopper_signs_up_and_keeps_a_profile(make_ui, viewport):
    ui = make_ui("shopper", viewport)
    username = f"aru_{viewport}"

    ui.go("/", "home")
    ui.go("/accounts/signup/", "signup")
    # Bad input first: the form says what is wrong next to the field and nothing is created.
    ui.page.fill("#id_username", username)
    ui.page.fill("#id_password1", "short")
    ui.page.fill("#id_password2", "different")
    ui.submit("signup-errors")
    assert ui.page.locator(".field .error, .errorlist, .field-error").count() > 0

    ui.page.fill("#id_username", username)
    ui.page.fill("#id_first_name", "Ару")
    ui.page.fill("#id_email", f"{username}@example.kz")
    ui.page.fill("#id_phone", "+7 701 234 56 78")
    ui.page.fill("#id_password1", "Qazaq-dala-2026")
    ui.page.fill("#id_password2", "Qazaq-dala-2026")
    ui.submit("signed-up")
    assert "/accounts/signup/" not in ui.page.url

    ui.go("/accounts/profile/", "profile")
    assert ui.page.input_value("#id_first_name") == "Ару"
    ui.page.fill("#id_last_name", "<b>Сейіт</b>")
    ui.submit("profile-saved")
    # Markup typed into a field is kept as text, never rendered as HTML.
    assert ui.page.input_value("#id_last_name") == "<b>Сейіт</b>"
    assert ui.page.locator("main b").count() == 0

    check_languages(ui)
    ui.logout()
