"""The embedded SQLite database, taught what PostgreSQL already does: LIKE that ignores letter
case in every alphabet, and TRANSLATE. SQLite's own LIKE folds only ASCII, so a staff search for "асхат" missed
"Асхат" (Django's contains and icontains are both LIKE there). Connected to connection_created
in BibarysConfig.ready; PostgreSQL connections are left alone."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def _pattern(like: str, escape: str | None) -> re.Pattern:
    parts, chars = [], iter(like)
    for char in chars:
        if escape and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE)


def unicode_like(pattern, value, escape=None) -> bool | None:
    """SQL `value LIKE pattern [ESCAPE escape]`, case-insensitive for every script."""
    if pattern is None or value is None:
        return None
    return _pattern(str(pattern).casefold(), escape).fullmatch(str(value).casefold()) is not None


def translate(value, source, target):
    """SQL TRANSLATE(value, from, to) as PostgreSQL has it (the catalog search folds Kazakh
    letters with it: catalog.selectors.folded_name)."""
    if value is None or source is None or target is None:
        return None
    table = {ord(char): (target[i] if i < len(target) else None)
             for i, char in reversed(list(enumerate(source)))}
    return str(value).translate(table)


def install(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("like", 2, unicode_like, deterministic=True)
    raw.create_function("like", 3, unicode_like, deterministic=True)
    raw.create_function("translate", 3, translate, deterministic=True)
