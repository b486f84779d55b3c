import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Role, Wallet
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

User = get_user_model()
BCRYPT = ["django.contrib.auth.hashers.BCryptSHA256PasswordHasher"]

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "username": "aigerim", "first_name": "Айгерім", "last_name": "Сәрсенова",
        "email": "aigerim@example.kz", "phone": "8 701 234 56 78",
        "password1": "Тау-алма-2026!", "password2": "Тау-алма-2026!",
    }
    data.update(overrides)
    return data


def test_signup_creates_a_logged_in_shopper_with_a_wallet(client):
    response = client.post(reverse("accounts:signup"), signup_data())
    assert response.status_code == 302
    user = User.objects.get(username="aigerim")
    assert user.role == Role.SHOPPER
    assert user.phone == "+77012345678"
    assert not user.is_staff
    assert Wallet.objects.get(user=user).balance == 0
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"password2": "something-else-2026"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
        ({"phone": "12345"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"username": "bad name!"}, "username"),
    ],
)
def test_signup_with_bad_input_shows_the_error_by_its_field_and_creates_nothing(
    client, overrides, field
):
    response = client.post(reverse("accounts:signup"), signup_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(username=signup_data(**overrides)["username"]).exists()


def test_a_kazakh_visitor_reads_djangos_own_messages_in_kazakh(client):
    """Django ships Kazakh with gaps (password rules, e-mail, length limits); locale/django
    fills them, so a Kazakh page never falls back to English."""
    response = client.post(reverse("accounts:signup"), signup_data(
        email="not-an-email", password1="12345678", password2="12345678"),
        HTTP_ACCEPT_LANGUAGE="kk")
    errors = response.context["form"].errors
    assert errors["email"] == ["Дұрыс электрондық пошта мекенжайын енгізіңіз."]
    password = " ".join(errors["password1"])
    assert "құпиясөз" in password.lower() and "password" not in password.lower()
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"},
                           HTTP_ACCEPT_LANGUAGE="kk")
    page = response.content.decode()
    assert "Пайдаланушы аты немесе құпиясөз қате." in page and "Логин" not in page


def test_signup_refuses_a_taken_username_in_any_case(client):
    UserFactory(username="Aigerim")
    response = client.post(reverse("accounts:signup"), signup_data())
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username__iexact="aigerim").count() == 1


def test_login_and_logout(client):
    user = UserFactory(username="dana")
    response = client.post(reverse("login"), {"username": "dana", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get(reverse("accounts:logout")).status_code == 405  # logout is POST only
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_with_a_wrong_password_is_refused(client):
    UserFactory(username="dana")
    response = client.post(reverse("login"), {"username": "dana", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors()


def test_blocked_user_cannot_log_in_and_is_told_so(client):
    UserFactory(username="dana", is_active=False)
    response = client.post(reverse("login"), {"username": "dana", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["blocked"]


def test_blocked_user_loses_an_open_session_on_the_next_request():
    user = UserFactory(username="dana")
    browser = Client()
    browser.force_login(user)
    assert browser.get(reverse("accounts:profile")).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = browser.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_is_rate_limited_per_client(client, settings):
    settings.RATELIMIT_LOGIN = "5/m"
    UserFactory(username="dana")
    codes = [
        client.post(reverse("login"), {"username": "dana", "password": "wrong"}).status_code
        for _ in range(8)
    ]
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429] * 3
    # Even the right password is refused while blocked.
    response = client.post(reverse("login"), {"username": "dana", "password": DEFAULT_PASSWORD},
                           HTTP_REFERER="http://testserver/accounts/login/?next=/orders/my/")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The page leads back to where the visitor came from, never to another site.
    assert 'href="http://testserver/accounts/login/?next=/orders/my/"' in response.content.decode()
    response = client.post(reverse("login"), {"username": "dana", "password": "wrong"},
                           HTTP_REFERER="https://evil.example/phish")
    assert response.status_code == 429 and "evil.example" not in response.content.decode()


def test_rate_limit_message_speaks_the_visitors_language(client, settings):
    settings.RATELIMIT_LOGIN = "1/m"
    client.post(reverse("login"), {"username": "x", "password": "y"})
    response = client.post(
        reverse("login"), {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 429
    assert "Слишком много попыток" in response.content.decode()


def test_password_hashes_with_bcrypt_sha256(settings):
    from bibarys import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("BCryptSHA256PasswordHasher")
    settings.PASSWORD_HASHERS = BCRYPT
    user = UserFactory(username="hashme", password="Жаңа-құпия-сөз-2026")
    user.refresh_from_db()
    assert user.password.startswith("bcrypt_sha256$")
    assert user.check_password("Жаңа-құпия-сөз-2026")


@override_settings(PASSWORD_HASHERS=BCRYPT)
def test_a_100_character_password_counts_every_character():
    password = "a" * 72 + "b" * 28
    assert len(password) == 100
    encoded = make_password(password)
    assert check_password(password, encoded)
    # Plain bcrypt ignores bytes after 72; the SHA-256 pre-hash must not.
    assert not check_password(password[:72], encoded)
    assert not check_password("a" * 72 + "c" * 28, encoded)


def test_password_change(client):
    user = UserFactory(username="dana")
    client.force_login(user)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": DEFAULT_PASSWORD,
        "new_password1": "Жаңа-құпия-2026!", "new_password2": "Жаңа-құпия-2026!",
    })
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Жаңа-құпия-2026!")


def test_password_reset_sends_a_working_link(client, settings):
    user = UserFactory(username="dana", email="dana@example.kz", first_name="Дана")
    client.post(reverse("accounts:password_reset"), {"email": "dana@example.kz"},
                HTTP_ACCEPT_LANGUAGE="en")
    assert len(mail.outbox) == 1
    # The store's name and the shopper's, not the host the form was asked on and the login.
    letter = mail.outbox[0]
    assert settings.STORE_NAME in letter.subject and "testserver" not in letter.subject
    assert letter.body.startswith("Hello Дана,")
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1].strip()
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {
        "new_password1": "Жаңа-құпия-2026!", "new_password2": "Жаңа-құпия-2026!",
    })
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Жаңа-құпия-2026!")


def test_password_reset_letters_are_limited_per_client(client, settings):
    settings.RATELIMIT_PASSWORD_RESET = "3/h"
    UserFactory(username="dana", email="dana@example.kz")
    codes = [client.post(reverse("accounts:password_reset"), {"email": "dana@example.kz"}
                         ).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429] and len(mail.outbox) == 3


def test_session_lasts_seven_days(settings):
    from bibarys import settings as project_settings

    assert project_settings.SESSION_COOKIE_AGE == 7 * 24 * 3600


def test_createsuperuser_makes_an_admin_who_is_staff():
    user = User.objects.create_superuser("boss", "boss@example.kz", "Бастық-2026!")
    assert user.role == Role.ADMIN
    assert user.is_staff and user.is_superuser


@pytest.mark.parametrize("role, staff", [("shopper", False), ("seller", False), ("admin", True)])
def test_only_admins_are_staff(role, staff):
    assert UserFactory(role=role).is_staff is staff


def test_profile_edit_validates_and_saves(client):
    user = UserFactory(username="dana")
    client.force_login(user)
    url = reverse("accounts:profile")
    bad = client.post(url, {"first_name": "Дана", "last_name": "", "email": "", "phone": "777",
                            "address": ""})
    assert "phone" in bad.context["form"].errors
    user.refresh_from_db()
    assert user.first_name != "Дана"
    good = client.post(url, {"first_name": "Дана", "last_name": "Әбенова", "email": "",
                             "phone": "+7 (701) 111-22-33", "address": "Алматы, Абай 10"})
    assert good.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.phone, user.address) == ("Дана", "+77011112233", "Алматы, Абай 10")
