"""A fake of the Kassa24 cloud register API, served on loopback by the test suite itself, built
from the provider's document (docs/fiscal.md, "The provider"): what it accepts, what it answers.

- POST /auth/login {"Login", "Password"} → {"Status": 200, "Data": {"Token": …}}; a wrong
  password 401. Every other request needs "Authorization: Bearer <token>" (else 401).
- POST /kkms/<id>/<operation> (sell, sell-return, cash-in, cash-out, x-report, z-report) with
  the "Uid" header (a UUID; missing or malformed: 400). The same Uid again answers the first
  result and fiscalises nothing (the provider's duplicate guard). An unknown register: 404.
- Checks: positions with Price × Count = Sum, Total = the sum of the Sums = the payments';
  money as decimal strings with two places; else 400 with a message. The order of operations
  is kept: a ReceiptDate earlier than the last one's is 400 "Нарушена очередность операций".
- Answers {"Status": 200, "Message": "OK", "Data": {"ReceiptNumber", "FiscalSign", "Link"}}.

Modes a test sets: "up"; "down" (503 to everything: the register's service is away);
"refuse" (connection closed before any answer); "lose_answer" (fiscalises, then answers
after the client's timeout: the answer is lost, the check is registered)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OPERATIONS = {"sell", "sell-return", "cash-in", "cash-out", "x-report", "z-report"}
CHECKS = {"sell", "sell-return"}


def _money(text) -> Decimal:
    if not isinstance(text, str):
        raise ValueError("money must be a decimal string")
    value = Decimal(text)
    if value != value.quantize(Decimal("0.01")) or "." not in text or len(text.split(".")[1]) != 2:
        raise ValueError(f"{text!r}: two decimal places")
    return value


class FakeKassa24:
    def __init__(self, *, kkm_id: str = "34", login: str = "bibarys", password: str = "secret"):
        self.kkm_id, self.login, self.password = kkm_id, login, password
        self.mode = "up"
        self.lose_delay = 1.5
        self.tokens: set[str] = set()
        self.requests: list[tuple[str, str | None]] = []  # (path, Uid) of every request seen
        self.fiscalised: list[dict] = []  # {"operation", "uid", "body", "answer"}, in order
        self._by_uid: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeKassa24:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def uids(self) -> list[str]:
        return [check["uid"] for check in self.fiscalised]

    # The API ---------------------------------------------------------------------------------

    def handle(self, path: str, headers, body: dict) -> tuple[int, dict]:
        if path == "/auth/login":
            if body.get("Login") != self.login or body.get("Password") != self.password:
                return 401, {"Status": 401, "Message": "Неверный логин или пароль"}
            token = uuid.uuid4().hex
            self.tokens.add(token)
            return 200, {"Status": 200, "Message": "OK", "Data": {"Token": token}}
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return 401, {"Status": 401, "Message": "Требуется авторизация"}
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "kkms" or parts[2] not in OPERATIONS:
            return 404, {"Status": 404, "Message": "Not found"}
        if parts[1] != self.kkm_id:
            return 404, {"Status": 404, "Message": "Касса не найдена"}
        try:
            uid = str(uuid.UUID(headers.get("Uid", "")))
        except ValueError:
            return 400, {"Status": 400, "Message": "Заголовок Uid обязателен"}
        with self._lock:
            if uid in self._by_uid:  # a resubmission: the first answer, nothing fiscalised
                return 200, self._by_uid[uid]["answer"]
            problem = self._check(parts[2], body)
            if problem:
                return 400, {"Status": 400, "Message": problem}
            answer = {"Status": 200, "Message": "OK", "Data": {
                "ReceiptNumber": str(len(self.fiscalised) + 1),
                "FiscalSign": str(3000000000 + len(self.fiscalised) * 7919),
                "Link": (f"https://consumer.oofd.kz/?i={3000000000 + len(self.fiscalised) * 7919}"
                         f"&f={self.kkm_id}&s={body.get('Total', body.get('Sum', '0.00'))}")}}
            record = {"operation": parts[2], "uid": uid, "body": body, "answer": answer}
            self.fiscalised.append(record)
            self._by_uid[uid] = record
            return 200, answer

    def _check(self, operation: str, body: dict) -> str | None:
        when = body.get("ReceiptDate")
        last = next((c["body"].get("ReceiptDate") for c in reversed(self.fiscalised)
                     if c["body"].get("ReceiptDate")), None)
        if when and last and when < last:
            return "Нарушена очередность операций"
        try:
            if operation in CHECKS:
                positions = body.get("Positions") or []
                if not positions:
                    return "Чек без позиций"
                total = Decimal("0.00")
                for position in positions:
                    count, price, line = (Decimal(position["Count"]), _money(position["Price"]),
                                          _money(position["Sum"]))
                    if (price * count).quantize(Decimal("0.01")) != line:
                        return f"Сумма позиции {position['Name']} не равна цене × количеству"
                    _money(position["TaxSum"])
                    total += line
                if total != _money(body["Total"]):
                    return "Итог не равен сумме позиций"
                if sum(_money(p["Sum"]) for p in body.get("Payments") or []) != total:
                    return "Сумма оплат не равна итогу"
            elif operation in ("cash-in", "cash-out") and _money(body["Sum"]) <= 0:
                return "Сумма должна быть больше нуля"
        except (KeyError, TypeError, ValueError, InvalidOperation) as error:
            return f"Неверный формат: {error}"
        return None

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                fake.requests.append((self.path, self.headers.get("Uid")))
                if fake.mode == "refuse":
                    self.connection.close()
                    return
                if fake.mode == "down":
                    return self._send(503, {"Status": 503, "Message": "Сервис недоступен"})
                try:
                    body = json.loads(raw.decode("utf-8") or "{}")
                except ValueError:
                    return self._send(400, {"Status": 400, "Message": "Неверный JSON"})
                status, answer = fake.handle(self.path, self.headers, body)
                if fake.mode == "lose_answer" and self.path != "/auth/login":
                    time.sleep(fake.lose_delay)  # registered, but the client has given up
                self._send(status, answer)

            def _send(self, status, answer):
                data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
