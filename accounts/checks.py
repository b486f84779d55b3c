"""System checks of the payment gateway (accounts.payments): nothing is free in production.

Run by `manage.py check` (and `check --deploy`), and at start-up of every process when DEBUG is
off (AccountsConfig.ready): a gunicorn worker never runs the checks, so an error here stops it
from serving a shop whose top-up would credit money nobody paid."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def payment_gateway_errors() -> list[checks.CheckMessage]:
    from .payments import DEMO, gateway_class

    value = (getattr(settings, "PAYMENT_GATEWAY", "") or "").strip()
    try:
        cls = gateway_class(value)
    except ImportError as exc:
        return [checks.Error(f"PAYMENT_GATEWAY={value!r} cannot be imported: {exc}",
                             hint="Give a dotted path to a gateway class, `demo`, or nothing.",
                             id="accounts.E001")]
    if cls is not None and getattr(cls, "is_demo", False) and value != DEMO and not settings.DEBUG:
        return [checks.Error(
            f"PAYMENT_GATEWAY={value!r} is a demo gateway: top-ups would credit money without "
            "a payment.",
            hint="A demo shop says so explicitly: PAYMENT_GATEWAY=demo.", id="accounts.E002")]
    missing = cls.configuration_errors() if hasattr(cls, "configuration_errors") else []
    if missing:
        return [checks.Error(f"PAYMENT_GATEWAY={value!r} is not configured: {'; '.join(missing)}.",
                             hint="See docs/payments.md and .env.example.", id="accounts.E003")]
    return []


@checks.register(checks.Tags.security)
def check_payment_gateway(app_configs=None, **kwargs):
    return payment_gateway_errors()


@checks.register(checks.Tags.security, deploy=True)
def check_payment_gateway_deploy(app_configs=None, **kwargs):
    from .payments import gateway_class

    try:
        cls = gateway_class()
    except ImportError:
        return []  # accounts.E001 says it
    if cls is None:
        return [checks.Info("No payment gateway (PAYMENT_GATEWAY is empty): wallet top-up "
                            "is not available.", id="accounts.I001")]
    if getattr(cls, "is_demo", False):
        return [checks.Warning(
            "The DEMO payment gateway is on (PAYMENT_GATEWAY=demo): any signed-in user can "
            "credit their wallet with any amount, and no money is paid.",
            hint="Only for a demonstration shop. Unset PAYMENT_GATEWAY or name a real gateway.",
            id="accounts.W001")]
    if getattr(cls, "redirects", False) and not (
            getattr(settings, "PAYMENT_SITE_URL", "") or "").startswith("https://"):
        return [checks.Warning(
            "PAYMENT_SITE_URL is not an https address: the card provider's notifications and "
            "the shopper's way back use the address of each request.",
            hint="Set PAYMENT_SITE_URL=https://your-shop.kz.", id="accounts.W002")]
    return []


def refuse_to_start_on_errors() -> None:
    if settings.DEBUG:
        return
    errors = payment_gateway_errors()
    if errors:
        raise ImproperlyConfigured(f"{errors[0].msg} {errors[0].hint}")
