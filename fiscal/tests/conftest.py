import pytest
from django.test import Client

from fiscal.backends import kassa24

from .fake_kassa24 import FakeKassa24


@pytest.fixture
def register(settings):
    """The fake Kassa24 on loopback, and Bibarys set up to send to it."""
    fake = FakeKassa24().start()
    settings.FISCAL_BACKEND = "kassa24"
    settings.FISCAL_KASSA24_URL = fake.url
    settings.FISCAL_KASSA24_LOGIN, settings.FISCAL_KASSA24_PASSWORD = fake.login, fake.password
    settings.FISCAL_KASSA24_KKM_ID = fake.kkm_id
    settings.FISCAL_REGISTER_NUMBER = "010100012345"
    settings.FISCAL_TIMEOUT_SECONDS = 0.5
    kassa24._tokens.clear()
    yield fake
    fake.stop()
    kassa24._tokens.clear()


@pytest.fixture
def cashier_client(cashier):
    client = Client()
    client.force_login(cashier)
    client.cookies["django_language"] = "en"  # the English msgids (the .po files come later)
    return client
