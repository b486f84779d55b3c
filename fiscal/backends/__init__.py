"""The fiscal backend interface (settings.FISCAL_BACKEND, docs/fiscal.md).

"none": the store prints fiscal receipts on its own register; Bibarys records nothing and says
so on its receipts. "kassa24": the Kassa24 cloud register (fiscal/backends/kassa24.py).

A backend's `send(document)` fiscalises one FiscalDocument and answers a FiscalAnswer, or
raises RegisterUnavailable (timeout, no connection, a 5xx: the queue tries again later) or
RegisterRefused (the register said no to this document: trying again would not help)."""

from dataclasses import dataclass, field

from django.conf import settings


class RegisterUnavailable(Exception):
    """The register did not answer, or answered that it cannot now: try again later."""


class RegisterRefused(Exception):
    """The register refused this document (bad data, a closed register): a person must look."""


@dataclass(frozen=True)
class FiscalAnswer:
    fiscal_sign: str
    fiscal_number: str
    qr_url: str
    raw: dict = field(default_factory=dict)


def backend_name() -> str:
    return str(getattr(settings, "FISCAL_BACKEND", "none") or "none").strip().lower()


def is_enabled() -> bool:
    return backend_name() != "none"


def get_backend():
    name = backend_name()
    if name == "kassa24":
        from .kassa24 import Kassa24Backend

        return Kassa24Backend.from_settings()
    raise RuntimeError(f"FISCAL_BACKEND={name!r} does not send documents")
