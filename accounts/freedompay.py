"""Freedom Pay (formerly PayBox), Kazakhstan: the card gateway Bibarys ships (docs/payments.md).

Built from Freedom Pay's public Merchant API document (https://freedompay.kz/docs-en/merchant-api/
intro and its "Create payment", "Result URL", "Get payment status" and "Refund" pages):

- every request and answer is a form (or XML answer) signed with `pg_sig`: the MD5, in lowercase
  hex, of the called script's name, every other field's value in the alphabetical order of the
  field names, and the merchant's secret key, joined by `;`; `pg_salt` is a random string;
- init_payment.php creates a payment and answers its `pg_payment_id` and `pg_redirect_url`, the
  provider's own payment page (a redirect: no widget script of theirs on our pages);
- after the payment the provider POSTs to our Result URL (`pg_result_url`) the signed outcome
  (`pg_order_id` = our invoice, `pg_payment_id`, `pg_amount`, `pg_currency`, `pg_result` 1/0), and
  retries until it gets a signed XML answer with `pg_status` ok or rejected: a notification may
  arrive more than once;
- get_status3.php tells a payment's status, revoke.php refunds it (`pg_refund_amount`).

Settings: FREEDOMPAY_MERCHANT_ID, FREEDOMPAY_SECRET_KEY, FREEDOMPAY_API_URL (the test server is
https://test-api.freedompay.kz), FREEDOMPAY_TIMEOUT_SECONDS, FREEDOMPAY_TESTING_MODE.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from django.conf import settings

from bibarys.money import money_round

from .payments import (
    Checkout,
    GatewayError,
    Notification,
    PaymentState,
    SignatureInvalid,
)

CURRENCY = "KZT"


def script_name(path: str) -> str:
    """The signed script's name: the path from its last `/` to the end or `?`."""
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def signature(script: str, params: dict, secret: str) -> str:
    values = [str(params[key]) for key in sorted(params) if key != "pg_sig"]
    return hashlib.md5(";".join([script, *values, secret]).encode()).hexdigest()


def signed(script: str, params: dict, secret: str) -> dict:
    params = {**params, "pg_salt": secrets.token_hex(8)}
    return {**params, "pg_sig": signature(script, params, secret)}


def signature_valid(script: str, params: dict, secret: str) -> bool:
    given = str(params.get("pg_sig", ""))
    return bool(given) and hmac.compare_digest(given, signature(script, params, secret))


def amount_text(amount: Decimal) -> str:
    return f"{money_round(amount):.2f}"


def xml_fields(body: bytes) -> dict:
    """The top-level fields of the provider's XML answer."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise GatewayError(f"Freedom Pay answered something that is not XML: {exc}") from exc
    return {child.tag: (child.text or "") for child in root if len(child) == 0}


class FreedomPayGateway:
    name = "Freedom Pay"
    is_demo = False
    redirects = True

    @classmethod
    def configuration_errors(cls) -> list[str]:
        """What is missing for the gateway to work (accounts.checks: E003)."""
        return [f"{name} is empty" for name in ("FREEDOMPAY_MERCHANT_ID", "FREEDOMPAY_SECRET_KEY")
                if not getattr(settings, name, "")]

    def __init__(self):
        self.merchant_id = settings.FREEDOMPAY_MERCHANT_ID
        self.secret = settings.FREEDOMPAY_SECRET_KEY
        self.api_url = settings.FREEDOMPAY_API_URL.rstrip("/")
        self.timeout = settings.FREEDOMPAY_TIMEOUT_SECONDS

    # -- calls ------------------------------------------------------------------------------

    def _call(self, script: str, params: dict) -> dict:
        body = urllib.parse.urlencode(
            signed(script, {"pg_merchant_id": self.merchant_id, **params}, self.secret)).encode()
        request = urllib.request.Request(f"{self.api_url}/{script}", data=body, method="POST",
                                         headers={"Content-Type":
                                                  "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = xml_fields(response.read())
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(f"Freedom Pay did not answer {script}: {exc}") from exc
        if not signature_valid(script, answer, self.secret):
            raise GatewayError(f"Freedom Pay's answer to {script} is not signed by it.")
        if answer.get("pg_status") != "ok":
            raise GatewayError(f"Freedom Pay refused {script}: "
                               f"{answer.get('pg_error_code', '')} "
                               f"{answer.get('pg_error_description', '')}".strip())
        return answer

    def payment_create(self, *, payment, result_url: str, success_url: str,
                       failure_url: str) -> Checkout:
        params = {
            "pg_order_id": str(payment.invoice), "pg_amount": amount_text(payment.amount),
            "pg_currency": CURRENCY, "pg_description": f"Bibarys {payment.get_purpose_display()}",
            "pg_result_url": result_url, "pg_request_method": "POST",
            "pg_success_url": success_url, "pg_failure_url": failure_url,
            "pg_user_id": str(payment.user_id),
        }
        if settings.FREEDOMPAY_TESTING_MODE:
            params["pg_testing_mode"] = "1"
        answer = self._call("init_payment.php", params)
        if not answer.get("pg_payment_id") or not answer.get("pg_redirect_url"):
            raise GatewayError("Freedom Pay created no payment page.")
        return Checkout(provider_payment_id=answer["pg_payment_id"],
                        redirect_url=answer["pg_redirect_url"])

    def payment_status(self, *, payment) -> PaymentState:
        answer = self._call("get_status3.php", {"pg_payment_id": payment.provider_payment_id,
                                                "pg_order_id": str(payment.invoice)})
        try:
            amount = Decimal(answer.get("pg_amount") or "0")
            refunded = Decimal(answer.get("pg_refund_amount") or "0") != 0
        except InvalidOperation as exc:
            raise GatewayError("Freedom Pay answered a status without an amount.") from exc
        status = "refunded" if refunded else {"success": "paid", "error": "failed"}.get(
            answer.get("pg_payment_status", ""), "pending")
        return PaymentState(status=status, amount=amount,
                            currency=answer.get("pg_currency", ""))

    def payment_refund(self, *, payment, amount: Decimal) -> str:
        answer = self._call("revoke.php", {"pg_payment_id": payment.provider_payment_id,
                                           "pg_refund_amount": amount_text(amount)})
        return answer.get("pg_payment_id", payment.provider_payment_id)

    # -- the Result URL -----------------------------------------------------------------------

    def notification_verify(self, *, params: dict, path: str) -> Notification:
        if not signature_valid(script_name(path), params, self.secret):
            raise SignatureInvalid
        try:
            amount = Decimal(str(params.get("pg_amount", "")))
        except InvalidOperation as exc:
            raise SignatureInvalid from exc
        return Notification(invoice=str(params.get("pg_order_id", "")),
                            provider_payment_id=str(params.get("pg_payment_id", "")),
                            amount=amount, currency=str(params.get("pg_currency", "")),
                            paid=str(params.get("pg_result", "")) == "1")

    def notification_answer(self, *, path: str, accepted: bool, description: str = "") -> str:
        fields = signed(script_name(path), {"pg_status": "ok" if accepted else "rejected",
                                            "pg_description": description}, self.secret)
        inner = "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in fields.items())
        return f'<?xml version="1.0" encoding="utf-8"?><response>{inner}</response>'
