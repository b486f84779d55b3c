"""A fake Freedom Pay served on loopback, built from its Merchant API document (docs/payments.md):
init_payment.php, the payment page it redirects to, the signed notification it posts to the
Result URL, get_status3.php and revoke.php, every message signed with pg_sig. `mode` makes it
misbehave: "error" (pg_status=error), "timeout" (answers after the client gave up),
"unsigned" (a bad signature on its answers)."""

from __future__ import annotations

import threading
import time
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import pytest

from accounts.freedompay import script_name, signature_valid, signed

MERCHANT_ID = "545158"
SECRET = "fake-secret-key"


class FakeFreedomPay:
    def __init__(self):
        self.payments: dict[str, dict] = {}
        self.calls: list[str] = []
        self.mode = "ok"
        self._next_id = 1000
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def pay(self, payment_id: str, *, succeeded: bool = True) -> None:
        """The shopper pays on the provider's page (its notification not sent yet)."""
        self.payments[payment_id]["status"] = "success" if succeeded else "error"

    # -- what the provider would post to the shop's Result URL --------------------------------

    def notification(self, payment_id: str, *, result: str = "1", amount: str | None = None,
                     secret: str = SECRET) -> dict:
        payment = self.payments[payment_id]
        if result == "1":
            payment["status"] = "success"
        params = {"pg_order_id": payment["order_id"], "pg_payment_id": payment_id,
                  "pg_amount": amount or payment["amount"], "pg_currency": payment["currency"],
                  "pg_net_amount": payment["amount"], "pg_ps_currency": "KZT",
                  "pg_payment_date": "2026-12-04 20:00:00", "pg_can_reject": "1",
                  "pg_result": result, "pg_payment_method": "bankcard",
                  "pg_card_pan": "4400-43XX-XXXX-0001", "pg_testing_mode": "1"}
        return signed(script_name(payment["result_url"]), params, secret)

    # -- the server ---------------------------------------------------------------------------

    def _answer(self, script: str, fields: dict) -> bytes:
        body = signed(script, fields, SECRET)
        if self.mode == "unsigned":
            body["pg_sig"] = "0" * 32
        inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in body.items())
        return f'<?xml version="1.0" encoding="utf-8"?><response>{inner}</response>'.encode()

    def _api(self, script: str, form: dict) -> bytes:
        self.calls.append(script)
        if not signature_valid(script, form, SECRET) or form.get("pg_merchant_id") != MERCHANT_ID:
            return self._answer(script, {"pg_status": "error", "pg_error_code": "9998",
                                         "pg_error_description": "Incorrect signature"})
        if self.mode == "error":
            return self._answer(script, {"pg_status": "error", "pg_error_code": "340",
                                         "pg_error_description": "Service unavailable"})
        if script == "init_payment.php":
            self._next_id += 1
            pid = str(self._next_id)
            self.payments[pid] = {"order_id": form["pg_order_id"], "amount": form["pg_amount"],
                                  "currency": form.get("pg_currency", "KZT"),
                                  "result_url": form["pg_result_url"], "status": "pending",
                                  "refunded": "0"}
            return self._answer(script, {"pg_status": "ok", "pg_payment_id": pid,
                                         "pg_redirect_url": f"{self.url}/pay.html?customer={pid}",
                                         "pg_redirect_url_type": "need data"})
        payment = self.payments.get(form.get("pg_payment_id", ""))
        if payment is None:
            return self._answer(script, {"pg_status": "error", "pg_error_code": "340",
                                         "pg_error_description": "Payment not found"})
        if script == "get_status3.php":
            return self._answer(script, {
                "pg_status": "ok", "pg_payment_id": form["pg_payment_id"],
                "pg_amount": payment["amount"], "pg_currency": payment["currency"],
                "pg_payment_status": payment["status"],
                "pg_refund_amount": f"-{payment['refunded']}" if payment["refunded"] != "0"
                else "0"})
        if script == "revoke.php":
            if payment["status"] != "success" or Decimal(form["pg_refund_amount"]) > Decimal(
                    payment["amount"]):
                return self._answer(script, {"pg_status": "error", "pg_error_code": "350",
                                             "pg_error_description": "Cannot refund"})
            payment["refunded"] = form["pg_refund_amount"]
            return self._answer(script, {"pg_status": "ok", "pg_payment_id": form[
                "pg_payment_id"]})
        return b""

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # the payment page the shopper is redirected to
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                pid = (query.get("customer") or [""])[0]
                payment = fake.payments.get(pid)
                self.send_response(200 if payment else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                if payment:
                    self.wfile.write(f"<h1>Freedom Pay</h1><p>{payment['amount']} KZT</p>"
                                     f"<form method=post><input name=pan></form>".encode())

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in urllib.parse.parse_qs(
                    self.rfile.read(length).decode()).items()}
                script = self.path.lstrip("/").split("?")[0]
                if fake.mode == "timeout":
                    time.sleep(1.5)
                body = fake._api(script, form)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/xml")
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


RESULT = "/accounts/wallet/card/result"


@pytest.fixture
def freedompay(settings):
    """The fake on loopback, and the shop's settings pointing at it."""
    with FakeFreedomPay() as fake:
        settings.PAYMENT_GATEWAY = "accounts.freedompay.FreedomPayGateway"
        settings.FREEDOMPAY_MERCHANT_ID = MERCHANT_ID
        settings.FREEDOMPAY_SECRET_KEY = SECRET
        settings.FREEDOMPAY_API_URL = fake.url
        settings.FREEDOMPAY_TIMEOUT_SECONDS = 0.5
        settings.PAYMENT_SITE_URL = "https://shop.example.kz"
        yield fake
