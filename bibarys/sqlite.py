"""The embedded SQLite database, taught what PostgreSQL already does: LIKE that ignores letter
case in every alphabet, TRANSLATE, and names in Kazakh alphabetical order. SQLite's own LIKE
folds only ASCII, so a staff search for "асхат" missed "Асхат" (Django's contains and icontains
are both LIKE there); its only ordering of text is by code point, so "Ірімшік" (І is U+0406)
came before "Авокадо" and Қ Ө Ұ Ү after Я. Connected to connection_created in
BibarysConfig.ready; PostgreSQL connections are left alone (their order is the database's ICU
collation, docs/deploy.md)."""

from __future__ import annotations

import re
from functools import lru_cache

from django.db.models.functions import Collate


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


# The Kazakh alphabet (42 letters of the 2004 Cyrillic one), in its own order.
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_KAZAKH_RANK = {letter: rank for rank, letter in enumerate(KAZAKH_ALPHABET)}
COLLATION = "kk"


def _letter_key(char: str) -> tuple[int, int]:
    # Spaces and signs, then digits, then Kazakh letters, then Latin, then anything else;
    # within each, letter case is ignored (Ж and ж are one letter).
    folded = char.casefold()[:1] or char
    if folded in _KAZAKH_RANK:
        return (2, _KAZAKH_RANK[folded])
    if "a" <= folded <= "z":
        return (3, ord(folded))
    if char.isdigit():
        return (1, ord(char))
    if not char.isalnum():
        return (0, ord(char))
    return (4, ord(folded))


@lru_cache(maxsize=4096)
def kazakh_key(value: str) -> tuple:
    """A sort key giving the Kazakh alphabetical order of `value`: letters first without
    regard to case, then small before capital letters, then by code point, so that two
    different names never compare equal (the collation must agree with `=`)."""
    return (tuple(_letter_key(char) for char in value),
            tuple(not char.islower() for char in value), value)


def kazakh_collation(left: str, right: str) -> int:
    """SQLite collation callback: negative, zero or positive as `left` sorts before, with or
    after `right`."""
    a, b = kazakh_key(left), kazakh_key(right)
    return -1 if a < b else (1 if a > b else 0)


class Alphabetical(Collate):
    """A name to sort by in the store's alphabetical order: `order_by(Alphabetical("name"))`.
    On SQLite it is compared with the collation registered here; on any other database it is
    the plain column, sorted by the database's own collation (ICU kk-KZ in production, so the
    name indexes serve the order). No migration knows about it, so migrations stay the same on
    every database."""

    def __init__(self, expression):
        super().__init__(expression, COLLATION)

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "sqlite":
            return compiler.compile(self.get_source_expressions()[0])
        return super().as_sql(compiler, connection, **extra_context)


def install(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("like", 2, unicode_like, deterministic=True)
    raw.create_function("like", 3, unicode_like, deterministic=True)
    raw.create_function("translate", 3, translate, deterministic=True)
    raw.create_collation(COLLATION, kazakh_collation)
