"""What the apps above the till hear from it, and what they add to its pages, without the till
importing them (README, "Layout"; the fiscal app answers these in FiscalConfig.ready()).

`till_event` is sent INSIDE the transaction of the sale, return, cash movement or shift close,
after the till's own rows are written: a receiver records what it must do later (the fiscal app
records a fiscal document and queues its job with jobs.services.enqueue_after_commit), so the
record commits with the sale or not at all, and the work itself runs after the commit, from the
queue. A receiver must only write rows: anything slow or remote belongs in its queued job.

    kind: "sale" (order=…), "return" (order_return=…), "cash" (movement=…), "z" (shift=…)
"""

from collections.abc import Callable

from django.dispatch import Signal

till_event = Signal()

# The receipt's fiscal block: (kind "sale" | "return", the order or the return) → a dict for
# templates/till/receipt_fiscal.html, or None (the store's own register prints it).
FiscalBlock = Callable[[str, object], dict | None]
_fiscal_blocks: list[FiscalBlock] = []
# What the till page warns about: (till) → a list of {"level": "warning"|"info", "text": …}.
Notices = Callable[[object], list[dict]]
_notices: list[Notices] = []


def register_fiscal_block(provider: FiscalBlock) -> FiscalBlock:
    if provider not in _fiscal_blocks:
        _fiscal_blocks.append(provider)
    return provider


def register_notices(provider: Notices) -> Notices:
    if provider not in _notices:
        _notices.append(provider)
    return provider


def fiscal_block(kind: str, obj) -> dict | None:
    for provider in _fiscal_blocks:
        block = provider(kind, obj)
        if block:
            return block
    return None


def till_notices(till) -> list[dict]:
    return [notice for provider in _notices for notice in provider(till)]


def send(kind: str, **objects) -> None:
    till_event.send(sender=kind, kind=kind, **objects)
