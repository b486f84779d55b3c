"""Nothing is free in production: the demo gateway only when the environment names it."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import WalletEntry
from accounts.wallet_services import wallet_topup

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "k3y-" + "a1b2c3d4e5" * 6,
              "REDIS_URL": "redis://127.0.0.1:6379/0", "ALLOWED_HOSTS": "shop.example.kz"}


def _run(*args, **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "SECRET_KEY", "REDIS_URL", "ALLOWED_HOSTS", "DATABASE_URL",
                          "PAYMENT_GATEWAY"}}
    clean.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True,
                          text=True, timeout=120)


def test_production_has_no_gateway_unless_the_environment_names_one():
    script = "import django; django.setup(); from accounts.payments import payment_gateway; " \
             "print('gateway:', payment_gateway())"
    env = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "bibarys.settings"}
    result = _run("-c", script, **env)
    assert result.returncode == 0, result.stderr
    assert "gateway: None" in result.stdout
    demo = _run("-c", script, **env, PAYMENT_GATEWAY="demo")
    assert "gateway: <accounts.payments.DemoGateway" in demo.stdout, demo.stderr


def test_production_refuses_to_start_with_the_demo_gateway_named_by_its_path():
    # What gunicorn imports: the WSGI application does not come up.
    result = _run("-c", "import bibarys.wsgi", **PRODUCTION,
                  PAYMENT_GATEWAY="accounts.payments.DemoGateway")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "PAYMENT_GATEWAY=demo" in result.stderr
    unknown = _run("manage.py", "check", **PRODUCTION, PAYMENT_GATEWAY="no.such.Gateway")
    assert unknown.returncode != 0 and "cannot be imported" in unknown.stderr


def test_check_deploy_warns_of_the_demo_gateway():
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION,
                  PAYMENT_GATEWAY="demo")
    assert result.returncode != 0
    assert "accounts.W001" in result.stdout + result.stderr
    assert "DEMO payment gateway" in result.stdout + result.stderr


@pytest.mark.django_db
def test_without_a_gateway_the_top_up_page_says_it_is_not_available(shopper_client, shopper,
                                                                    settings):
    settings.PAYMENT_GATEWAY = ""
    page = shopper_client.get(reverse("accounts:wallet_topup"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Top-up is not available" in html
    assert 'name="amount"' not in html and "DEMO payment" not in html
    response = shopper_client.post(reverse("accounts:wallet_topup"), {"amount": "5000"},
                                   follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Top-up is not available" in response.content.decode()
    assert not WalletEntry.objects.filter(wallet__user=shopper).exists()
    with pytest.raises(ValidationError):
        wallet_topup(user=shopper, amount=Decimal("5000"))
    assert not WalletEntry.objects.filter(wallet__user=shopper).exists()
    wallet = shopper_client.get(reverse("accounts:wallet"), HTTP_ACCEPT_LANGUAGE="en")
    assert reverse("accounts:wallet_topup") not in wallet.content.decode()


@pytest.mark.django_db
def test_the_demo_gateway_is_marked_on_every_top_up_page(shopper_client, settings):
    settings.PAYMENT_GATEWAY = "demo"
    for name in ("accounts:wallet_topup", "accounts:wallet"):
        html = shopper_client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "DEMO payment: no card is charged" in html, name
    invalid = shopper_client.post(reverse("accounts:wallet_topup"), {"amount": "1"},
                                  HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "DEMO payment: no card is charged" in invalid


def test_production_refuses_to_start_with_freedom_pay_without_its_keys():
    gateway = "accounts.freedompay.FreedomPayGateway"
    result = _run("-c", "import bibarys.wsgi", **PRODUCTION, PAYMENT_GATEWAY=gateway)
    assert result.returncode != 0
    assert "FREEDOMPAY_MERCHANT_ID is empty" in result.stderr
    configured = _run("manage.py", "check", "--deploy", **PRODUCTION, PAYMENT_GATEWAY=gateway,
                      FREEDOMPAY_MERCHANT_ID="545158", FREEDOMPAY_SECRET_KEY="s3cret")
    assert "accounts.E003" not in configured.stdout + configured.stderr
    assert "accounts.W002" in configured.stdout + configured.stderr  # no https PAYMENT_SITE_URL
