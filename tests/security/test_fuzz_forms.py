"""Forms fuzzed with hypothesis: whatever a visitor types — markup, huge numbers, odd unicode,
NUL bytes, negative or absurd quantities and prices — the answer is never a 500, invalid input
writes nothing, and stored markup is shown as text.

The Django test client re-raises any exception a view lets out, so a 500 fails the example
with its traceback."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings as hsettings, strategies as st
from django.test import Client

from accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FUZZ = hsettings(max_examples=25, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])

MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<b>bold</b>",
          "{{ 7*7 }}", "{% now 'Y' %}", "' OR 1=1 --", "\u202etxt.exe", "ٴ﷽", "Қазақстан 🍎"]
texts = st.one_of(
    st.sampled_from(MARKUP),
    st.text(max_size=40),
    st.text(min_size=300, max_size=400),
    st.just("x" * 5000),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20).map(lambda s: s + "\x00"),
)
numbers = st.one_of(
    st.sampled_from(["0", "-1", "1e9", "1e309", "NaN", "inf", "-0", "0.0001", "1,5",
                     "99999999999999999999", "١٢٣", "1_000", " 3 ", "", "0x10"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
)
phones = st.one_of(st.sampled_from(["+7 701 234 56 78", "87012345678", "+7 (701) 234-56-78"]),
                   texts)


def escaped_markup_only(html: str, value: str) -> None:
    """A value with markup that the page shows must be shown escaped, never as a live tag."""
    for dangerous in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>bold</b>"):
        if dangerous in value:
            assert dangerous not in html, f"unescaped markup on the page: {dangerous}"


@pytest.fixture
def loose_limits(settings):
    settings.RATELIMIT_SIGNUP = "100000/h"
    settings.RATELIMIT_LOGIN = "100000/m"


@FUZZ
@given(username=texts, first_name=texts, email=texts, phone=phones, password=texts)
@example(username="aru", first_name="<script>alert(1)</script>", email="a@example.kz",
         phone="+7 701 234 56 78", password="Qazaq-dala-2026")
def test_signup_fuzz(loose_limits, username, first_name, email, phone, password):
    before = User.objects.count()
    client = Client()
    response = client.post("/accounts/signup/", {
        "username": username, "first_name": first_name, "last_name": first_name,
        "email": email, "phone": phone, "password1": password, "password2": password,
    })
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert User.objects.count() == before, "an invalid sign-up wrote a user"
    else:
        assert User.objects.count() == before + 1
        page = client.get("/accounts/profile/")
        assert page.status_code == 200
        escaped_markup_only(page.content.decode(), first_name)


@FUZZ
@given(first_name=texts, last_name=texts, email=texts, phone=phones, address=texts)
@example(first_name="<b>bold</b>", last_name='"><img src=x onerror=alert(1)>', email="",
         phone="", address="<script>alert(1)</script>")
def test_profile_fuzz(shopper, first_name, last_name, email, phone, address):
    client = Client()
    client.force_login(shopper)
    shopper.refresh_from_db()
    before = User.objects.values().get(pk=shopper.pk)
    response = client.post("/accounts/profile/", {
        "first_name": first_name, "last_name": last_name, "email": email, "phone": phone,
        "address": address,
    })
    assert response.status_code in (200, 302), response.status_code
    after = User.objects.values().get(pk=shopper.pk)
    if response.status_code == 200:
        assert after == before, "an invalid profile form changed the user"
    else:
        page = client.get("/accounts/profile/").content.decode()
        for value in (first_name, last_name, address):
            escaped_markup_only(page, value)
