"""Headers: an ordered, case-insensitive multi-map of raw header lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from softphone.sip.errors import LocalProtocolError, ParseError
from softphone.sip.grammar import LIST_ELEMENT, TOKEN, UNSAFE_VALUE

__all__ = ["Headers", "canonical_name", "split_list"]

T = TypeVar("T")

# Compact forms (RFC 3261 7.3.3, RFC 3265/6665 o and u, RFC 3515 r, RFC 3892 b,
# RFC 4028 x) and the usual spelling of the headers the stack knows.
_COMPACT = {
    "v": "Via",
    "f": "From",
    "t": "To",
    "i": "Call-ID",
    "m": "Contact",
    "l": "Content-Length",
    "c": "Content-Type",
    "k": "Supported",
    "s": "Subject",
    "e": "Content-Encoding",
    "o": "Event",
    "u": "Allow-Events",
    "r": "Refer-To",
    "b": "Referred-By",
    "x": "Session-Expires",
}
_KNOWN = [
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Alert-Info",
    "Allow",
    "Allow-Events",
    "Authentication-Info",
    "Authorization",
    "Call-ID",
    "Call-Info",
    "Contact",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-Type",
    "CSeq",
    "Date",
    "Error-Info",
    "Event",
    "Expires",
    "From",
    "In-Reply-To",
    "Max-Forwards",
    "MIME-Version",
    "Min-Expires",
    "Organization",
    "Path",
    "Priority",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Proxy-Require",
    "Record-Route",
    "Refer-To",
    "Referred-By",
    "Reply-To",
    "Require",
    "Retry-After",
    "Route",
    "Server",
    "Service-Route",
    "Session-Expires",
    "Subject",
    "Subscription-State",
    "Supported",
    "Timestamp",
    "To",
    "Unsupported",
    "User-Agent",
    "Via",
    "Warning",
    "WWW-Authenticate",
]
_CANONICAL: dict[str, str] = {name.lower(): name for name in _KNOWN}
_CANONICAL.update(_COMPACT)


_KEYS: dict[str, str] = {}


def _key(name: str) -> str:
    # Memoised lookup key of a name given by code (bounded: names come from
    # our own callers, but stay safe against a caller passing many names).
    key = _KEYS.get(name)
    if key is None:
        key = _CANONICAL.get(name.lower(), name).lower()
        if len(_KEYS) < 1024:
            _KEYS[name] = key
    return key


#: Names given by code that are tokens, to their canonical form: requests
#: are built from the same few names again and again (bounded like `_KEYS`).
_CHECKED_NAMES: dict[str, str] = {}


def canonical_name(name: str) -> str:
    """Return the canonical long form of a header name.

    Compact forms become their long name (``v`` → ``Via``), known headers get
    their usual spelling (``call-id`` → ``Call-ID``), others are kept as given.
    """
    return _CANONICAL.get(name.lower(), name)


def split_list(value: str, *, strict: bool = False) -> list[str]:
    """Split a comma-separated header value into its elements.

    Commas inside quoted strings and ``<...>`` do not separate elements
    (RFC 3261 7.3.1). Elements are stripped of surrounding whitespace.

    Args:
        strict: when true an empty element (``a,,b``) is an error; otherwise
            empty elements are dropped.

    Raises:
        ParseError: a quoted string or ``<`` is not terminated, or (strict)
            an element is empty.
    """
    if '"' not in value and "<" not in value:
        parts = value.split(",")
    else:
        parts = []
        pos = 0
        end_of_value = len(value)
        while True:
            end = LIST_ELEMENT.match(value, pos).end()  # type: ignore[union-attr]
            if end < end_of_value and value[end] != ",":
                raise ParseError("Unterminated quoted string or <> in a header list")
            parts.append(value[pos:end])
            if end >= end_of_value:
                break
            pos = end + 1
    out = []
    for part in parts:
        part = part.strip(" \t")
        if part:
            out.append(part)
        elif strict:
            raise ParseError("Empty element in a header list")
    return out


class Headers:
    """An ordered, case-insensitive multi-map of raw header lines.

    Names are stored in canonical long form (see :func:`canonical_name`);
    values are raw text. Typed views parsed from the values are cached here
    and dropped whenever the headers change.
    """

    __slots__ = ("_cache", "_first", "_items", "_more", "_owner")

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        """Build headers from ``(name, value)`` pairs.

        Raises:
            LocalProtocolError: a name is not a token, or a name or value
                contains CR, LF or NUL.
        """
        self._items: list[tuple[str, str, str]] = []
        self._cache: dict[str, Any] = {}
        # The lookup index, built by the parser's one pass over the lines (or
        # on first lookup): key -> first raw value, None after a change; and
        # key -> every raw value, for the keys on more than one line only
        # (most headers appear once: no list per line).
        self._first: dict[str, str] | None = None
        self._more: dict[str, list[str]] = {}
        # A weak reference to the parsed message that holds views of these
        # lines in its instance dict (see softphone.sip.message), told when
        # they change.
        self._owner: Any = None
        lines = [(self._checked_name(name, value), value) for name, value in items]
        # The values in one search, as `add` checks each: a request is often
        # built from all its lines at once (1,000 SUBSCRIBE dialogs at start-up).
        if UNSAFE_VALUE.search("".join(value for _, value in lines)) is not None:
            for name, value in lines:
                self._check(name, value)  # raises, naming the line
        self._items = [(name.lower(), name, value) for name, value in lines]

    @classmethod
    def _from_parsed(cls, items: list[tuple[str, str, str]]) -> Headers:
        # Lines whose names are already checked and canonical (split by the
        # parser, or copied from other headers).
        headers = cls.__new__(cls)
        headers._items = items
        headers._cache = {}
        headers._first = None
        headers._more = {}
        headers._owner = None
        return headers

    @staticmethod
    def _checked_name(name: str, value: str) -> str:
        # The canonical name of a line, once its name and its value's type
        # are checked (not yet the value's characters).
        canonical = _CHECKED_NAMES.get(name) if type(name) is str else None
        if canonical is None:
            if not isinstance(name, str) or TOKEN.fullmatch(name) is None:
                raise LocalProtocolError(f"invalid header name {name!r}")
            canonical = canonical_name(name)
            if len(_CHECKED_NAMES) < 1024:
                _CHECKED_NAMES[name] = canonical
        if not isinstance(value, str):
            raise LocalProtocolError(f"header value for {name} must be str, not {type(value)}")
        return canonical

    @classmethod
    def _check(cls, name: str, value: str) -> str:
        canonical = cls._checked_name(name, value)
        if UNSAFE_VALUE.search(value) is not None:
            raise LocalProtocolError(f"CR, LF or NUL in the value of header {name}")
        return canonical

    def _index(self) -> dict[str, str]:
        # Built once per change: typed views look headers up many times.
        first = self._first
        if first is None:
            first = {}
            more: dict[str, list[str]] = {}
            for key, _, value in self._items:
                if key not in first:
                    first[key] = value
                elif key in more:
                    more[key].append(value)
                else:
                    more[key] = [first[key], value]
            self._first = first
            self._more = more
        return first

    def _lines(self, key: str) -> Sequence[str] | None:
        # Every raw value of a lower-case canonical key, for the typed views,
        # which only read it (the index's own list when there are several).
        first = self._first
        if first is None:
            first = self._index()
        value = first.get(key)
        if value is None:
            return None
        return self._more.get(key) or (value,)

    def _changed(self) -> None:
        self._cache.clear()
        self._first = None
        self._more = {}
        owner = self._owner
        if owner is not None:
            self._owner = None
            message = owner()
            if message is not None:
                message._forget_views()

    def get(self, name: str) -> str | None:
        """Return the first raw value of *name*, or ``None``."""
        first = self._first
        if first is None:
            first = self._index()
        return first.get(_key(name))

    def get_all(self, name: str) -> list[str]:
        """Return every raw value of *name*, one per header line, in order."""
        found = self._lines(_key(name))
        return [] if found is None else list(found)

    def values(self, name: str) -> list[str]:
        """Return every comma-separated element of *name* across all lines.

        Raises:
            ParseError: a quoted string or ``<`` is not terminated.
        """
        out: list[str] = []
        for value in self._lines(_key(name)) or ():
            out.extend(split_list(value))
        return out

    def add(self, name: str, value: str) -> None:
        """Append a header line.

        Raises:
            LocalProtocolError: invalid name, or CR, LF or NUL in name or value.
        """
        canonical = self._check(name, value)
        self._items.append((canonical.lower(), canonical, value))
        self._changed()

    def insert_first(self, name: str, value: str) -> None:
        """Insert a header line before every other line of any name.

        A UA sending a request puts its own Via on top (RFC 3261 8.1.1.7).

        Raises:
            LocalProtocolError: invalid name, or CR, LF or NUL in name or value.
        """
        canonical = self._check(name, value)
        self._items.insert(0, (canonical.lower(), canonical, value))
        self._changed()

    def replace_first(self, name: str, value: str) -> None:
        """Replace the first line of *name* in place (append if there is none).

        Used to stamp `received`/`rport` into the top Via (RFC 3581 4).

        Raises:
            LocalProtocolError: invalid name, or CR, LF or NUL in name or value.
        """
        canonical = self._check(name, value)
        lname = canonical.lower()
        for index, item in enumerate(self._items):
            if item[0] == lname:
                self._items[index] = (lname, item[1], value)
                break
        else:
            self._items.append((lname, canonical, value))
        self._changed()

    def set(self, name: str, value: str) -> None:
        """Replace every line of *name* by one line, at the first one's place.

        Raises:
            LocalProtocolError: invalid name, or CR, LF or NUL in name or value.
        """
        canonical = self._check(name, value)
        lname = canonical.lower()
        entry = (lname, canonical, value)
        items: list[tuple[str, str, str]] = []
        placed = False
        for item in self._items:
            if item[0] == lname:
                if not placed:
                    items.append(entry)
                    placed = True
            else:
                items.append(item)
        if not placed:
            items.append(entry)
        self._items = items
        self._changed()

    def remove(self, name: str) -> None:
        """Remove every line of *name* (no error if there is none)."""
        lname = canonical_name(name).lower()
        self._items = [item for item in self._items if item[0] != lname]
        self._changed()

    def copy(self) -> Headers:
        """Return an independent copy."""
        return Headers._from_parsed(list(self._items))

    def cached(self, key: str, parse: Callable[[Headers], T]) -> T:
        """Return ``parse(self)``, computed once until the headers change."""
        try:
            return self._cache[key]  # type: ignore[no-any-return]
        except KeyError:
            result = self._cache[key] = parse(self)
            return result

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        first = self._first
        if first is None:
            first = self._index()
        return _key(name) in first

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for _, name, value in self._items:
            yield name, value

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented
        return [(k, v) for k, _, v in self._items] == [(k, v) for k, _, v in other._items]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Headers({list(self)!r})"
