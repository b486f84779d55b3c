"""Import previews kept between the preview and its confirm, where every app server sees them.

The database, not the cache: a preview is up to 100 000 checked rows that must still be there
when the seller clicks "Import" (a cache may evict it under memory pressure, and the embedded
default's cache is one process's memory, so `make serve` with several workers would lose it);
the database is shared in every deployment, and a conditional DELETE takes a preview exactly
once however many servers a double click reaches.
"""

from __future__ import annotations

import json
import secrets
import zlib
from datetime import timedelta

from django.utils import timezone

from .importers import ImportRow
from .models import ImportPreview

PREVIEW_LIFETIME = timedelta(hours=1)


def preview_store(*, user, rows: list[ImportRow], meta: dict) -> str:
    """Keep the checked rows (never in the page, where they could be edited) for `user`; the
    token it returns goes into their session. Expired previews of anyone go at the same time."""
    now = timezone.now()
    ImportPreview.objects.filter(expires_at__lte=now).delete()
    payload = json.dumps({"meta": meta, "rows": [row.to_json() for row in rows]},
                         ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    token = secrets.token_hex(16)
    ImportPreview.objects.create(token=token, user=user, payload=zlib.compress(payload, 6),
                                 expires_at=now + PREVIEW_LIFETIME)
    return token


def preview_take(*, user, token: str):
    """(meta, rows) of the user's preview, taken once: of two confirms sent together (a double
    click, perhaps to two servers) exactly one deletes the row and gets it; the other gets None,
    as an expired or unknown token does."""
    if not token or not isinstance(token, str) or not token.isalnum():
        return None
    found = (ImportPreview.objects
             .filter(token=token, user=user, expires_at__gt=timezone.now())
             .values_list("pk", "payload").first())
    if found is None:
        return None
    pk, payload = found
    deleted, _ = ImportPreview.objects.filter(pk=pk).delete()
    if not deleted:  # another request took it between the read and the delete
        return None
    data = json.loads(zlib.decompress(bytes(payload)))
    return data["meta"], [ImportRow.from_json(row) for row in data["rows"]]


def preview_forget(*, user, token) -> None:
    if token and isinstance(token, str):
        ImportPreview.objects.filter(token=token, user=user).delete()
