"""Bounded tables of header values read lately, and the records made of them.

A peer writes the same text message after message: its Request-Line, its
Via's sent-by, its address in From, To and Contact (only a tag differs),
the Content-Type and Event of its traffic. The records ``parse()`` makes
of them are immutable, so the next message with the same text can share
them instead of matching and building them again. Only text that the
parser's usual path accepted is remembered, and a table is emptied when
full, so a peer sending endless new values cannot grow memory, and the
result is the same whether a value was seen before or not (the tests parse
every message both ways).

The tables are plain dicts, read with ``.get`` where they are used (a
function call per lookup would cost much of what they save).
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["forget", "remember", "table"]

K = TypeVar("K")
V = TypeVar("V")

_TABLES: list[dict[object, object]] = []


def table() -> dict[K, V]:
    """A new, empty table that :func:`forget` empties too."""
    new: dict[K, V] = {}
    _TABLES.append(new)  # type: ignore[arg-type]
    return new


def remember(values: dict[K, V], key: K, value: V, limit: int) -> V:
    """Put ``key -> value`` in ``values`` (emptied first when full); return ``value``."""
    if len(values) >= limit:
        values.clear()
    values[key] = value
    return value


def forget() -> None:
    """Empty every table (what a fresh process starts with)."""
    for values in _TABLES:
        values.clear()
