import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Photos written by the tests land in a temporary folder, never in the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"
