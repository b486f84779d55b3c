"""bibarys/csrf.py: Django's CSRF secrets and masks come from one read of the random source, and
are as good as get_random_string's: the right length and alphabet, uniform, never repeated."""

from collections import Counter

from django.middleware import csrf
from django.test import RequestFactory

from bibarys.csrf import fast_csrf_string


def test_django_makes_every_csrf_string_with_ours():
    assert csrf._get_new_csrf_string is fast_csrf_string
    calls = []

    def counting():
        calls.append(1)
        return fast_csrf_string()

    csrf._get_new_csrf_string = counting
    try:
        token = csrf.get_token(RequestFactory().get("/"))  # a new visitor: a secret and its mask
    finally:
        csrf._get_new_csrf_string = fast_csrf_string
    assert len(calls) == 2 and len(token) == 2 * csrf.CSRF_SECRET_LENGTH


def test_strings_are_uniform_over_the_alphabet_and_never_repeat():
    strings = [fast_csrf_string() for _ in range(2000)]
    assert len(set(strings)) == 2000
    assert {len(s) for s in strings} == {csrf.CSRF_SECRET_LENGTH}
    counts = Counter("".join(strings))
    assert set(counts) == set(csrf.CSRF_ALLOWED_CHARS)
    # 64,000 characters, 1,032 expected each (σ ≈ 32): a skewed mapping would be far outside.
    assert 850 < min(counts.values()) and max(counts.values()) < 1220
