"""A client of the Kassa24 (Fiscal24) cloud register API (docs/fiscal.md, "The provider").

Every request is JSON over HTTPS. A check operation (sale, sale return, cash in/out, X, Z)
is a POST to the register (`/kkms/{id}/…`) with the `Uid` header: the provider recognises a
resubmitted Uid and answers the first result instead of fiscalising twice, and Bibarys keeps
one Uid per FiscalDocument, so a retry after a timeout is safe. Answers come in the envelope
{"Status": 200, "Message": "OK", "Data": {...}}. The register keeps the order of operations
("Нарушена очередность операций" otherwise): fiscal.services sends a till's documents in order.

Money goes as decimal strings ("450.00"), never floats. The field names of the request and the
answer are mapped here and nowhere else (`_body`, `_answer`)."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from decimal import Decimal

from django.conf import settings

from . import FiscalAnswer, RegisterRefused, RegisterUnavailable

# The OFD protocol's payment types (cash, bank card, mobile: Kaspi QR is a mobile payment).
PAYMENT_TYPES = {"cash": 0, "card": 1, "kaspi": 4, "wallet": 4}
OPERATIONS = {"sale": "sell", "return": "sell-return", "cash_in": "cash-in",
              "cash_out": "cash-out", "x": "x-report", "z": "z-report"}
TOKEN_SECONDS = 55 * 60  # the provider's token lives an hour; renew a little before
_tokens: dict[tuple, tuple[str, float]] = {}


def _money(value: Decimal) -> str:
    return format(Decimal(value).quantize(Decimal("0.01")), "f")


class Kassa24Backend:
    def __init__(self, *, url: str, login: str, password: str, kkm_id: str, timeout: float):
        self.url, self.login, self.password = url.rstrip("/"), login, password
        self.kkm_id, self.timeout = kkm_id, timeout

    @classmethod
    def from_settings(cls) -> Kassa24Backend:
        if not settings.FISCAL_KASSA24_URL or not settings.FISCAL_KASSA24_KKM_ID:
            raise RegisterUnavailable("FISCAL_KASSA24_URL and FISCAL_KASSA24_KKM_ID must be set")
        return cls(url=settings.FISCAL_KASSA24_URL, login=settings.FISCAL_KASSA24_LOGIN,
                   password=settings.FISCAL_KASSA24_PASSWORD,
                   kkm_id=str(settings.FISCAL_KASSA24_KKM_ID),
                   timeout=float(settings.FISCAL_TIMEOUT_SECONDS))

    # HTTP -----------------------------------------------------------------------------------

    def _post(self, path: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            method="POST", headers={"Content-Type": "application/json",
                                    "Accept": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, self._json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, self._json(error.read())
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as error:
            raise RegisterUnavailable(f"{self.url}{path}: {error}") from error

    @staticmethod
    def _json(raw: bytes) -> dict:
        try:
            answer = json.loads(raw.decode("utf-8") or "{}")
        except ValueError:
            return {}
        return answer if isinstance(answer, dict) else {}

    def _token(self, *, renew: bool = False) -> str:
        cache_key = (self.url, self.login)
        cached = _tokens.get(cache_key)
        if cached and not renew and cached[1] > time.monotonic():
            return cached[0]
        status, answer = self._post("/auth/login", {"Login": self.login,
                                                    "Password": self.password})
        token = (answer.get("Data") or {}).get("Token")
        if status != 200 or not token:
            # A wrong login is the store's set-up, not the receipt's fault: the documents wait
            # (and the till warns) until FISCAL_KASSA24_LOGIN / _PASSWORD are put right.
            raise RegisterUnavailable(f"login refused: {status} {answer.get('Message', '')}")
        _tokens[cache_key] = (token, time.monotonic() + TOKEN_SECONDS)
        return token

    # The interface --------------------------------------------------------------------------

    def send(self, document) -> FiscalAnswer:
        path = f"/kkms/{self.kkm_id}/{OPERATIONS[document.kind]}"
        body = _body(document)
        for renew in (False, True):
            headers = {"Authorization": f"Bearer {self._token(renew=renew)}",
                       "Uid": str(document.uid)}
            status, answer = self._post(path, body, headers)
            if status != 401:
                break
        if status == 200 or (status == 409 and answer.get("Data")):  # 409: that Uid again
            return _answer(answer)
        message = f"{status} {answer.get('Message', '')}".strip()
        if status >= 500 or status in (401, 403, 404, 408, 429):
            # Away, overloaded, or the set-up (credentials, the register's id): try again later.
            raise RegisterUnavailable(message)
        raise RegisterRefused(message)  # this document's data: a person must look


def _positions(lines) -> list[dict]:
    return [{"Name": name[:128], "Count": format(quantity.normalize(), "f"),
             "Price": _money(price), "Sum": _money(total),
             "TaxPercent": rate if rate not in ("", "exempt") else None,
             "TaxSum": _money(vat)}
            for name, quantity, price, total, rate, vat in lines]


def _body(document) -> dict:
    """The request of one document, read from the rows it stands for."""
    kind = document.kind
    if kind == "sale":
        order = document.order
        lines = [(line.display_name, line.quantity, line.price, line.line_total, line.vat_rate,
                  line.vat_amount) for line in order.lines.select_related("product")]
        payments = [{"Type": PAYMENT_TYPES[p.method], "Sum": _money(p.amount)}
                    for p in order.till_payments.filter(order_return__isnull=True)]
        return {"ExternalId": str(order.idempotency_key), "Positions": _positions(lines),
                "Payments": payments, "Total": _money(order.total),
                "ReceiptDate": order.created_at.isoformat()}
    if kind == "return":
        returned = document.order_return
        lines = [(row.line.display_name, row.quantity, row.line.price, row.amount,
                  row.line.vat_rate, _return_vat(row))
                 for row in returned.lines.select_related("line__product")]
        return {"ExternalId": str(returned.idempotency_key), "Positions": _positions(lines),
                "Payments": [{"Type": PAYMENT_TYPES.get(returned.refund, 0),
                              "Sum": _money(returned.total)}],
                "Total": _money(returned.total),
                "ReceiptDate": returned.created_at.isoformat()}
    if kind in ("cash_in", "cash_out"):
        movement = document.cash_movement
        return {"ExternalId": document.key, "Sum": _money(movement.amount),
                "Comment": movement.reason[:128], "ReceiptDate": movement.created_at.isoformat()}
    return {"ExternalId": document.key}


def _return_vat(row) -> Decimal:
    line = row.line
    if not line.line_total:
        return Decimal("0.00")
    return (line.vat_amount * row.amount / line.line_total).quantize(Decimal("0.01"))


def _answer(answer: dict) -> FiscalAnswer:
    data = answer.get("Data") or {}
    sign = str(data.get("FiscalSign") or "")
    if not sign:
        raise RegisterUnavailable("the register answered without a fiscal sign")
    return FiscalAnswer(fiscal_sign=sign, fiscal_number=str(data.get("ReceiptNumber") or ""),
                        qr_url=str(data.get("Link") or ""), raw=data)
