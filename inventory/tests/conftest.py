import pytest


@pytest.fixture(autouse=True)
def pages_in_english(settings):
    """The store speaks Kazakh by default; these tests read the pages' messages in English (the
    source language), which is what a visitor without a language cookie would get with en."""
    settings.LANGUAGE_CODE = "en"
